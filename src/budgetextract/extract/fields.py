"""Figures named by a phrase: an anchor from patterns/fields.json, then the amount or
count that follows it with nothing but filler in between."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import regex

from .. import vocab
from ..findings import finding
from ..schema import Fact, Finding, Scope
from ..scope import clause_start
from .context import Context

# totals a department cannot have at 0 while stating them positive elsewhere: such a 0 is a
# misprint (收入支出总计0万元), which the check of stated totals reports
GRAND_TOTALS = ("revenue_total", "expenditure_total", "fiscal_appropriation_total")



@dataclass
class FieldSpec:
    field: str
    path: str
    kind: str
    anchors: list[regex.Pattern]
    zero: list[regex.Pattern]
    sections: frozenset[str] | None
    units: frozenset[str] | None
    count_before: regex.Pattern | None
    scoped: frozenset[str]
    scoped_clause: bool
    narrower: list[regex.Pattern]
    of_the_budget: bool


@dataclass
class Candidate:
    field: str
    value: Decimal | int
    unit: str | None
    raw: str
    tier: int
    anchor_start: int
    start: int
    end: int
    scoped: bool = False
    scope: Scope | None = None


@lru_cache(maxsize=1)
def specs() -> tuple[list[FieldSpec], regex.Pattern, int, frozenset[str]]:
    data = vocab.load("fields")
    out = []
    for f in data["fields"]:
        out.append(
            FieldSpec(
                field=f["field"],
                path=f["path"],
                kind=f.get("type", "money"),
                anchors=[regex.compile(a) for a in f["anchors"]],
                zero=[regex.compile(z) for z in f.get("zero", [])],
                sections=frozenset(f["sections"]) if "sections" in f else None,
                units=frozenset(f["units"]) if "units" in f else None,
                count_before=regex.compile(f["count_before"]) if "count_before" in f else None,
                scoped=frozenset(f.get("scoped_sections", [])),
                scoped_clause=f.get("scoped_clause", False),
                narrower=[regex.compile(a) for a in f.get("narrower_anchors", [])],
                of_the_budget=f.get("of_the_budget", False),
            )
        )
    return out, regex.compile(data["default_gap"]), data["max_gap"], frozenset(data["excluded_sections"])


@lru_cache(maxsize=1)
def _change_before() -> regex.Pattern:
    return regex.compile(vocab.load("fields")["change_before"])


@lru_cache(maxsize=1)
def _narrowing_clause() -> regex.Pattern:
    return regex.compile(vocab.load("fields")["narrowing_clause"])


def _allowed(ctx: Context, spec: FieldSpec, offset: int, note: bool = False) -> bool:
    """A figure may be taken from here; a nil statement (`note`) also from among the tables,
    where a note under an empty table says it (注：没有使用政府性基金预算拨款安排的支出)."""
    if ctx.excluded(offset, but="tables" if note else None):
        return False
    return spec.sections is None or bool(ctx.kinds_at(offset) & spec.sections)


def candidates(ctx: Context, spec: FieldSpec) -> list[Candidate]:
    _, gap_re, max_gap, _ = specs()
    text = ctx.norm.folded
    label = "COUNT" if spec.kind == "count" else "MONEY"
    found: list[Candidate] = []
    # a narrower anchor (本年收入合计 for 收入总计) ranks below every other statement, nil ones included
    below = len(spec.anchors) + len(spec.zero) + 1
    anchors = [(tier, a, False) for tier, a in enumerate(spec.anchors)] + [(below + i, a, True) for i, a in enumerate(spec.narrower)]
    for tier, anchor, narrower in anchors:
        for m in anchor.finditer(text):
            if not _allowed(ctx, spec, m.start()) or _change_before().search(text, max(0, m.start() - 3), m.start()):
                continue
            entity = ctx.first_after(label, m.end())
            zero = _bare_zero(ctx, m.end(), entity) if spec.kind == "money" else None
            if zero is not None:
                found.append(Candidate(spec.field, Decimal(0), None, zero.group("zero"), tier, m.start(), zero.start("zero"),
                                       zero.end("zero"), scoped=narrower))
                continue
            if entity is None or entity._.value is None:
                continue
            # a line may break inside a word of the gap (支出决 / 算为): the words count, not the break
            gap = text[m.end() : entity.start_char].replace("\n", "")
            if gap[:1] == text[m.end() - 1]:  # the anchor's last character printed twice (公务接待费费): a slip
                gap = gap[1:]
            if len(gap) > max_gap or not gap_re.fullmatch(gap):
                continue
            if spec.units and entity._.unit not in spec.units:
                continue
            found.append(Candidate(spec.field, entity._.value, entity._.unit, entity.text, tier, m.start(), entity.start_char, entity.end_char,
                                   scoped=narrower))
    if spec.count_before is not None:
        # "共5个项目实行绩效目标管理": the count stands right before the phrase
        for m in spec.count_before.finditer(text):
            entity = ctx.last_before(label, m.start() + 1)
            if entity is None or entity.end_char != m.start() or not _allowed(ctx, spec, m.start()):
                continue
            if spec.units and entity._.unit not in spec.units:
                continue
            found.append(Candidate(spec.field, entity._.value, entity._.unit, entity.text, 0, entity.start_char, entity.start_char, m.end()))
    zero_tier = len(spec.anchors)
    for pattern in spec.zero:
        for m in pattern.finditer(text):
            if _allowed(ctx, spec, m.start(), note=True):
                found.append(Candidate(spec.field, Decimal(0) if spec.kind == "money" else 0, None, m.group(), zero_tier, m.start(), m.start(), m.end()))
    if spec.scoped or spec.scoped_clause:
        # a statement within a section of one fund (一般公共预算…基本支出), or in a clause that
        # narrows to one (…；其中一般公共预算拨款政府采购504.98万元：…), ranks below all others
        narrowing = _narrowing_clause()
        for c in found:
            clause = text[clause_start(text, c.anchor_start) : c.anchor_start]
            if ctx.kinds_at(c.anchor_start) & spec.scoped or (spec.scoped_clause and narrowing.search(clause)):
                c.tier, c.scoped = c.tier + zero_tier + 1, True
    for c in found:
        c.scope = ctx.scope(c.anchor_start, c.start)
        if spec.of_the_budget:
            c.scope.basis = None
    found += [actual for c in found if c.scope.basis for actual in [_actual_after(ctx, c, label)] if actual is not None]
    found.sort(key=lambda c: (c.tier, c.start))
    return found


@lru_cache(maxsize=1)
def _bare_zero_pattern() -> regex.Pattern:
    return regex.compile(vocab.load("fields")["bare_zero"])


def _bare_zero(ctx: Context, pos: int, entity) -> regex.Match | None:
    """0 printed without a unit right after the field's words (…费为0，与上年持平), before
    any figure with one: the field is nil."""
    m = _bare_zero_pattern().match(ctx.norm.folded, pos)
    if m is None or (entity is not None and entity.start_char < m.end()):
        return None
    _, gap_re, _, _ = specs()
    return m if gap_re.fullmatch(m.group("gap").replace("\n", "")) else None


@lru_cache(maxsize=1)
def _actual_after_budget() -> regex.Pattern:
    return regex.compile(vocab.load("fields")["actual_after_budget"])


def _actual_after(ctx: Context, budget: Candidate, label: str) -> Candidate | None:
    """The actual a final account states right after an item's 预算数 (…预算为0.95万元，支出
    决算为0.16万元), as a statement of the same rank."""
    entity = ctx.first_after(label, budget.end)
    if entity is None or entity._.value is None:
        return None
    if not _actual_after_budget().fullmatch(ctx.norm.folded[budget.end : entity.start_char].replace("\n", "")):
        return None
    return Candidate(budget.field, entity._.value, entity._.unit, entity.text, budget.tier, budget.anchor_start, entity.start_char,
                     entity.end_char, scoped=budget.scoped, scope=budget.scope.model_copy(update={"basis": None}))


def _nil_for_another_fund(ctx: Context, c: Candidate) -> bool:
    """0 stated in a clause about one fund (组织对0个政府性基金预算项目…，共涉及资金0万元)."""
    text = ctx.norm.folded
    return bool(_other_fund().search(text, clause_start(text, c.anchor_start), c.end))


@lru_cache(maxsize=1)
def _other_fund() -> regex.Pattern:
    return regex.compile(vocab.load("fields")["other_fund"])


def to_fact(ctx: Context, c: Candidate, path: str) -> Fact:
    return Fact(
        field=path,
        value=c.value,
        unit=c.unit,
        raw=c.raw,
        section=ctx.section_label(c.start),
        scope=c.scope or Scope(),
        evidence=ctx.evidence(c.anchor_start, c.end),
    )


def choose(ctx: Context, field: str, found: list[Candidate]) -> tuple[Candidate | None, list[Finding]]:
    """The best-ranked statement of a figure. Where the best-ranked statements disagree
    the figure is ambiguous: no value, and a finding that shows each statement."""
    # a final account's 预算数 is what its actual is set against (execution), never the actual
    found = [c for c in found if c.scope is None or c.scope.basis is None]
    if not found:
        return None, []
    whole = [c for c in found if c.scope is None or c.scope.of_department]
    if not whole:
        # stated only for its units or as lines of larger items: none is the department's figure
        parts = sorted({c.scope.unit or c.scope.part_of for c in found})
        return None, [finding(
            "stated_for_parts_only", fields=[field], evidence=[ctx.evidence(c.anchor_start, c.end) for c in found[:4]],
            message=f"{field}: the document states it only for parts of the department ({'; '.join(p[:30] for p in parts[:4])}), not for the whole; left null")]
    found = whole
    if field in GRAND_TOTALS and any(c.value for c in found):
        found = [c for c in found if c.value]
    top = [c for c in found if c.tier == found[0].tier]
    if any(c.value for c in top):
        top = [c for c in top if c.value or not _nil_for_another_fund(ctx, c)]
    values = {c.value for c in top}
    if len(values) == 1:
        return top[0], []
    shown = sorted(values)
    problem = finding(
        "conflicting_values",
        f"{field}: the document states different figures for the same concept ({', '.join(str(v) for v in shown)}); left null",
        fields=[field], evidence=[ctx.evidence(c.anchor_start, c.end) for c in top],
    )
    return None, [problem]
