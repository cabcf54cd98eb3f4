"""Spreadsheets (.xlsx, .xls, .et): the 公开表 workbooks departments attach. Each sheet is a
table, its cells placed on a grid as a DOCX table's are (a merged range as wide and as tall as
it spans, its text in its first cell), its title and unit rows read as the table's top rows.
The text is each sheet's rows, cells apart by tabs: a workbook has no narrative and no pages."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from ..errors import InputError
from .base import Cell, RawDocument, RawTable

_MAX_CELLS = 2_000_000  # a sheet past this is not a table of a budget (and would hold the worker)


def _text(value) -> str:
    """A cell as it would print: a whole number without decimals, other numbers exactly as
    stored (no binary tail: 2796.14, not 2796.1399999999999)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


def _grid(rows: list[list], merged: list) -> list[list[Cell]]:
    """Rows of cells on a grid 10 units a column; a merged range is one cell over its columns,
    and blank in the rows below its first (as a vertically merged Word cell is)."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in merged:
        spans[(r0, c0)] = (r1, c1)
        covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0))
    out = []
    for r, values in enumerate(rows):
        cells: list[Cell] = []
        for c, value in enumerate(values):
            if (r, c) in covered:
                continue
            _, c1 = spans.get((r, c), (r, c))
            cells.append(((10.0 * c, 10.0 * r, 10.0 * (c1 + 1), 10.0 * (r + 1)), _text(value)))
        out.append(cells)
    return out


def read_sheet(path: Path, data: bytes) -> RawDocument:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise InputError("encrypted", "the workbook is password-protected; save it without a password and run again") from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise InputError("corrupt_sheet", f"the workbook cannot be opened ({type(exc).__name__}: {exc}); re-save it from Excel or WPS") from exc
    lines: list[str] = []
    tables: list[RawTable] = []
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.total_height * sheet.total_width > _MAX_CELLS:
                raise InputError("too_large", f"the sheet '{name}' has more than {_MAX_CELLS:,} cells; it is not a table of a budget")
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except CalamineError as exc:
            raise InputError("corrupt_sheet", f"the sheet '{name}' cannot be read ({exc})") from exc
        grid = _grid(rows, merged)
        if not any(text for row in grid for _, text in row):
            continue
        tables.append(RawTable(rows=grid, above=[]))
        for row in grid:
            texts = [text for _, text in row]
            if any(texts):
                lines.append("\t".join(texts).strip())
    if not tables:
        raise InputError("empty_file", "the workbook's sheets are all empty")
    return RawDocument(format="xlsx", pages=["\n".join(lines)], paged=False, path=path, tables=tables)
