"""PDF: the text layer through pypdfium2, which is much faster than pdfplumber here and gives
the same narrative text. pdfplumber is used only where cell positions matter (tables)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .base import RawDocument

# A page with fewer printable characters than this has no usable text layer.
_MIN_CHARS_PER_PAGE = 20


def read_pdf(path: Path, data: bytes, ocr: str = "auto") -> RawDocument:
    """ocr: "auto" reads by OCR the pages that carry images but no usable text, where OCR is
    installed; "force" every page; "off" none."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from . import ocr as recognizer

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError("encrypted", "the PDF is protected by a password that is needed to open it; ask the publisher for an unprotected copy") from exc
        raise InputError("corrupt_pdf", f"the PDF cannot be parsed ({exc}); the file may be truncated or damaged") from exc
    can_ocr = ocr != "off" and recognizer.available()
    if ocr == "force" and not can_ocr:
        raise InputError("ocr_unavailable", _INSTALL_OCR)
    try:
        pages, empty, scanned, read_by_ocr = [], [], [], {}
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            # only a page short of text is looked at for images: walking a page's objects costs
            # as much as reading its text
            imaged = len("".join(text.split())) < _MIN_CHARS_PER_PAGE and next(raw_objects(page, pdfium_c.FPDF_PAGEOBJ_IMAGE, 1), None) is not None
            if ocr == "force" or (can_ocr and imaged):
                read_by_ocr[index + 1] = recognizer.read_page(page)
                text = read_by_ocr[index + 1].text
            elif not text.strip():
                empty.append(index + 1)
                if imaged:
                    scanned.append(index + 1)
            page.close()
            pages.append(text.replace("\r\n", "\n").replace("\r", "\n"))
    except pdfium.PdfiumError as exc:
        raise InputError("corrupt_pdf", f"the PDF's pages cannot be read ({exc})") from exc
    finally:
        pdf.close()

    if not pages:
        raise InputError("corrupt_pdf", "the PDF has no pages")
    # judged by what the layer holds, in any script: one page of real text is a text layer
    # (what it says is the pipeline's to judge), blank pages beside it are not a scan
    if not any(len("".join(p.split())) >= _MIN_CHARS_PER_PAGE for p in pages):
        if scanned:
            hint = _INSTALL_OCR if not can_ocr else "OCR found no legible text on them (check the images' resolution)"
            raise InputError("no_text_layer", f"the PDF has no text layer on {len(empty)} of {len(pages)} pages, only images (a scan); {hint}")
        raise InputError("no_text_layer", f"the PDF's {len(pages)} pages carry neither text nor images: blank, or text drawn as "
                                          "shapes (OCR, e.g. ocrmypdf, may read drawn text)")
    warnings = []
    if scanned:
        warnings.append(f"pages without a text layer, images only (scanned?): {scanned}"
                        + ("" if can_ocr else "; install the [ocr] extra to read them"))
    return RawDocument(format="pdf", pages=pages, paged=True, path=path, warnings=warnings, empty_pages=empty, ocr=read_by_ocr)


def raw_objects(page, kind: int, depth: int):
    """The page's objects of one kind (FPDF_PAGEOBJ_…), those inside its forms down to depth
    levels too, as raw handles: a page holds thousands of objects, and wrapping each in a
    Python object to learn its type costs more than reading the page."""
    import pypdfium2.raw as pdfium_c

    def walk(parent, count, get, depth):
        for i in range(count(parent)):
            obj = get(parent, i)
            found = pdfium_c.FPDFPageObj_GetType(obj)
            if found == kind:
                yield obj
            elif found == pdfium_c.FPDF_PAGEOBJ_FORM and depth > 1:
                yield from walk(obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, depth - 1)

    return walk(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, depth)


_INSTALL_OCR = "install the OCR extra to read scanned pages (pip install 'budgetextract[ocr]'), or run OCR (e.g. ocrmypdf) first"
