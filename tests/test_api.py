"""The Python API: what a notebook calls gives what the command line writes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import budgetextract
from budgetextract.runs.batch import OutputBusy

from conftest import CORPUS


def test_extract_from_a_fresh_interpreter_is_the_record_the_cli_writes():
    path = CORPUS / "sample_jiangsu_style.pdf"
    code = f"import budgetextract; print(budgetextract.extract({str(path)!r}).to_json())"
    api = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    cli = json.loads(subprocess.run(["budgetextract", "extract", str(path), "--stdout"], capture_output=True, text=True, check=True).stdout)
    assert api == cli and api["summary"]["revenue_total"] == 3456.78


def test_batch_then_open_run_has_every_document(tmp_path):
    out = tmp_path / "run"
    counts = budgetextract.batch([CORPUS], out, jobs=1)
    files = [p for p in CORPUS.iterdir() if p.suffix in (".pdf", ".docx", ".txt")]
    assert (counts["done"], counts["failed"]) == (len(files), 0)
    con = budgetextract.open_run(out)
    assert con.sql("select count(*) from summary").fetchall() == [(len(files),)]
    assert con.sql("select count(distinct record) from support where status = 'verified'").fetchall() == [(len(files),)]
    assert budgetextract.batch([CORPUS], out, jobs=1)["skipped"] == len(files)  # a rerun does what is missing: nothing


def test_the_api_says_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="timeout"):
        budgetextract.batch([CORPUS], tmp_path / "run", timeout=0)
    with pytest.raises(FileNotFoundError, match="batch"):
        budgetextract.open_run(tmp_path / "nothing")
    assert {"extract", "batch", "open_run", "BudgetDocument"} <= set(dir(budgetextract))
    assert "extract(" in budgetextract.__doc__ and budgetextract.extract.__doc__
    assert OutputBusy.__name__ in budgetextract.batch.__doc__
