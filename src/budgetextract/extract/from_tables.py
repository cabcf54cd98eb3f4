"""Summary figures that only the tables state, and the tables checked against themselves
and against the narrative. The narrative wins where both state a figure."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import regex

from .. import vocab
from ..findings import finding
from ..nlp import function_class_names
from ..schema import Fact, Finding, Summary, Table, TableRow
from ..scope import table_scope
from ..tables.catalogue import column_role
from ..tables.cells import CENT, is_trifle, table_evidence, total_row
from .context import Context
from .fields import GRAND_TOTALS, specs

# Which tables state which summary figure, best first.
_TOTAL_ROW_SOURCES = {
    "basic_expenditure": ["expenditure", "function"],
    "project_expenditure": ["expenditure", "function"],
    "reserve_expenditure": ["expenditure", "function"],
    "personnel_expenditure": ["basic_economic"],
    "public_expenditure": ["basic_economic"],
}
_ROLE_OF = {"basic_expenditure": "basic", "project_expenditure": "project", "reserve_expenditure": "reserve",
            "personnel_expenditure": "personnel", "public_expenditure": "public"}
_THREE_PUBLIC = ["three_public_total", "three_public_outbound", "three_public_vehicle", "three_public_vehicle_purchase",
                 "three_public_vehicle_operation", "three_public_reception", "meeting_expenses", "training_expenses", "operating_costs"]
_LINE_ITEMS = {"meeting_expenses": "会议费", "training_expenses": "培训费"}
_NUMBERING = regex.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.、])")
_OTHER_REVENUE = "other_revenue."
_ROW_LABEL = regex.compile(r"^(?:其中[:：]?)?(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.])?")
_CODE_PREFIX = regex.compile(r"^\[?\d+\]?\s*")


def _named_rows() -> dict[str, tuple[list[str], regex.Pattern, str | None]]:
    rows = vocab.load("tables")["named_rows"]
    return {f: ([spec[0]] if isinstance(spec[0], str) else spec[0], regex.compile(spec[1]), spec[2] if len(spec) > 2 else None)
            for f, spec in rows.items() if not f.startswith("_")}


_DEPTH = [(regex.compile(r"^[一二三四五六七八九十]+、"), 1), (regex.compile(r"^[（(][一二三四五六七八九十]+[)）]"), 2),
          (regex.compile(r"^\d+[.、．]"), 2), (regex.compile(r"^[（(]\d+[)）]"), 3)]


def _depth(name: str) -> int:
    """How deep a row's numbering sets it: 一、 1, （一） and 1. 2, (1) 3; unnumbered 1."""
    return next((d for pattern, d in _DEPTH if pattern.match(name)), 1)


def _side(row: TableRow) -> str | None:
    """收入 or 支出: the half of a two-sided table a row stands in, by its first column's header."""
    first = next(iter(row.values), "")
    return next((side for side in ("收入", "支出") if side in first), None)


@lru_cache(maxsize=1)
def _carryover_heading() -> regex.Pattern:
    return regex.compile(vocab.load("tables")["carryover_heading"])


def _under_carryover(table: Table) -> set[int]:
    """The rows (by index) numbered below a carry-over heading of their side (二、上年结转 →
    （一）一般公共预算拨款): parts of the carry-over, not the year's own figures."""
    heading = _carryover_heading()
    open_at: dict[str | None, int] = {}  # side → depth of the carry-over heading it is under
    under = set()
    for i, row in enumerate(table.rows):
        side, depth = _side(row), _depth(row.name)
        if side in open_at and depth > open_at[side]:
            under.add(i)
            continue
        open_at.pop(side, None)
        if heading.search(row.name):
            open_at[side] = depth
    return under


def _other_year(column: str, year: int | None) -> bool:
    """A column of another year (2025年预算数 beside 2026年预算数); where the document's year
    is unknown, any column that names a year may be the other one."""
    years = {int(y) for y in regex.findall(r"(20\d{2})年", column)}
    return bool(years) and (year is None or year not in years)


def _column(row: TableRow, role: str, actuals: bool = False, year: int | None = None) -> str | None:
    """The column holding that role's figure; where several columns claim the role
    (spacer cells under one header), the one printed figure, or none if they differ.
    A final account's table sets 预算数 beside 决算数: its figures are the 决算数 ones; a
    budget's are never a 决算 column, nor any column of another year."""
    columns = [c for c in row.values if column_role(c) == role and not _other_year(c, year)]
    of_actuals = [c for c in columns if "决算" in c]
    columns = (of_actuals or columns) if actuals else [c for c in columns if c not in of_actuals]
    printed = {row.printed.get(c) for c in columns if row.printed.get(c)}
    if len(printed) > 1:
        return None
    return next((c for c in columns if row.printed.get(c)), columns[0] if columns else None)


def _group_column(row: TableRow, role: str, year: int | None) -> tuple[TableRow, str] | None:
    """A header group of that role with no column of its own (基本支出 over 人员支出 |
    日常公用支出, no 小计): the row with the group's figure, the sum of its columns, where
    every one is printed and the row adds up (its figures other than the total make the total)."""
    group = [c for c in row.values if "/" in c and column_role(c.split("/")[0]) == role and not _other_year(c, year)]
    total = _column(row, "total", year=year)
    if len(group) < 2 or total is None or any(row.values.get(c) is None for c in [*group, total]):
        return None
    figures = [v for c, v in row.values.items() if c != total and v is not None]
    if abs(sum(figures, Decimal(0)) - row.values[total]) > CENT * len(figures):
        return None
    name = f"{group[0].split('/')[0]}（{'+'.join(c.split('/', 1)[1] for c in group)}）"  # 基本支出（人员支出+日常公用支出）
    merged = row.model_copy(deep=True)
    merged.values[name] = sum((row.values[c] for c in group), Decimal(0))
    merged.printed[name] = "+".join(row.printed[c] for c in group)
    return merged, name


def _fact(ctx: Context, field: str, table: Table, row: TableRow, column: str) -> Fact | None:
    value = row.values.get(column)
    if value is None and row.printed.get(column, "") == "":
        return None
    evidence = table_evidence(ctx.norm, table, row, column)
    if evidence is None:
        return None
    evidence.label = f"{table.title} | {row.name or '(first row)'} | {column}"
    # one name per figure: a table's figure under the dotted path the narrative's has (three_public.total)
    path = next((spec.path for spec in specs()[0] if spec.field == field), field)
    return Fact(field=path, value=value, unit="万元", raw=row.printed[column] + (table.unit or ""),
                section=f"table:{table.kind}", source="table", scope=table_scope(table.title, table.kind), evidence=evidence)


def table_facts(ctx: Context, tables: list[Table], actuals: bool = False, year: int | None = None) -> dict[str, Fact]:
    """One fact per summary field that the tables state (of a final account: its actuals)."""
    found: dict[str, Fact] = {}
    by_kind: dict[str, list[Table]] = {}
    for t in tables:
        by_kind.setdefault(t.kind, []).append(t)

    for field, kinds in _TOTAL_ROW_SOURCES.items():
        for kind in kinds:
            for table in by_kind.get(kind, []):
                row = total_row(table)
                column = _column(row, _ROLE_OF[field], actuals, year) if row else None
                if row is not None and column is None:
                    row, column = _group_column(row, _ROLE_OF[field], year) or (row, None)
                fact = _fact(ctx, field, table, row, column) if column else None
                if fact is not None and field not in found:
                    found[field] = fact

    for table in by_kind.get("three_public", []):
        row = total_row(table)
        if row is None:
            continue
        # items as columns of the total row, or (one figure a row) as rows of their own
        roles = {column_role(c) for c in row.values}
        by_row = not roles & set(_THREE_PUBLIC)
        # the total's column may be headed 合计 alone (决算数/合计), unless the table also
        # sets 会议费 and 培训费 beside the “三公”: its 合计 then holds them too
        total_is_three_public = not roles & {"meeting_expenses", "training_expenses"}
        for field in _THREE_PUBLIC:
            if by_row:
                item = row if field == "three_public_total" else next((r for r in table.rows if column_role(_ROW_LABEL.sub("", r.name)) == field), None)
                column = _column(item, "total", actuals, year) if item else None
            else:
                item, column = row, _column(row, field, actuals, year) or (
                    _column(row, "total", actuals, year) if field == "three_public_total" and total_is_three_public else None)
            fact = _fact(ctx, field, table, item, column) if column else None
            # a blank cell is not a printed 0 (templates leave unused cells empty)
            if fact is not None and fact.value is not None and field not in found:
                found[field] = fact

    carried: dict[int, set[int]] = {}  # each table's carry-over rows, read once
    for field, (kinds, pattern, side) in _named_rows().items():
        for table in (t for kind in kinds for t in by_kind.get(kind, [])):
            if id(table) not in carried:
                carried[id(table)] = _under_carryover(table)
            under = carried[id(table)]
            matching = [r for i, r in enumerate(table.rows) if pattern.match(r.name) and i not in under
                        and (side is None or side in r.name or _side(r) == side)]
            # a 总计 row holds the 合计 of the year and the carry-over beside it (本年收入合计 +
            # 年初结转和结余 = 收入总计): where a table prints both, the 总计 is the total
            row = next((r for r in matching if "总计" in r.name), matching[0] if matching else None)
            # its 金额 / 合计 column, else its first figure (not a count: 数量)
            column = (_column(row, "total", actuals, year) or next((c for c in row.values if row.printed.get(c) and not c.endswith("数量")), None)) if row else None
            fact = _fact(ctx, field, table, row, column) if column else None
            if fact is not None and field not in found:
                found[field] = fact

    for table in by_kind.get("revenue", []):
        row = total_row(table)
        for column in row.values if row else []:
            field = column_role(column)
            fact = _fact(ctx, field, table, row, column) if field and field.startswith(_OTHER_REVENUE) else None
            if fact is not None and fact.value is not None and field not in found:
                found[field] = fact

    for field, name in _LINE_ITEMS.items():
        # a table of all expenditure by economic class states the department's figure; a
        # table of basic expenditure only where no project table lists the item too
        in_projects = any(_line_item(t, name) for t in by_kind.get("project_economic", []))
        for kind in ["economic"] + ([] if in_projects else ["basic_economic"]):
            for table in by_kind.get(kind, []):
                row = _line_item(table, name)
                column = _column(row, "total", actuals, year) if row else None
                if row and column is None and not table.columns and not actuals and row.code \
                        and sum(r.code == row.code for r in table.rows) == 1:
                    # a table in text names no column: a row's first figure is its 合计, the
                    # column that comes first and is never blank (a budget's; a final
                    # account's first may be its 预算数). Only the one row of its code: one whose
                    # code was read apart from it (302 15 会议费 502 02 会议费 20.42), or one of
                    # a class listed for each unit, is a part of the class
                    column = "col1" if row.printed.get("col1") else None
                fact = _fact(ctx, field, table, row, column) if column else None
                if fact is not None and field not in found:
                    found[field] = fact
    return found


def _line_item(table: Table, name: str) -> TableRow | None:
    """The row of an economic class by name, its code printed in the name or not ([30215]会议费).
    Where the class is listed once under each government class it maps to (30215 会议费 under
    50202 会议费 and again under 50502 商品和服务支出), its figure is the sum of those rows; where
    it is listed once for each unit, there is no department figure."""
    rows = [r for r in table.rows if _CODE_PREFIX.sub("", r.name) == name]
    if not rows:
        return None
    if len(rows) < 2:
        return rows[0]
    same = [r for r in rows if r.code == rows[0].code]
    classes = {_government_class(r) for r in same}
    if len(same) < len(rows) or None in classes or len(classes) < len(same):
        # the class listed once for each unit (or rows of it not all one code): the
        # department's figure is not printed
        return None
    merged = rows[0].model_copy(deep=True)
    for column in merged.values:
        parts = [r.values.get(column) for r in same if r.values.get(column) is not None]
        merged.values[column] = sum(parts, Decimal(0)) if parts else None
        merged.printed[column] = "+".join(r.printed[column] for r in same if r.printed.get(column)) if parts else ""
    return merged


def _government_class(row: TableRow) -> tuple[str, ...] | None:
    """The government economic class a row of a department class maps to (502 03), read
    from its code cells after the name, or None."""
    at = next((i for i, c in enumerate(row.cells) if _CODE_PREFIX.sub("", c) and not c.replace(" ", "").isdigit()), None)
    codes = tuple(c for c in row.cells[at + 1 :] if c.replace(" ", "").isdigit() and c.startswith("5")) if at is not None else ()
    return codes or None


def table_function_classes(ctx: Context, tables: list[Table], summary: Summary) -> tuple[dict[str, Decimal], list[Fact], bool]:
    """Spending by class (类) from the class rows of a table of all funds (支出总表, the
    expenditure side of the 收支总表), else of one fund's function table; and whether
    the rows were coded. A table's classes count only where they are all of
    them (they add up to a total): a table broken over pages, a row lost at a page break or
    names misaligned with figures gives way to the next table."""
    names = function_class_names()
    by_code = {code: (code, name) for code, name in names.values()}
    for kind in ("expenditure", "budget_total", "function", "fiscal_total"):
        for table in (t for t in tables if t.kind == kind):
            classes, facts, coded = {}, [], True
            for row in table.rows:
                printed = _NUMBERING.sub("", row.name)
                stem = printed[:-2] if printed.endswith("支出") else printed
                # an uncoded row is a class only by its full name: 住房保障 alone is a 款 (under
                # 援助其他地区支出), 住房保障支出 the class
                if row.level != "类" and (row.code is not None or stem not in names or stem == printed):
                    continue
                if row.level == "类" and row.code and not row.code.startswith("2"):
                    continue  # economic classes (301 …) are not function classes
                entry = names.get(stem) or _by_code(row, stem, by_code)
                if entry is None:
                    continue
                column = _column(row, "total") or next(iter(row.values), None)
                if column is None or row.values.get(column) in (None, Decimal(0)):
                    continue
                fact = _fact(ctx, f"function_classes.{entry[1]}", table, row, column)
                if fact is None:
                    break  # a class without its evidence: rather none than an incomplete set
                classes[entry[1]] = fact.value
                facts.append(fact)
                coded = coded and row.level == "类"
            else:
                if classes and _adds_up_to_a_total(classes, summary, table):
                    return classes, facts, coded
    return {}, [], False


def _by_code(row: TableRow, stem: str, by_code: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """A coded class row whose name lost a character (般公共服务支出, as OCR may read 一) or
    took one from the cell beside it (专社会保障和就业支出): the class of its code, where the
    printed name and that class's name differ by that one character."""
    entry = by_code.get(row.code or "")
    if entry is None or row.level != "类" or not stem:
        return None
    full = entry[1][:-2] if entry[1].endswith("支出") else entry[1]
    return entry if (stem in full or full in stem) and abs(len(stem) - len(full)) <= 1 else None


def _table_first() -> frozenset[str]:
    return frozenset(vocab.load("tables")["table_first"]["fields"])


def apply_tables(ctx: Context, summary: Summary, tables: list[Table], facts: list[Fact], narrower: set[str] = frozenset(),
                 ocr_pages: set[int] = frozenset()) -> list[Finding]:
    """Fill summary fields the narrative left null, or stated only for a narrower scope;
    report where the two disagree. A table read by OCR (ocr_pages), where a figure may stand
    in a column it is not in, outranks the narrative only for the fund figures its named
    rows give (table_first); elsewhere, where they disagree, the field is null."""
    findings: list[Finding] = []
    other_parts: dict[str, Decimal] = {}
    first = _table_first()
    confirmed: set[str] = set()  # fields a table states
    for field, fact in table_facts(ctx, tables, actuals=summary.doc_kind == "final_accounts", year=summary.fiscal_year).items():
        facts.append(fact)
        if field.startswith(_OTHER_REVENUE):
            if fact.value is not None:
                other_parts[field] = fact.value
            continue
        if field in _ALL_FUNDS and fact.scope.fund is not None and not _all_general_public_budget(summary):
            continue  # one fund's basic or project expenditure (一般公共预算支出明细表): a part of the field
        confirmed.add(field)
        stated = getattr(summary, field)
        differs = stated is not None and fact.value is not None and abs(stated - fact.value) > CENT
        misread = fact.evidence.page in ocr_pages and field not in first
        if differs and not misread and field in GRAND_TOTALS and stated < fact.value and is_trifle(stated, fact.value):
            # 收入支出总计0万元 beside the table's 307.82: the narrative's zero is the misprint,
            # which the check of stated totals reports (headline_total_zero)
            setattr(summary, field, fact.value)
            continue
        if differs and not misread and abs(stated - fact.value) <= _printed_rounding(stated):
            # 94386.49 against 943,864,999.96元: the narrative rounds (or cuts) to the digit it prints
            findings.append(finding("narrative_table_rounding", f"{field}: the narrative says {stated}, the table {fact.value}; "
                                    "within the narrative's rounding, its figure is kept", fields=[field], difference=stated - fact.value,
                                    evidence=_narrative_evidence(facts, stated) + [fact.evidence]))
            continue
        if differs and not misread and _other_scope(facts, stated, fact):
            findings.append(finding("scope_difference", f"{field}: the narrative says {stated} of {_scope_words(facts, stated)}, "
                                    f"the table {fact.value} of {fact.scope.part_of or fact.scope.fund}; not the same figure, "
                                    "the narrative's is kept", fields=[field], difference=stated - fact.value,
                                    evidence=_narrative_evidence(facts, stated) + [fact.evidence]))
            continue
        if stated is None or (differs and not misread and (field in first or field in narrower)):
            if fact.value is not None or stated is None:
                setattr(summary, field, fact.value)
        if differs:
            findings.append(_disagreement(field, stated, fact, facts, summary, scope=field in first or field in narrower, misread=misread))
    if other_parts and summary.other_revenue is None:
        summary.other_revenue = sum(other_parts.values(), Decimal(0))
    if summary.basic_expenditure is None and _all_general_public_budget(summary):
        fact = _basic_table_total(ctx, tables)
        if fact is not None:
            facts.append(fact)
            summary.basic_expenditure = fact.value
    findings.extend(_unconfirmed_narrower(ctx, summary, narrower - confirmed, facts))
    classes, class_facts, coded = table_function_classes(ctx, tables, summary)
    facts.extend(class_facts)
    if classes and (not summary.function_classes or coded and _extends(summary.function_classes, classes)):
        summary.function_classes = classes
    return findings


def _printed_rounding(stated: Decimal) -> Decimal:
    """How far a figure printed to its last digit may be from the exact one: half that digit,
    and a cent more for a figure cut rather than rounded."""
    return Decimal(1).scaleb(min(0, stated.as_tuple().exponent)) / 2 + CENT


def _narrative_fact(facts: list[Fact], stated: Decimal) -> Fact | None:
    """The narrative's statement of the figure the summary holds."""
    return next((f for f in facts if f.source == "narrative" and f.value == stated), None)


def _narrative_evidence(facts: list[Fact], stated: Decimal) -> list:
    said = _narrative_fact(facts, stated)
    return [said.evidence] if said else []


def _other_scope(facts: list[Fact], stated: Decimal, table: Fact) -> bool:
    """The narrative's figure and the table's are of different scopes: each names a fund
    and not the same one, or the table's is a part (basic expenditure) the narrative's is not."""
    said = _narrative_fact(facts, stated)
    if said is None:
        return False
    funds_differ = said.scope.fund is not None and table.scope.fund is not None and said.scope.fund != table.scope.fund \
        and "财政拨款" not in (said.scope.fund, table.scope.fund)
    return funds_differ or (table.scope.part_of is not None and said.scope.part_of is None)


def _scope_words(facts: list[Fact], stated: Decimal) -> str:
    said = _narrative_fact(facts, stated)
    return (said.scope.fund if said else None) or "the department"


def _disagreement(field: str, stated: Decimal, fact: Fact, facts: list[Fact], summary: Summary, scope: bool, misread: bool) -> Finding:
    """The narrative's figure against the table's. A trifle against a real figure is a misprint:
    the real one is kept if it is the table's, else neither. Any other difference not of scope,
    or any at all with a table read by OCR, leaves the field null: which is right is not evident."""
    evidence, table = _narrative_evidence(facts, stated) + [fact.evidence], fact.value
    said = f"{field}: the narrative says {stated} but the table says {table}"
    if misread:
        setattr(summary, field, None)
        return finding("narrative_table_mismatch", said + "; left null (the table was read by OCR)",
                       fields=[field], difference=stated - table, tolerance=CENT, evidence=evidence)
    if is_trifle(stated, table):
        setattr(summary, field, table if table > stated else None)
        return finding("headline_total_zero", said + ("; the table's figure is used" if table > stated else "; left null"),
                       fields=[field], difference=stated - table, evidence=evidence)
    if scope:
        return finding("scope_difference", said + "; the table's figure is the field's scope (the narrative's is one fund's, or includes the carry-over)",
                       fields=[field], difference=stated - table, tolerance=CENT, evidence=evidence)
    setattr(summary, field, None)
    return finding("narrative_table_mismatch", said + "; left null", fields=[field], difference=stated - table, tolerance=CENT, evidence=evidence)


_ALL_FUNDS = frozenset({"basic_expenditure", "project_expenditure"})


def _unconfirmed_narrower(ctx: Context, summary: Summary, fields: set[str], facts: list[Fact]) -> list[Finding]:
    """A figure stated only for a narrower scope (one fund's basic expenditure; a fund's
    revenue with the carry-over folded in) that no table replaced: null and a finding,
    unless the one fund is all the department has."""
    findings = []
    for field in sorted(fields):
        stated = getattr(summary, field)
        if stated is None or (field in _ALL_FUNDS and _all_general_public_budget(summary)) \
                or _year_is_the_total(summary, field, fields):
            continue
        setattr(summary, field, None)
        evidence = _narrative_evidence(facts, stated)
        findings.append(finding(
            "scope_difference", fields=[field], evidence=evidence,
            message=f"{field}: the document states {stated} only for a narrower scope (one fund, or with the carry-over "
                    f"included) and no table gives the field's own figure; left null",
        ))
    return findings


def _year_is_the_total(summary: Summary, field: str, narrower: set[str]) -> bool:
    """The year's 本年收入合计 (本年支出合计) is the 收入总计 (支出总计) where nothing is carried
    over (上年结转 stated as 0), or where the other side's total, stated for its own scope, is
    the same figure."""
    other = {"revenue_total": "expenditure_total", "expenditure_total": "revenue_total"}.get(field)
    if other is None:
        return False
    if summary.carryover_prior_year is not None and summary.carryover_prior_year == 0:
        return True
    theirs = getattr(summary, other)
    return other not in narrower and theirs is not None and abs(theirs - getattr(summary, field)) <= CENT


def _all_general_public_budget(summary: Summary) -> bool:
    """All the department's revenue is this year's 一般公共预算 (no other fund, no carry-over,
    no other revenue): a table of the 一般公共预算's basic expenditure then covers all of it."""
    gpb, total = summary.general_public_budget, summary.revenue_total
    return gpb is not None and total is not None and abs(gpb - total) <= CENT \
        and not summary.carryover_prior_year and not summary.other_revenue


def _basic_table_total(ctx: Context, tables: list[Table]) -> Fact | None:
    """The 合计 of a table of basic expenditure (一般公共预算基本支出表)."""
    for table in (t for t in tables if t.kind == "basic_economic"):
        row = total_row(table)
        column = _column(row, "total") if row else None
        fact = _fact(ctx, "basic_expenditure", table, row, column) if column else None
        if fact is not None and fact.value is not None:
            return fact
    return None


def _adds_up_to_a_total(classes: dict[str, Decimal], summary: Summary, table: Table) -> bool:
    """A table's classes are all of them when they add up to its own total row, or to the
    expenditure, fiscal-appropriation or 一般公共预算 total."""
    own = total_row(table)
    totals = [next((v for v in own.values.values() if v is not None), None) if own else None,
              summary.expenditure_total, summary.fiscal_appropriation_total, summary.general_public_budget]
    total = sum(classes.values(), Decimal(0))
    return any(t is not None and abs(t - total) <= CENT * len(classes) for t in totals)


def _extends(stated: dict[str, Decimal], table: dict[str, Decimal]) -> bool:
    """The table lists every class the narrative names, at the same figure, and more:
    the narrative named only some classes (its largest), the table all of them. Only
    classes read from coded rows (201 …) count: a side-by-side table's names may be
    misaligned with its figures."""
    return len(table) > len(stated) and all(
        name in table and abs(table[name] - value) <= CENT for name, value in stated.items())
