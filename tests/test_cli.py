"""The command line as a user runs it."""

from __future__ import annotations

import json

from budgetextract.cli import main
from conftest import CORPUS, GOLD, needs_real, real_file


def test_extract_folder_writes_one_record_per_file(tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(CORPUS), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    inputs = sorted(f"{p.name}.json" for p in CORPUS.iterdir() if p.suffix in (".pdf", ".docx", ".txt"))
    assert names == inputs  # sample.pdf and sample.docx do not collide
    record = json.loads((out / "sample_jiangsu_style.pdf.json").read_text(encoding="utf-8"))
    assert record["schema_version"] == "1.5"
    assert record["status"] == "ok" and record["error"] is None
    assert record["source"]["format"] == "pdf" and record["source"]["pages"] >= 2 and len(record["source"]["sha256"]) == 64
    assert record["department"] == "示例省档案馆" and record["fiscal_year"] == 2019
    assert record["sections"] and record["facts"]


def test_stdout_and_usage_errors(tmp_path, capsys):
    assert main(["extract", str(CORPUS / "sample_haikou_style.txt"), "--stdout"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["summary"]["procurement_total"] == 45
    assert main(["extract", str(CORPUS), "--stdout"]) == 2  # --stdout takes one file
    assert main(["extract", str(CORPUS)]) == 2  # no --out
    assert main(["extract", str(tmp_path)]) == 2  # nothing to read
    assert main(["frobnicate"]) == 2


def test_text_prints_what_offsets_index(capsys):
    path = CORPUS / "sample_jiangsu_style.pdf"
    assert main(["text", str(path), "--pages"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("<<<page 1 offset 0>>>")
    assert main(["extract", str(path), "--stdout"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert main(["text", str(path)]) == 0
    text = capsys.readouterr().out
    for fact in record["facts"]:
        ev = fact["evidence"]
        assert text[ev["start"] : ev["end"]] == ev["text"]


def test_schema_is_generated_from_the_model(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"schema_version", "source", "status", "error", "summary", "sections", "facts", "findings", "tables", "warnings"} <= set(schema["properties"])
    assert "function_classes" in schema["$defs"]["Summary"]["properties"]


@needs_real
def test_eval_reports_scores(capsys):
    assert main(["eval", str(GOLD), str(real_file("H1")), str(real_file("J11"))]) == 0
    out = capsys.readouterr().out
    assert "H1 " in out and "J11" in out
    assert out.strip().splitlines()[-2].startswith("TOTAL  recall")
    assert out.strip().splitlines()[-1].startswith("TOTAL  support")
