"""What a notebook calls, and what the command line is a thin layer over:

    import budgetextract
    doc = budgetextract.extract("budget.pdf")            # one record, as `extract` writes it
    doc.summary.expenditure_total, doc.support["expenditure_total"].status
    counts = budgetextract.batch(["budgets/"], "run1")    # what `batch` does; returns its counts
    con = budgetextract.open_run("run1")                  # DuckDB over the run's tables
    con.sql("select key, value from support where status = 'verified'")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .findings import Policy
from .runs.isolation import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT, Limits

if TYPE_CHECKING:
    import duckdb

    from .schema import BudgetDocument

__all__ = ["batch", "extract", "open_run"]


def extract(path: str | os.PathLike, *, ocr: bool = False) -> BudgetDocument:
    """The record of one file (PDF, OFD, DOCX, .doc/.wps, a web page, a workbook or TXT), as
    `budgetextract extract` writes it.

    A file that cannot be read gives a record with `status == "error"` and `error.code`, never
    an exception. ocr: read every PDF page by OCR (the `[ocr]` extra); by default only pages
    without a usable text layer are. It runs in this process, without the per-file time and
    memory limits that `batch` sets.
    """
    from .pipeline import process_file

    return process_file(Path(path), ocr="force" if ocr else "auto")


def batch(inputs: Iterable[str | os.PathLike], out: str | os.PathLike, *, jobs: int | None = None,
          timeout: float = DEFAULT_TIMEOUT, max_memory: int = DEFAULT_MAX_MEMORY_MB, ocr: bool = False,
          policy: Policy = Policy(), force: bool = False, retry_failed: bool = False, dask: str | None = None, progress: bool = False) -> dict:
    """What `budgetextract batch` does: every file under `inputs` in worker processes within
    `timeout` seconds and `max_memory` MB each (0: no limit), one record per file under
    `out/records/`, and the run's tables (summary, support, facts, findings … as CSV, Parquet
    and `budgets.duckdb`). A rerun does only what is missing. Returns the counts: done, failed,
    skipped (already done), failed_before (of those, files whose record is an error), tables
    (documents in the tables) and seconds.

    Raises ValueError for a limit out of range, `OutputBusy` when another batch writes `out`,
    `SchedulerUnreachable` when `dask` names a scheduler that cannot be reached. policy: the
    checks turned off or graded otherwise (`Policy.parse(["doubled_punctuation"], ["share_mismatch=error"])`).
    """
    from .runs.batch import run_batch

    if not 0 < timeout < float("inf"):
        raise ValueError("timeout takes a number of seconds above 0 (nan and inf are none)")
    if max_memory < 0:
        raise ValueError("max_memory takes megabytes (0 for no limit)")
    limits = Limits(timeout=float(timeout), max_memory_mb=int(max_memory), policy=policy, ocr="force" if ocr else "auto")
    return run_batch([str(p) for p in inputs], Path(out), jobs=jobs or os.cpu_count() or 1, limits=limits, force=force,
                     progress=progress, dask=dask, retry_failed=retry_failed)


def open_run(out: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection over a batch's tables (`out/budgets.duckdb`)."""
    import duckdb

    database = Path(out) / "budgets.duckdb"
    if not database.is_file():
        raise FileNotFoundError(f"{database} is not there: run budgetextract.batch(…, out={str(out)!r}) first")
    return duckdb.connect(str(database), read_only=True)
