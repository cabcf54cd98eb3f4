"""Budget tables → line items.

PDF: ruled tables are read (ruled) only on the pages whose text layer shows table rows or a
table title (locate), and on pages read by OCR from the recognised boxes (boxes); DOCX: Word
tables. All give cells on a grid, read the same way (grid) against the catalogue of standard
tables (catalogue). Where a standard table stands only as text, the figures that can be
placed are taken (text). `cells` finds a table's total row and where a cell's figure stands.
"""

from __future__ import annotations

from ..normalize import NormalizedText
from ..readers.base import RawDocument
from ..schema import Section, Table
from .boxes import ocr_grids
from .grid import assemble, read_grid
from .locate import table_pages
from .text import line_tables, text_totals


def _pdf_raws(data: bytes, pages: list[int], ocr: dict):
    """Raw tables page by page: ruled ones through pdfium; on pages read by OCR, from its boxes."""
    import pypdfium2 as pdfium  # here, not above: a text or Word file never loads a PDF library

    from .ruled import read_page

    pdf = pdfium.PdfDocument(data)
    try:
        for page_no in pages:
            if page_no in ocr:
                yield from ocr_grids(ocr[page_no].rows, page_no)
                continue
            page = pdf[page_no - 1]
            textpage = page.get_textpage()
            yield from read_page(page, textpage, page_no)
            textpage.close()
            page.close()
    finally:
        pdf.close()


def extract_tables(raw_doc: RawDocument, data: bytes, norm: NormalizedText, sections: list[Section]) -> list[Table]:
    """The budget tables of a PDF (ruled tables on the pages that show rows), or those its
    format marks (a DOCX's Word tables, a web page's <table>s, a workbook's sheets); where a
    standard table stands only as text, its 合计 row."""
    if raw_doc.format == "pdf":
        pages = table_pages(norm, sections)
        tables = assemble(_pdf_raws(data, pages, raw_doc.ocr)) if pages else []
    else:
        raws = (read_grid(t.rows, "\n".join(t.above), None) for t in raw_doc.tables)
        tables = assemble(r for r in raws if r is not None)
    ruled = {t.kind for t in tables}
    # a table in text gives its 合计 by column where it can, and its rows by position
    return tables + text_totals(norm, sections, ruled) + line_tables(norm, ruled)
