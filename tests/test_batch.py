"""Batch runs: every file gets a record, bad and pathological files included; reruns skip
what is done; a killed run resumes to the same outputs; tables load into DuckDB."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from budgetextract import pipeline
from budgetextract.runs.batch import run_batch
from budgetextract.runs.manifest import read_manifest
from budgetextract.runs.isolation import Limits
from conftest import CORPUS


def make_inputs(folder: Path, copies: int = 1) -> list[Path]:
    """The sample corpus, a few bad files, a renamed duplicate, and `copies` variants of
    the TXT samples that differ in content (so they are not recognised as duplicates)."""
    folder.mkdir(parents=True)
    for p in CORPUS.iterdir():
        if p.suffix in (".pdf", ".docx", ".txt"):
            shutil.copy(p, folder / p.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    (folder / "sub").mkdir()
    shutil.copy(CORPUS / "sample_haikou_style.pdf", folder / "sub" / "same_content_other_name.pdf")
    for i in range(copies):
        for stem, enc in (("sample_haikou_style", "utf-8"), ("sample_jiangsu_style", "gb18030")):
            text = (CORPUS / f"{stem}.txt").read_text(encoding=enc) + f"\n附注：第{i}份。\n"
            (folder / f"{stem}_{i}.txt").write_text(text, encoding=enc)
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text in (proc / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def summary_rows(folder: Path) -> list[tuple]:
    with (folder / "summary.csv").open(encoding="utf-8") as f:
        return sorted(tuple(sorted(r.items())) for r in csv.DictReader(f))


def test_batch_records_outputs_and_rerun(tmp_path):
    inputs = make_inputs(tmp_path / "in")
    out = tmp_path / "out"
    counts = run_batch([str(tmp_path / "in")], out, jobs=2, limits=Limits(timeout=60), progress=False)
    assert counts["done"] + counts["failed"] == len(inputs)
    assert counts["failed"] == 2
    manifest = read_manifest(out)
    assert len(manifest) == len(inputs)
    dup = manifest[str(tmp_path / "in" / "sub" / "same_content_other_name.pdf")]
    assert dup["duplicate_of"] == str(tmp_path / "in" / "sample_haikou_style.pdf")
    record = json.loads(Path(dup["record"]).read_text(encoding="utf-8"))
    assert record["source"]["file_name"] == "same_content_other_name.pdf" and record["summary"]["revenue_total"] == 520.4

    with (out / "errors.csv").open(encoding="utf-8") as f:
        assert sorted(r["code"] for r in csv.DictReader(f)) == ["corrupt_pdf", "empty_file"]
    import duckdb

    con = duckdb.connect(str(out / "budgets.duckdb"), read_only=True)
    rows = con.sql("select department, fiscal_year, expenditure_total from summary where status = 'ok'").fetchall()
    assert len(rows) == len(inputs) - 2 and all(r[0] and r[1] and r[2] for r in rows)
    assert con.sql("select count(*) from function_classes where function_class = '教育支出'").fetchall()[0][0] >= 3
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} == {"summary.csv", "function_classes.csv", "facts.csv", "line_items.csv", "findings.csv",
                                                        "errors.csv", "execution.csv", "series.csv", "corpus_findings.csv", "support.csv", "comparisons.csv"}

    again = run_batch([str(tmp_path / "in")], out, jobs=2, limits=Limits(timeout=60), progress=False)
    assert (again["done"], again["failed"], again["skipped"]) == (0, 0, len(inputs))
    forced = run_batch([str(tmp_path / "in")], out, jobs=2, limits=Limits(timeout=60), force=True, progress=False)
    assert forced["done"] + forced["failed"] == len(inputs)


def test_hanging_and_crashing_files_do_not_stop_the_batch(tmp_path, monkeypatch):
    make_inputs(tmp_path / "in")
    real = pipeline.process_file

    def pathological(path, **options):
        if "jiangsu_style.docx" in str(path):
            time.sleep(60)  # hangs
        if "haikou_style.docx" in str(path):
            os._exit(3)  # dies as a crashing parser would
        return real(path, **options)

    monkeypatch.setattr(pipeline, "process_file", pathological)  # forked workers inherit it
    out = tmp_path / "out"
    run_batch([str(tmp_path / "in")], out, jobs=2, limits=Limits(timeout=10), progress=False)
    codes = {Path(e["path"]).name: e["error_code"] for e in read_manifest(out).values()}
    assert codes["sample_jiangsu_style.docx"] == "timeout"
    assert codes["sample_haikou_style.docx"] == "crashed"
    assert codes["sample_jiangsu_style.pdf"] is None and codes["sample_haikou_style.txt"] is None


def test_killed_run_resumes_to_the_same_outputs(tmp_path):
    inputs = make_inputs(tmp_path / "in", copies=6)
    command = [sys.executable, "-m", "budgetextract.cli", "batch", str(tmp_path / "in"), "--jobs", "1", "--quiet"]
    subprocess.run([*command, "--out", str(tmp_path / "whole")], check=False, capture_output=True, timeout=300)

    out = tmp_path / "killed"
    proc = subprocess.Popen([*command, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(read_manifest(out)) < 6:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # its workers, orphaned, leave by themselves
    deadline = time.time() + 10
    while time.time() < deadline and _processes_mentioning(str(out)):
        time.sleep(0.2)
    assert not _processes_mentioning(str(out))
    done_before = len(read_manifest(out))
    assert 0 < done_before < len(inputs)
    subprocess.run([*command, "--out", str(out)], check=False, capture_output=True, timeout=300)

    whole, resumed = summary_rows(tmp_path / "whole"), summary_rows(out)
    assert len(resumed) == len(whole) == len(inputs)  # every file once, none twice
    strip = lambda rows: [tuple(kv for kv in r if kv[0] != "record") for r in rows]
    assert strip(resumed) == strip(whole)
    assert not list(out.rglob("*.tmp"))


def test_manifest_line_cut_short_by_a_kill_loses_nothing_after_it(tmp_path):
    from budgetextract.runs.manifest import open_manifest

    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text('{"path": "a", "status": "ok"}\n{"path": "b", "sta', encoding="utf-8")
    with open_manifest(tmp_path) as f:
        f.write('{"path": "c", "status": "ok"}\n')
    assert sorted(read_manifest(tmp_path)) == ["a", "c"]  # b is redone; c is not lost


def test_dask_cluster_gives_the_same_outputs(tmp_path):
    pytest.importorskip("dask.distributed")
    from dask.distributed import LocalCluster

    make_inputs(tmp_path / "in")
    run_batch([str(tmp_path / "in")], tmp_path / "local", jobs=2, limits=Limits(timeout=60), progress=False)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        run_batch([str(tmp_path / "in")], tmp_path / "dask", jobs=2, limits=Limits(timeout=60), progress=False, dask=cluster.scheduler_address)

    assert summary_rows(tmp_path / "dask") == summary_rows(tmp_path / "local")
    assert len(summary_rows(tmp_path / "dask")) == len(read_manifest(tmp_path / "dask"))


def test_the_eta_counts_the_work_left_not_the_files():
    import io

    from budgetextract.runs.batch import Progress

    stream = io.StringIO()
    bar = Progress(total=3, enabled=True, stream=stream, total_bytes=1_000_000)
    bar.start -= 10  # ten seconds in
    bar.update(pages=2, failed=False, size=100_000)  # a small file done: 900 KB of 1 MB left
    eta = int(stream.getvalue().split("ETA ")[1].split("s")[0])
    assert 85 <= eta <= 95  # 900 KB at 10 KB/s, not "2 files at 10 s a file"


def test_the_progress_line_names_a_file_that_takes_long(tmp_path, monkeypatch):
    """A batch's progress line, while a file has been read for a while, names it; the workers
    tell the bar which files they read."""
    import io

    from budgetextract.runs.batch import Progress

    stream = io.StringIO()
    bar = Progress(total=2, enabled=True, stream=stream)
    bar.watch({0: 3.0, 1: 2.0}, ["scan.pdf", "b.txt"])
    assert stream.getvalue() == ""  # nothing slow yet
    bar.watch({0: 42.0, 1: 2.0}, ["scan.pdf", "b.txt"])
    assert "reading scan.pdf (42s)" in stream.getvalue()

    seen: list[dict[int, float]] = []
    real = pipeline.process_file

    def slow(path, **options):
        time.sleep(0.6)
        return real(path, **options)

    monkeypatch.setattr(pipeline, "process_file", slow)  # forked workers inherit it
    from budgetextract.runs.isolation import run_isolated

    list(run_isolated([CORPUS / "sample_haikou_style.txt"], 1, Limits(), watch=seen.append))
    assert seen and all(set(r) <= {0} for r in seen) and max(r.get(0, 0) for r in seen) >= 0.4


def test_a_figure_past_a_64_bit_integer_does_not_break_the_tables(tmp_path):
    """核定事业编制99999999999999999999名: the record keeps it, the typed tables hold null, and
    every table is written (the batch and every rerun died on it)."""
    folder = tmp_path / "in"
    folder.mkdir()
    text = (CORPUS / "sample_haikou_style.txt").read_text(encoding="utf-8").replace("核定事业编制26名", "核定事业编制99999999999999999999名")
    (folder / "huge.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "run"
    run_batch([str(folder)], out, jobs=1, progress=False)
    record = json.loads((out / "records" / "huge.txt.json").read_text(encoding="utf-8"))
    assert record["summary"]["staffing_authorized"] == 99999999999999999999
    import duckdb

    con = duckdb.connect(str(out / "budgets.duckdb"), read_only=True)
    assert con.sql("select staffing_authorized, staff_actual from summary").fetchall() == [(None, 24)]
    assert (out / "summary.parquet").exists() and (out / "datapackage.json").exists()
    with (out / "summary.csv").open(encoding="utf-8") as f:
        assert next(csv.DictReader(f))["staffing_authorized"] == "99999999999999999999"


def test_a_second_batch_into_one_folder_keeps_the_first_ones_records(tmp_path):
    """batch 2018/ --out run, then batch 2019/ --out run, both holding dept.txt: each keeps a
    record of its own, and a rerun of 2018 finds its own record done."""
    for year, sample in (("2018", "sample_haikou_style.txt"), ("2019", "sample_jiangsu_style.txt")):
        (tmp_path / year).mkdir()
        shutil.copy(CORPUS / sample, tmp_path / year / "dept.txt")
    out = tmp_path / "run"
    run_batch([str(tmp_path / "2018")], out, jobs=1, progress=False)
    run_batch([str(tmp_path / "2019")], out, jobs=1, progress=False)
    manifest = read_manifest(out)
    first, second = (manifest[str(tmp_path / year / "dept.txt")] for year in ("2018", "2019"))
    assert first["record"] != second["record"]
    for entry, department in ((first, "示例市青少年活动中心"), (second, "示例省档案馆")):
        record = json.loads(Path(entry["record"]).read_text(encoding="utf-8"))
        assert record["department"] == department and record["source"]["sha256"] == entry["sha256"]
    counts = run_batch([str(tmp_path / "2018")], out, jobs=1, progress=False)
    assert (counts["skipped"], counts["done"]) == (1, 0)
    import duckdb

    con = duckdb.connect(str(out / "budgets.duckdb"), read_only=True)
    assert sorted(con.sql("select department from summary").fetchall()) == [("示例市青少年活动中心",), ("示例省档案馆",)]


def test_a_symlink_loop_gets_its_record_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder)
    (folder / "a.pdf").symlink_to("b.pdf")
    (folder / "b.pdf").symlink_to("a.pdf")
    out = tmp_path / "run"
    counts = run_batch([str(folder)], out, jobs=1, progress=False)
    assert (counts["done"], counts["failed"]) == (1, 2)
    record = json.loads((out / "records" / "a.pdf.json").read_text(encoding="utf-8"))
    assert record["error"]["code"] == "unreadable" and "loop" in record["error"]["message"]


def test_no_record_is_written_outside_the_output_folder(tmp_path):
    """Two inputs of one name, one typed through ..: their record names come from the folder
    they share, with no .. in them."""
    for folder, sample in (("in", "sample_haikou_style.txt"), ("x", "sample_jiangsu_style.txt")):
        (tmp_path / folder).mkdir()
        shutil.copy(CORPUS / sample, tmp_path / folder / "a.txt")
    out = tmp_path / "run"
    run_batch([str(tmp_path / "in" / "a.txt"), str(tmp_path / "in" / ".." / "x" / "a.txt")], out, jobs=1, progress=False)
    written = {p for p in tmp_path.rglob("*.json") if p.name.startswith("a.txt")}
    assert len(written) == 2 and all(out / "records" in p.parents for p in written)


def test_a_record_whose_path_cannot_be_made_takes_a_name_of_its_own(tmp_path):
    """A folder of inputs named report.txt.json/ beside report.txt, and an input nested past the
    system's path limit: every file gets its record, and the tables are written."""
    folder = tmp_path / "in"
    (folder / "report.txt.json").mkdir(parents=True)
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder / "report.txt")
    text = (CORPUS / "sample_jiangsu_style.txt").read_bytes()
    (folder / "report.txt.json" / "a.txt").write_bytes(text)
    deep = folder
    for i in range(19):  # 19 × 200 bytes: under the system's path limit as an input, past it under the output folder
        deep = deep / (f"{i:02d}" + "d" * 198)
    try:
        deep.mkdir(parents=True)
        (deep / "deep.txt").write_bytes(text + "\n附注：嵌套。\n".encode("gb18030"))
    except OSError:
        pytest.skip("this file system takes no path that deep")
    out = tmp_path / ("o" * 250) / ("p" * 250) / "run"
    assert len(os.fsencode(out / "records" / deep.relative_to(folder) / "deep.txt.json")) > 4096
    counts = run_batch([str(folder)], out, jobs=1, progress=False)
    assert (counts["done"], counts["failed"]) == (3, 0)
    manifest = read_manifest(out)
    assert len(manifest) == 3 and all(Path(e["record"]).is_file() for e in manifest.values())
    assert (out / "budgets.duckdb").exists()


def test_a_stopped_batch_writes_the_tables_of_what_finished(tmp_path):
    """A batch stopped (SIGTERM, as a scheduler ends a job; Ctrl-C alike) writes the tables for
    the files that finished before it exits."""
    make_inputs(tmp_path / "in", copies=6)
    out = tmp_path / "run"
    command = [sys.executable, "-m", "budgetextract.cli", "batch", str(tmp_path / "in"), "--jobs", "1", "--quiet", "--out", str(out)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and len(read_manifest(out)) < 4:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    done = read_manifest(out)
    assert proc.returncode == 128 + signal.SIGINT and b"interrupted" in err
    with (out / "summary.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert 4 <= len(rows) == len(done) < len(list((tmp_path / "in").rglob("*.*")))


def _texts_batched(folder: Path, out: Path) -> tuple[Path, Path, int]:
    """The text samples in folder, batched once into out; and how many they are."""
    folder.mkdir()
    for p in CORPUS.glob("*.txt"):
        shutil.copy(p, folder)
    run_batch([str(folder)], out, jobs=1, progress=False)
    return folder, out, len(list(folder.glob("*.txt")))


def test_a_rerun_reads_again_only_files_whose_size_or_time_changed(tmp_path, monkeypatch):
    """A rerun over files done knows it from their size and modification time, without reading
    them; a file touched since is read (hashed) again, and redone only if its content changed."""
    from budgetextract.runs import batch as runs_batch

    folder, out, n = _texts_batched(tmp_path / "in", tmp_path / "run")
    hashed: list[Path] = []
    real = runs_batch.sha256_of
    monkeypatch.setattr(runs_batch, "sha256_of", lambda path: hashed.append(path) or real(path))
    assert run_batch([str(folder)], out, jobs=1, progress=False)["skipped"] == n and hashed == []
    touched = folder / "sample_haikou_style.txt"
    os.utime(touched, ns=(time.time_ns(), time.time_ns() + 10**9))
    counts = run_batch([str(folder)], out, jobs=1, progress=False)
    assert hashed == [touched] and (counts["skipped"], counts["done"]) == (n, 0)


def test_a_run_inside_its_input_folder_is_not_read_as_input(tmp_path):
    """--out inside the input folder: the run's report page and records are never inputs of
    the next run; a rerun over files whose record is an error exits 1 and says so."""
    from budgetextract.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    out = folder / "run"
    assert main(["batch", str(folder), "--out", str(out), "--jobs", "1", "--quiet"]) == 1
    assert main(["report", str(out), "-o", str(out / "report.html")]) == 0
    assert main(["batch", str(folder), "--out", str(out), "--jobs", "1", "--quiet"]) == 1  # broken.pdf's record is an error
    assert sorted(Path(p).name for p in read_manifest(out)) == ["broken.pdf", "sample_haikou_style.txt"]


def test_limits_that_are_none_are_refused_and_one_past_any_memory_is_none(tmp_path):
    from budgetextract.cli import main

    assert main(["extract", str(CORPUS / "sample_haikou_style.txt"), "--out", str(tmp_path), "--timeout", "nan"]) == 2
    assert main(["extract", str(CORPUS / "sample_haikou_style.txt"), "--out", str(tmp_path), "--max-memory", str(10**14)]) == 0


def test_a_rerun_that_does_nothing_keeps_the_tables_it_finds(tmp_path):
    """Nothing new: the tables written after the manifest's last entry stand (a rerun over a
    corpus done knows it at once); tables of another schema version are written again."""
    folder, out, n = _texts_batched(tmp_path / "in", tmp_path / "run")
    written = (out / "budgets.duckdb").stat().st_mtime_ns
    assert run_batch([str(folder)], out, jobs=1, progress=False)["tables"] == n
    assert (out / "budgets.duckdb").stat().st_mtime_ns == written
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    (out / "datapackage.json").write_text(json.dumps({**package, "version": "0.9"}), encoding="utf-8")
    assert run_batch([str(folder)], out, jobs=1, progress=False)["tables"] == n
    assert (out / "budgets.duckdb").stat().st_mtime_ns > written


def test_a_dask_scheduler_without_workers_ends_the_batch_with_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    from dask.distributed import LocalCluster

    from budgetextract.runs import batch as runs_batch
    from budgetextract.runs.batch import SchedulerUnreachable

    monkeypatch.setattr(runs_batch, "_NO_WORKERS", 3.0)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder)
    with LocalCluster(n_workers=0, processes=True, dashboard_address=None) as cluster:
        started = time.monotonic()
        with pytest.raises(SchedulerUnreachable, match="no workers"):
            run_batch([str(folder)], tmp_path / "run", jobs=1, progress=False, dask=cluster.scheduler_address)
        assert time.monotonic() - started < 30


def test_a_rerun_through_a_linked_folder_is_the_same_run(tmp_path):
    real, out, n = _texts_batched(tmp_path / "real", tmp_path / "run")
    (tmp_path / "link").symlink_to(real)
    counts = run_batch([str(tmp_path / "link")], out, jobs=1, progress=False)
    assert (counts["skipped"], counts["done"], counts["tables"]) == (n, 0, n)
    import duckdb

    assert duckdb.connect(str(out / "budgets.duckdb"), read_only=True).sql("select count(*) from summary").fetchall() == [(n,)]


def test_a_carriage_return_in_a_file_name_is_quoted_in_the_csv(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder / "a\rb.txt")
    out = tmp_path / "run"
    run_batch([str(folder)], out, jobs=1, progress=False)
    import duckdb

    rows = duckdb.sql(f"select file_name, revenue_total from read_csv('{out / 'summary.csv'}')").fetchall()
    assert rows == [("a\rb.txt", 520.4)]


def test_a_folder_that_cannot_be_listed_gets_an_error_record(tmp_path, monkeypatch):
    """A subfolder without read permission hides its budgets: it is reported, not passed over
    (the check is the one the system makes; as root every folder is readable, so it is refused here)."""
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder)
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder / "locked" / "inside.txt")
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "run"
    counts = run_batch([str(folder)], out, jobs=1, progress=False)
    assert (counts["done"], counts["failed"]) == (1, 1)
    (entry,) = [e for e in read_manifest(out).values() if e["status"] == "error"]
    record = json.loads(Path(entry["record"]).read_text(encoding="utf-8"))
    assert record["source"]["file_name"] == "locked" and "cannot be listed" in record["error"]["message"]


def test_a_file_larger_than_a_worker_may_hold_is_refused_unread(tmp_path, monkeypatch):
    """A 3 GB sparse file with --max-memory 512: refused at once (too_large), never hashed."""
    from budgetextract.runs import batch as runs_batch

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder)
    with (folder / "huge.pdf").open("wb") as f:
        f.write(b"%PDF-1.7\n")
        f.truncate(3 << 30)
    hashed: list[Path] = []
    real = runs_batch.sha256_of
    monkeypatch.setattr(runs_batch, "sha256_of", lambda path: hashed.append(path) or real(path))
    out = tmp_path / "run"
    counts = run_batch([str(folder)], out, jobs=1, limits=Limits(max_memory_mb=512), progress=False)
    assert (counts["done"], counts["failed"]) == (1, 1) and all(p.name != "huge.pdf" for p in hashed)
    record = json.loads((out / "records" / "huge.pdf.json").read_text(encoding="utf-8"))
    assert record["error"]["code"] == "too_large" and "3072 MB" in record["error"]["message"]


def test_the_docx_and_pdf_edges_of_round_four(tmp_path, monkeypatch):
    """A DOCX whose numbering is an external relationship reads (without list labels); a text
    that mentions %PDF- in its first lines is a text; a DOCX that runs out of memory is `memory`."""
    import io
    import re
    import zipfile

    data = (CORPUS / "sample_haikou_style.docx").read_bytes()
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                part = re.sub(rb'Target="numbering.xml"', b'Target="http://example.invalid/numbering.xml" TargetMode="External"', part)
            z.writestr(item, part)
    (tmp_path / "external.docx").write_bytes(buffer.getvalue())
    assert pipeline.process_file(tmp_path / "external.docx").status == "ok"
    text = (CORPUS / "sample_haikou_style.txt").read_text(encoding="utf-8")
    (tmp_path / "mention.txt").write_text("附件格式：%PDF-1.4\n" + text, encoding="utf-8")
    doc = pipeline.process_file(tmp_path / "mention.txt")
    assert (doc.status, doc.source.format) == ("ok", "txt")
    import docx

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(docx, "Document", no_memory)
    assert pipeline.process_file(CORPUS / "sample_haikou_style.docx").error.code == "memory"


def test_a_file_changed_while_the_batch_reads_it_does_not_give_its_copy_its_record(tmp_path, monkeypatch):
    """Two copies of one budget; one is rewritten with another budget while the batch reads it:
    each gets the record of what it holds, and the manifest the hash of what was read."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder / "a.txt")
    shutil.copy(CORPUS / "sample_haikou_style.txt", folder / "b.txt")
    other = (CORPUS / "sample_jiangsu_style.txt").read_bytes()
    real = pipeline.process_file

    def changing(path, **options):
        if Path(path).name == "a.txt" and Path(path).read_bytes() != other:
            Path(path).write_bytes(other)  # rewritten between the plan and the read
        return real(path, **options)

    monkeypatch.setattr(pipeline, "process_file", changing)  # forked workers inherit it
    out = tmp_path / "run"
    run_batch([str(folder)], out, jobs=1, progress=False)
    manifest = read_manifest(out)
    for name, department in (("a.txt", "示例省档案馆"), ("b.txt", "示例市青少年活动中心")):
        entry = manifest[str(folder / name)]
        record = json.loads(Path(entry["record"]).read_text(encoding="utf-8"))
        assert record["department"] == department and entry["sha256"] == record["source"]["sha256"]
        assert entry["sha256"] == runs_sha(folder / name)


def runs_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dask_processes(tmp_path, workers: int):
    """A dask scheduler and `workers` workers (no nanny), each a process of its own on loopback;
    the scheduler's address and the worker processes."""
    import subprocess
    import sys

    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not scheduler_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    address = json.loads(scheduler_file.read_text())["address"]
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                               "--no-dashboard", "--host", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(workers)]
    return scheduler, address, procs


def test_a_dask_cluster_of_processes_keeps_the_limits_and_survives_a_lost_worker(tmp_path):
    """A real scheduler and two worker processes: a worker killed mid-batch loses no file (the
    outputs equal a local run's), and --timeout holds on the workers as it does locally."""
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client

    make_inputs(tmp_path / "in", copies=3)
    run_batch([str(tmp_path / "in")], tmp_path / "local", jobs=2, limits=Limits(timeout=60), progress=False)
    scheduler, address, workers = _dask_processes(tmp_path, 2)
    try:
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        # the first worker is killed once the batch is under way
        killer = threading.Timer(2.0, workers[0].kill)
        killer.start()
        run_batch([str(tmp_path / "in")], tmp_path / "dask", jobs=2, limits=Limits(timeout=60), progress=False, dask=address)
        killer.join()
        assert workers[0].poll() is not None  # it was killed while the batch ran
        assert summary_rows(tmp_path / "dask") == summary_rows(tmp_path / "local")

        # a long explanation (the sample two hundred times over) takes seconds: past a 0.5 s deadline
        slow = tmp_path / "slow"
        slow.mkdir()
        for i in range(2):
            (slow / f"long{i}.txt").write_text((CORPUS / "sample_haikou_style.txt").read_text(encoding="utf-8") * 200 + f"\n{i}",
                                               encoding="utf-8")
        counts = run_batch([str(slow)], tmp_path / "timeouts", jobs=2, limits=Limits(timeout=0.5), progress=False, dask=address)
        assert counts["failed"] == 2
        assert {e["error_code"] for e in read_manifest(tmp_path / "timeouts").values()} == {"timeout"}
    finally:
        for p in [*workers, scheduler]:
            p.kill()
            p.wait()
