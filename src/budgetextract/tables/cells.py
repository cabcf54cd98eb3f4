"""Reading a table once it is read: which row is its total, and where a cell's printed
figure stands in the normalized text (the evidence of a table figure)."""

from __future__ import annotations

from decimal import Decimal

import regex

from ..normalize import NormalizedText, is_table_row
from ..schema import Evidence, Table, TableRow
from .catalogue import is_total_row

# a 万元 figure is printed to 0.01: each one may be off by half a cent
CENT = Decimal("0.005")
# a figure under 1% of another's of the same thing is a misprint (0.3万元 against 2,961.68)
_TRIFLE = Decimal("0.01")

_FIGURE_CHARS = frozenset("0123456789,.")
# cells may run together in the text layer: a figure followed by the next row's code
_CODE_AFTER = regex.compile(r"\d{3,7}\p{Han}")


def total_row(table: Table) -> TableRow | None:
    rows = [r for r in table.rows if is_total_row(r.name)]
    if rows:
        return rows[0]
    if len(table.rows) == 1 and not table.rows[0].name:
        return table.rows[0]  # a one-row table of totals (三公, 支出预算总表 in some templates)
    return _unnamed_total(table)


def _unnamed_total(table: Table) -> TableRow | None:
    """A first row named for the department (深圳市信访局 4,684.30 …) rather than 合计:
    the total when its first figure is the sum of the class (类) rows below it."""
    if not table.rows or table.rows[0].code:
        return None
    first = table.rows[0]
    column = next((c for c, v in first.values.items() if v is not None), None)
    classes = [r for r in table.rows[1:] if r.level == "类"]
    if column is None or not classes or any(r.values.get(column) is None for r in classes):
        return None
    difference = abs(sum((r.values[column] for r in classes), Decimal(0)) - first.values[column])
    return first if difference <= CENT * len(classes) else None  # each class rounded


def is_trifle(a: Decimal, b: Decimal) -> bool:
    """One of two figures printed as 0 or a trifle of the other."""
    return min(a, b) <= max(a, b) * _TRIFLE


def _figure_at(text: str, printed: str, start: int, end: int) -> list[int]:
    """Where printed stands as a whole figure in text[start:end] (a plain search: building
    a pattern for each figure cost more than the rest of the extraction)."""
    hits, at = [], text.find(printed, start, end)
    while at != -1:
        after = at + len(printed)
        if (at == 0 or text[at - 1] not in _FIGURE_CHARS) and \
                (after >= len(text) or text[after] not in _FIGURE_CHARS or _CODE_AFTER.match(text, after)):
            hits.append(at)
        at = text.find(printed, at + 1, end)
    return hits


def table_evidence(norm: NormalizedText, table: Table, row: TableRow, column: str) -> Evidence | None:
    """Where the printed figure stands in the normalized text of the table's pages."""
    printed = row.printed.get(column)
    if not printed:
        return None
    printed = printed.split("+")[0]  # a sum of rows (one class under two government classes): its first
    if not table.pages:  # a format without pages (DOCX, text): on a line of table rows
        hits = [h for h in _figure_at(norm.text, printed, 0, len(norm.text))
                if is_table_row(line := norm.line_at(h)) or (row.name and row.name in line)]
    else:
        a, b = norm.page_span(table.pages[0])[0], norm.page_span(table.pages[-1])[1]
        hits = _figure_at(norm.text, printed, a, b)
        if row.page is not None:
            page_a, page_b = norm.page_span(row.page)
            hits = [h for h in hits if page_a <= h < page_b] or hits
    if not hits:
        return None
    return norm.evidence(hits[0], hits[0] + len(printed))
