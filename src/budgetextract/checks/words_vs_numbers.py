"""Words against the figures they describe: 增加 where the figures fall, 持平 where they
change, 决算数大于预算数 where the actual is the smaller."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple
from typing import TYPE_CHECKING

import regex

from .. import vocab
from ..amounts import parse_money, parse_number
from ..schema import ExecutionEntry, Finding
from ..findings import finding

if TYPE_CHECKING:
    from ..extract.context import Context

_ROUNDING = Decimal("0.01")  # two figures each printed to 0.01 万元
_NEAR = 80  # a comparison speaks of the figures stated at most this far before it, on its line


class _Patterns(NamedTuple):
    prior_stated: regex.Pattern
    execution_comparison: regex.Pattern
    steady_with_change: regex.Pattern
    direction: dict[str, int]  # a change word → its sign
    comparison: dict[str, int]  # a comparison word → the sign of actual − budget it says


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = vocab.load("wording")
    return _Patterns(regex.compile(data["prior_stated"]), regex.compile(data["execution_comparison"]),
                     regex.compile(data["steady_with_change"]), data["direction"], data["comparison"])


def check_words_vs_numbers(ctx: Context, execution: list[ExecutionEntry]) -> list[Finding]:
    return [*_against_prior(ctx), *_against_budget(ctx, execution), *_steady_with_change(ctx)]


def _sign(value: Decimal) -> int:
    return 0 if abs(value) <= _ROUNDING else (1 if value > 0 else -1)


def _against_prior(ctx: Context) -> list[Finding]:
    """X万元，比上年Y万元增加Z万元: the word, and the change, against X − Y."""
    prior_stated, direction = _patterns().prior_stated, _patterns().direction
    out = []
    text = ctx.norm.folded
    for m in prior_stated.finditer(text):
        current = ctx.last_before("MONEY", m.start())
        if current is None or "。" in text[current.end_char : m.start()] or "\n" in text[current.end_char : m.start()]:
            continue
        prior = parse_money(m.group("prior") + m.group("unit"))
        if prior is None or ctx.excluded(m.start()):
            continue
        word, diff = m.group("word"), current._.value - prior
        sign = direction[word]
        evidence = [ctx.evidence(current.start_char, m.end())]
        if sign == 0 and _sign(diff) != 0:
            out.append(finding("steady_mismatch", f"“{word}” but {current._.value} against {prior} is a change of {diff}",
                               difference=diff, evidence=evidence))
        elif sign != 0 and diff * sign < 0:
            out.append(finding("direction_mismatch", f"“{word}” but {current._.value} against {prior} is a change of {diff}",
                               difference=diff, evidence=evidence))
        elif sign != 0:
            stated = ctx.first_after("MONEY", m.end())
            if stated is not None and stated.start_char == m.end() and abs(sign * stated._.value - diff) > _ROUNDING:
                out.append(finding("change_amount_mismatch",
                                   f"{current._.value} against {prior} is a change of {diff}, the document says {word}{stated.text}",
                                   difference=sign * stated._.value - diff, tolerance=_ROUNDING,
                                   evidence=[ctx.evidence(current.start_char, stated.end_char)]))
    return out


def _budget_of(entry: ExecutionEntry, of: str | None) -> Decimal | None:
    if of == "年初":
        return entry.budget_initial
    if of:
        return entry.budget_final
    stated = {b for b in (entry.budget_initial, entry.budget_final) if b is not None}
    return stated.pop() if len(stated) == 1 else None  # two budgets, and the words do not say which


def _against_budget(ctx: Context, execution: list[ExecutionEntry]) -> list[Finding]:
    """决算数大于/小于/等于(年初/全年)预算数 against the entry stated just before it."""
    comparison, signs = _patterns().execution_comparison, _patterns().comparison
    text = ctx.norm.folded
    narrative = [e for e in execution if e.source == "narrative"]
    out = []
    for m in comparison.finditer(text):
        before = [e for e in narrative if e.evidence.start <= m.start() and m.start() - e.evidence.end <= _NEAR
                  and "\n" not in text[e.evidence.end : m.start()]]
        if not before:
            continue
        entry = max(before, key=lambda e: e.evidence.start)
        budget = _budget_of(entry, m.group("of") or m.group("of2"))
        if budget is None:
            continue
        word, diff = m.group("word"), entry.actual - budget
        # 大于/小于 compare the printed figures exactly; 等于/持平 allow their rounding
        if (signs[word] != 0 and diff * signs[word] < 0) or (signs[word] == 0 and _sign(diff) != 0):
            out.append(finding("comparison_mismatch",
                               f"{entry.item}: “决算数{word}预算数” but the actual {entry.actual} against the budget {budget} is a difference of {diff}",
                               difference=diff, evidence=[entry.evidence, ctx.evidence(m.start(), m.end())]))
    return out


def _steady_with_change(ctx: Context) -> list[Finding]:
    """持平 in the clause of a change that is not nil (增加5.00万元，与上年持平)."""
    steady = _patterns().steady_with_change
    out = []
    for m in steady.finditer(ctx.norm.folded):
        figure = parse_number(m.group("figure"))
        if figure is None or figure == 0 or ctx.excluded(m.start()):
            continue
        out.append(finding("steady_mismatch", f"“持平” said of a change of {m.group('figure')}",
                           evidence=[ctx.evidence(m.start(), m.end())]))
    return out
