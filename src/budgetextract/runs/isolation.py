"""Each file in a worker process of its own, within a deadline and a memory limit.

A file that runs past its deadline has its worker killed (`timeout`); a worker that dies
takes only its file with it (`crashed`); a file that needs more memory than the limit
(an address-space limit set in the worker, so the machine never swaps) gets `memory`.
A new worker takes the place of one that was lost. `extract` and `batch` both run here.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ..findings import Policy
from ..processes import die_with_parent

DEFAULT_TIMEOUT = 300.0
DEFAULT_MAX_MEMORY_MB = 2048
# error codes of failures that may not recur (a busy machine, a transient crash): a rerun retries them
TRANSIENT = frozenset({"timeout", "crashed", "memory"})
OCR_PAGE_SECONDS = 15.0
_OCR_PAGE = "ocr_page"  # a worker's word to its parent: one more page is being read by OCR


@dataclass(frozen=True)
class Limits:
    """How each file is run: its bounds, the user's policy over the checks, and when OCR reads
    a PDF's pages ("auto": those without a usable text layer; "force": all)."""

    timeout: float = DEFAULT_TIMEOUT
    ocr_page_seconds: float = OCR_PAGE_SECONDS
    """added to the file's time for each page it reads by OCR (seconds a page take on a busy core)"""
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB
    policy: Policy = Policy()
    ocr: str = "auto"


@dataclass
class Outcome:
    index: int
    record_json: str | None
    """the record, or None when the worker was lost (then error says why)"""
    error: tuple[str, str] | None
    pages: int
    seconds: float


_NO_LIMIT = 1 << 62  # bytes; a limit past this is none
_MIN_HEADROOM = 512 << 20  # what a worker forked from a parent near or past the limit may still take


def _limit_memory(max_memory_mb: int) -> None:
    """Cap the worker's whole address space at --max-memory. A worker forked from a large
    parent (a notebook, a test runner) starts with the parent's mappings: it may then take
    _MIN_HEADROOM beyond them, so it can still read a file."""
    if max_memory_mb <= 0:
        return
    try:
        with open("/proc/self/statm") as f:
            held = int(f.read().split()[0]) * resource.getpagesize()
    except OSError:
        held = 0
    limit = max(max_memory_mb << 20, held + _MIN_HEADROOM)
    if limit >= _NO_LIMIT:
        return  # more than any address space: no limit to set (the kernel takes none that large)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (Linux), even mid-file: a batch
    killed outright must not leave a worker reading a long scan for hours."""
    if not die_with_parent():
        return  # not Linux: the poll below notices the parent's death between files
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _worker(conn: Connection, limits: Limits, parent: int) -> None:
    from ..pipeline import process_file

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent ends the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's (which writes the tables on its way out)
    _die_with_parent(parent)
    _limit_memory(limits.max_memory_mb)
    from ..readers import ocr

    ocr.on_page(lambda: conn.send(_OCR_PAGE))
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
        doc = process_file(Path(os.fsdecode(task)), policy=limits.policy, ocr=limits.ocr)
        out_of_memory = doc.error is not None and doc.error.code == "memory"
        conn.send((doc.to_json(), doc.source.pages or 0, time.perf_counter() - started, out_of_memory))
        if out_of_memory:
            return  # leave with the memory that failed; a fresh worker takes the next file


class _Pool:
    def __init__(self, jobs: int, limits: Limits):
        self.ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        self.limits = limits
        self.workers: list[dict] = [self._spawn() for _ in range(jobs)]

    def _spawn(self) -> dict:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(child, self.limits, os.getpid()), daemon=True)
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "job": None, "started": 0.0, "allowed": 0.0}

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


def run_isolated(paths: list[Path], jobs: int, limits: Limits,
                 watch: Callable[[dict[int, float]], None] | None = None) -> Iterator[Outcome]:
    """Process each path in a worker; outcomes in the order they finish. `watch` is told, a few
    times a second, which files are being read and for how many seconds."""
    if not paths:
        return
    from ..nlp import pipeline

    pipeline()  # loaded once in the parent; forked workers share it
    pool = _Pool(max(1, min(jobs, len(paths))), limits)
    queue = deque(range(len(paths)))
    try:
        while queue or any(w["job"] is not None for w in pool.workers):
            for w in pool.workers:
                if w["job"] is None and queue:
                    w["job"], w["started"], w["allowed"] = queue.popleft(), time.monotonic(), limits.timeout
                    w["conn"].send(os.fsencode(paths[w["job"]]))
            busy = [w for w in pool.workers if w["job"] is not None]
            ready = wait([w["conn"] for w in busy], timeout=0.2)
            now = time.monotonic()
            if watch is not None:
                watch({w["job"]: now - w["started"] for w in busy})
            for w in busy:
                index, elapsed = w["job"], now - w["started"]
                if w["conn"] in ready:
                    try:
                        message = w["conn"].recv()
                        if message == _OCR_PAGE:  # a scan: its time grows with its pages
                            w["allowed"] += limits.ocr_page_seconds
                            continue
                        record_json, pages, seconds, out_of_memory = message
                    except (EOFError, OSError):
                        yield Outcome(index, None, ("crashed", "the worker died while reading this file (a crash in a parser); the rest went on"), 0, elapsed)
                        pool.replace(w)
                    else:
                        yield Outcome(index, record_json, None, pages, seconds)
                        if out_of_memory:
                            pool.replace(w)
                    w["job"] = None
                elif not w["proc"].is_alive():
                    yield Outcome(index, None, ("crashed", f"the worker died (exit code {w['proc'].exitcode}) while reading this file"), 0, elapsed)
                    pool.replace(w)
                    w["job"] = None
                elif elapsed > w["allowed"]:
                    yield Outcome(index, None, ("timeout", f"reading took longer than {w['allowed']:g}s and was stopped; "
                                                           "rerun with a larger --timeout (the rerun retries it)"), 0, elapsed)
                    pool.replace(w)
                    w["job"] = None
    finally:
        pool.close()
