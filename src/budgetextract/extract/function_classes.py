"""Expenditure by function class (类) from the narrative: 社会保障和就业(类)支出328.03万元."""

from __future__ import annotations

from decimal import Decimal

import regex

from ..findings import finding
from ..schema import Fact, Finding
from .context import Context

# Sections whose class amounts are the department's spending, best first: all funds
# before fiscal appropriation. Fund and state-capital sections list their own classes.
_RANK = ["budget_overview", "expenditure", "fiscal_appropriation", "general_public_budget", "explanation", "other_matters", "other"]
_NOT_HERE = {"government_fund", "state_capital", "three_public", "performance", "procurement", "assets", "operating_costs", "revenue"}
_GAP = regex.compile(r"(?:[:,])?(?:年初)?(?:预算数?|支出|安排)?(?:为|是)?")


def _rank(ctx: Context, offset: int) -> int | None:
    kinds = ctx.kinds_at(offset)
    if kinds & _NOT_HERE:
        return None
    ranks = [_RANK.index(k) for k in kinds if k in _RANK]
    return min(ranks) if ranks else len(_RANK)


def extract_function_classes(ctx: Context) -> tuple[dict[str, Decimal] | None, list[Fact], list[Finding]]:
    text = ctx.norm.folded
    best: dict[str, tuple[int, Decimal, Fact]] = {}
    conflicts: dict[str, list[Fact]] = {}
    facts: list[Fact] = []
    for span in ctx.spans.get("FUNC_CLASS", []):
        start, end = span.start_char, span.end_char
        printed = text[start:end]
        if "支出" not in printed and "(类)" not in printed:
            continue  # a bare stem (其他, 金融) is not a class name
        if ctx.excluded(start) or text[max(0, start - 2) : start] == "其他" or text[end : end + 1] == "-":
            continue
        rank = _rank(ctx, start)
        if rank is None:
            continue
        money = ctx.first_after("MONEY", end)
        if money is None or money.start_char - end > 8 or not _GAP.fullmatch(text[end : money.start_char]):
            continue
        name = span._.value
        fact = Fact(
            field=f"function_classes.{name}", value=money._.value, unit="万元", raw=money.text,
            section=ctx.section_label(start), evidence=ctx.evidence(start, money.end_char),
        )
        facts.append(fact)
        held = best.get(name)
        if held is None or rank < held[0]:
            best[name] = (rank, money._.value, fact)
            conflicts.pop(name, None)
        elif rank == held[0] and money._.value != held[1]:
            conflicts.setdefault(name, [held[2]]).append(fact)

    findings = [
        finding(
            "conflicting_values", f"function_classes.{name}: stated as {', '.join(str(f.value) for f in fs)}; left out",
            fields=[f"function_classes.{name}"], evidence=[f.evidence for f in fs],
        )
        for name, fs in conflicts.items()
    ]
    # A class stated as 0 is a template line, not spending: the contract lists spending classes.
    classes = {name: value for name, (_, value, _) in best.items() if name not in conflicts and value != 0}
    return (classes or None), facts, findings
