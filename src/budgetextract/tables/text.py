"""Budget tables that stand only as text: a PDF saved as text, a table without ruling.

Cells have lost their positions, so only what can be placed without them is read:
- each row's label with the figures after it, a line holding several labelled items
  side by side (收入总计 3,944.08 支出总计 3,944.08) giving one row per item; a row's
  figures are named col1, col2 … since the header no longer says which is which;
- the 合计 row by column name, only where it prints exactly one figure for each column
  its header line names (`text_total_columns` of patterns/tables.json);
- coded rows (201 一般公共服务支出 …) with their first figure, which is their 合计: the
  later columns may be blank and so cannot be placed.
"""

from __future__ import annotations

from decimal import Decimal

import regex

from .. import vocab
from ..amounts import cell_amount
from ..normalize import NormalizedText
from ..schema import Section, Table, TableRow
from ..segment import walk
from .catalogue import LEVELS, table_kind, title_pattern

_FIGURE = r"-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)"
# a label (its classification code may lead it: 201 一般公共服务支出, [20140]信访事务), then its figures
_ITEM = regex.compile(rf"(?P<label>(?:\[?\d{{3}}(?:\s?\d{{2}}){{0,2}}\]?\s*)?[^\d\s,.\-][^\d]*?)\s*(?P<figures>(?:{_FIGURE}\s*)+)(?=[^\d,.]|$)")
# a figure of money as tables print it (with cents or thousands separators)
_MONEY = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2}"
_CODED_ROW = regex.compile(rf"(?<![\d,.])(?P<code>\d{{3}}(?:\s?\d{{2}}){{0,2}})\s*(?P<name>\p{{Han}}[\p{{Han}}（）()、]*?)\s*(?P<fig>{_MONEY})(?![\d,.])")
_CODE_LABEL = regex.compile(r"^\[?(?P<code>\d{3}(?:\s?\d{2}){0,2})\]?\s*(?P<name>\p{Han}.*)$")
_PROSE = regex.compile(r"[，。；]|(?:\d)(?:万元|亿元|元|%)")
_TITLE_WINDOW = 4  # lines around a title where its unit may stand
_MAX_ROWS = 400


def _is_count(figure: str) -> bool:
    return "." not in figure and "," not in figure


def _unit(lines: list[str], at: int) -> str | None:
    unit_re = regex.compile(vocab.load("tables")["unit"])
    for line in lines[max(0, at - _TITLE_WINDOW) : at + _TITLE_WINDOW]:
        if m := unit_re.search(line.replace(" ", "")):
            return m.group(1)
    return None


def _row(label: str, figures: list[str], unit: str, page: int | None) -> TableRow:
    label = label.strip(" ：:")
    code, name = None, label
    if m := _CODE_LABEL.match(label):
        code, name = regex.sub(r"\s", "", m.group("code")), m.group("name").strip()
    columns = [f"col{i}" for i in range(1, len(figures) + 1)]
    return TableRow(code=code, level=LEVELS.get(len(code)) if code else None, name=name, cells=[label, *figures],
                    values={c: cell_amount(f, unit) for c, f in zip(columns, figures)}, printed=dict(zip(columns, figures)), page=page)


def line_tables(norm: NormalizedText, have: set[str]) -> list[Table]:
    """Tables found by a title on a line of their own, rows read from the lines after it
    until the next title; kinds already read from ruled tables are left out."""
    title_re = title_pattern()
    text = norm.text
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    found: list[Table] = []
    current: Table | None = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        m = title_re.fullmatch(stripped) if len(stripped) <= 60 else None
        kind = table_kind(m.group()) if m else None
        if kind is not None:
            if found and found[-1].title == stripped and current is found[-1]:
                continue  # the title repeated on the next page: the same table goes on
            unit = _unit(lines, i)
            current = Table(kind=kind, title=stripped, unit=unit, pages=[], columns=[], rows=[]) if unit and kind not in have else None
            if current is not None:
                found.append(current)
            continue
        if current is None or not stripped or _PROSE.search(stripped) or len(current.rows) >= _MAX_ROWS:
            continue
        page = norm.page_at(starts[i])
        for item in _ITEM.finditer(stripped):
            figures = item.group("figures").split()
            if len(figures) > 1 and _is_count(figures[0]) and not all(map(_is_count, figures[1:])):
                figures = figures[1:]  # 决算 tables number their rows (行次 1 1668.14)
            if not all(map(_is_count, figures)):  # figures of money, not a row number alone
                current.rows.append(_row(item.group("label"), figures, current.unit, page))
        if page is not None and page not in current.pages:
            current.pages.append(page)
    return [t for t in found if t.rows]


def text_totals(norm: NormalizedText, sections: list[Section], have: set[str]) -> list[Table]:
    """The 合计 rows of tables that stand only as text: a row is taken only when it prints
    one figure for each column its header names."""
    spec = {k: v for k, v in vocab.load("tables")["text_total_columns"].items() if not k.startswith("_")}
    unit_re = regex.compile(vocab.load("tables")["unit"])
    found = []
    for section in walk(sections):
        kind = table_kind(section.title) if section.kind == "tables" else None
        if kind not in spec or kind in have:
            continue
        text = norm.text[section.start : section.end]
        first_figure = regex.search(_MONEY, text)
        header = text[: first_figure.start()] if first_figure else text
        # the header line that names the most columns, in its order
        line = max(header.split("\n"), key=lambda l: sum(word in l for word in spec[kind]))
        columns = sorted((line.rfind(word), word) for word in spec[kind] if word in line)
        unit = unit_re.search(regex.sub(r"\s+", "", header))
        if len(columns) < 2 or unit is None:
            continue
        n = len(columns)
        row = regex.search(rf"(?<!\p{{Han}})合\s*计\s*((?:(?:{_MONEY})\s*){{{n}}})(?![\d,.]|\s*\d)", text)
        if row is None:
            continue
        printed = row.group(1).split()
        if len(printed) != n:
            continue
        names = [word for _, word in columns]
        table_row = TableRow(name="合计", values={c: cell_amount(p, unit.group(1)) for c, p in zip(names, printed)},
                             printed=dict(zip(names, printed)), cells=["合计", *printed], page=norm.page_at(section.start + row.start()))
        rows = _coded_rows(text, names[0], unit.group(1), norm, section.start) if names[0] == "合计" else []
        classes = [r for r in rows if r.level == "类"]
        if sum((r.values[names[0]] or 0 for r in classes), Decimal(0)) != table_row.values[names[0]]:
            # some class row was not read whole: keep none rather than an incomplete set
            rows = [r for r in rows if r.level != "类"]
        pages = list(range(section.page_start, section.page_end + 1)) if section.page_start and section.page_end else []
        found.append(Table(kind=kind, title=section.title, unit=unit.group(1), pages=pages, columns=names, rows=[*rows, table_row]))
    return found


def _coded_rows(text: str, total_column: str, unit: str, norm: NormalizedText, offset: int) -> list[TableRow]:
    """Coded rows (201 一般公共服务支出 …) of a table in text, with their first figure only:
    the 合计 column comes first and is never blank for a row, while the later columns may
    be, so only the first figure can be placed."""
    rows = []
    for m in _CODED_ROW.finditer(text):
        code = regex.sub(r"\s", "", m.group("code"))
        rows.append(TableRow(code=code, level=LEVELS.get(len(code)), name=m.group("name"),
                             values={total_column: cell_amount(m.group("fig"), unit)}, printed={total_column: m.group("fig")},
                             cells=[code, m.group("name"), m.group("fig")], page=norm.page_at(offset + m.start())))
    return rows
