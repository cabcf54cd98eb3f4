"""One file in, one BudgetDocument out. Every failure becomes an error record."""

from __future__ import annotations

import hashlib
import os
import stat
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import regex

from . import __version__
from .findings import Policy
from .errors import InputError
from .display import display
from .normalize import NormalizedText, normalize
from .readers import RawDocument, read_bytes
from .schema import BudgetDocument, ErrorInfo, OcrPage, Source
from .segment import segment
from .tables import extract_tables

# A budget explanation names these again and again; a document that names almost none is not one.
_BUDGET_WORDS = regex.compile(r"预算|决算|财政拨款|三公|基本支出|项目支出|万元")
_MIN_BUDGET_WORDS = 5


@dataclass
class Loaded:
    raw: RawDocument
    norm: NormalizedText


def load(path: Path, data: bytes | None = None, ocr: str = "auto") -> Loaded:
    """Read and normalize a file (the first two stages); raises InputError for unusable input.
    ocr: see read_bytes."""
    work = Work(path, path.read_bytes() if data is None else data, ocr)
    _read(work)
    _normalize(work)
    return Loaded(work.raw, work.norm)


def _has_text(raw: RawDocument, norm: NormalizedText) -> None:
    if not norm.text.strip():
        if raw.format == "pdf" and raw.ocr:  # OCR read the pages and found nothing
            raise InputError("no_text_layer", f"OCR read {len(raw.ocr)} page(s) and found no text: the pages are blank or "
                                              "not legible (check the images' resolution)")
        if raw.format == "pdf":  # pages, but nothing on them as text: drawn or scanned
            raise InputError("no_text_layer", "the PDF's pages carry no text (scanned, or text drawn as shapes); run OCR (e.g. ocrmypdf) first")
        raise InputError("empty_file", "the file contains no text")


def _source(path: Path, data: bytes | None = None, sha256: str | None = None, size: int | None = None) -> Source:
    # absolute (not resolved: a symlink loop has no end), so a record opens its source from any
    # folder; a name that is not UTF-8 decoded
    src = Source(file_name=display(path.name), path=display(os.path.abspath(path)), sha256=sha256, bytes=size)
    if data is not None:
        src.sha256 = hashlib.sha256(data).hexdigest()
        src.bytes = len(data)
    return src


def error_record(path: Path, code: str, message: str, *, data: bytes | None = None, sha256: str | None = None,
                 size: int | None = None) -> BudgetDocument:
    """The record of a file that gave no document: its source, the error's code and message."""
    return BudgetDocument(source=_source(Path(path), data, sha256, size), status="error",
                          error=ErrorInfo(code=code, message=message), extractor_version=__version__)


def process_file(path: Path, debug: bool = False, policy: Policy = Policy(), ocr: str = "auto") -> BudgetDocument:
    """The record of one file, its findings filtered and graded by the user's policy."""
    path = Path(path)
    data = None
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            # a FIFO or a device would block or never end
            raise InputError("unreadable", "not a regular file (a pipe, device or socket); give a document file")
        data = path.read_bytes()
        doc = process_bytes(path, data, ocr)
        doc.findings = policy.apply(doc.findings)
        return doc
    except MemoryError:
        doc = error_record(path, "memory", "the file needs more memory than the per-file limit (--max-memory) allows", data=data)
    except InputError as exc:
        doc = error_record(path, exc.code, exc.message, data=data)
    except OSError as exc:
        doc = error_record(path, "unreadable", f"cannot read the file: {exc.strerror or exc}", data=data)
    except Exception as exc:  # a bug must not stop a batch; it is reported as such
        if debug:
            raise
        doc = error_record(path, "internal_error", f"{type(exc).__name__}: {exc} (rerun with --debug for the traceback)", data=data)
        doc.warnings.append(traceback.format_exc(limit=3).strip().splitlines()[-1])
    doc.extractor_version = __version__
    return doc


@dataclass
class Work:
    """What the stages hand on: each stage reads what earlier ones left and adds its part."""

    path: Path
    data: bytes
    ocr: str = "auto"
    raw: RawDocument | None = None
    norm: NormalizedText | None = None
    sections: list | None = None
    entities: object = None  # the spaCy Doc of the normalized text
    tables: list | None = None
    doc: BudgetDocument | None = None
    context: object = None  # what extraction leaves the checks and support


def _read(w: Work) -> None:
    w.raw = read_bytes(w.path, w.data, w.ocr)


def _normalize(w: Work) -> None:
    w.norm = normalize(w.raw)
    _has_text(w.raw, w.norm)


def _screen(w: Work) -> None:
    """Refuse what is readable but is no budget or final account."""
    from .extract.meta import other_kind

    raw, norm = w.raw, w.norm
    if len(_BUDGET_WORDS.findall(norm.text)) < _MIN_BUDGET_WORDS:
        if raw.format == "html":  # a page that announces the budget and links to it (请见附件)
            linked = f"; it links to {'; '.join(raw.attachments[:3])}" if raw.attachments else ""
            raise InputError("not_a_budget", f"a web page (“{(raw.title or w.path.name)[:60]}”) without budget figures{linked}")
        raise InputError("not_a_budget", "the document reads as text but has no budget structure (预算/决算 figures); is it the right file?")
    titled = other_kind(norm)
    if titled:
        raise InputError("not_a_budget", f"the title names another kind of document (“{titled[:60]}”), not a budget or final account")


def _segment(w: Work) -> None:
    w.sections = segment(w.norm)
    source = _source(w.path, w.data)
    source.format, source.encoding = w.raw.format, w.raw.encoding
    source.pages = len(w.raw.pages) if w.raw.paged else None
    w.doc = BudgetDocument(source=source, sections=w.sections, extractor_version=__version__)
    w.doc.warnings.extend(w.raw.warnings)
    w.doc.ocr_pages = [OcrPage(page=n, confidence=p.confidence) for n, p in sorted(w.raw.ocr.items())]


def _entities(w: Work) -> None:
    from .nlp import analyse

    w.entities = analyse(w.norm.text)


def _tables(w: Work) -> None:
    w.tables = extract_tables(w.raw, w.data, w.norm, w.sections)


def _extract(w: Work) -> None:
    from .extract import run_extraction

    w.context = run_extraction(w.doc, w.norm, w.tables, w.entities)


def _check(w: Work) -> None:
    from .checks import run_checks

    w.doc.findings += run_checks(w.doc, w.doc.summary, w.doc.facts, w.context, w.doc.tables, w.doc.findings)


def _support(w: Work) -> None:
    """Each key's support, which keeps a finding of disagreement only where two statements of
    one established scope differ; then what a page read by OCR means for its figures."""
    from .support import corroborate

    corroborate(w.context, w.doc)
    raw, doc = w.raw, w.doc
    if raw.ocr:
        for fact in doc.facts:
            read = raw.ocr.get(fact.evidence.page)
            fact.ocr_confidence = read.confidence if read else None
        for finding in doc.findings:
            if not finding.evidence or any(e.page in raw.ocr for e in finding.evidence):
                finding.message += " (on a page read by OCR: check it against the page image)"
    if raw.empty_pages and any("scanned" in w for w in raw.warnings):
        doc.status = "partial"


STAGES: list[tuple[str, Callable[[Work], None]]] = [
    ("read", _read), ("normalize", _normalize), ("screen", _screen), ("segment", _segment), ("entities", _entities),
    ("tables", _tables), ("extract", _extract), ("checks", _check), ("support", _support),
]
"""The pipeline, in order: process_bytes runs it, `bench` times it stage by stage."""


def process_bytes(path: Path, data: bytes, ocr: str = "auto") -> BudgetDocument:
    work = Work(path, data, ocr)
    for _, stage in STAGES:
        stage(work)
    return work.doc
