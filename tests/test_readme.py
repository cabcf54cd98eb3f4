"""The README's recipes run as printed, on a batch of the shipped corpus."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from budgetextract.runs.batch import run_batch

from conftest import CORPUS, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
RECIPES = [line for line in re.findall(r"^python -c .*$", README, flags=re.M)]
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A folder holding the shipped corpus and its batch as run1, as the README's examples assume."""
    here = tmp_path_factory.mktemp("readme")
    shutil.copytree(CORPUS, here / "corpus")
    run_batch([str(here / "corpus")], here / "run1", jobs=2, progress=False)
    return here


def test_the_readme_has_recipes():
    assert len(RECIPES) >= 4 and PYTHON_BLOCKS


def test_the_support_recipe_finds_verified_figures(folder):
    recipe = next(r for r in RECIPES if "from support" in r)
    done = subprocess.run([sys.executable, "-c", shlex.split(recipe, comments=True)[2]], cwd=folder, capture_output=True, text=True)
    assert "three_public_total" in done.stdout and "4.8" in done.stdout


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: r[18:60])
def test_each_duckdb_recipe_runs(folder, recipe):
    argv = shlex.split(recipe, comments=True)
    assert argv[:2] == ["python", "-c"]
    done = subprocess.run([sys.executable, "-c", argv[2]], cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "│" in done.stdout  # DuckDB printed the relation


@pytest.mark.parametrize("block", PYTHON_BLOCKS)
def test_each_python_example_runs(folder, block):
    done = subprocess.run([sys.executable, "-c", block], cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_the_data_dictionary_is_one_source():
    """The README's table is the one `schema --dictionary` prints; the JSON Schema and the
    batch's datapackage.json describe each summary key from it."""
    from budgetextract.dictionary import entries, markdown
    from budgetextract.schema import SUMMARY_KEYS, json_schema

    assert markdown() in README and set(entries()) == set(SUMMARY_KEYS)
    described = json_schema()["$defs"]["Summary"]["properties"]
    assert all("(" in described[k]["description"] and entries()[k].terms[0] in described[k]["description"] for k in SUMMARY_KEYS)


def test_the_datapackage_describes_each_summary_key(folder):
    import json

    package = json.loads((folder / "run1" / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for r in package["resources"] if r["path"] == "summary.csv" for f in r["schema"]["fields"]}
    assert "“三公”经费" in fields["three_public_total"]["description"] and fields["three_public_total"]["unit"] == "万元"


def test_the_year_over_year_recipe_sets_the_shipped_departments_years_side_by_side(folder):
    """The shipped corpus holds one department's budgets of consecutive years: the recipe
    gives their “三公” figures side by side, and the change the later one states agrees."""
    recipe = next(r for r in RECIPES if "relation = 'previous_year'" in r)
    done = subprocess.run([sys.executable, "-c", shlex.split(recipe, comments=True)[2]], cwd=folder, capture_output=True, text=True)
    reception = next(line for line in done.stdout.splitlines() if "three_public_reception" in line)
    assert "1.6" in reception and "2.0" in reception and "-0.4" in reception and "true" in reception
