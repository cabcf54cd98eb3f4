"""PDF: the text layer through pypdfium2, which is much faster than pdfplumber here and gives
the same narrative text. pdfplumber is used only where cell positions matter (tables)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .base import RawDocument

# Fewer printable characters than this over the whole file means there is no usable text layer.
_MIN_CHARS_PER_PAGE = 20


def read_pdf(path: Path, data: bytes) -> RawDocument:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError("encrypted", "the PDF is protected by a password that is needed to open it; ask the publisher for an unprotected copy") from exc
        raise InputError("corrupt_pdf", f"the PDF cannot be parsed ({exc}); the file may be truncated or damaged") from exc
    try:
        pages, empty, scanned = [], [], []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            if not text.strip():
                empty.append(index + 1)
                if any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=1)):
                    scanned.append(index + 1)
            page.close()
            pages.append(text.replace("\r\n", "\n").replace("\r", "\n"))
    except pdfium.PdfiumError as exc:
        raise InputError("corrupt_pdf", f"the PDF's pages cannot be read ({exc})") from exc
    finally:
        pdf.close()

    if not pages:
        raise InputError("corrupt_pdf", "the PDF has no pages")
    printable = sum(len("".join(p.split())) for p in pages)
    if printable < _MIN_CHARS_PER_PAGE * len(pages) and len(empty) >= len(pages) / 2:
        raise InputError(
            "no_text_layer",
            f"the PDF has no text layer on {len(empty)} of {len(pages)} pages (a scan?); run OCR (e.g. ocrmypdf) first",
        )
    warnings = []
    if scanned:
        warnings.append(f"pages without a text layer, images only (scanned?): {scanned}")
    return RawDocument(format="pdf", pages=pages, paged=True, path=path, warnings=warnings, empty_pages=empty)
