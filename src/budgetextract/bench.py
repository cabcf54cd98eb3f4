"""`budgetextract bench`: where the time goes, against the floors of the PDF libraries.

Per format and per stage of the pipeline (pipeline.STAGES: read, normalize, screen, segment,
entities, tables, extract, checks, support) on the
given files (a PDF read by OCR counts as `pdf-ocr`: its read stage is the recognizer's); in the same run the floors on the same PDFs: pypdfium2 text only, and
pdfplumber text + tables on every page; then whole batches with 1 and N workers, and
the peak memory of a worker. Numbers to report, not assertions.
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from .errors import InputError
from .runs.files import discover

def _stages(path: Path) -> tuple[str, int, dict[str, float]] | None:
    """The pipeline's stages on one file, each timed; None for a file the pipeline refuses."""
    from .pipeline import STAGES, Work

    work, t = Work(path, path.read_bytes()), {}
    for name, stage in STAGES:
        started = time.perf_counter()
        try:
            stage(work)
        except InputError:
            return None
        t[name] = time.perf_counter() - started
    return ("pdf-ocr" if work.raw.ocr else work.raw.format), (len(work.raw.pages) if work.raw.paged else 1), t


def _floors(pdfs: list[Path]) -> dict[str, float]:
    import pdfplumber
    import pypdfium2 as pdfium

    s = time.perf_counter()
    for p in pdfs:
        pdf = pdfium.PdfDocument(p)
        for i in range(len(pdf)):
            pdf[i].get_textpage().get_text_range()
        pdf.close()
    pdfium_s = time.perf_counter() - s
    s = time.perf_counter()
    for p in pdfs:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()
    return {"pypdfium2 text": pdfium_s, "pdfplumber text+tables": time.perf_counter() - s}


def _batch_seconds(files: list[Path], jobs: int) -> float:
    from .runs.batch import run_batch
    from .runs.isolation import Limits

    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        for i, f in enumerate(files):
            shutil.copy(f, inputs / f"{i:04d}_{f.name}")
        s = time.perf_counter()
        run_batch([str(inputs)], Path(tmp) / "out", jobs=jobs, limits=Limits(timeout=600), progress=False)
        return time.perf_counter() - s


def run(paths: list[str], jobs: int, repeat: int, out=print) -> None:
    from .pipeline import STAGES

    files = discover(paths)
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pages: dict[str, int] = defaultdict(int)
    docs: dict[str, int] = defaultdict(int)
    text_pdfs: set[Path] = set()  # the floors are of PDFs with a text layer
    from .nlp import pipeline

    pipeline()  # model construction is a one-off per process, not a per-file cost
    for _ in range(repeat):
        for f in files:
            result = _stages(f)
            if result is None:
                continue
            fmt, n, t = result
            if fmt == "pdf":
                text_pdfs.add(f)
            pages[fmt] += n
            docs[fmt] += 1
            for stage, seconds in t.items():
                totals[fmt][stage] += seconds

    out(f"{len(files)} files × {repeat}; seconds per page by stage (ms), pages/s and docs/s of the whole pipeline")
    names = [name for name, _ in STAGES]
    out(f"{'format':6} {'pages':>6} " + " ".join(f"{s:>9}" for s in names) + f" {'pages/s':>8} {'docs/s':>7}")
    for fmt in sorted(totals):
        whole = sum(totals[fmt].values())
        out(f"{fmt:6} {pages[fmt]:>6} " + " ".join(f"{1000 * totals[fmt][s] / pages[fmt]:>9.2f}" for s in names)
            + f" {pages[fmt] / whole:>8.1f} {docs[fmt] / whole:>7.2f}")

    pdfs = [f for f in files if f in text_pdfs]
    if pdfs and "pdf" in totals:
        floors: dict[str, float] = {}
        for _ in range(repeat):
            for k, v in _floors(pdfs).items():
                floors[k] = floors.get(k, 0) + v
        ours = sum(totals["pdf"].values())
        narrative = ours - totals["pdf"]["tables"]
        n = pages["pdf"]
        out("")
        out(f"PDF floors on the same {len(pdfs)} files ({n} pages):")
        for name, seconds in floors.items():
            out(f"  {name:24} {n / seconds:8.1f} pages/s")
        out(f"  {'budgetextract, all':24} {n / ours:8.1f} pages/s  ({floors['pdfplumber text+tables'] / ours:.1f}× the pdfplumber floor)")
        out(f"  {'budgetextract, no tables':24} {n / narrative:8.1f} pages/s  ({narrative / floors['pypdfium2 text']:.1f}× the pypdfium2 floor's time)")

    if jobs > 1:
        one = _batch_seconds(files * repeat, 1)
        many = _batch_seconds(files * repeat, jobs)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        out("")
        out(f"batch of {len(files) * repeat} files: 1 worker {one:.1f}s, {jobs} workers {many:.1f}s, speed-up {one / many:.2f}×; "
            f"peak RSS of a worker {peak:.0f} MB")
