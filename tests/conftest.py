"""Shared fixtures. Real documents are read from ../shared/corpus/real beside the
checkout; tests that need them skip, saying so, when that folder is absent."""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REAL = ROOT.parent / "shared" / "corpus" / "real"
GOLD = REAL / "gold"

sys.path.insert(0, str(CORPUS))  # corpus/render.py turns one text into DOCX and PDF


def real_files(pattern: str = "*") -> list[Path]:
    if not REAL.is_dir():
        return []
    return sorted(p for p in REAL.glob(pattern) if p.suffix in (".pdf", ".txt"))


def real_ids_with_gold() -> list[str]:
    if not GOLD.is_dir():
        return []
    return sorted(p.stem for p in GOLD.glob("*.json"))


def real_file(doc_id: str) -> Path:
    matches = [p for p in real_files() if re.split(r"[_.]", p.name, maxsplit=1)[0] == doc_id]
    if not matches:
        pytest.skip(f"real document {doc_id} not found in {REAL}")
    return matches[0]


def gold(doc_id: str) -> dict:
    return json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def extracted(path: str):
    """Extraction is deterministic; each real document is processed once per test run."""
    from budgetextract.pipeline import process_file

    return process_file(Path(path), debug=True)


def altered(tmp_path: Path, text: str, *changes: tuple[str, str]) -> Path:
    """The text with each (old, new) replaced once (each old must be there), as a TXT file."""
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "altered.txt"
    path.write_text(text, encoding="utf-8")
    return path


needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"real documents not present at {REAL}")


def seed_lines() -> list[str]:
    """The seed document's lines, without the DOCX→TXT bookmark artifact (which a DOCX
    or PDF of the same document would not carry)."""
    text = real_file("H1").read_text(encoding="utf-8")
    return [re.sub(r"\[bookmark: [^\]]*\]", "", line) for line in text.splitlines()]


def word_table(document, title: str, unit: str, header: list[list[tuple[str, int]]], rows: list[list[str]]):
    """A Word table as budget templates lay them out: a title and unit line above it,
    header rows with cells spanning columns (text, span), then the figures."""
    document.add_paragraph(title)
    document.add_paragraph(f"编制部门：示例部门 单位：{unit}")
    width = sum(span for _, span in header[0])
    table = document.add_table(rows=len(header) + len(rows), cols=width)
    for r, cells in enumerate(header):
        column = 0
        for text, span in cells:
            cell = table.cell(r, column)
            if span > 1:
                cell = cell.merge(table.cell(r, column + span - 1))
            cell.text = text
            column += span
    for r, values in enumerate(rows, len(header)):
        for c, text in enumerate(values):
            table.cell(r, c).text = text



def workbook(pdf: Path, path: Path) -> Path:
    """A real PDF's ruled tables written as a 公开表 workbook is laid out (openpyxl): a sheet
    a table (a table continued on the next page, without a title, on the same sheet), its
    title and unit in the top rows, then its cells where the PDF prints them: columns at the
    cells' edges, a cell spanning the columns it covers merged over them."""
    import openpyxl

    from budgetextract.pipeline import load
    from budgetextract.segment import segment
    from budgetextract.tables import _pdf_raws
    from budgetextract.tables.locate import table_pages

    norm = load(pdf).norm
    grids = list(_pdf_raws(pdf.read_bytes(), table_pages(norm, segment(norm)), {}))
    units = {t.title: t.unit for t in extracted(str(pdf)).tables}  # the unit each table is printed in
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheet, row_at = None, 0
    for grid in grids:
        cells = list(grid.header) + [c for row in grid.rows for c in row]
        edges = sorted({round(x, 0) for c in cells for x in (c.x0, c.x1)})
        column = lambda x: min(range(len(edges)), key=lambda i: abs(edges[i] - x)) + 1  # noqa: E731
        if grid.title or sheet is None:
            sheet = book.create_sheet(f"表{len(book.sheetnames) + 1}")
            sheet.cell(1, 1, grid.title or "")
            unit = grid.unit or units.get(grid.title) or next((g.unit for g in grids if g.title == grid.title and g.unit), None)
            sheet.cell(2, 1, f"单位：{unit}" if unit else "")
            row_at = 2
            header_rows = sorted({c.top for c in grid.header})
            lines = [[c for c in grid.header if c.top == top] for top in header_rows]
        else:
            lines = []
        for line in lines + grid.rows:
            row_at += 1
            for c in line:
                first, last = column(c.x0), column(c.x1) - 1
                figure = c.text.replace(",", "")
                sheet.cell(row_at, first, float(figure) if re.fullmatch(r"-?\d+(?:\.\d+)?", figure) else c.text)
                if last > first:
                    sheet.merge_cells(start_row=row_at, start_column=first, end_row=row_at, end_column=last)
    if not book.sheetnames:
        book.create_sheet("表1")
    book.save(path)
    return path
