"""Review pages and the batch report, checked as HTML and in a real browser (headless
Chromium): every fact highlighted, every summary value linked to its evidence and
scrolled to on a click, charts drawn, screenshots that are not blank."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from budgetextract.cli import main
from conftest import CORPUS, needs_real, real_files

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs Debian's chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "chromium-profile"
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)
    return done.stdout


def selftest(tmp_path: Path, page: Path) -> dict:
    dom = chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", f"{page.as_uri()}#selftest")
    found = re.search(r'data-selftest="([^"]*)"', dom)
    assert found, "the page's self-test did not run"
    return json.loads(found.group(1).replace("&quot;", '"'))


def assert_not_blank(png: Path) -> None:
    from PIL import Image

    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert image.size[0] > 500 and (colours is None or len(colours) > 50), "the screenshot is blank"


def test_review_page_marks_every_fact_and_links_every_value(tmp_path):
    page = tmp_path / "r.html"
    assert main(["review", str(CORPUS / "sample_jiangsu_style.pdf"), "-o", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    record = json.loads(subprocess.run(["budgetextract", "extract", str(CORPUS / "sample_jiangsu_style.pdf"), "--stdout"],
                                       capture_output=True, text=True, check=True).stdout)
    marked = {int(i) for group in re.findall(r'data-facts="([\d ]+)"', text) for i in group.split()}
    assert marked == set(range(len(record["facts"])))
    for i in range(len(record["facts"])):
        assert f'id="fact-{i}"' in text
    stated = [k for k, v in record["summary"].items() if v is not None and k not in ("doc_kind", "scope", "function_classes")]
    stated += [f"function_classes.{k}" for k in record["summary"]["function_classes"]]
    links = re.findall(r'<td class="k">([^<]+)</td><td><a class="value"', text)
    assert sorted(links) == sorted(stated)
    # each figure's support beside it, as the record has it
    shown = dict(re.findall(r'<td class="k">([^<]+)</td><td[^>]*>(?:(?!</tr>).)*?class="support s-(\w+)"', text))
    assert shown == {k: s["status"] for k, s in record["support"].items()} and "verified" in shown.values()
    assert not re.search(r'(?:src|href)="https?:', text)  # self-contained


def test_review_from_a_record(tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(CORPUS / "sample_haikou_style.txt"), "--out", str(out)]) == 0
    page = tmp_path / "r.html"
    assert main(["review", str(out / "sample_haikou_style.txt.json"), "-o", str(page)]) == 0
    assert "示例市青少年活动中心" in page.read_text(encoding="utf-8")


@needs_browser
@needs_real
@pytest.mark.parametrize("path", real_files(), ids=lambda p: p.name.split("_")[0])
def test_review_page_in_chromium(tmp_path, path):
    page = tmp_path / "review.html"
    assert main(["review", str(path), "-o", str(page)]) == 0
    result = selftest(tmp_path, page)
    assert result["facts"] > 0 and result["marked"] == result["facts"]
    assert result["links"] > 5 and result["visible"] == result["links"]  # each click brought its evidence into view
    png = tmp_path / "review.png"
    chromium(tmp_path, "--window-size=1400,900", f"--screenshot={png}", page.as_uri())
    assert_not_blank(png)


@needs_browser
def test_report_renders_with_plots(tmp_path):
    from budgetextract.runs.batch import run_batch
    from budgetextract.runs.isolation import Limits

    inputs = tmp_path / "in"
    shutil.copytree(CORPUS, inputs)
    (inputs / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    run_batch([str(inputs)], out, jobs=2, limits=Limits(timeout=60), progress=False)
    page = tmp_path / "report.html"
    assert main(["report", str(out), "-o", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") >= 6 and "empty_file" in text and "coverage" in text.lower()
    png = tmp_path / "report.png"
    chromium(tmp_path, "--window-size=1100,1600", f"--screenshot={png}", page.as_uri())
    assert_not_blank(png)


def test_report_needs_a_batch_folder(tmp_path):
    assert main(["report", str(tmp_path), "-o", str(tmp_path / "x.html")]) == 2
