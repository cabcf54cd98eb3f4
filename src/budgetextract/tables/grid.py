"""Cells placed on a grid → a table's line items, whatever gave the cells (a ruled PDF table, a
Word table, OCR boxes): its columns are named by the header cells above each value cell, by
position, so merged header cells and empty value cells are handled, and a table without a
title continues the one before it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..amounts import cell_amount
from ..readers.base import Cell
from ..schema import Table, TableRow
from .catalogue import LEVELS, clean, patterns, table_kind

NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_SPLIT_CODE = re.compile(r"^\d{2,3}$")


@dataclass
class GridCell:
    text: str
    x0: float
    x1: float
    top: float


@dataclass
class RawGrid:
    title: str | None
    unit: str | None
    page: int
    header: list[GridCell]
    rows: list[list[GridCell]] = field(default_factory=list)


def header_path(header: list[GridCell], x0: float, x1: float) -> str:
    xc = (x0 + x1) / 2
    parts = []
    for cell in sorted(header, key=lambda c: c.top):
        if cell.x0 - 0.5 <= xc <= cell.x1 + 0.5 and cell.text and (not parts or parts[-1] != cell.text):
            parts.append(cell.text)
    return "/".join(parts)


def read_grid(rows: list[list[Cell]], above: str, page_no: int | None) -> RawGrid | None:
    """One table from its cells ((x0, top, x1, bottom), text) row by row and the text
    above it: header cells, title, unit and data rows. None when it is not a table of figures."""
    title_re, unit_re = patterns().title, patterns().unit
    header: list[GridCell] = []
    preamble: list[str] = []  # header-row text, where titles and units also stand
    raw = RawGrid(title=None, unit=None, page=page_no, header=header)
    in_header = True
    for cells in rows:
        real = [GridCell(clean(text), b[0], b[2], b[1]) for b, text in cells]
        if not any(c.text for c in real):
            continue
        # the header ends at the first row with a figure or a classification code
        if in_header and not any(NUMBER.match(c.text) for c in real):
            for c in real:
                preamble.append(c.text)
                if c.text and not is_preamble(c.text):
                    header.append(c)
            continue
        in_header = False
        raw.rows.append(real)
    lines = [clean(line) for line in above.splitlines() if clean(line)]
    own_titles = [m.group() for line in preamble for m in [title_re.search(line)] if m and table_kind(m.group())]
    title = _title_above(lines) or (own_titles[0] if own_titles else None)
    raw.title = re.sub(r"^(?:万元|元)", "", title) if title else None  # the unit's tail, run into the title
    # the unit may share a cell with the department, or be split from it by one
    unit = next((m for line in reversed(lines[-6:]) for m in [unit_re.search(line)] if m), None) or next((m for t in preamble for m in [unit_re.search(t)] if m), None) \
        or unit_re.search("".join(t for t in preamble if "部门" not in t))
    raw.unit = unit.group(1) if unit else None
    return raw if raw.rows or raw.title else None  # an empty table (本表无数据) is still the table


_TITLE_TAIL = re.compile(r"^(?:支出|收入)?(?:预算|决算)?表$")


# Lines that may stand between a table and its title: its number (表1, 公开08表), the unit,
# the department, a part heading.
_BETWEEN_TITLE_AND_TABLE = re.compile(r"^(?:(?:附|公开)?表[\d一二三四五六七八九十]+|公开\d+表|[\d\-]+)$|单位[:：]|部门[:：]|单位名称|部门名称|^第.部分|^(?:万元|元)$")


def _title_above(lines: list[str]) -> str | None:
    """The nearest title above the table, past the lines that may stand between them;
    a title that wrapped and left only its tail (……培训费 / 支出预算表) is joined."""
    title_re = patterns().title
    for i in range(len(lines) - 1, max(-1, len(lines) - 7), -1):
        candidates = [lines[i]]
        if i > 0 and (_TITLE_TAIL.match(lines[i]) or not title_re.search(lines[i])):
            candidates.insert(0, lines[i - 1] + lines[i])
        for candidate in candidates:
            m = title_re.search(candidate)
            if m and table_kind(m.group()):
                return m.group()
        if not _BETWEEN_TITLE_AND_TABLE.search(lines[i]):
            return None
    return None


def is_preamble(text: str) -> bool:
    """Text in a table's top rows that is not a column header: title, unit, department."""
    return "单位" in text or "部门" in text or text in ("元", "万元") or bool(patterns().title.fullmatch(text))


def rows_of(raw: RawGrid, unit: str | None) -> list[TableRow]:
    """Cells → line items. A row may hold several items side by side (收入 | 支出)."""
    code_header, line_number = patterns().code_header, patterns().line_number_header
    out = []
    for cells in raw.rows:
        code_parts: list[str] = []
        current: TableRow | None = None
        second_name = False  # the name of an item's second classification follows its code
        for cell in cells:
            column = header_path(raw.header, cell.x0, cell.x1)
            if column and line_number.search(column.split("/")[-1]):
                continue  # 决算 tables number their rows (行次): not a figure
            is_code_col = bool(code_header.search(column.split("/")[-1])) if column else False
            if (_CODE.match(cell.text) or (is_code_col and _SPLIT_CODE.match(cell.text))) and (current is None or is_code_col):
                if current is not None and current.code and not current.printed and not code_parts:
                    # 30215 会议费 | 50202 会议费 | figures: one item under its department's and the
                    # government's economic classification, not two (side-by-side items have figures first)
                    current.cells.append(cell.text)
                    second_name = True
                    continue
                # a code under a code header begins the next item, also one printed beside another
                code_parts, current = ([] if current is not None else code_parts) + [cell.text], None
                continue
            if second_name and cell.text and not NUMBER.match(cell.text):
                current.cells.append(cell.text)
                second_name = False
                continue
            second_name = False
            if NUMBER.match(cell.text) or (cell.text == "" and current is not None):
                if current is None:
                    if out and out[-1].page == raw.page and not any(out[-1].printed.values()) and not code_parts:
                        current = out[-1]  # the figures of a label printed a line higher
                    else:
                        current = TableRow(name="", cells=[], page=raw.page)
                        out.append(current)
                key = column or f"col{len(current.values) + 1}"
                if current.printed.get(key):
                    if not cell.text:
                        continue  # a spacer cell under the same header
                    key = f"{key}#{sum(k.startswith(key) for k in current.printed) + 1}"
                current.values[key] = cell_amount(cell.text, unit) if cell.text else None
                current.printed[key] = cell.text
                current.cells.append(cell.text)
                continue
            if cell.text == "" or is_code_col:
                continue
            code = "".join(code_parts) or None
            current = TableRow(code=code, level=LEVELS.get(len(code)) if code else None, name=cell.text, cells=[*code_parts, cell.text], page=raw.page)
            code_parts = []
            out.append(current)
    # a row numbering the columns (栏次 1 2 3 …) holds no figures
    return [r for r in out if r.values and not line_number.search(r.name) and not _numbers_columns(r)]


def _numbers_columns(row: TableRow) -> bool:
    """1 2 3 … across a row: the columns' numbers (栏次), not figures."""
    printed = [p for p in row.printed.values() if p]
    if len(printed) < 3 or not all(p.isdigit() for p in printed):
        return False
    first = int(printed[0])
    return [int(p) for p in printed] == list(range(first, first + len(printed)))


def assemble(raws) -> list[Table]:
    """Tables from raw tables in document order: a titled table starts a table, an
    untitled one right after it continues it (its header repeated or, if not, the
    previous one's)."""
    tables: list[tuple[Table, list[GridCell]]] = []
    known_unit: str | None = None  # tables of one document share their unit when one omits it
    for raw in raws:
        kind = table_kind(raw.title) if raw.title else None
        previous = tables[-1][0] if tables else None
        adjacent = previous is not None and (raw.page is None or previous.pages[-1] >= raw.page - 1)
        # a continued table may repeat its title on each page
        if adjacent and (kind is None or (raw.title == previous.title and raw.page not in previous.pages)):
            if not raw.header:
                raw.header = tables[-1][1]
            previous.rows.extend(rows_of(raw, previous.unit))
            if raw.page is not None and raw.page not in previous.pages:
                previous.pages.append(raw.page)
            continue
        if kind is None:
            continue
        known_unit = raw.unit or known_unit
        unit = raw.unit or known_unit
        columns = list(dict.fromkeys(header_path(raw.header, c.x0, c.x1) for row in raw.rows for c in row))
        table = Table(kind=kind, title=raw.title, unit=unit, pages=[raw.page] if raw.page else [],
                      columns=[c for c in columns if c], rows=rows_of(raw, unit))
        tables.append((table, raw.header))
    return [t for t, _ in tables]
