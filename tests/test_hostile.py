"""Attacks and a newcomer's mistakes: every file keeps its own record, nothing hangs or
takes the machine's memory, and a usage error is one line with exit status 2. The
hostile files are built here, small on disk."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from budgetextract import pipeline
from budgetextract.runs.batch import _lock, run_batch
from budgetextract.runs.manifest import read_manifest
from budgetextract.cli import main
from budgetextract.runs.isolation import Limits, run_isolated
from conftest import CORPUS, extracted, needs_real, real_file

HAIKOU, JIANGSU = CORPUS / "sample_haikou_style.txt", CORPUS / "sample_jiangsu_style.txt"
CLI = [sys.executable, "-m", "budgetextract.cli"]


def _summary(out: Path) -> list[dict]:
    with (out / "summary.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _run(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=120, **kw)


# --- lost or wrong data ---------------------------------------------------------

def test_same_name_in_two_folders_keeps_both(tmp_path):
    for year, source in (("2018", HAIKOU), ("2019", JIANGSU)):
        (tmp_path / year).mkdir()
        shutil.copy(source, tmp_path / year / "dept.txt")
    files = [tmp_path / "2018" / "dept.txt", tmp_path / "2019" / "dept.txt"]
    assert main(["extract", *map(str, files), "--out", str(tmp_path / "ex")]) == 0
    departments = {json.loads(p.read_text(encoding="utf-8"))["department"] for p in (tmp_path / "ex").rglob("*.json")}
    assert departments == {"示例市青少年活动中心", "示例省档案馆"}

    run_batch([str(f) for f in files], tmp_path / "b", jobs=2, progress=False)
    rows = _summary(tmp_path / "b")
    assert sorted(r["department"] for r in rows) == ["示例市青少年活动中心", "示例省档案馆"]
    assert len({r["path"] for r in rows}) == 2


def test_file_name_that_is_not_utf8(tmp_path):
    name = "预算说明.txt".encode("gbk")  # as left by unzipping a Windows archive
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), name), "wb") as f:
        f.write(HAIKOU.read_bytes())
    shutil.copy(JIANGSU, folder / "other.txt")
    assert main(["extract", str(folder), "--out", str(tmp_path / "ex")]) == 0
    names = {json.loads(p.read_bytes())["source"]["file_name"] for p in (tmp_path / "ex").rglob("*.json")}
    assert names == {"预算说明.txt", "other.txt"}

    counts = run_batch([str(folder)], tmp_path / "b", jobs=1, progress=False)
    assert counts["done"] == 2
    again = run_batch([str(folder)], tmp_path / "b", jobs=1, progress=False)
    assert again["skipped"] == 2  # the manifest keeps the name exact


def test_same_bytes_under_two_formats_are_read_each_as_named(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b.txt").write_bytes(HAIKOU.read_bytes())
    (folder / "a.pdf").write_bytes(HAIKOU.read_bytes())
    run_batch([str(folder)], tmp_path / "out", jobs=1, progress=False)
    status = {r["file_name"]: (r["status"], r["error_code"]) for r in _summary(tmp_path / "out")}
    assert status == {"a.pdf": ("error", "corrupt_pdf"), "b.txt": ("ok", "")}


def test_relative_and_absolute_runs_share_one_manifest(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(HAIKOU, folder / "h.txt")
    out = tmp_path / "out"
    assert _run("batch", "in", "--out", out, "--quiet", cwd=tmp_path).returncode == 0
    second = _run("batch", folder, "--out", out, "--quiet", cwd="/")
    assert second.returncode == 0 and "1 already done" in second.stderr
    assert len(_summary(out)) == 1


def test_a_second_batch_on_a_busy_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    held = _lock(out)
    try:
        result = _run("batch", HAIKOU, "--out", out, "--quiet")
    finally:
        held.close()
    assert result.returncode == 2 and "another batch is writing" in result.stderr
    assert "Traceback" not in result.stderr


def test_batch_root_above_the_working_folder_stays_inside_records(tmp_path):
    work = tmp_path / "work"
    (tmp_path / "docs").mkdir()
    work.mkdir()
    shutil.copy(HAIKOU, tmp_path / "docs" / "h.txt")
    shutil.copy(JIANGSU, work / "j.txt")
    out = tmp_path / "out"
    assert _run("batch", "..", "j.txt", "--out", out, "--quiet", cwd=work).returncode == 0
    records = [p.resolve() for p in out.rglob("*.json") if p.name != "datapackage.json"]
    assert len(records) == 2 and all(p.is_relative_to((out / "records").resolve()) for p in records)
    assert not list(tmp_path.glob("*.json")) and not list((tmp_path / "docs").glob("*.json"))


def _slow_folder(tmp_path: Path, monkeypatch):
    """A folder of one file whose extraction takes 30 s (past any test's --timeout), and
    the real extraction to put back."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(HAIKOU, folder / "slow.txt")
    real = pipeline.process_file

    def slow(path, **options):
        time.sleep(30)
        return real(path, **options)

    monkeypatch.setattr(pipeline, "process_file", slow)
    return folder, real


def test_timed_out_file_is_retried_by_a_rerun(tmp_path, monkeypatch):
    folder, real = _slow_folder(tmp_path, monkeypatch)
    run_batch([str(folder)], tmp_path / "out", jobs=1, limits=Limits(timeout=1), progress=False)
    (entry,) = read_manifest(tmp_path / "out").values()
    assert entry["error_code"] == "timeout" and entry["transient"] is True
    monkeypatch.setattr(pipeline, "process_file", real)
    again = run_batch([str(folder)], tmp_path / "out", jobs=1, progress=False)
    assert again["done"] == 1 and again["skipped"] == 0
    (entry,) = read_manifest(tmp_path / "out").values()
    assert entry["status"] == "ok"


def test_failed_for_good_is_redone_only_when_asked(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"not a pdf")
    run_batch([str(folder)], tmp_path / "out", jobs=1, progress=False)
    assert run_batch([str(folder)], tmp_path / "out", jobs=1, progress=False)["skipped"] == 1
    assert run_batch([str(folder)], tmp_path / "out", jobs=1, progress=False, retry_failed=True)["failed"] == 1


def test_text_past_a_million_characters(tmp_path):
    body = HAIKOU.read_text(encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text(body * (1_050_000 // len(body) + 1), encoding="utf-8")
    doc = pipeline.process_file(big)
    assert doc.status == "ok" and doc.summary.revenue_total is not None


# --- hangs and memory -----------------------------------------------------------

def _self_drawing_pdf(path: Path) -> None:
    """A form XObject whose content draws itself."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /X 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 200 200] /Resources << /XObject << /X 4 0 R >> >> /Length 7 >>\nstream\n/X Do Q\nendstream",
        b"<< /Length 5 >>\nstream\n/X Do\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path.write_bytes(out.getvalue())


def _dense_grid_pdf(path: Path, lines: int = 3000) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(4 * lines + 200, 4 * lines + 200))
    for i in range(lines + 1):
        c.line(100, 100 + 4 * i, 100 + 4 * lines, 100 + 4 * i)
        c.line(100 + 4 * i, 100, 100 + 4 * i, 100 + 4 * lines)
    c.drawString(100, 4 * lines + 150, "1,234.56 2,345.67 3,456.78 4,567.89 5,678.90")
    c.save()


def _docx_with_style_loop(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("一、收支预算总体情况", style="Heading 1")
    document.add_paragraph("收入预算总计355.85万元，支出预算总计355.85万元。基本支出167.85万元，项目支出188.00万元。")
    buffer = io.BytesIO()
    document.save(buffer)
    parts = {}
    with zipfile.ZipFile(buffer) as z:
        for name in z.namelist():
            parts[name] = z.read(name)
    styles = parts["word/styles.xml"].decode("utf-8")
    # Heading 1 based on itself; Normal and Title based on each other
    styles = styles.replace('w:styleId="Heading1">', 'w:styleId="Heading1"><w:basedOn w:val="Heading1"/>', 1)
    styles = styles.replace('w:styleId="Normal">', 'w:styleId="Normal"><w:basedOn w:val="Title"/>', 1)
    styles = styles.replace('w:styleId="Title">', 'w:styleId="Title"><w:basedOn w:val="Normal"/>', 1)
    parts["word/styles.xml"] = styles.encode("utf-8")
    numbering = ('<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                 '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="99"><w:start w:val="x"/><w:numFmt w:val="decimal"/>'
                 '<w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')
    parts["word/numbering.xml"] = numbering.encode("utf-8")
    document_xml = parts["word/document.xml"].decode("utf-8")
    parts["word/document.xml"] = document_xml.replace(
        "<w:pPr>", '<w:pPr><w:numPr><w:ilvl w:val="99"/><w:numId w:val="1"/></w:numPr>', 1).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_self_drawing_pdf_and_dense_grid_end_in_bounded_time(tmp_path):
    _self_drawing_pdf(tmp_path / "loop.pdf")
    _dense_grid_pdf(tmp_path / "grid.pdf")
    started = time.monotonic()
    outcomes = list(run_isolated([tmp_path / "loop.pdf", tmp_path / "grid.pdf"], 2, Limits(timeout=60, max_memory_mb=1024)))
    assert time.monotonic() - started < 60
    codes = {o.index: (json.loads(o.record_json)["error"] or {}).get("code") if o.record_json else o.error[0] for o in outcomes}
    assert codes[0] in {"no_text_layer", "corrupt_pdf", "memory", "crashed"}
    assert codes[1] in {"not_a_budget", None}  # read, its grid passed over


def test_docx_with_style_loops_and_bad_numbering_is_read(tmp_path):
    _docx_with_style_loop(tmp_path / "loop.docx")
    doc = pipeline.process_file(tmp_path / "loop.docx")
    assert doc.status == "ok" and doc.summary.basic_expenditure is not None


def test_docx_that_inflates_past_the_limit_is_refused(tmp_path, monkeypatch):
    from budgetextract.readers import docx as docx_reader

    monkeypatch.setattr(docx_reader, "_MAX_PART_BYTES", 1 << 20)
    with zipfile.ZipFile(tmp_path / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>" + " " * (2 << 20) + "</w:document>")
    assert (tmp_path / "bomb.docx").stat().st_size < 100_000
    doc = pipeline.process_file(tmp_path / "bomb.docx")
    assert doc.error.code == "too_large"


def test_memory_past_the_limit_gives_a_memory_record(tmp_path, monkeypatch):
    def greedy(path, data, *options):
        return bytearray(3 << 30)  # far past the limit below

    monkeypatch.setattr(pipeline, "process_bytes", greedy)
    shutil.copy(HAIKOU, tmp_path / "h.txt")
    (outcome,) = run_isolated([tmp_path / "h.txt"], 1, Limits(timeout=60, max_memory_mb=1024))
    assert json.loads(outcome.record_json)["error"]["code"] == "memory"


def test_fifo_is_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    doc = pipeline.process_file(fifo)
    assert doc.error.code == "unreadable" and "regular file" in doc.error.message


# --- usage errors ---------------------------------------------------------------

@pytest.mark.parametrize("args, says", [
    (["extract", "nosuch.pdf", "--out", "o"], "no such file or folder"),
    (["batch", "nosuch", "--out", "o"], "no such file or folder"),
    (["review", "missing.pdf", "-o", "r.html"], "no such file"),
    (["text", "missing.pdf"], "no such file"),
    (["batch", str(HAIKOU), "--out", "o", "--jobs", "0"], "1 or more"),
    (["batch", str(HAIKOU), "--out", "o", "--jobs", "-3"], "1 or more"),
    (["extract", str(HAIKOU), "--out", "o", "--timeout", "0"], "--timeout"),
    (["extract", str(HAIKOU), "--out", "o", "--timeout", "-1"], "--timeout"),
    (["extract", str(HAIKOU), "--out", "o", "--frobnicate"], "budgetextract extract"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path, args, says):
    result = _run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr


def test_unwritable_outputs_are_usage_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (["extract", HAIKOU, "--out", blocker], ["extract", HAIKOU, "--out", blocker / "sub"],
                 ["batch", HAIKOU, "--out", blocker / "sub", "--quiet"], ["review", HAIKOU, "-o", blocker / "sub" / "r.html"]):
        result = _run(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert not list(tmp_path.rglob("*.tmp"))


def test_eval_without_a_matching_gold_file(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "X1.json").write_text("{}", encoding="utf-8")
    result = _run("eval", tmp_path / "gold", HAIKOU)
    assert result.returncode == 2 and "no input matches" in result.stderr


def test_closed_pipe_and_interrupt_without_traceback(tmp_path):
    head = subprocess.run(f"{sys.executable} -m budgetextract.cli text {JIANGSU} | head -n 1", shell=True,
                          capture_output=True, text=True, timeout=60)
    assert head.stdout.strip() and "Traceback" not in head.stderr and "BrokenPipe" not in head.stderr

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(200):  # seconds of work: the interrupt comes while files are still being read
        shutil.copy(HAIKOU, folder / f"h{i}.txt")
        with (folder / f"h{i}.txt").open("a") as f:
            f.write(f"\n{i}")
    proc = subprocess.Popen([*CLI, "batch", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet"],
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not read_manifest(tmp_path / "out"):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # mid-batch, to the parent and its workers, as Ctrl-C would
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGINT and "Traceback" not in err and "interrupted" in err


def test_unreachable_dask_scheduler_is_a_usage_error(tmp_path):
    pytest.importorskip("dask.distributed")
    started = time.monotonic()
    result = _run("batch", HAIKOU, "--out", tmp_path / "out", "--quiet", "--dask", "tcp://127.0.0.1:9")
    assert result.returncode == 2 and "Dask scheduler" in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


def test_review_of_a_record_from_another_folder(tmp_path):
    assert main(["extract", str(HAIKOU), "--out", str(tmp_path / "ex")]) == 0
    record = next((tmp_path / "ex").glob("*.json"))
    result = _run("review", record.resolve(), "-o", tmp_path / "r.html", cwd="/")
    assert result.returncode == 0 and (tmp_path / "r.html").stat().st_size > 1000


# --- outputs --------------------------------------------------------------------

def test_outputs_an_analyst_can_load(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(HAIKOU, folder / "=HYPERLINK(1).txt")
    shutil.copy(HAIKOU, folder / "copy.txt")
    shutil.copy(CORPUS / "sample_jiangsu_style.pdf", folder / "j.pdf")
    run_batch([str(folder)], tmp_path / "out", jobs=1, progress=False)
    raw = (tmp_path / "out" / "summary.csv").read_bytes()
    assert b"\r\n" not in raw
    rows = _summary(tmp_path / "out")
    assert {r["file_name"] for r in rows} == {"'=HYPERLINK(1).txt", "copy.txt", "j.pdf"}
    assert {r["format"] for r in rows} == {"txt", "pdf"} and all(r["path"].startswith("/") and r["money_unit"] == "万元" for r in rows)
    assert sum(bool(r["duplicate_of"]) for r in rows) == 1
    import duckdb

    con = duckdb.connect(str(tmp_path / "out" / "budgets.duckdb"))
    columns = {name for (name, *_) in con.execute("describe line_items").fetchall()}
    assert {"table_column", "amount", "amount_unit", "table_unit"} <= columns and "column" not in columns
    assert con.execute("select min(end_offset - start_offset) from facts").fetchone()[0] > 0
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    summary_fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert summary_fields["revenue_total"]["unit"] == "万元"


def test_report_counts_one_budget_once_and_names_the_weak(tmp_path):
    from budgetextract.views.report import report_page

    run_batch([str(CORPUS)], tmp_path / "out", jobs=2, progress=False)
    page = report_page(tmp_path / "out")
    budgets = len(list(CORPUS.glob("*.txt")))  # each shipped budget is there as TXT, DOCX and PDF
    assert f"{budgets} documents (copies and other formats of one budget counted once)" in page
    assert "Documents behind the least covered keys" in page and "sample_haikou_style" in page


@needs_real
def test_table_evidence_names_its_row_and_column():
    doc = extracted(str(real_file("SZ1")))
    fact = next(f for f in doc.facts if f.field == "expenditure.basic" and f.source == "table")
    assert fact.evidence.text == "3,072.01"
    assert fact.evidence.label == "支出总表 | 深圳市信访局 | 基本支出"


@needs_real
def test_label_wrapped_at_a_line_start_is_not_a_statement():
    facts = extracted(str(real_file("J3"))).facts
    assert all(f.value != 21968 for f in facts if f.field == "expenditure.total")  # 财政拨款基本 / 支出预算21968万元


# --- round three ----------------------------------------------------------------

def test_a_file_name_near_the_name_length_limit_keeps_the_batch_going(tmp_path):
    # 80 Chinese characters are 240 bytes: its record name fits, a temporary name built on it would not
    folder = tmp_path / "in"
    folder.mkdir()
    long_name = folder / ("江苏省人民检察院" * 10 + ".txt")
    shutil.copy(HAIKOU, long_name)
    shutil.copy(JIANGSU, folder / "b.txt")
    out = tmp_path / "out"
    assert main(["batch", str(folder), "--out", str(out), "--jobs", "1"]) == 0
    assert (out / "records" / f"{long_name.name}.json").exists()
    assert (out / "records" / "b.txt.json").exists()
    assert len(_summary(out)) == 2
    assert main(["extract", str(long_name), "--out", str(tmp_path / "one")]) == 0


def test_control_characters_reach_no_text_field(tmp_path):
    path = tmp_path / "nul.txt"
    text = HAIKOU.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    path.write_text(text.replace(first, first[:2] + "\x07\x1b" + first[2:], 1), encoding="utf-8")
    doc = pipeline.process_file(path, debug=True)
    assert doc.status == "ok" and doc.department and not any(ord(c) < 32 for c in doc.department)
    assert not any(ord(c) < 32 and c != "\n" for f in doc.facts for c in f.evidence.text)


def test_inputs_that_would_share_a_record_path_each_keep_their_own(tmp_path):
    # batch a/p/f.txt a/q/f.txt a/other, where a/other holds p/f.txt: renaming the first two
    # by their common folder gives p/f.txt, which the folder's file already has
    a = tmp_path / "a"
    for sub, src in (("p", HAIKOU), ("q", JIANGSU), ("other/p", JIANGSU)):
        (a / sub).mkdir(parents=True)
        shutil.copy(src, a / sub / "f.txt")
    (a / "other" / "p" / "f.txt").write_bytes(JIANGSU.read_bytes() + "\n补充说明。\n".encode("gb18030"))
    out = tmp_path / "out"
    assert main(["batch", str(a / "p" / "f.txt"), str(a / "q" / "f.txt"), str(a / "other"), "--out", str(out), "--jobs", "1"]) == 0
    records = sorted(str(p.relative_to(out / "records")) for p in (out / "records").rglob("*.json"))
    assert len(records) == 3 and len(set(records)) == 3
    sources = {json.loads(p.read_text(encoding="utf-8"))["source"]["path"] for p in (out / "records").rglob("*.json")}
    assert sources == {str(a / "p" / "f.txt"), str(a / "q" / "f.txt"), str(a / "other" / "p" / "f.txt")}
    assert len(_summary(out)) == 3


def test_pipes_and_devices_get_a_record_in_batch_without_waiting(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.pdf")
    (folder / "zero.pdf").symlink_to("/dev/zero")
    shutil.copy(HAIKOU, folder / "ok.txt")
    lone = tmp_path / "lone.txt"
    os.mkfifo(lone)
    started = time.monotonic()
    result = subprocess.run([*CLI, "batch", str(folder), str(lone), "--out", str(tmp_path / "out"), "--jobs", "1"],
                            capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 60 and result.returncode == 1
    errors = {row["file_name"]: row["status"] for row in _summary(tmp_path / "out")}
    assert errors == {"pipe.pdf": "error", "zero.pdf": "error", "lone.txt": "error", "ok.txt": "ok"}
    (path,) = (tmp_path / "out" / "records").rglob("pipe.pdf.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["error"]["code"] == "unreadable" and "regular file" in record["error"]["message"]


def test_the_folder_lock_is_not_held_by_a_worker_of_a_killed_batch(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    script = ("import os, sys, time\nfrom pathlib import Path\nfrom budgetextract.runs.batch import _lock\n"
              f"lock = _lock(Path({str(out)!r}))\n"
              "if os.fork() == 0:\n    time.sleep(30)\n    os._exit(0)\n"
              "print('locked', flush=True)\ntime.sleep(30)\n")
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(Exception, match="another batch"):
            _lock(out)
        holder.kill()  # kill -9 of the batch; its forked child lives on with the lock file open
        holder.wait(timeout=10)
        _lock(out).close()  # the rerun is not refused
    finally:
        holder.kill()


def test_a_worker_dies_with_its_parent_even_mid_file(tmp_path):
    big = tmp_path / "long.txt"
    big.write_text("一、收支预算总体情况\n" + "".join(f"{i}、项目支出预算{i}.00万元，基本支出预算{i}.50万元。\n" for i in range(40_000)),
                   encoding="utf-8")
    script = ("import os, sys\nfrom pathlib import Path\nfrom budgetextract.runs.isolation import Limits, _Pool\n"
              "pool = _Pool(1, Limits())\nw = pool.workers[0]\n"
              f"w['conn'].send(os.fsencode({str(big)!r}))\n"
              "print(w['proc'].pid, flush=True)\nimport time; time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    time.sleep(1.5)  # the worker is reading the file
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{worker}/stat") as f:
            if f.read().split()[2] == "Z":  # dead, waiting for init to reap it
                break
        time.sleep(0.1)
    else:
        pytest.fail("the worker outlived its killed parent")


def test_a_file_that_fails_the_same_transient_way_twice_is_not_tried_again_unasked(tmp_path, monkeypatch):
    folder, real = _slow_folder(tmp_path, monkeypatch)
    out = tmp_path / "out"
    for transient in (True, False):
        run_batch([str(folder)], out, jobs=1, limits=Limits(timeout=1), progress=False)
        (entry,) = read_manifest(out).values()
        assert entry["error_code"] == "timeout" and entry["transient"] is transient
    assert run_batch([str(folder)], out, jobs=1, limits=Limits(timeout=1), progress=False)["skipped"] == 1
    monkeypatch.setattr(pipeline, "process_file", real)
    assert run_batch([str(folder)], out, jobs=1, progress=False, retry_failed=True)["done"] == 1


def test_nested_docx_tables_give_their_text_once(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("示例市统计局2026年部门预算")
    document.add_paragraph("一、收支预算总体情况")
    document.add_paragraph("本部门收入预算500.00万元，支出预算500.00万元，其中：基本支出400.00万元，项目支出100.00万元。")
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    for _ in range(12):
        cell = cell.add_table(rows=1, cols=1).cell(0, 0)
    cell.paragraphs[0].text = "本部门政府采购预算12.30万元。"
    document.save(tmp_path / "nested.docx")
    doc = pipeline.process_file(tmp_path / "nested.docx", debug=True)
    assert doc.status == "ok"
    assert [f.value for f in doc.facts if f.field == "procurement.total"] == [Decimal("12.30")]


def test_max_memory_bounds_the_workers_whole_size(tmp_path, monkeypatch):
    # 900 MB more than a worker holds at the start: within "held + the allowance", past the whole limit
    def greedy(path, data, *options):
        return bytearray(900 << 20)

    monkeypatch.setattr(pipeline, "process_bytes", greedy)
    shutil.copy(HAIKOU, tmp_path / "h.txt")
    (outcome,) = run_isolated([tmp_path / "h.txt"], 1, Limits(timeout=60, max_memory_mb=1024))
    assert json.loads(outcome.record_json)["error"]["code"] == "memory"


def test_a_scan_where_ocr_found_nothing_says_that_ocr_ran(tmp_path, monkeypatch):
    from budgetextract.readers.base import RawDocument
    from budgetextract.readers.base import RecognizedPage

    def blank_scan(path, data, ocr="auto"):  # what the reader gives for two blank scanned pages
        return RawDocument(format="pdf", pages=["", ""], paged=True, path=path, empty_pages=[1, 2],
                           ocr={1: RecognizedPage(rows=[], confidence=0.0), 2: RecognizedPage(rows=[], confidence=0.0)})

    monkeypatch.setattr(pipeline, "read_bytes", blank_scan)
    (tmp_path / "blank.pdf").write_bytes(b"%PDF-1.4 placeholder")
    doc = pipeline.process_file(tmp_path / "blank.pdf")
    assert doc.error.code == "no_text_layer" and "OCR read 2 page(s) and found no text" in doc.error.message
    assert "run OCR" not in doc.error.message


def test_a_file_name_at_the_length_limit_gets_a_shortened_record_name(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    longest = folder / ("部门预算" * 20 + "说明文.txt")  # 83 characters and .txt: 253 bytes, a legal name
    shutil.copy(HAIKOU, longest)
    out = tmp_path / "out"
    assert main(["batch", str(folder), "--out", str(out), "--jobs", "1"]) == 0
    (record,) = (out / "records").glob("*.json")
    assert len(os.fsencode(record.name)) <= 255 and record.name.startswith("部门预算部门预算")
    assert json.loads(record.read_text(encoding="utf-8"))["source"]["file_name"] == longest.name
    assert main(["batch", str(folder), "--out", str(out), "--jobs", "1"]) == 0  # the rerun finds it done
    assert len(_summary(out)) == 1


def test_a_scans_time_limit_grows_with_the_pages_read_by_ocr(tmp_path, monkeypatch):
    import pypdfium2 as pdfium

    from budgetextract.readers import ocr

    if not ocr.available():
        pytest.skip("the [ocr] extra is not installed")
    source = pdfium.PdfDocument((CORPUS / "sample_jiangsu_style.pdf").read_bytes())
    images = [source[i].render(scale=0.5).to_pil().convert("L") for i in range(2)]
    images[0].save(tmp_path / "scan.pdf", save_all=True, append_images=images[1:], resolution=36)

    def slow_engine():  # a recognizer on a busy machine: 1.5 s a page, nothing found
        return lambda image: (time.sleep(1.5), [])[1]

    monkeypatch.setattr(ocr, "_engine", slow_engine)
    (outcome,) = run_isolated([tmp_path / "scan.pdf"], 1, Limits(timeout=1, ocr_page_seconds=3))
    assert outcome.error is None  # 3 s of OCR within 1 s + 2 × 3 s
    assert json.loads(outcome.record_json)["error"]["code"] == "no_text_layer"
    (outcome,) = run_isolated([tmp_path / "scan.pdf"], 1, Limits(timeout=1, ocr_page_seconds=0))
    assert outcome.error[0] == "timeout"
