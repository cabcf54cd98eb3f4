"""Scanned PDFs: real documents rendered to page images (200 dpi) and written back as
image-only PDFs, read by offline OCR through the same pipeline as a text layer."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from budgetextract import pipeline
from budgetextract.evaluate import gold_id, load_gold, score_summary
from budgetextract.readers import ocr, read_bytes
from budgetextract.views.review import review_page
from budgetextract.tables.cells import total_row

from conftest import GOLD, extracted, needs_real, real_ids_with_gold, real_file

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="the [ocr] extra (rapidocr, rapidocr-onnxruntime) is not installed")


def _image_only(source: Path, target: Path, pages: list[int] | None = None) -> Path:
    """Each page (1-based; all by default) rendered at 200 dpi, written back as an image-only PDF."""
    pdf = pdfium.PdfDocument(source.read_bytes())
    images = [pdf[i - 1].render(scale=200 / 72).to_pil().convert("L") for i in (pages or range(1, len(pdf) + 1))]
    images[0].save(target, save_all=True, append_images=images[1:], resolution=200)
    return target


def _pages(doc_id: str) -> int:
    return len(pdfium.PdfDocument(real_file(doc_id).read_bytes()))


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """The shortest real PDF with gold, as a scan, read once (the recognizer is deterministic)."""
    ids = [i for i in real_ids_with_gold() if real_file(i).suffix == ".pdf"]
    if not ids:
        pytest.skip("real documents not present")
    doc_id = min(ids, key=_pages)
    path = _image_only(real_file(doc_id), tmp_path_factory.mktemp("scan") / f"{doc_id}_scan.pdf")
    return doc_id, path, read_bytes(path, path.read_bytes())


@needs_real
@needs_ocr
def test_a_scanned_budget_is_read_by_ocr(scanned, monkeypatch):
    doc_id, path, raw = scanned
    monkeypatch.setattr(pipeline, "read_bytes", lambda *_args, **_kw: raw)
    doc = pipeline.process_file(path, debug=True)
    assert [p.page for p in doc.ocr_pages] == list(range(1, _pages(doc_id) + 1))
    assert all(p.confidence > 0.9 for p in doc.ocr_pages)
    assert doc.facts and all(f.ocr_confidence is not None and f.ocr_confidence > 0.9 for f in doc.facts)
    score = score_summary(doc_id, json.loads(doc.to_json())["summary"], load_gold(GOLD)[gold_id(path.name)])
    assert score.recall >= 0.9 and score.precision >= 0.98, score.misses

    page = review_page(path)
    assert page.count("read by OCR, confidence") == len(doc.ocr_pages)


@needs_real
@needs_ocr
def test_tables_are_read_from_the_ocr_boxes(tmp_path):
    # the shortest real PDF whose text layer gives both overview tables, its table pages as a scan
    candidates = [i for i in real_ids_with_gold() if real_file(i).suffix == ".pdf"]
    with_tables = [i for i in sorted(candidates, key=_pages)
                   if {"budget_total", "fiscal_total"} <= {t.kind for t in extracted(str(real_file(i))).tables}][:1]
    if not with_tables:
        pytest.skip("no real PDF with both overview tables")
    text_layer = extracted(str(real_file(with_tables[0])))
    wanted = [t for t in text_layer.tables if t.kind in ("budget_total", "fiscal_total")]
    pages = sorted({p for t in wanted for p in t.pages})
    scan = _image_only(real_file(with_tables[0]), tmp_path / "tables.pdf", pages)
    read = pipeline.process_file(scan, debug=True)
    for table in wanted:
        (ocr_table,) = [t for t in read.tables if t.kind == table.kind][:1]
        want, got = total_row(table), total_row(ocr_table)
        assert got is not None and [v for v in got.values.values() if v is not None][:1] == \
            [v for v in want.values.values() if v is not None][:1], table.title
        assert isinstance(next(v for v in got.values.values() if v is not None), Decimal)


def _scan_of_sample(tmp_path: Path) -> Path:
    return _image_only(Path(__file__).resolve().parent.parent / "corpus" / "sample_jiangsu_style.pdf", tmp_path / "scan.pdf", [1])


def test_without_the_ocr_extra_a_scan_says_how_to_enable_it(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    doc = pipeline.process_file(_scan_of_sample(tmp_path))
    assert doc.status == "error" and doc.error.code == "no_text_layer"
    assert "budgetextract[ocr]" in doc.error.message
    forced = pipeline.process_file(_scan_of_sample(tmp_path), ocr="force")
    assert forced.error.code == "ocr_unavailable"
