"""Many files: workers with a deadline and a memory limit per file (isolation.py), a
manifest to resume from, a lock so that one batch at a time writes an output folder.

Records are written atomically and the manifest (JSON lines, appended after the record is
in place) says what is done, keyed by the input's absolute path, its content hash and the
versions, so a run killed at any moment resumes where it stopped. A file that failed for
a reason that may not recur (timeout, crashed, memory) is tried again by a rerun.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..display import display, shown
from ..schema import SCHEMA_VERSION
from .files import distinct, is_regular, temporary_beside, unreadable_why, with_record_names
from .isolation import TRANSIENT, Limits, Outcome, run_isolated
from .manifest import manifest_key, open_manifest, read_manifest

RECORDS = "records"


@dataclass
class Job:
    path: Path
    record: Path
    sha256: str
    size: int
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)
    failed_before: str | None = None  # the transient error this content met in the last run
    stamps: dict[Path, tuple[int, int]] = field(default_factory=dict)  # each path's size and mtime when it was hashed


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_beside(path)
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


_SLOW = 10.0  # seconds on one file before the progress line names it


class Progress:
    """A bar on a terminal; a plain line every few seconds in a log."""

    def __init__(self, total: int, enabled: bool, stream=sys.stderr, total_bytes: int = 0):
        self.total, self.enabled, self.stream = total, enabled, stream
        self.tty = stream.isatty()
        self.done = self.failed = self.pages = self.bytes = 0
        self.total_bytes = total_bytes
        self.start = time.perf_counter()
        self.last = 0.0

    def update(self, pages: int, failed: bool, size: int = 0) -> None:
        self.done += 1
        self.pages += pages
        self.bytes += size
        self.failed += failed
        now = time.perf_counter()
        if self.enabled and (self.tty or now - self.last >= 5 or self.done == self.total):
            self.last = now
            self._show(now)

    def watch(self, reading: dict[int, float], names: list[str]) -> None:
        """Between files: where one file has been read for a while (a long scan), the line
        names it, so a user sees why the count stands still."""
        now = time.perf_counter()
        slow = max(reading.items(), key=lambda item: item[1], default=None)
        if not self.enabled or slow is None or slow[1] < _SLOW or now - self.last < (1 if self.tty else 15):
            return
        self.last = now
        self._show(now, f"  reading {names[slow[0]]} ({slow[1]:.0f}s)")

    def _show(self, now: float, reading: str = "") -> None:
        elapsed = max(now - self.start, 1e-9)
        # the work left is the bytes left, not the files: one long scan outweighs many short texts
        if self.total_bytes and self.bytes:
            eta = (self.total_bytes - self.bytes) / (self.bytes / elapsed)
        else:
            eta = (self.total - self.done) / (self.done / elapsed) if self.done else 0
        line = (f"{self.done}/{self.total} files  {self.pages / elapsed:.1f} pages/s  "
                f"ETA {eta:.0f}s  failed {self.failed}{reading}")
        if self.tty:
            width = 24
            filled = int(width * self.done / max(self.total, 1))
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {line}\x1b[K")  # clear what a longer line left
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _error_record(job: Job, code: str, message: str) -> str:
    from ..pipeline import error_record

    return error_record(job.path, code, message, sha256=job.sha256, size=job.size).to_json()


def _retarget(record_json: str, path: Path) -> str:
    """The same content under another name: the same record, with this file's name."""
    record = json.loads(record_json)
    record["source"]["file_name"] = display(path.name)
    record["source"]["path"] = display(os.path.abspath(path))
    return json.dumps(record, ensure_ascii=False, indent=1)


def _done(entry: dict | None, sha: str, retry_failed: bool) -> bool:
    if not entry or entry.get("sha256") != sha or entry.get("schema_version") != SCHEMA_VERSION \
            or entry.get("extractor_version") != __version__ or not Path(entry["record"]).exists():
        return False
    return not (entry.get("transient") or (retry_failed and entry.get("status") == "error"))


def plan(inputs: list[str], out: Path, force: bool, retry_failed: bool = False,
         max_bytes: int = 0) -> tuple[list[Job], list[dict], list[tuple[Path, Path, str, str]]]:
    """(jobs to run, the manifest entries of files skipped as done, files refused before any
    work with their error's code and message). The same content under two names is extracted
    once, if they are of one format (by suffix: the same bytes named .pdf and .txt are read
    differently). A file larger than max_bytes (a worker's memory, 0 for no limit) is refused
    unread: a worker could not hold it, and hashing it would hold up the whole batch."""
    known = read_manifest(out)
    manifest = {} if force else known
    # whose each record is: a record name another input took in an earlier batch is not reused
    owners = {entry["record"]: key for key, entry in known.items() if entry.get("record")}
    by_content: dict[tuple[str, str], Job] = {}
    skipped: list[dict] = []
    unreadable: list[tuple[Path, Path, str, str]] = []
    for path, name in with_record_names(inputs):
        record, key = out / RECORDS / name, manifest_key(path)
        if owners.get(os.path.realpath(record), key) != key:
            record = distinct(record, key)
        if not is_regular(path):  # hashing a pipe or /dev/zero would never end
            unreadable.append((path, record, "unreadable", unreadable_why(path)))
            continue
        entry = manifest.get(key)
        try:
            st = path.stat()
            stamp = (st.st_size, st.st_mtime_ns)
            # the size and modification time it had when it was done: the content recorded then, not read again
            unchanged = bool(entry) and entry.get("stamp") == list(stamp)
            if max_bytes and st.st_size > max_bytes and not unchanged:
                unreadable.append((path, record, "too_large", f"the file holds {st.st_size >> 20} MB, more than a worker may take "
                                                              f"(--max-memory {max_bytes >> 20}); raise --max-memory to read it"))
                continue
            sha = entry["sha256"] if unchanged else sha256_of(path)
        except OSError:
            unreadable.append((path, record, "unreadable", unreadable_why(path)))
            continue
        if _done(entry, sha, retry_failed):
            skipped.append(entry)
            continue
        key = (sha, path.suffix.lower())
        if key in by_content:
            by_content[key].duplicates.append((path, record))
            by_content[key].stamps[path] = stamp
        else:
            again = entry.get("error_code") if entry and entry.get("sha256") == sha and entry.get("transient") else None
            by_content[key] = Job(path, record, sha, stamp[0], failed_before=again, stamps={path: stamp})
    return list(by_content.values()), skipped, unreadable


def _extract_isolated(path: str, limits: Limits) -> Outcome:
    """The unit of work on a Dask cluster (module level, so it pickles by reference): the file
    read in a process of its own on the worker, within the file's time and memory limits, as
    a local batch reads it."""
    import multiprocessing

    # a Dask worker is a daemonic process, which multiprocessing forbids children; the one it
    # starts here is ended (or killed at the deadline) before the task returns, and dies with it
    config = multiprocessing.current_process()._config
    daemon = config.pop("daemon", None)
    try:
        return next(run_isolated([Path(path)], 1, limits))
    finally:
        if daemon is not None:
            config["daemon"] = daemon


class SchedulerUnreachable(Exception):
    pass


_NO_WORKERS = 60.0  # seconds a cluster may have no worker before the batch gives up on it
_POLL = 5.0  # seconds between looks at the cluster while no task finishes


def _run_dask(todo: list[Job], address: str, limits: Limits, finish) -> None:
    """The same work on a dask.distributed cluster ("local" starts one on this machine).
    A worker lost mid-file gives that file a `crashed` record; each finished task is released
    as its record is written, so neither the cluster nor this process holds the batch's
    records. A cluster without workers (from the start, or once it has lost them all for
    _NO_WORKERS seconds) ends the batch with a clear error; the files it did not read get
    `crashed` records that a rerun tries again. Each file is read on its worker within
    --timeout and --max-memory, in a process of its own, as locally."""
    from dask.distributed import Client, LocalCluster, wait

    cluster = LocalCluster(processes=True, threads_per_worker=1) if address == "local" else None
    try:
        client = Client(cluster if cluster is not None else address, timeout=10)
    except OSError as exc:
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        try:
            client.wait_for_workers(1, timeout=_NO_WORKERS)
        except TimeoutError as exc:
            raise SchedulerUnreachable(f"the Dask scheduler at {address} has no workers (waited {_NO_WORKERS:g}s); "
                                       f"start some (dask worker {address}) and run again") from exc
        pending = {client.submit(_extract_isolated, str(job.path), limits, pure=False): job for job in todo}
        alone_since = None
        while pending:
            try:
                done, _ = wait(list(pending), timeout=_POLL, return_when="FIRST_COMPLETED")
            except TimeoutError:  # none finished within _POLL: look at the cluster
                done = set()
            for future in done:
                job = pending.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # KilledWorker and the like: this file only
                    finish(job, _error_record(job, "crashed", f"the cluster lost this file's task ({type(exc).__name__})"), 0, 0)
                else:
                    finish(job, outcome.record_json or _error_record(job, *outcome.error), outcome.pages, outcome.seconds)
                future.release()
            if done or client.scheduler_info().get("workers"):
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > _NO_WORKERS:
                for future, job in pending.items():
                    finish(job, _error_record(job, "crashed", "the Dask cluster lost all its workers before reading this file"), 0, 0)
                    future.release()
                raise SchedulerUnreachable(f"the Dask cluster at {address} lost all its workers; {len(pending)} files were not "
                                           "read (a rerun reads them)")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class OutputBusy(Exception):
    pass


def _lock(out: Path):
    """One batch at a time per output folder: a second is refused, not interleaved."""
    handle = (out / ".lock").open("w")
    try:
        # a POSIX lock belongs to this process alone: workers forked from it do not hold it, so
        # a batch killed outright leaves the folder free even while a worker still runs
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise OutputBusy(f"another batch is writing {out}; wait for it to finish or choose another --out") from exc
    return handle


def run_batch(inputs: list[str], out: Path, jobs: int, limits: Limits = Limits(), force: bool = False, progress: bool = True,
              dask: str | None = None, retry_failed: bool = False) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    lock = _lock(out)
    try:
        return _run_locked(inputs, out, jobs, limits, force, progress, dask, retry_failed)
    finally:
        lock.close()


def _run_locked(inputs, out: Path, jobs: int, limits: Limits, force: bool, progress: bool, dask: str | None, retry_failed: bool) -> dict:
    for stale in (out / RECORDS).rglob(".*.tmp"):  # half-written by a run that was killed
        stale.unlink(missing_ok=True)
    todo, done_before, unreadable = plan(inputs, out, force, retry_failed, limits.max_memory_mb << 20)
    total = sum(1 + len(j.duplicates) for j in todo) + len(unreadable)
    bar = Progress(total, progress, total_bytes=sum(j.size for j in todo))
    # files done before whose record is an error (not tried again without --retry-failed) fail this run too
    counts = {"done": 0, "failed": 0, "skipped": len(done_before),
              "failed_before": sum(entry.get("status") == "error" for entry in done_before)}
    manifest = open_manifest(out)

    orphans: list[Job] = []  # copies of a file that changed while it was read: each is read on its own

    def finish(job: Job, record_json: str, pages: int, seconds: float) -> None:
        status = json.loads(record_json)
        read = status["source"].get("sha256")
        if read and read != job.sha256:
            # the file changed after it was planned: its record is of what it holds now, and its
            # copies (the content planned) are not given it
            orphans.extend(Job(p, r, job.sha256, job.size, stamps={p: job.stamps[p]} if p in job.stamps else {})
                           for p, r in job.duplicates)
            job = Job(job.path, job.record, read, job.size, failed_before=job.failed_before)
        for path, target in [(job.path, job.record), *job.duplicates]:
            text = record_json if path == job.path else _retarget(record_json, path)
            try:
                _write_atomic(target, text + "\n")
            except OSError:
                # its path cannot be made (a folder of that name, a path past the system's limit):
                # the record goes to the top of records/ under a name of its own
                target = out / RECORDS / distinct(Path(target.name), manifest_key(path))
                _write_atomic(target, text + "\n")
            code = (status["error"] or {}).get("code")
            # the same transient failure twice (a file that always crashes its parser) is the file's: it is
            # not tried again until --retry-failed
            transient = code in TRANSIENT and code != job.failed_before
            entry = {"path": manifest_key(path), "record": os.path.realpath(target), "sha256": job.sha256,
                     "stamp": list(job.stamps[path]) if path in job.stamps else None, "status": status["status"],
                     "error_code": code, "transient": transient, "schema_version": SCHEMA_VERSION,
                     "extractor_version": __version__, "pages": pages, "seconds": round(seconds, 3),
                     "duplicate_of": manifest_key(job.path) if path != job.path else None}
            # ASCII escapes keep a file name that is not UTF-8 exact through the round trip
            manifest.write(json.dumps(entry, ensure_ascii=True) + "\n")
            manifest.flush()
            os.fsync(manifest.fileno())
            failed = status["status"] == "error"
            counts["failed" if failed else "done"] += 1
            bar.update(pages if path == job.path else 0, failed, job.size if path == job.path else 0)

    interrupted: BaseException | None = None
    try:
        for path, record, code, why in unreadable:
            job = Job(path, record, "", 0)
            finish(job, _error_record(job, code, why), 0, 0)
        while todo:
            if dask:
                _run_dask(todo, dask, limits, finish)
            else:
                names = [shown(job.path.name) for job in todo]
                for outcome in run_isolated([job.path for job in todo], jobs, limits, watch=lambda reading: bar.watch(reading, names)):
                    job = todo[outcome.index]
                    record_json = outcome.record_json or _error_record(job, *outcome.error)
                    finish(job, record_json, outcome.pages, outcome.seconds)
            todo, orphans[:] = orphans[:], []  # copies of files that changed while read, each read on its own
    except (KeyboardInterrupt, SchedulerUnreachable) as exc:  # Ctrl-C, the SIGTERM the command line turns into one, a cluster gone
        interrupted = exc
    finally:
        manifest.close()

    from .outputs import tables_current, write_outputs

    # what finished, also when the batch was stopped; a rerun that did nothing keeps the tables it finds
    nothing_new = not (counts["done"] or counts["failed"]) and tables_current(out)
    counts["tables"] = len(read_manifest(out)) if nothing_new else write_outputs(out)
    counts["seconds"] = round(time.perf_counter() - bar.start, 2)
    if interrupted is not None:
        raise interrupted
    return counts
