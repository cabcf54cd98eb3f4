"""Many files: a pool of worker processes, a deadline per file, a manifest to resume from.

Each file runs in a worker process of its own pool; a file that runs past its deadline
has its worker killed (`timeout`), a worker that dies takes only its file with it
(`crashed`), and a new worker takes its place. Records are written atomically and the
manifest (JSON lines, appended after the record is in place) says what is done, keyed
by content hash and versions, so a run killed at any moment resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from . import __version__
from .files import discover
from .schema import SCHEMA_VERSION, BudgetDocument, ErrorInfo, Source

MANIFEST = "manifest.jsonl"
RECORDS = "records"


@dataclass
class Job:
    path: Path
    record: Path
    sha256: str
    size: int
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def record_path(out: Path, root: Path, path: Path, several_roots: bool) -> Path:
    """records/<path relative to its input folder>.json, so same-named files in
    different folders do not collide."""
    rel = path.relative_to(root) if root.is_dir() else Path(path.name)
    if several_roots:
        rel = Path(root.name if root.is_dir() else "_files") / rel
    return out / RECORDS / rel.parent / f"{rel.name}.json"


def read_manifest(out: Path) -> dict[str, dict]:
    """The latest entry per input path; a line cut short by a kill is ignored."""
    entries: dict[str, dict] = {}
    manifest = out / MANIFEST
    if not manifest.exists():
        return entries
    for line in manifest.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        entries[entry["path"]] = entry
    return entries


def _open_manifest(path: Path):
    """Open for appending; a line cut short by a kill is ended first, so the next entry
    starts on a line of its own."""
    if path.exists() and path.stat().st_size:
        with path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            cut_short = f.read(1) != b"\n"
        if cut_short:
            with path.open("a", encoding="utf-8") as f:
                f.write("\n")
    return path.open("a", encoding="utf-8")


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _worker(conn: Connection) -> None:
    from .pipeline import process_file

    parent = os.getppid()
    while True:
        # a parent killed outright (kill -9) cannot stop its workers: they notice and leave
        if not conn.poll(1.0):
            if os.getppid() != parent:
                return
            continue
        task = conn.recv()
        if task is None:
            return
        started = time.perf_counter()
        doc = process_file(Path(task))
        conn.send((task, doc.to_json(), doc.source.pages or 0, time.perf_counter() - started))


class _Pool:
    def __init__(self, jobs: int):
        self.ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        self.workers: list[dict] = [self._spawn() for _ in range(jobs)]

    def _spawn(self) -> dict:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(child,), daemon=True)
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "job": None, "started": 0.0}

    def replace(self, worker: dict) -> None:
        worker["proc"].kill()
        worker["proc"].join(timeout=5)
        worker["conn"].close()
        worker.update(self._spawn())

    def close(self) -> None:
        for w in self.workers:
            try:
                w["conn"].send(None)
            except (BrokenPipeError, OSError):
                pass
        for w in self.workers:
            w["proc"].join(timeout=5)
            if w["proc"].is_alive():
                w["proc"].kill()


class Progress:
    """A bar on a terminal; a plain line every few seconds in a log."""

    def __init__(self, total: int, enabled: bool, stream=sys.stderr):
        self.total, self.enabled, self.stream = total, enabled, stream
        self.tty = stream.isatty()
        self.done = self.failed = self.pages = 0
        self.start = time.perf_counter()
        self.last = 0.0

    def update(self, pages: int, failed: bool) -> None:
        self.done += 1
        self.pages += pages
        self.failed += failed
        now = time.perf_counter()
        if self.enabled and (self.tty or now - self.last >= 5 or self.done == self.total):
            self.last = now
            self._show(now)

    def _show(self, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0
        line = (f"{self.done}/{self.total} files  {self.pages / elapsed:.1f} pages/s  "
                f"ETA {eta:.0f}s  failed {self.failed}")
        if self.tty:
            width = 24
            filled = int(width * self.done / max(self.total, 1))
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {line}")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _error_record(job: Job, code: str, message: str) -> str:
    doc = BudgetDocument(
        source=Source(file_name=job.path.name, path=str(job.path), sha256=job.sha256, bytes=job.size),
        status="error", error=ErrorInfo(code=code, message=message), extractor_version=__version__,
    )
    return doc.to_json()


def _retarget(record_json: str, path: Path) -> str:
    """The same content under another name: the same record, with this file's name."""
    record = json.loads(record_json)
    record["source"]["file_name"] = path.name
    record["source"]["path"] = str(path)
    return json.dumps(record, ensure_ascii=False, indent=1)


def plan(inputs: list[str], out: Path, force: bool) -> tuple[list[Job], int, list[tuple[Path, Path]]]:
    """(jobs to run, files skipped as done, files unreadable before any work)."""
    roots = [Path(p) for p in inputs]
    manifest = {} if force else read_manifest(out)
    by_hash: dict[str, Job] = {}
    skipped = 0
    unreadable: list[tuple[Path, Path]] = []
    for root in roots:
        for path in discover([str(root)]):
            record = record_path(out, root, path, len(roots) > 1)
            try:
                sha, size = sha256_of(path), path.stat().st_size
            except OSError:
                unreadable.append((path, record))
                continue
            entry = manifest.get(str(path))
            if (entry and entry.get("sha256") == sha and entry.get("schema_version") == SCHEMA_VERSION
                    and entry.get("extractor_version") == __version__ and Path(entry["record"]).exists()):
                skipped += 1
                continue
            if sha in by_hash:
                by_hash[sha].duplicates.append((path, record))
            else:
                by_hash[sha] = Job(path, record, sha, size)
    return list(by_hash.values()), skipped, unreadable


def _extract_to_json(path: str) -> tuple[str, str, int, float]:
    """The unit of work on a Dask cluster (module level, so it pickles by reference)."""
    from .pipeline import process_file

    started = time.perf_counter()
    doc = process_file(Path(path))
    return path, doc.to_json(), doc.source.pages or 0, time.perf_counter() - started


def _run_dask(todo: list[Job], address: str, finish) -> None:
    """The same work on a dask.distributed cluster ("local" starts one on this machine).
    A worker lost mid-file gives that file a `crashed` record; per-file deadlines are the
    cluster's to enforce (distributed's own timeouts), not ours."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = LocalCluster(processes=True, threads_per_worker=1) if address == "local" else None
    client = Client(cluster if cluster is not None else address)
    try:
        futures = {client.submit(_extract_to_json, str(job.path), pure=False): job for job in todo}
        for future in as_completed(list(futures)):
            job = futures[future]
            try:
                _, record_json, pages, seconds = future.result()
            except Exception as exc:  # KilledWorker and the like: this file only
                finish(job, _error_record(job, "crashed", f"the cluster lost this file's task ({type(exc).__name__})"), 0, 0)
            else:
                finish(job, record_json, pages, seconds)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_batch(inputs: list[str], out: Path, jobs: int, timeout: float, force: bool = False, progress: bool = True,
              dask: str | None = None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    todo, skipped, unreadable = plan(inputs, out, force)
    total = sum(1 + len(j.duplicates) for j in todo) + len(unreadable)
    bar = Progress(total, progress)
    counts = {"done": 0, "failed": 0, "skipped": skipped}
    manifest = _open_manifest(out / MANIFEST)

    def finish(job: Job, record_json: str, pages: int, seconds: float) -> None:
        status = json.loads(record_json)
        for path, target in [(job.path, job.record), *job.duplicates]:
            text = record_json if path == job.path else _retarget(record_json, path)
            _write_atomic(target, text + "\n")
            entry = {"path": str(path), "record": str(target), "sha256": job.sha256, "status": status["status"],
                     "error_code": (status["error"] or {}).get("code"), "schema_version": SCHEMA_VERSION,
                     "extractor_version": __version__, "pages": pages, "seconds": round(seconds, 3),
                     "duplicate_of": str(job.path) if path != job.path else None}
            manifest.write(json.dumps(entry, ensure_ascii=False) + "\n")
            manifest.flush()
            os.fsync(manifest.fileno())
            failed = status["status"] == "error"
            counts["failed" if failed else "done"] += 1
            bar.update(pages if path == job.path else 0, failed)

    for path, record in unreadable:
        finish(Job(path, record, "", 0), _error_record(Job(path, record, "", 0), "unreadable", "the file cannot be read"), 0, 0)

    if todo and dask:
        try:
            _run_dask(todo, dask, finish)
        finally:
            manifest.close()
    elif todo:
        from .nlp import pipeline

        pipeline()  # loaded once in the parent; forked workers share it
        pool = _Pool(max(1, min(jobs, len(todo))))
        queue = deque(todo)
        try:
            while queue or any(w["job"] for w in pool.workers):
                for w in pool.workers:
                    if w["job"] is None and queue:
                        w["job"], w["started"] = queue.popleft(), time.monotonic()
                        w["conn"].send(str(w["job"].path))
                busy = [w for w in pool.workers if w["job"]]
                ready = wait([w["conn"] for w in busy], timeout=0.2)
                now = time.monotonic()
                for w in busy:
                    job = w["job"]
                    if w["conn"] in ready:
                        try:
                            _, record_json, pages, seconds = w["conn"].recv()
                        except (EOFError, OSError):
                            finish(job, _error_record(job, "crashed", "the worker died while reading this file (a crash in a parser); the rest of the batch went on"), 0, now - w["started"])
                            pool.replace(w)
                        else:
                            finish(job, record_json, pages, seconds)
                        w["job"] = None
                    elif not w["proc"].is_alive():
                        finish(job, _error_record(job, "crashed", f"the worker died (exit code {w['proc'].exitcode}) while reading this file"), 0, now - w["started"])
                        pool.replace(w)
                        w["job"] = None
                    elif now - w["started"] > timeout:
                        finish(job, _error_record(job, "timeout", f"reading took longer than {timeout:g}s and was stopped; rerun with a larger --timeout"), 0, now - w["started"])
                        pool.replace(w)
                        w["job"] = None
        finally:
            pool.close()
            manifest.close()
    else:
        manifest.close()

    from .outputs import write_outputs

    counts["tables"] = write_outputs(out)
    counts["seconds"] = round(time.perf_counter() - bar.start, 2)
    return counts
