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
# in a table of 元 the cents may be dropped where they are 0 (480544221.6, 457432345)
_YUAN = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d{1,2})?"
_CODED_ROW = r"(?<![\d,.])(?P<code>\d{{3}}(?:\s?\d{{2}}){{0,2}})\s*(?P<name>\p{{Han}}[\p{{Han}}（）()、]*?)\s*(?P<fig>{money})(?![\d,.])"


def _money(unit: str) -> str:
    return _YUAN if unit == "元" else _MONEY
_CODE_LABEL = regex.compile(r"^\[?(?P<code>\d{3}(?:\s?\d{2}){0,2})\]?\s*(?P<name>\p{Han}.*)$")
_PROSE = regex.compile(r"[，。；]|(?:\d)(?:万元|亿元|元|%)")
_TITLE_WINDOW = 4  # lines around a title where its unit may stand
_MAX_ROWS = 400


def _is_count(figure: str) -> bool:
    return "." not in figure and "," not in figure


def _bare_title(title: str) -> str:
    """A title without the unit its line carries (…明细表 单位：元)."""
    return regex.sub(r"\s*(?:" + vocab.load("tables")["unit"] + ")$", "", title)


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
            current = Table(kind=kind, title=_bare_title(stripped), unit=unit, pages=[], columns=[], rows=[]) if unit and kind not in have else None
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


def _title_lines(norm: NormalizedText) -> list[tuple[str, int, int]]:
    """Each table title standing on a line of its own, as (title, start, end): its table's
    text runs to the next such title."""
    title_re = title_pattern()
    spans, at = [], 0
    for line in norm.text.split("\n"):
        stripped = line.strip()
        if len(stripped) <= 80 and title_re.fullmatch(stripped) and table_kind(stripped):
            spans.append([stripped, at, len(norm.text)])
            if len(spans) > 1:
                spans[-2][2] = at
        at += len(line) + 1
    return [tuple(x) for x in spans]


def text_totals(norm: NormalizedText, sections: list[Section], have: set[str]) -> list[Table]:
    """The 合计 rows of tables that stand only as text: a row is taken only when it prints
    one figure for each column its header names. A table is found by its title: a section
    of its own, else a title line (表5 …明细表 单位：元, taken into a narrative heading)."""
    spec = {k: v for k, v in vocab.load("tables")["text_total_columns"].items() if not k.startswith("_")}
    candidates = [(s.title, s.start, s.end, list(range(s.page_start, s.page_end + 1)) if s.page_start and s.page_end else [])
                  for s in walk(sections) if s.kind == "tables"]
    candidates += [(title, start, end, []) for title, start, end in _title_lines(norm)]
    found: list[Table] = []
    for title, start, end, pages in candidates:
        kind = table_kind(title)
        if kind not in spec or kind in have or any(t.kind == kind for t in found):
            continue
        table = _total_table(norm, kind, title, start, end, spec[kind])
        if table is not None:
            table.pages = pages or sorted({p for p in (norm.page_at(start), norm.page_at(max(start, end - 1))) if p})
            found.append(table)
    return found


def _total_table(norm: NormalizedText, kind: str, title: str, start: int, end: int, words: list[str]) -> Table | None:
    """The table of one 合计 row (and its coded rows) from a table's text, or None where the row
    does not print one figure for each column the header names."""
    unit_re = regex.compile(vocab.load("tables")["unit"])
    text = norm.text[start:end]
    # the header stands before the 合计 row (or the first figure); its words must not be read
    # from the row's own 合计
    header_end = regex.search(rf"(?<!\p{{Han}})合\s*计\s*(?=\d)|{_MONEY}", text)
    header = text[: header_end.start()] if header_end else text
    # the header line that names the most columns, in its order
    line = max(header.split("\n"), key=lambda l: sum(word in l for word in words))
    columns = sorted((line.rfind(word), word) for word in words if word in line)
    # the unit line may stand above the title (单位：元 / 表7 / …基本支出明细表)
    above = norm.text[max(0, start - 400) : start].rsplit("\n", _TITLE_WINDOW)[-_TITLE_WINDOW:]
    unit = unit_re.search(regex.sub(r"\s+", "", header)) or unit_re.search(regex.sub(r"\s+", "", "".join(above)))
    if len(columns) < 2 or unit is None:
        return None
    n = len(columns)
    money = _money(unit.group(1))
    # n figures, and no other on their line (the next line may open with a code: 205 教育支出)
    row = regex.search(rf"(?<!\p{{Han}})合\s*计\s*((?:{money})(?:\s+(?:{money})){{{n - 1}}})(?![\d,.]|[ \t]+\d)", text)
    if row is None and _lead_the_header(line, columns):
        # more figures than named columns: the named ones open the header, so they open the row
        row = regex.search(rf"(?<!\p{{Han}})合\s*计\s*((?:{money})(?:[ \t]+(?:{money})){{{n - 1}}})(?=[ \t]+\d)", text)
    if row is None:
        return None
    printed = row.group(1).split()
    names = [word for _, word in columns]
    table_row = TableRow(name="合计", values={c: cell_amount(p, unit.group(1)) for c, p in zip(names, printed)},
                         printed=dict(zip(names, printed)), cells=["合计", *printed], page=norm.page_at(start + row.start()))
    rows = _coded_rows(text, names[0], unit.group(1), norm, start) if names[0] in ("合计", "总计") else []
    classes = [r for r in rows if r.level == "类"]
    if sum((r.values[names[0]] or 0 for r in classes), Decimal(0)) != table_row.values[names[0]]:
        # some class row was not read whole: keep none rather than an incomplete set
        rows = [r for r in rows if r.level != "类"]
    return Table(kind=kind, title=_bare_title(title), unit=unit.group(1), pages=[], columns=names, rows=[*rows, table_row])


def _lead_the_header(line: str, columns: list[tuple[int, str]]) -> bool:
    """The named columns stand side by side, after nothing but label columns (科目编码 科目名称)."""
    labels = regex.compile(vocab.load("tables")["text_label_columns"])
    if not labels.fullmatch(line[: columns[0][0]]):
        return False
    return all(not line[a + len(w) : b].strip() for (a, w), (b, _) in zip(columns, columns[1:]))


def _coded_rows(text: str, total_column: str, unit: str, norm: NormalizedText, offset: int) -> list[TableRow]:
    """Coded rows (201 一般公共服务支出 …) of a table in text, with their first figure only:
    the 合计 column comes first and is never blank for a row, while the later columns may
    be, so only the first figure can be placed."""
    rows = []
    for m in regex.finditer(_CODED_ROW.format(money=_money(unit)), text):
        code = regex.sub(r"\s", "", m.group("code"))
        rows.append(TableRow(code=code, level=LEVELS.get(len(code)), name=m.group("name"),
                             values={total_column: cell_amount(m.group("fig"), unit)}, printed={total_column: m.group("fig")},
                             cells=[code, m.group("name"), m.group("fig")], page=norm.page_at(offset + m.start())))
    return rows
