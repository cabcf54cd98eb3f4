"""Each summary key's support: every statement of it in the document with its scope, and
whether two statements of the key's own scope agree.

A statement is of the key's own scope only by positive evidence: every word of its label
(the clause up to the figure; a table's row and column) is accounted for by the vocabulary
of funds, periods and neutral words in patterns/support.json, and the fund and period it
names are the key's. A statement with a word left over (其中, 本级, a code, a project, a
change) supports nothing and contradicts nothing. The findings of disagreement
(`conflicting_values`, `narrative_table_mismatch`, `sum_mismatch`, `cross_table_mismatch`)
stand only where that holds for each side; elsewhere they become info findings saying
what the record did.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from . import vocab
from .amounts import as_printed
from .findings import finding
from .normalize import fold
from .rounding import agree, half
from .schema import SUMMARY_KEYS, BudgetDocument, Evidence, Fact, Finding, Scope, Statement, Support
from .scope import abbreviates, carryover_in_fund_figures, clause_start, table_scope
from .tables.cells import is_trifle

if TYPE_CHECKING:
    from .extract.context import Context

_AGAINST_ONE_KEY = frozenset({"conflicting_values", "narrative_table_mismatch"})
_TRUST_LIMIT = 2  # a table failing its own sums in more places than this was read wrong
_CLASS = "function_classes."
_NAME_MAX, _NAME_LEAD = 40, 12  # a department's name: its length at most, and how far into a label it may begin
_ORG_ENDINGS = frozenset("厅局委办部院会心队所站馆处室团校署社园台库场")
_CHANGES = {"changes.total.amount": "total_change_amount", "changes.total.pct": "total_change_pct"}


@dataclass(frozen=True)
class _Vocabulary:
    neutral: regex.Pattern
    table_neutral: regex.Pattern
    funds: tuple[tuple[str, regex.Pattern], ...]
    periods: tuple[tuple[str, regex.Pattern], ...]
    key_scope: dict[str, dict]
    parents: dict[str, list[str]]
    narrower: dict[str, regex.Pattern]
    counts: frozenset[str]  # keys of stocks (车辆, 编制): their date may name another year
    identities: tuple[tuple[str, tuple[str, ...]], ...]
    anchors: dict[str, tuple[regex.Pattern, ...]]  # a key's own words, from patterns/fields.json
    keys: dict[str, str]  # a fact's field → the summary key it states


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    from .extract.fields import specs

    data = vocab.load("support")
    anchors, keys = {}, dict(_CHANGES)
    for spec in specs()[0]:
        # other_revenue's lines (other_revenue.business …) are keys too: the record holds only their sum
        anchors[spec.field] = (*spec.anchors, *spec.zero)
        keys[spec.path] = keys[spec.field] = spec.field
    return _Vocabulary(
        neutral=regex.compile(data["neutral"]), table_neutral=regex.compile(data["table_neutral"]),
        funds=tuple((name, regex.compile(p)) for name, p in data["funds"].items()),
        periods=tuple((name, regex.compile(p)) for name, p in data["periods"].items()),
        key_scope=data["key_scope"], parents=data["parents"],
        narrower={k: regex.compile(p) for k, p in data["narrower"].items()}, counts=frozenset(data["counts"]),
        identities=tuple((total, tuple(parts)) for total, parts in data["identities"]), anchors=anchors, keys=keys)


def _named(words: str, named: tuple[tuple[str, regex.Pattern], ...]) -> tuple[set[str], str]:
    """The names the words mention, and the words without them."""
    found = set()
    for name, pattern in named:
        if pattern.search(words):
            found.add(name)
            words = pattern.sub("", words)
    return found, words


def _fund(names: set[str]) -> str | None | bool:
    """The one fund named (一般公共预算财政拨款 is the 一般公共预算's); False for two."""
    if len(names) > 1:
        names = names - {"财政拨款"}
    return False if len(names) > 1 else next(iter(names), None)


_PART_OF_WHOLE = regex.compile(r"其中|包括")
_CARRY_ROW = regex.compile(r"结转|结余")
_WHOLE_HOPS, _WHOLE_REACH = 4, 300  # how far back the whole of a 其中 is looked for: figures, characters
_FUND_KEYS = frozenset({"general_public_budget", "government_fund_budget", "state_capital_budget"})
_YEAR = regex.compile(r"(?<!\d)(20\d{2})\s*年")


def _without_department(ctx: Context, words: str) -> str:
    """words less a name of the department near their start (2026年北京市司法局政府采购…)."""
    if not ctx.department:
        return words
    for start in range(min(len(words), _NAME_LEAD)):
        for end in range(min(len(words), start + _NAME_MAX), start + 2, -1):
            if words[end - 1] in _ORG_ENDINGS and abbreviates(words[start:end], ctx.department):
                return words[:start] + words[end:]
    return words


def _of_key(key: str, words: str, rest: str, neutral: tuple[regex.Pattern, ...], year: int | None,
            inherited: Scope = Scope()) -> tuple[bool, str | None]:
    """Whether words (all of the label) name a fund and period the key may be of, and rest
    (the label less the key's own words) holds nothing but funds, periods and neutral words;
    and the fund named. A label that names no fund or period has those of `inherited` (its
    clause's, or the whole a 其中 breaks down)."""
    v = _vocabulary()
    funds, _ = _named(words, v.funds)
    periods, _ = _named(words, v.periods)
    fund, wanted = _fund(funds) if funds else inherited.fund, v.key_scope.get(key, {})
    period = (next(iter(periods)) if len(periods) == 1 else False) if periods else inherited.period
    if fund is False or fund not in wanted.get("funds", [None]) or period != wanted.get("period"):
        return False, None
    if key not in v.counts and any(int(y) != year for y in _YEAR.findall(words)):
        return False, None  # a figure of another year (本部门2025年…)
    if key in v.narrower and v.narrower[key].search(rest):
        return False, None
    _, rest = _named(rest, v.funds)
    _, rest = _named(rest, v.periods)
    for pattern in neutral:
        rest = pattern.sub("", rest)
    return not rest, fund


def _without_anchor(key: str, text: str, at: int, end: int) -> str:
    """The label text[at:end] less the key's own words where they begin at `at`."""
    for anchor in _vocabulary().anchors.get(key, ()):
        m = anchor.match(text, at, end)
        if m:
            return text[m.end() : end]
    return text[at:end]


def _whole(ctx: Context, at: int, figures: dict[int, tuple[str, Scope, int]]) -> tuple[str, Scope, int] | None:
    """The key and scope of the figure that a 其中 at `at` breaks down: the last figure before
    it (a change or a share between them passed over) that states a key."""
    pos = at
    for _ in range(_WHOLE_HOPS):
        money = ctx.last_before("MONEY", pos)
        if money is None or at - money.end_char > _WHOLE_REACH:
            return None
        if money.end_char in figures:
            return figures[money.end_char]
        pos = money.start_char
    return None


def _narrative(ctx: Context, key: str, fact: Fact, year: int | None, figures: dict[int, tuple[str, Scope, int]],
               funds_carry_over: bool) -> Statement:
    text = ctx.norm.folded
    anchor = fact.evidence.start
    figure = text.rfind(fact.raw, anchor, fact.evidence.end) if fact.raw else -1
    figure = fact.evidence.end if figure < anchor else figure
    clause = start = clause_start(text, anchor)
    before = ctx.last_before("MONEY", anchor)
    lead = ""
    if before is not None and before.end_char > clause:
        start = before.end_char  # the words after the previous figure of the clause
        first = ctx.first_after("MONEY", clause)
        wholes = {figures[e.end_char][0] for e in (first, before) if e.end_char in figures}
        if not wholes & set(_vocabulary().parents.get(key, ())):
            # one item of a list: the words that lead the list are its label too (“农林水支出”科目83万元，
            # 主要用于人员经费18万元、公用经费58万元), unless they state the item's whole; the
            # first item's own words are not the lead (基本支出X万元、项目支出Y万元)
            lead_end = figures[first.end_char][2] if first.end_char in figures else first.start_char
            lead = _without_department(ctx, text[clause:lead_end].strip())
    label = text[start:figure]
    fund = narrower = None
    own = fact.scope.of_department
    if key in _CHANGES.values():
        pass  # the headline change is read by its own pattern (patterns/fields.json total_change)
    elif funds_carry_over and key in _FUND_KEYS:
        own = False  # the document says its fund figures include last year's carry-over
    elif own:
        rest = lead + _without_department(ctx, text[start:anchor].strip()) + _without_anchor(key, text, anchor, figure)
        inherited = fact.scope
        part = _PART_OF_WHOLE.search(text, ctx.sentence_start(anchor), anchor)
        if part is not None:
            # 收入总计…，其中：一般公共预算… : a part of the whole before it, in the whole's scope
            whole = _whole(ctx, part.start(), figures)
            own = whole is not None and whole[0] in _vocabulary().parents.get(key, ())
            inherited = whole[1] if own and (whole[1].fund or whole[1].period) else inherited
            rest = _PART_OF_WHOLE.sub("", rest, 1)
        if own:
            own, fund = _of_key(key, label, rest, (_vocabulary().neutral,), year, inherited)
        narrower = None if own else _narrower(key, rest, label)
    scope = fact.scope.model_copy(update={"fund": fund}) if own else fact.scope
    return Statement(value=_as_stated(fact), page=fact.evidence.page, text=label.strip() or fact.evidence.text, source="narrative",
                     scope=scope.model_copy(update={"part_of": narrower}) if narrower else scope, of_key=own, start=fact.evidence.start)


def _narrower(key: str, rest: str, label: str) -> str | None:
    """The label when it names a narrower figure than the key (本年收入合计 of 收入总计): a part,
    positively of another scope."""
    narrower = _vocabulary().narrower.get(key)
    return label.strip() if narrower is not None and narrower.search(rest) else None


def _table(key: str, fact: Fact, trusted: bool, year: int | None) -> Statement:
    title, row, column = ((fact.evidence.label or "").split(" | ") + ["", "", ""])[:3]
    row = fold(row)
    scope = table_scope(title, "")
    # the title's fund and period (its 不含 … words taken out), the row's and the column's
    words = f"{(scope.fund or '')}{(scope.period or '')}|{row}|{column}"
    rest = _without_anchor(key, row, 0, len(row)) if row else ""
    v = _vocabulary()
    own, fund = (False, None)
    within = scope.part_of is None or "basic_expenditure" in v.parents.get(key, ())  # 人员经费 of a basic-expenditure table
    if trusted and fact.scope.unit is None and within:
        own, fund = _of_key(key, words, rest, (v.table_neutral, v.neutral), year)
    narrower = None if own else _narrower(key, rest, row)
    scope = scope.model_copy(update={"fund": fund}) if own else scope
    return Statement(value=_as_stated(fact), page=fact.evidence.page, text=fact.evidence.label or fact.evidence.text, source="table",
                     scope=scope.model_copy(update={"part_of": narrower}) if narrower else scope, of_key=own, start=fact.evidence.start)


def _as_stated(fact: Fact) -> Decimal | int:
    """The figure with the digits it is printed to (3,400.00 stays 3400.00): what two figures
    may differ by follows what is printed, and a value keeps no trailing zeros."""
    printed = as_printed(fact.raw) if isinstance(fact.value, Decimal) else None
    return printed if printed is not None and printed == fact.value else fact.value


def _as_value(printed):
    """A figure as the record keeps values, without trailing zeros (3400.00 → 3400)."""
    if not isinstance(printed, Decimal):
        return printed
    return printed.to_integral_value() if printed == printed.to_integral_value() else printed.normalize()


def _as_printed(said: list[Statement], value):
    """The key's value as one of its statements prints it (its digits), else as it is."""
    return next((s.value for s in said if s.value == value), value)


def _printed_half(support: dict[str, Support], key: str, value) -> Decimal:
    """Half the last digit the key's figure is printed to."""
    return half(_as_printed(support[key].statements if key in support else [], value))


def _untrusted(doc: BudgetDocument) -> dict[str, list[Finding]]:
    """Tables (by title) whose own rows fail their totals in more than a few places."""
    failed: dict[str, list[Finding]] = {}
    for f in doc.findings:
        if f.code == "table_sum_mismatch":
            failed.setdefault(f.message.split(": ", 1)[0], []).append(f)
    return {title: fs for title, fs in failed.items() if len(fs) > _TRUST_LIMIT}


def statements(ctx: Context, doc: BudgetDocument, untrusted: set[str], funds_carry_over: bool,
               evidence: dict[int, Evidence]) -> dict[str, list[Statement]]:
    """Every statement of each summary key, in the order the document gives them; `evidence`
    is filled with each one's, by its start."""
    keys, year = _vocabulary().keys, doc.fiscal_year
    out: dict[str, list[Statement]] = {}
    figures = {f.evidence.end: (keys[f.field], f.scope, f.evidence.start) for f in doc.facts if f.source == "narrative" and f.field in keys}
    for fact in doc.facts:
        key = keys.get(fact.field)
        if key is None or not isinstance(fact.value, (Decimal, int)) or isinstance(fact.value, bool):
            continue
        if fact.source == "table":
            title = (fact.evidence.label or "").split(" | ")[0]
            s = _table(key, fact, title not in untrusted, year)
        else:
            s = _narrative(ctx, key, fact, year, figures, funds_carry_over)
        if not any(t.start == s.start and t.value == s.value for t in out.get(key, [])):
            out.setdefault(key, []).append(s)
            evidence[s.start] = fact.evidence
    carried = _carried(doc)
    for said in out.values():
        _carry_over_included(said, carried)
    return out


def _carried(doc: BudgetDocument) -> list[Decimal]:
    """The carry-over figures the document prints: statements of a period (上年结转…) and the
    table rows named for one (政府性基金预算拨款结余、结转 80.00)."""
    out = [_as_stated(f) for f in doc.facts if f.scope.period and isinstance(f.value, Decimal) and f.value]
    for table in doc.tables:
        for row in table.rows:
            if _CARRY_ROW.search(row.name):
                out.extend(v for v in row.values.values() if v)
    return out  # none of 0: a carry-over of nothing explains no difference


def _carry_over_included(said: list[Statement], carried: list[Decimal]) -> None:
    """Two statements of the key's own scope whose difference is a carry-over figure the
    document prints (政府性基金预算收入380 against the table's 拨款300 and 结余、结转80): the
    larger includes the carry-over, and is of another period."""
    own = [s for s in said if s.of_key]
    for a in own:
        for b in own:
            if a.value > b.value and not agree(a.value, b.value) and any(agree(a.value - b.value, c) for c in carried):
                a.of_key = False
                a.scope = a.scope.model_copy(update={"period": "上年结转"})


def _differ(own: list[Statement]) -> bool:
    """Two statements of one fund disagree. Each figure as printed is compared once: a long
    document repeats its figures hundreds of times."""
    printed = {(s.scope.fund, s.value, s.value.as_tuple().exponent if isinstance(s.value, Decimal) else 0) for s in own}
    return any(a[0] == b[0] and not agree(a[1], b[1]) for a in printed for b in printed)


def _status(value, stated: list[Statement]) -> str | None:
    own = [s for s in stated if s.of_key]
    if value is None:
        return "disputed" if _differ(own) else None
    value = _as_printed(stated, value)
    if _differ(own) or own and not any(agree(s.value, value) for s in own):
        return "disputed"
    own = [s for s in own if agree(s.value, value)]
    places = {s.start for s in own}
    if len(places) >= 2:
        return "verified"
    if own:
        return "single"
    return "unestablished" if any(agree(s.value, value) for s in stated) else "derived"


def _identities(summary, support: dict[str, Support]) -> None:
    """A total and its parts (or 收入总计 and 支出总计) that agree, each stated in its own scope
    at a place of its own: all of them verified."""
    for total, parts in _vocabulary().identities:
        members = (total, *parts)
        if any(support.get(k) is None or support[k].status not in ("single", "verified") for k in members):
            continue
        places = [next(s.start for s in support[k].statements if s.of_key) for k in members]
        if len(set(places)) < len(places):
            continue  # one sentence stating both (收入支出总计均为…) is not two statements
        values = [getattr(summary, k) for k in members]
        slack = sum((_printed_half(support, k, v) for k, v in zip(members, values)), Decimal(0))
        if abs(values[0] - sum(values[1:], Decimal(0))) <= slack:
            said = f"{total} = {' + '.join(parts)}"
            for k in members:
                if support[k].status == "single":
                    support[k].status, support[k].identity = "verified", said


def _function_classes(doc: BudgetDocument, untrusted: set[str], support: dict[str, Support]) -> dict[str, Support]:
    """Each function class's statements: a table's coded or named class row is of its own
    scope; verified by a second table, or by all the classes adding up to a total the document
    states in its own scope (the expenditure, fiscal appropriation or 一般公共预算)."""
    classes = doc.summary.function_classes or {}
    out: dict[str, Support] = {}
    for fact in doc.facts:
        name = fact.field.removeprefix(_CLASS)
        if fact.field == name or name not in classes or not isinstance(fact.value, Decimal):
            continue
        title = (fact.evidence.label or "").split(" | ")[0]
        # a class named in the narrative may be one fund's (its paragraph's): it supports, never disputes
        own = fact.source == "table" and fact.scope.unit is None and fact.scope.part_of is None and title not in untrusted
        said = out.setdefault(name, Support(status="single")).statements
        if not any(t.start == fact.evidence.start for t in said):
            scope = table_scope(title, "") if fact.source == "table" else fact.scope
            said.append(Statement(value=fact.value, page=fact.evidence.page, text=fact.evidence.label or fact.evidence.text,
                                  source=fact.source, scope=scope, of_key=own, start=fact.evidence.start))
    total = sum(classes.values(), Decimal(0))
    slack = sum((half(_as_printed(out[n].statements if n in out else [], v)) for n, v in classes.items()), Decimal(0))
    whole = next((k for k in ("expenditure_total", "fiscal_appropriation_total", "general_public_budget")
                  if k in support and support[k].status in ("single", "verified")
                  and abs(getattr(doc.summary, k) - total) <= slack + _printed_half(support, k, getattr(doc.summary, k))), None)
    for name, sup in out.items():
        sup.status = _status(classes[name], sup.statements) or "single"
        if sup.status in ("single", "unestablished") and whole is not None:
            sup.status, sup.identity = "verified", f"function classes = {whole}"
    return {f"{_CLASS}{name}": sup for name, sup in out.items()}


def _quote(s: Statement) -> str:
    where = f"p.{s.page} " if s.page else ""
    scope = "its own scope" if s.of_key else "scope not established"
    return f"{where}“{s.text[-40:]}” {s.value} ({scope})"


def corroborate(ctx: Context, doc: BudgetDocument) -> None:
    """Set doc.support, and keep each finding of disagreement only where two statements of
    one established scope disagree; a figure nulled for a difference with a statement of
    no established scope is restored from the statements that establish it."""
    untrusted = _untrusted(doc)
    evidence: dict[int, Evidence] = {}
    stated = statements(ctx, doc, set(untrusted), carryover_in_fund_figures(ctx.norm.folded), evidence)
    summary = doc.summary
    findings: list[Finding] = []
    for f in doc.findings:
        key = f.fields[0] if len(f.fields) == 1 else None
        if f.code in _AGAINST_ONE_KEY and key in stated:
            findings.append(_one_key(summary, key, stated[key], f))
        else:
            findings.append(f)
    support = {}
    reported = _reported(findings, stated, evidence)
    for key, said in stated.items():
        if key not in SUMMARY_KEYS:
            continue  # a line of other_revenue: its statements judge its findings, the record has no value of it
        taken = _own_over_unknown(summary, key, said) if key not in reported else None
        if taken is not None:
            findings.append(taken)
        status = _status(getattr(summary, key), said)
        if status is not None:
            support[key] = Support(status=status, statements=said)
    findings.extend(_disputes(summary, support, _reported(findings, stated, evidence), evidence))
    support.update(_function_classes(doc, set(untrusted), support))
    for key in ("three_public_vehicle", "other_revenue"):
        if getattr(summary, key) is not None and key not in support:
            support[key] = Support(status="derived")
    _identities(summary, support)
    doc.support = support
    doc.findings = _tables_trusted(_sums(findings, support, summary), untrusted)


def _reported(findings: list[Finding], stated: dict[str, list[Statement]], evidence: dict[int, Evidence]) -> set[str]:
    """Keys a warning or error already speaks of: by name, or by quoting one of their statements
    (a headline total misprinted as 0 is reported as such)."""
    spans = [(e.start, e.end) for f in findings if f.severity != "info" for e in f.evidence]
    named = {k for f in findings if f.severity != "info" for k in f.fields}
    return named | {k for k, said in stated.items()
                    if any(a < evidence[s.start].end and evidence[s.start].start < b for s in said for a, b in spans)}


def _disputes(summary, support: dict[str, Support], reported: set[str], evidence: dict[int, Evidence]) -> list[Finding]:
    """A finding for each disputed key not yet reported. The figure stays where more places
    of its own scope state it than state another; else it is null."""
    out = []
    for key, sup in support.items():
        if sup.status != "disputed" or key in reported:
            continue
        own = [s for s in sup.statements if s.of_key]
        out.append(finding("conflicting_values", f"{key}: the document states it in its own scope as different figures "
                           f"({'; '.join(_quote(s) for s in own[:4])}); {_settle(summary, key, own)}",
                           fields=[key], evidence=[evidence[s.start] for s in own[:4] if s.start in evidence]))
    return out


def _settle(summary, key: str, own: list[Statement]) -> str:
    """A key whose statements of its own scope disagree: the figure more places state than
    state any other (at least two) is the record's; else it is null. What the record did, in words."""
    places: dict[Decimal, set[int]] = {}
    for s in own:
        value = next((v for v in places if agree(v, s.value)), s.value)
        places.setdefault(value, set()).add(s.start)
    ranked = sorted(places.items(), key=lambda item: -len(item[1]))
    best, count = ranked[0][0], len(ranked[0][1])
    kept = count >= 2 and (len(ranked) == 1 or count > len(ranked[1][1]))
    if key in SUMMARY_KEYS:  # a line of other_revenue has no value of its own in the record
        setattr(summary, key, _as_value(best) if kept else None)
    return f"{_as_value(best)}, stated so in {count} places, is kept" if kept else "left null"


def _elsewhere(key: str, s: Statement) -> bool:
    """The statement is positively of another scope than the key's: another period, unit or
    part, a fund the key is not of (its label names them), or a final account's budget."""
    wanted = _vocabulary().key_scope.get(key, {})
    return not s.of_key and (not s.scope.of_department or s.scope.period != wanted.get("period")
                             or s.scope.fund not in wanted.get("funds", [None]))


def _own_over_unknown(summary, key: str, said: list[Statement]) -> Finding | None:
    """The value rests on statements not of the key's own scope while those of its own scope
    agree on another figure. Where the value's statements are positively of another scope
    (another period, fund, unit or part), the figure of its own scope is taken; where their
    scope is unknown (人员经费18万元 inside one class's spending), which is meant is not
    evident: null."""
    value, own = _as_printed(said, getattr(summary, key)), [s for s in said if s.of_key]
    if value is None or not own or _differ(own) or any(agree(s.value, value) for s in own) or is_trifle(own[0].value, value):
        return None  # a trifle against the figure is a misprint (收入支出总计0万元), reported as such
    backing = [s for s in said if agree(s.value, value)]
    taken = _as_value(own[0].value) if backing and all(_elsewhere(key, s) for s in backing) else None
    setattr(summary, key, taken)
    return finding("scope_unestablished", f"{key}: {value} is stated where its scope is not the key's own, the document states it "
                   f"in its own scope as {own[0].value}; " + (f"{taken} is kept" if taken is not None else "left null")
                   + f" ({'; '.join(_quote(s) for s in said[:4])})", fields=[key])


def _one_key(summary, key: str, said: list[Statement], f: Finding) -> Finding:
    """A finding that two statements of key differ: kept where two of its own scope do.
    Otherwise the statements of its own scope (where they agree) give the value if every
    statement that differs from them is positively of another scope; else it stays null."""
    own = [s for s in said if s.of_key]
    quoted = "; ".join(_quote(s) for s in said[:4])
    value = getattr(summary, key, None)
    if _differ(own):
        return finding(f.code, f"{key}: the document states it in its own scope as different figures "
                       f"({'; '.join(_quote(s) for s in own[:4])}); {_settle(summary, key, own)}",
                       fields=[key], difference=f.difference, evidence=f.evidence)
    if own and value is None and key in SUMMARY_KEYS and all(_elsewhere(key, s) for s in said if not s.of_key and not agree(s.value, own[0].value)):
        value = _as_value(own[0].value)
        setattr(summary, key, value)
        did = f"the figure of its own scope, {value}, is kept"
    else:
        did = f"{value} is kept" if value is not None else "left null"
    return finding("scope_unestablished", f"{key}: the statements differ but no two of them are established as of one scope "
                   f"({quoted}); {did}", fields=[key], difference=f.difference, evidence=f.evidence)


def _sums(findings: list[Finding], support: dict[str, Support], summary) -> list[Finding]:
    """A total against its parts: within the rounding of what each prints, info; with a member
    whose scope is not established, info saying so."""
    out = []
    for f in findings:
        if f.code != "sum_mismatch":
            out.append(f)
            continue
        values = [getattr(summary, k, None) if not k.startswith("function_classes.")
                  else (summary.function_classes or {}).get(k.split(".", 1)[1]) for k in f.fields]
        slack = sum((_printed_half(support, k, v) for k, v in zip(f.fields, values) if v is not None), Decimal(0))
        if f.difference is not None and abs(f.difference) <= slack:
            out.append(finding("sum_rounding", f.message.split(" (difference")[0] + f" (difference {f.difference}; the rounding of "
                               f"the figures as printed allows {slack})", fields=f.fields, difference=f.difference, tolerance=slack,
                               evidence=f.evidence))
            continue
        loose = [k for k in f.fields if k in support and support[k].status in ("unestablished", "derived")]
        if loose:
            out.append(finding("scope_unestablished", f.message + f"; not compared as a contradiction: the scope of {', '.join(loose)} "
                               "is not established by its label", fields=f.fields, difference=f.difference, evidence=f.evidence))
            continue
        out.append(f)
    return out


def _tables_trusted(findings: list[Finding], untrusted: dict[str, list[Finding]]) -> list[Finding]:
    """A table whose rows fail their totals in more than a few places gives one info finding
    naming it, in place of its sums' and comparisons' findings."""
    if not untrusted:
        return findings
    out = [f for f in findings if not (f.code in ("table_sum_mismatch", "cross_table_mismatch")
                                       and any(title in f.message for title in untrusted))]
    for title, failed in untrusted.items():
        pages = sorted({e.page for f in failed for e in f.evidence if e.page})
        out.append(finding("table_unreliable", f"{title}{f' (pages {pages[0]}–{pages[-1]})' if pages else ''}: its rows fail their "
                           f"own totals in {len(failed)} places, so it was read wrong or prints figures out of place; none of its "
                           "figures is compared or corroborates another", evidence=[failed[0].evidence[0]] if failed[0].evidence else []))
    return out
