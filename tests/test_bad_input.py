"""Every kind of bad input gets its own error record; other files are unaffected."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from budgetextract.cli import main
from budgetextract.pipeline import process_file
from budgetextract.schema import SUMMARY_KEYS


def _scanned_pdf(path: Path) -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (200, 100), "white")
    c = canvas.Canvas(str(path))
    for _ in range(2):
        c.drawImage(ImageReader(image), 50, 500, 400, 200)
        c.showPage()
    c.save()


def _encrypted_pdf(path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), encrypt="open-sesame")
    c.setFont("STSong-Light", 12)
    c.drawString(60, 700, "收入总计355.85万元")
    c.save()


def _bad_docx(path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>not closed")
    path.write_bytes(buffer.getvalue())


BAD = {
    "empty.txt": ("empty_file", lambda p: p.write_bytes(b"")),
    "blank.txt": ("empty_file", lambda p: p.write_text("  \n\n ", encoding="utf-8")),
    "legacy.doc": ("corrupt_doc", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)),
    "sheet.xls": ("corrupt_sheet", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)),
    "sheet.xlsx": ("corrupt_sheet", lambda p: p.write_bytes(_zip({"xl/workbook.xml": "<x/>"}))),
    "archive.ofd": ("corrupt_ofd", lambda p: p.write_bytes(_zip({"OFD.xml": "<ofd:OFD/>"}))),
    "notes.rtf": ("unsupported_format", lambda p: p.write_text("{\\rtf1\\ansi 2026年部门预算}", encoding="utf-8")),
    "image.png": ("unsupported_format", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x01" * 200)),
    "broken.pdf": ("corrupt_pdf", lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")),
    "notapdf.pdf": ("corrupt_pdf", lambda p: p.write_bytes(b"this is plain text named .pdf")),
    "locked.pdf": ("encrypted", _encrypted_pdf),
    "scan.pdf": ("no_text_layer", _scanned_pdf),
    "broken.docx": ("corrupt_docx", _bad_docx),
    "notzip.docx": ("corrupt_docx", lambda p: p.write_bytes(b"plain bytes, not a zip")),
    "garbage.txt": ("decode_error", lambda p: p.write_bytes(b"\x80\xff\xfe\x81" * 64)),
    "novel.txt": ("not_a_budget", lambda p: p.write_text("春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。\n" * 20, encoding="utf-8")),
}


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_gets_specific_error_record(tmp_path, name):
    code, make = BAD[name]
    path = tmp_path / name
    make(path)
    doc = process_file(path)
    assert doc.status == "error"
    assert doc.error.code == code
    assert doc.error.message and "Traceback" not in doc.error.message
    assert doc.source.file_name == name
    assert doc.source.sha256 is not None
    assert set(doc.summary.model_dump()) == set(SUMMARY_KEYS)
    assert all(v is None for v in doc.summary.model_dump().values())


def test_a_batch_with_bad_files_keeps_every_good_result(tmp_path, capsys):
    from conftest import CORPUS

    folder = tmp_path / "in"
    folder.mkdir()
    for name, (_, make) in BAD.items():
        if Path(name).suffix in (".pdf", ".docx", ".txt"):
            make(folder / name)
    good = CORPUS / "sample_jiangsu_style.txt"
    (folder / good.name).write_bytes(good.read_bytes())
    out = tmp_path / "out"
    assert main(["extract", str(folder), "--out", str(out)]) == 1  # some failed
    records = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")}
    inputs = [p for p in folder.iterdir()]
    assert len(records) == len(inputs)
    assert records[f"{good.name}.json"]["status"] == "ok"
    assert records[f"{good.name}.json"]["summary"]["revenue_total"] == 3456.78
    codes = {r["error"]["code"] for r in records.values() if r["error"]}
    assert {"empty_file", "corrupt_pdf", "encrypted", "no_text_layer", "corrupt_docx", "decode_error", "not_a_budget"} <= codes
    assert "Traceback" not in capsys.readouterr().err


def test_damaged_files_never_crash_the_reader(tmp_path):
    """Truncated, bit-flipped and zeroed copies of real-shaped files: each gives a record
    with a specific code (or reads), never an internal error."""
    import random

    from conftest import CORPUS

    rng = random.Random(7)
    sources = [CORPUS / "sample_jiangsu_style.pdf", CORPUS / "sample_haikou_style.docx", CORPUS / "sample_jiangsu_style.txt"]
    seen = set()
    for i in range(45):
        source = sources[i % len(sources)]
        data = bytearray(source.read_bytes())
        if i % 3 == 0:
            data = data[: rng.randint(1, len(data) - 1)]
        elif i % 3 == 1:
            for _ in range(rng.randint(1, 40)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            start = rng.randrange(len(data))
            data[start : start + 1500] = bytes(len(data[start : start + 1500]))
        path = tmp_path / f"damaged{i}{source.suffix}"
        path.write_bytes(bytes(data))
        doc = process_file(path)
        assert doc.error is None or doc.error.code != "internal_error", doc.error
        seen.add(doc.error.code if doc.error else doc.status)
    assert {"corrupt_pdf", "corrupt_docx"} <= seen


def test_a_pdf_with_a_real_text_layer_is_judged_by_what_it_says(tmp_path):
    """A cover page of English text and three blank pages: a text layer, not a scan; not a
    budget, and no advice to run OCR."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "cover.pdf"
    page = canvas.Canvas(str(path), pagesize=A4)
    page.drawString(50, 800, "Department budget 2026: summary of figures")
    for _ in range(4):
        page.showPage()
    page.save()
    doc = process_file(path)
    assert (doc.status, doc.error.code) == ("error", "not_a_budget") and "OCR" not in doc.error.message
