"""Whether the summary's figures add up: parts to totals, changes and shares to their amounts.

Documents round each printed figure to 0.01 万元, so a sum of n parts may be off by
up to n × 0.005; a difference within ROUNDING × parts is reported as `info`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import regex

from ..schema import Evidence, ExecutionEntry, Fact, Finding, Summary
from ..findings import finding

if TYPE_CHECKING:
    from ..extract.context import Context

ROUNDING = Decimal("0.01")
PCT_ROUNDING = Decimal("0.01")

# (total field, part fields, what the parts are)
_SUMS = [
    ("three_public_total", ["three_public_outbound", "three_public_vehicle", "three_public_reception"], "the “三公” parts"),
    ("three_public_vehicle", ["three_public_vehicle_purchase", "three_public_vehicle_operation"], "vehicle purchase + operation"),
    ("procurement_total", ["procurement_goods", "procurement_works", "procurement_services"], "goods + works + services"),
]


def _evidence(facts: list[Fact], paths: list[str]) -> list[Evidence]:
    out = []
    for path in paths:
        fact = next((f for f in facts if f.field == path), None)
        if fact is not None:
            out.append(fact.evidence)
    return out


def _field_path(facts: list[Fact], field: str, summary_value) -> list[Evidence]:
    """Evidence of the fact that gave the summary its value for field."""
    from ..extract.fields import specs

    path = next((s.path for s in specs()[0] if s.field == field), field)
    return [f.evidence for f in facts if f.field == path and f.value == summary_value][:1]


def _sum_finding(total_field: str, total: Decimal, parts: dict[str, Decimal], what: str, evidence: list[Evidence]) -> Finding | None:
    computed = sum(parts.values(), Decimal(0))
    diff = total - computed
    if diff == 0:
        return None
    tolerance = ROUNDING * max(1, len(parts) - 1)
    return finding(
        "sum_rounding" if abs(diff) <= tolerance else "sum_mismatch",
        f"{what} add up to {computed} but {total_field} is {total} (difference {diff}; rounding tolerance {tolerance})",
        fields=[total_field, *parts], difference=diff, tolerance=tolerance, evidence=evidence,
    )


def _as_scope(f: Finding, why: str) -> Finding:
    """The same finding explained as a difference of scope."""
    return finding("scope_difference", f.message + why, fields=f.fields, evidence=f.evidence, difference=f.difference, tolerance=f.tolerance)


def check_arithmetic(summary: Summary, facts: list[Fact], ctx: Context, execution: list[ExecutionEntry]) -> list[Finding]:
    findings: list[Finding] = []
    s = summary

    def ev(*fields: str) -> list[Evidence]:
        out = []
        for f in fields:
            out.extend(_field_path(facts, f, getattr(s, f)))
        return out

    for total_field, part_fields, what in _SUMS:
        total = getattr(s, total_field)
        parts = {f: getattr(s, f) for f in part_fields if getattr(s, f) is not None}
        if total is None or len(parts) < len(part_fields):
            continue  # a part not stated cannot be assumed to be 0
        if total_field == "three_public_total" and any(total in (e.budget_initial, e.budget_final) for e in execution if "三公" in e.item):
            continue  # a final account's “三公” budget set beside the actual parts: budget and actual are not summed
        finding = _sum_finding(total_field, total, parts, what, ev(total_field, *parts))
        if finding:
            findings.append(finding)

    if s.expenditure_total is not None and s.basic_expenditure is not None and s.project_expenditure is not None:
        parts = {"basic_expenditure": s.basic_expenditure, "project_expenditure": s.project_expenditure}
        if s.reserve_expenditure is not None:
            parts["reserve_expenditure"] = s.reserve_expenditure
        finding = _sum_finding("expenditure_total", s.expenditure_total, parts, "basic + project (+ reserve) expenditure", ev("expenditure_total", *parts))
        if finding and finding.code == "sum_mismatch" and any(
                abs(finding.difference - c) <= ROUNDING * len(parts) for c in _carried_forward(ctx)):
            # the total holds the year-end carry-forward (年终结转结余 108.27万元) beside them
            finding = _as_scope(finding, "; the difference is the year-end carry-forward the document states")
        if finding:
            findings.append(finding)

    if s.basic_expenditure is not None and s.personnel_expenditure is not None and s.public_expenditure is not None:
        parts = {"personnel_expenditure": s.personnel_expenditure, "public_expenditure": s.public_expenditure}
        finding = _sum_finding("basic_expenditure", s.basic_expenditure, parts, "personnel + public expenditure", ev("basic_expenditure", *parts))
        if finding and finding.code == "sum_mismatch":
            # Some templates state basic expenditure for all funds and personnel/public
            # for the fiscal appropriation only; a fiscal basic figure that matches is a
            # difference of scope, not an error.
            computed = s.personnel_expenditure + s.public_expenditure
            fiscal = [f for f in facts if f.field == "expenditure.basic" and f.value == computed]
            if fiscal:
                finding = _as_scope(finding, f"; they equal the fiscal-appropriation basic expenditure stated at offset {fiscal[0].evidence.start}")
                finding.evidence.append(fiscal[0].evidence)
            elif computed < s.basic_expenditure:
                # parts short of the whole: the template keeps more in basic expenditure
                # (对个人和家庭的补助, 增人增资 beside 在职人员经费), no contradiction
                finding = _as_scope(finding, "; basic expenditure here holds more than 人员经费 and 公用经费 (e.g. 对个人和家庭的补助)")
        if finding:
            findings.append(finding)

    if s.function_classes and s.expenditure_total is not None:
        # the classes are of the table they were read from: all funds, the fiscal
        # appropriation or the 一般公共预算 alone; they are set against the nearest of those totals
        computed = sum(s.function_classes.values(), Decimal(0))
        totals = [(getattr(s, n), n) for n in ("expenditure_total", "fiscal_appropriation_total", "general_public_budget")
                  if getattr(s, n) is not None]
        total, name = min(totals, key=lambda t: abs(computed - t[0]))
        parts = {f"function_classes.{k}": v for k, v in s.function_classes.items()}
        finding = _sum_finding(name, total, parts, "function classes", ev(name) + _evidence(facts, list(parts)))
        from_text = any(f.source == "narrative" for f in facts if f.field in parts)
        if finding and finding.code == "sum_mismatch" and from_text and computed < total:
            # a narrative may name only its largest classes (1．公共安全（类）支出…): short of the total is no error
            finding = _as_scope(finding, "; the text names these classes, perhaps not all of them")
        if finding:
            findings.append(finding)

    findings.extend(_change_checks(facts))
    findings.extend(_share_checks(summary, ctx))
    return findings


# "基本支出167.85万元，占47.19%" / "占本年支出合计的100%" / "占全年支出92.18%"
# the words after 占 that name the whole revenue or expenditure (本年支出预算, 收入总计 …)
_WHOLE = regex.compile(r"^(?:本年|本部门|部门|单位|全部|全年)?(?:总)?(?:收入|支出)(?:预算)?(?:总计|合计|总额|总数)?$")
_SHARE = regex.compile(r"^[,，]?占(?P<base>[^,，。;；%\d]{0,12}?)(?:的)?$")


_CARRY_FORWARD = regex.compile(r"(?:年终结转(?:结余)?|结转下年|年末结转(?:和结余)?)(?:资金)?(?:预算)?(?:为)?")


def _carried_forward(ctx: Context) -> set[Decimal]:
    """Year-end carry-forward amounts the text states (（三）年终结转结余资金108.27万元)."""
    out = set()
    for m in _CARRY_FORWARD.finditer(ctx.norm.folded):
        money = ctx.first_after("MONEY", m.end())
        if money is not None and money.start_char - m.end() <= 2:
            out.add(money._.value)
    return out


def _share_checks(s: Summary, ctx: Context) -> list[Finding]:
    """Each stated share (amount, 占 x%) against amount / total: the total is the revenue
    or the expenditure total, as the words after 占 or the section say."""
    out = []
    for pct in ctx.spans.get("PERCENT", []):
        money = ctx.last_before("MONEY", pct.start_char)
        if money is None or pct.start_char - money.end_char > 16 or ctx.excluded(pct.start_char):
            continue
        m = _SHARE.match(ctx.norm.folded[money.end_char : pct.start_char])
        if m is None:
            continue
        words, kinds = m.group("base"), ctx.kinds_at(money.start_char)
        if words and not _WHOLE.match(words):
            continue  # a share of something narrower (占一般公共预算项目支出总额的…)
        if "收入" in words or (not words and "revenue" in kinds):
            base, name = s.revenue_total, "revenue_total"
        elif "支出" in words or (not words and kinds & {"expenditure", "budget_overview"}):
            base, name = s.expenditure_total, "expenditure_total"
        else:
            continue
        if not base:
            continue
        stated = pct._.value
        places = max(0, -stated.as_tuple().exponent)
        tolerance = max(PCT_ROUNDING, Decimal(1).scaleb(-places) / 2)
        # 本年支出 may leave out the year-end carry-forward the total holds: basic + project
        bases = [base] + ([s.basic_expenditure + s.project_expenditure + (s.reserve_expenditure or 0)]
                          if name == "expenditure_total" and s.basic_expenditure and s.project_expenditure else [])
        computed = percent(money._.value, base)
        if computed is None or any(abs(stated - p) <= tolerance for b in bases if (p := percent(money._.value, b)) is not None):
            continue
        out.append(finding(
            "share_mismatch", f"{money.text} of {name} {base} is {computed}%, the document says {stated}%",
            fields=[name], difference=stated - computed, tolerance=tolerance,
            evidence=[ctx.evidence(money.start_char, pct.end_char)],
        ))
    return out


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part of whole in percent, to 0.01; None where no percentage can be printed (a figure of
    thirty digits over a cent, or 0.0000001元 of a total: past Decimal's precision)."""
    try:
        return (part / whole * 100).quantize(Decimal("0.01"))
    except (InvalidOperation, ZeroDivisionError):
        return None


def _within_figures_rounding(change: Decimal, prior: Decimal, stated: Decimal, tolerance: Decimal) -> bool:
    """The percentage was computed from the exact figures, which the document prints rounded
    to 0.01 each: the change by up to half a cent, the prior (current − change) by a cent."""
    half = Decimal("0.005")
    low, high = sorted([(abs(change) - half) / (prior + 2 * half), (abs(change) + half) / max(prior - 2 * half, half)])
    return low * 100 - tolerance <= abs(stated) <= high * 100 + tolerance


def _change_checks(facts: list[Fact]) -> list[Finding]:
    """A stated change % against its amount: prior = current − change, pct = change / prior."""
    out = []
    by_field = {f.field: f for f in facts}
    for f in facts:
        if not (f.field.startswith("changes.") and f.field.endswith(".amount")):
            continue
        base = f.field[len("changes.") : -len(".amount")]
        pct = by_field.get(f"changes.{base}.pct")
        current = next((c for c in facts if c.field == base and isinstance(c.value, Decimal) and c.evidence.end <= f.evidence.start), None)
        if pct is None or current is None or not isinstance(f.value, Decimal):
            continue
        prior = current.value - f.value
        if prior <= 0:
            continue
        computed = percent(f.value, prior)
        if computed is None:
            continue
        diff = pct.value - computed
        # a percentage printed as 22% or 54.9% is rounded to its last digit
        printed_places = max(0, -pct.value.as_tuple().exponent)
        tolerance = max(PCT_ROUNDING, Decimal(1).scaleb(-printed_places) / 2)
        if abs(diff) <= tolerance or _within_figures_rounding(f.value, prior, pct.value, tolerance):
            continue
        out.append(finding(
            "change_pct_mismatch", f"{base}: change {f.value} on a prior {prior} is {computed}% but the document says {pct.value}%",
            fields=[f.field, pct.field], difference=diff, tolerance=tolerance,
            evidence=[current.evidence, f.evidence, pct.evidence],
        ))
    return out
