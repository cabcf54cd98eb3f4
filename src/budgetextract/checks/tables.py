"""The standard tables against themselves and each other: rows to their totals (合计 =
Σ类, 类 = Σ款, 款 = Σ项), 收入总计 = 支出总计, one figure printed in two tables, and the
mandated tables present (an empty one with its note)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import regex

from .. import vocab
from ..rounding import agree
from ..schema import ExecutionEntry, Fact, Finding, Summary, Table, TableRow
from ..scope import table_scope
from ..tables.catalogue import column_role, is_total_row, table_kind, title_pattern
from ..tables.cells import CENT, is_trifle, table_evidence, total_row
from ..findings import finding

if TYPE_CHECKING:
    from ..extract.context import Context

_EXACT = Decimal("0.0001")  # 1 元: tables in 元 are exact
_TITLE_LINE_MAX = 60
_LIST_RUN = 3  # this many title lines in a row are a list of tables (目录), not a table


class _Patterns(NamedTuple):
    cross_pairs: list
    carryover: regex.Pattern
    balance_sides: list[tuple[regex.Pattern, regex.Pattern]]
    balance_kinds: list[str]
    required: dict
    empty_note: regex.Pattern
    after_title: regex.Pattern
    about_table: regex.Pattern
    stated_totals: list[tuple[regex.Pattern, str, regex.Pattern]]


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = vocab.load("tables")
    cross, balance, required, stated = data["cross_checks"], data["balance"], data["required"], data["stated_totals"]
    return _Patterns(
        cross_pairs=[(what, (a[0], regex.compile(a[1]), a[2]), (b[0], regex.compile(b[1]), b[2])) for what, a, b in cross["pairs"]],
        carryover=regex.compile(cross["carryover_row"]),
        balance_sides=[(regex.compile(a), regex.compile(b)) for a, b in balance["pairs"]],
        balance_kinds=balance["kinds"],
        required=required,
        empty_note=regex.compile(required["empty_note"]),
        after_title=regex.compile(required["after_title"]),
        about_table=regex.compile(required["about_table"]),
        stated_totals=[(regex.compile(f"(?:{words}){stated['between']}$"), kind, regex.compile(row)) for words, kind, row in stated["pairs"]],
    )


class Titles(NamedTuple):
    """(kind, offset) of the standard tables' titles in the text, read once for all checks.
    `exact`: lines that are a title alone (or with its unit); `loose`: also a title run into
    the text before or after it on its line (…政府性基金支出预算表合计), where a layout joined
    them. Lists of titles (a 目录, a list of the tables published) are in neither."""

    exact: list[tuple[str, int]]
    loose: list[tuple[str, int]]
    listed: list[tuple[str, int]] = []  # the entries of a list of tables (目录)


def check_tables(ctx: Context, summary: Summary, tables: list[Table], execution: list[ExecutionEntry], titles: Titles,
                 ocr_pages: set[int] = frozenset(), facts: list[Fact] = ()) -> list[Finding]:
    """Tables read by OCR are not set against each other or the text: a misread figure or a
    box placed in the wrong column would be reported as the document's error."""
    printed = [t for t in tables if not ocr_pages.intersection(t.pages)]
    by_kind: dict[str, list[Table]] = {}
    for t in printed:
        by_kind.setdefault(t.kind, []).append(t)
    return [*_sums(ctx, printed, titles), *_balance(ctx, printed), *_cross(ctx, by_kind), *_stated_totals(ctx, by_kind, facts), *_rows_above_total(ctx, printed),
            *_required(ctx, summary, tables, titles), *_blank_budget(ctx, by_kind.get("three_public", []), execution)]


def _tolerance(table: Table, parts: int) -> Decimal:
    return CENT * parts if table.unit == "万元" else _EXACT


def _printed(table: Table, row: TableRow, column: str) -> Decimal:
    """Half the last digit of a cell as printed, in 万元 (1,234.56 in a 万元 table: 0.005)."""
    printed = row.printed.get(column, "").replace(",", "")
    places = len(printed.split(".")[1]) if "." in printed else 0
    scale = {"元": Decimal("0.0001"), "亿元": Decimal(10000)}.get(table.unit or "万元", Decimal(1))
    return Decimal(1).scaleb(-places) / 2 * scale


def _children(rows: list[TableRow], parent: TableRow) -> list[TableRow]:
    """The rows one level below parent: 款 under a 类, 项 under a 款, by code prefix."""
    below = {"类": "款", "款": "项"}.get(parent.level or "")
    if below is None or not parent.code:
        return []
    return [r for r in rows if r.level == below and r.code and r.code.startswith(parent.code)]


def _may_continue(ctx: Context, table: Table, titles: Titles) -> bool:
    """The page after the table's last has text but no table title: a continuation the
    reader could not place (no header repeated, text printed rotated), so rows may be missing."""
    if not table.pages or table.pages[-1] >= len(ctx.norm.page_starts):
        return False
    a, b = ctx.norm.page_span(table.pages[-1] + 1)
    return bool(ctx.norm.text[a:b].strip()) and not any(a <= at < b for _, at in titles.loose)


def _sums(ctx: Context, tables: list[Table], titles: Titles) -> list[Finding]:
    """Each parent row against its children, column by column, in tables whose columns are
    known (in one read from text, a row's nth figure need not be the total's nth column)."""
    out = []
    for table in tables:
        if not table.columns:
            continue
        total = total_row(table)
        classes = [r for r in table.rows if r.level == "类"]
        if total is not None and classes and total not in classes:
            out.extend(_group_sum(ctx, table, total, classes, short=not _may_continue(ctx, table, titles)))
        for parent in (r for r in table.rows if r.level in ("类", "款")):
            parts = _children(table.rows, parent)
            # a code twice: the table sets a second classification beside the first (部门
            # and 政府 economic codes), and which rows belong to which parent is not known
            if parts and len({r.code for r in parts}) == len(parts):
                out.extend(_group_sum(ctx, table, parent, parts, short=False))
    return out


def _group_sum(ctx: Context, table: Table, parent: TableRow, parts: list[TableRow], short: bool = True) -> list[Finding]:
    """Parts against their parent row. Not `short`: only parts that exceed it, for a 款 or 项
    row lost at a page break or a line join leaves its parent short without an error."""
    out = []
    for column, value in parent.values.items():
        if value is None or not all(r.printed.get(column) for r in parts):
            continue  # a row without its figure (not read, or left blank): no sum to check
        computed = sum((r.values.get(column) or Decimal(0) for r in parts), Decimal(0))
        diff = value - computed
        if abs(diff) <= _EXACT or (diff > 0 and not short):
            continue
        # each figure as printed may be half its last digit off: the row and every part
        tolerance = max(_tolerance(table, len(parts)), _printed(table, parent, column) + sum(_printed(table, r, column) for r in parts))
        level = parts[0].level
        name = parent.name if not is_total_row(parent.name) else "合计"
        out.append(finding(
            "table_sum_rounding" if abs(diff) <= tolerance else "table_sum_mismatch",
            f"{table.title}: the {level} rows under {name} add up to {computed} in column '{column}', the row says {value}",
            fields=[f"tables.{table.kind}.{column}"], difference=diff, tolerance=tolerance,
            evidence=[table_evidence(ctx.norm, table, parent, column)],
        ))
    return out


def _first_figure(row: TableRow, role: str | None) -> tuple[str, Decimal] | None:
    for column, value in row.values.items():
        if value is not None and (role is None or column_role(column) == role):
            return column, value
    return None


def _balance(ctx: Context, tables: list[Table]) -> list[Finding]:
    """收入总计 against 支出总计 on each side of a 收支总表."""
    p = _patterns()
    out = []
    for table in (t for t in tables if t.kind in p.balance_kinds):
        for income, spending in p.balance_sides:
            a = next((r for r in table.rows if income.match(r.name)), None)
            b = next((r for r in table.rows if spending.match(r.name)), None)
            fa, fb = (_first_figure(a, None) if a else None), (_first_figure(b, None) if b else None)
            if fa is None or fb is None:
                continue
            diff = fa[1] - fb[1]
            if abs(diff) > max(_tolerance(table, 1), _printed(table, a, fa[0]) + _printed(table, b, fb[0])):
                out.append(finding(
                    "table_balance_mismatch", f"{table.title}: {a.name} is {fa[1]} but {b.name} is {fb[1]}",
                    fields=[f"tables.{table.kind}"], difference=diff,
                    evidence=[table_evidence(ctx.norm, table, a, fa[0]), table_evidence(ctx.norm, table, b, fb[0])],
                ))
            break
    return out


def _cross(ctx: Context, by_kind: dict[str, list[Table]]) -> list[Finding]:
    p = _patterns()
    out = []
    for what, side_a, side_b in p.cross_pairs:
        a, b = _figure_of(by_kind, *side_a), _figure_of(by_kind, *side_b)
        if a is None or b is None:
            continue
        (ta, ra, ca, va), (tb, rb, cb, vb) = a, b
        diff = va - vb
        if abs(diff) <= max(_tolerance(ta, 1), _tolerance(tb, 1), _printed(ta, ra, ca) + _printed(tb, rb, cb)):
            continue  # within what the two figures as printed allow
        carried = {fig[1] for t in (ta, tb) for r in _carryover_rows(t, p.carryover) if (fig := _first_figure(r, None))}
        if abs(diff) in carried:
            continue  # one of the two includes last year's carry-over
        out.append(finding(
            "cross_table_mismatch", f"{what}: {ta.title} says {va}, {tb.title} says {vb}",
            fields=[f"tables.{ta.kind}", f"tables.{tb.kind}"], difference=diff,
            evidence=[table_evidence(ctx.norm, ta, ra, ca), table_evidence(ctx.norm, tb, rb, cb)],
        ))
    return out


def _carryover_rows(table: Table, carryover: regex.Pattern) -> list[TableRow]:
    """The carry-over rows (上年结转 and its items below it, （一）一般公共预算拨款 …; 结转下年),
    also where a side-by-side table runs both sides into one row's name."""
    out, inside = [], False
    for row in table.rows:
        if carryover.search(row.name):
            out.append(row)
            inside = True
        elif inside and row.name[:1] in "（(":
            out.append(row)
        elif "结转" not in row.name:  # the other side's 结转下年 may stand between them
            inside = False
    return out


def _figure_of(by_kind: dict[str, list[Table]], kind: str, row_pattern: regex.Pattern, role: str | None):
    """The figure in the first table of the kind (the standard one; a later table of the same
    title words, 项目支出及其他支出预算表, is another table)."""
    table = by_kind.get(kind, [None])[0]
    row = next((r for r in table.rows if row_pattern.match(r.name)), None) if table else None
    figure = _first_figure(row, role) if row else None
    return (table, row, figure[0], figure[1]) if figure else None


def title_lines(ctx: Context) -> Titles:
    title, p = title_pattern(), _patterns()
    lines: list[tuple[str | None, str | None, int]] = []  # (exact kind, loose kind, offset)
    offset = 0
    text_lines = ctx.norm.text.split("\n")

    def exact_kind(stripped: str, within: int | None = None) -> str | None:
        m = title.search(stripped) if len(stripped) <= _TITLE_LINE_MAX else None
        if within is not None and (m is None or m.start() >= within):
            return None
        return table_kind(stripped) if m and p.after_title.match(stripped, m.end()) else None

    wrapped = False
    for i, line in enumerate(text_lines):
        stripped = line.strip()
        exact = loose = None
        if wrapped:  # the second line of a wrapped title
            wrapped = False
            offset += len(line) + 1
            continue
        if stripped and "。" not in stripped:
            exact = exact_kind(stripped)
            following = text_lines[i + 1].strip() if i + 1 < len(text_lines) else ""
            if exact is None and following and "。" not in following:
                # a title wrapped over two lines (…拨款“三公”经费及 / 会议费、培训费支出预算表)
                exact = exact_kind(stripped + following, within=len(stripped))
                wrapped = exact is not None
            if not p.about_table.search(stripped):
                # the last title on the line: a layout may run a heading and the title together
                loose = next((k for m in reversed(list(title.finditer(stripped))) if (k := table_kind(m.group()))), None)
        if stripped:
            lines.append((exact, loose or exact, offset))
        offset += len(line) + 1
    titles = Titles([], [], [])
    run: list[tuple[str, str, int]] = []
    for exact, loose, at in [*lines, (None, None, -1)]:
        if exact:
            run.append((exact, loose, at))
            continue
        if run and len(run) < _LIST_RUN:  # a list of titles is none of them
            titles.exact.append((run[-1][0], run[-1][2]))
            titles.loose.extend((k, a) for _, k, a in run)
        elif run:
            titles.listed.extend((k, a) for k, _, a in run)
        if loose:
            titles.loose.append((loose, at))
        run = []
    titles.loose.sort(key=lambda item: item[1])
    return titles


def _required(ctx: Context, summary: Summary, tables: list[Table], titles: Titles) -> list[Finding]:
    """The mandated tables: each present, and each empty one saying why."""
    p = _patterns()
    wanted = p.required.get(summary.doc_kind or "budget", [])
    titled = titles.exact
    present = {t.kind for t in tables} | {kind for kind, _ in titles.loose}
    if len(present & set(wanted)) < p.required["min_present"]:
        return []  # the tables are published apart from this text, or not read at all
    out = [_missing(ctx, kind, summary.doc_kind or "budget", titles) for kind in wanted if kind not in present]
    for table in tables:
        if any(v is not None for r in table.rows for v in r.values.values()):
            continue
        starts = _titles_at(ctx, table, titled)
        bodies = [(start, _body(ctx, start, titled)) for start in starts]
        if not bodies or any(_FIGURE.search(body) for _, body in bodies[1:]):
            continue  # under another of its titles (the 目录's entry, then the table) figures stand
        start, body = bodies[-1]
        note = _empty_note(ctx, table, body, start, p.empty_note) or _fund_stated_nil(ctx, table)
        if note is None and _no_basic_expenditure(summary, table):
            out.append(finding("table_empty", f"{table.title} is published empty: the department's expenditure is all project "
                               f"expenditure ({summary.project_expenditure} of {summary.expenditure_total})",
                               fields=[f"tables.{table.kind}"], evidence=[ctx.evidence(start, start + len(table.title))]))
            continue
        if note:
            out.append(finding("table_empty", f"{table.title} is published empty: “{ctx.norm.line_at(note[0]).strip()[:80]}”",
                               fields=[f"tables.{table.kind}"], evidence=[ctx.evidence(*note)]))
        elif not _FIGURE.search(body):
            out.append(finding("table_empty_unexplained", f"{table.title} has no figure and no note saying why",
                               fields=[f"tables.{table.kind}"], evidence=[ctx.evidence(start, start + len(table.title))]))
    return out


_FIGURE = regex.compile(r"\d[\d,]*\.\d{2}")


def _no_basic_expenditure(summary: Summary, table: Table) -> bool:
    """A table of basic expenditure, where the document's project expenditure is its whole
    expenditure: there is no basic expenditure to list."""
    project, total = summary.project_expenditure, summary.expenditure_total
    return table_scope(table.title, table.kind).part_of == "基本支出" and not summary.basic_expenditure \
        and project is not None and total is not None and agree(project, total)


def _fund_stated_nil(ctx: Context, table: Table) -> tuple[int, int] | None:
    """Where the text states the one fund the table is of as 0 (政府性基金拨款支出预算为0)."""
    fund = table_scope(table.title, table.kind).fund
    if fund is None:
        return None
    m = regex.search(_patterns().required["fund_nil"].format(fund=regex.escape(fund)), ctx.norm.folded)
    return (m.start(), m.end()) if m else None


def _missing(ctx: Context, kind: str, doc_kind: str, titles: Titles) -> Finding:
    """A mandated table not in the document, named as the document's own list of tables
    names it (with that line as evidence), else by its usual title."""
    listed = next((at for k, at in titles.listed if k == kind), None)
    mandated = f"one of the tables mandated for a {doc_kind.replace('_', ' ')} ({kind})"
    if listed is None:
        name = _patterns().required["names"][doc_kind][kind]
        return finding("required_table_missing", f"缺少{name}: the document has no such table, {mandated}", fields=[f"tables.{kind}"])
    line = ctx.norm.line_at(listed).strip()
    page = ctx.norm.page_at(listed)
    return finding("required_table_missing",
                   f"缺少{_TITLE_PREFIX.sub('', line)}: the list of tables{f' on page {page}' if page else ''} names “{line}”, "
                   f"but the document does not contain it; {mandated}",
                   fields=[f"tables.{kind}"], evidence=[ctx.evidence(listed, listed + len(line))])


def _body(ctx: Context, start: int, titled: list[tuple[str, int]]) -> str:
    """The text under a title, up to the next title."""
    following = [at for _, at in titled if at > start]
    return ctx.norm.text[start : min(following[0] if following else len(ctx.norm.text), start + 1500)]


def _titles_at(ctx: Context, table: Table, titled: list[tuple[str, int]]) -> list[int]:
    """Where this table's titles stand: those of its kind on its pages (a document may hold
    several tables of one kind; a list of tables may name it on the page before), else the
    first of its kind."""
    of_kind = [at for kind, at in titled if kind == table.kind]
    if table.pages:
        a, b = ctx.norm.page_span(table.pages[0])[0], ctx.norm.page_span(table.pages[-1])[1]
        on_pages = [at for at in of_kind if a <= at < b]
        if on_pages:
            return on_pages
    return of_kind[:1]


# a bracketed qualifier the list of tables may leave out (（2026年度）, （不含上年结转）); 单位：元
# run into the title's line
_TITLE_SUFFIX = regex.compile(r"(?:\s*(?:[(（][^()（）]*[)）]|(?:金额)?单位[:：]\s*(?:万元|元|亿元)))+$")
# 表11 2021年… / 表112021年… (the number run into the year)
_TITLE_PREFIX = regex.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.、]\s*)?(?:公开\d+表[:：]?|公开表\s?\d+[:：]?|表\s?\d{1,2}?(?=\s*(?:20\d{2}|\p{Han}))[.、:：]?)?\s*(?:\d{4}年度?)?")


def _empty_note(ctx: Context, table: Table, body: str, start: int, note: regex.Pattern) -> tuple[int, int] | None:
    """The note saying why a table is empty: under its title, or beside its title in a list of
    the tables published (表9 …政府性基金收支表 | 是 | 不涉及)."""
    m = note.search(body)
    if m:
        return start + m.start(), start + m.end()
    core = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", table.title))
    text = ctx.norm.text
    at = text.find(core) if core else -1
    while at != -1:
        line_end = text.find("\n", at)
        line_end = len(text) if line_end == -1 else line_end
        m = note.search(text, at + len(core), line_end)
        if m:
            return m.start(), m.end()
        at = text.find(core, at + 1)
    return None


def _blank_budget(ctx: Context, three_public: list[Table], execution: list[ExecutionEntry]) -> list[Finding]:
    """A final account's “三公” table whose 预算数 cells are blank beside printed 决算数,
    while the narrative states the “三公” budget."""
    stated = [e for e in execution if e.source == "narrative" and "三公" in e.item and (e.budget_initial or e.budget_final)]
    out = []
    for table in (three_public if stated else []):
        row = total_row(table)
        if row is None:
            continue
        budget = [c for c in row.values if "预算" in c and "决算" not in c]
        actual = [c for c in row.values if "决算" in c and row.printed.get(c)]
        if budget and actual and not any(row.printed.get(c) for c in budget):
            entry = stated[0]
            out.append(finding("table_cells_blank",
                               f"{table.title}: the 预算数 cells are blank, but the text states the “三公” budget as {entry.budget_initial or entry.budget_final}",
                               fields=[f"tables.{table.kind}"], evidence=[entry.evidence, table_evidence(ctx.norm, table, row, actual[0])]))
    return out


# the summary keys that state the same grand total as a table of that kind
_SAME_TOTAL = {"budget_total": ("revenue.total", "expenditure.total"), "fiscal_total": ("fiscal_appropriation.total",)}


def _stated_totals(ctx: Context, by_kind: dict[str, list[Table]], facts: list[Fact] = ()) -> list[Finding]:
    """A grand total stated in the narrative (收入支出总计0万元) against its table's 总计, or,
    where the table was not read, against the document's other statements of that total."""
    out = []
    text = ctx.norm.folded
    largest: dict[str, Fact | None] = {}  # each kind's largest other statement of its total, found once
    for money in ctx.spans.get("MONEY", []):
        lead = text[max(0, money.start_char - 16) : money.start_char]
        for words, kind, row_pattern in _patterns().stated_totals:
            if not words.search(lead):
                continue
            found = _figure_of(by_kind, kind, row_pattern, None)
            if found is None:
                if kind not in largest:
                    largest[kind] = max((f for f in facts if f.field in _SAME_TOTAL.get(kind, ()) and isinstance(f.value, Decimal)
                                         and f.scope.fund is None and f.scope.of_department),
                                        key=lambda f: f.value, default=None)
                other = largest[kind]
                if other is not None and other.value > 0 and is_trifle(money._.value, other.value):
                    out.append(finding("headline_total_zero", f"the text states {lead.strip()[-8:]}{money.text}, "
                                       f"page {other.evidence.page or '-'} states the same total as {other.raw}",
                                       difference=money._.value - other.value,
                                       evidence=[ctx.evidence(money.start_char, money.end_char), other.evidence]))
            if found is not None:
                table, row, column, value = found
                stated, diff = money._.value, money._.value - value
                if abs(diff) > CENT:
                    out.append(finding("headline_total_zero" if is_trifle(stated, value) else "narrative_table_mismatch",
                                       f"the text states {lead.strip()[-8:]}{money.text}, {table.title} says {value}",
                                       difference=diff, evidence=[ctx.evidence(money.start_char, money.end_char),
                                                                  table_evidence(ctx.norm, table, row, column)]))
            break
    return out


def _rows_above_total(ctx: Context, tables: list[Table]) -> list[Finding]:
    """A classified row (类, 款, 项) larger than its table's own total in the same column: no
    part of a total can exceed it."""
    out = []
    for table in tables:
        total = total_row(table)
        if total is None or not table.columns:
            continue
        for column, value in total.values.items():
            if value is None or value <= 0:
                continue
            above = [r for r in table.rows if r.level and r is not total and (r.values.get(column) or 0) > value + _EXACT]
            if above:
                row = max(above, key=lambda r: r.values[column])
                out.append(finding("table_row_above_total",
                                   f"{table.title}: {row.code or ''}{row.name} {row.printed.get(column)} is more than the table's "
                                   f"{total.name} {total.printed.get(column)} in column '{column}'",
                                   fields=[f"tables.{table.kind}.{column}"], difference=row.values[column] - value,
                                   evidence=[e for e in (table_evidence(ctx.norm, table, row, column),
                                                         table_evidence(ctx.norm, table, total, column)) if e is not None]))
    return out
