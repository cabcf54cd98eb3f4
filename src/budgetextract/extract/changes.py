"""Changes against last year: 增加/减少/持平 with the amount, the percentage and the reason."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

import regex

from .. import vocab
from ..findings import finding
from ..schema import Evidence, Fact, Finding
from ..segment import section_at, walk
from .context import Context
from .fields import specs

# how far after a figure its change may start, and how far after the change its reason
_CHANGE_WINDOW = 80
_REASON_WINDOW = 400
_ROUNDING = Decimal("0.02")  # two figures each rounded to 0.01


@dataclass
class Change:
    sign: int | None
    amount: Decimal | None
    amount_raw: str | None
    pct: Decimal | None
    pct_raw: str | None
    start: int
    end: int
    amount_end: int | None = None
    pct_end: int | None = None
    placeholder: bool = False
    base: Decimal | None = None  # the figure compared against, where the sentence prints it
    against: str | None = None  # the words of the comparison (比2025年年初预算数28479.84万元)


class _Patterns(NamedTuple):
    anchors: list[regex.Pattern]  # where the headline total is stated with its change
    comparison: regex.Pattern
    percent_lead: regex.Pattern
    enumeration: regex.Pattern
    placeholder: regex.Pattern  # template text (patterns/wording.json), also what the wording check reports


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = vocab.load("fields")["total_change"]
    return _Patterns([regex.compile(a) for a in data["anchors"]], regex.compile(data["comparison"]), regex.compile(data["percent_lead"]),
                     regex.compile(data["enumeration"]), regex.compile(vocab.load("wording")["placeholder"]))


def ends_a_list(ctx: Context, anchor: int) -> bool:
    """The figure is the last part listed after its total (…万元，其中：A X万元、B Y万元，较上年减少Z):
    a change stated after the list is the total's, not this part's."""
    text = ctx.norm.folded
    return bool(_list_end().search(text, ctx.sentence_start(anchor), anchor))


@lru_cache(maxsize=1)
def _list_end() -> regex.Pattern:
    return regex.compile(vocab.load("fields")["total_change"]["list_end"])


def parse_change(ctx: Context, pos: int, follow_next_sentence: bool = False, total: Decimal | None = None) -> Change | None:
    """The change stated after pos in the rest of its sentence. For a headline total,
    also in a later sentence of its paragraph that opens with a comparison (与上年相比 …);
    for any other figure such a sentence may speak of the total, so it is not taken."""
    p = _patterns()
    comparison, percent_lead, placeholder = p.comparison, p.percent_lead, p.placeholder
    text = ctx.norm.folded
    end = ctx.sentence_end(pos)
    if follow_next_sentence and not ctx.between("CHANGE", pos, end):
        # a later sentence of the paragraph that opens with the comparison (…万元。按支出功能
        # 分类，…。比2025年增加…), past sentences that state no change of their own
        paragraph_end = text.find("\n", end) if "\n" in text[end:] else len(text)
        previous, start = end, end
        while start < paragraph_end and not ctx.between("CHANGE", previous, start):
            if comparison.match(text, start) or text.startswith("与", start):
                pos, end = start, ctx.sentence_end(start)
                break
            previous, start = start, ctx.sentence_end(start)
    parts_end = _parts_listed(text, pos, end)
    end = min(end, (parts_end or pos) + _CHANGE_WINDOW)
    for word in ctx.between("CHANGE", pos, end):
        between = [m for m in ctx.between("MONEY", pos, word.start_char) if total is None or m._.value != total]
        if any(not _is_base(ctx, m) and (parts_end is None or m.end_char > parts_end) for m in between):
            # another figure stands between: the change is that one's (the total restated,
            # 其中：一般公共预算拨款 9,216.51 of 9,216.51, is the total; a list of its parts
            # right after it, 其中：A X万元、B Y万元，较上年减少Z, leaves the change to the total)
            return None
        window = max(ctx.sentence_start(word.start_char), word.start_char - 40)
        compared = comparison.search(text, window, word.start_char)
        if not compared:
            continue
        sign = word._.value
        change = Change(sign=sign, amount=None, amount_raw=None, pct=None, pct_raw=None, start=word.start_char, end=word.end_char,
                        base=next((m._.value for m in reversed(between) if _is_base(ctx, m)), None),
                        against=ctx.norm.text[compared.start() : word.start_char].rstrip("，, "))
        if placeholder.search(text, max(0, word.start_char - 3), word.end_char + 8):
            change.placeholder = True
            return change
        money = ctx.first_after("MONEY", word.end_char)
        if money is not None and money.start_char - word.end_char <= 1 and money.start_char < end:
            if sign == 0:
                change.amount = Decimal(0)
            elif sign is not None:
                change.amount = sign * money._.value
            change.amount_raw, change.end = money.text, money.end_char
            change.amount_end = money.end_char
        elif sign == 0:
            change.amount = Decimal(0)
        pct = ctx.first_after("PERCENT", change.end)
        if pct is not None and pct.start_char < end:
            lead = text[change.end : pct.start_char]
            if lead == "" and change.amount_raw is None or percent_lead.match(lead):
                words = ctx.between("CHANGE", change.end, pct.start_char)
                pct_sign = words[-1]._.value if words else sign
                if pct_sign is not None:
                    change.pct = pct_sign * pct._.value if pct_sign else Decimal(0)
                    change.pct_raw, change.end, change.pct_end = pct.text, pct.end_char, pct.end_char
        if change.amount is None and change.pct is not None:
            # the amount after the percentage: 比上年增长8.82%，增加100万元
            again = next(iter(ctx.between("CHANGE", change.end, end)), None)
            money = ctx.first_after("MONEY", again.end_char) if again is not None else None
            if money is not None and again._.value == sign and sign and regex.fullmatch(r"[,，]?", text[change.end : again.start_char]) \
                    and money.start_char == again.end_char and money.start_char < end:
                change.amount, change.amount_raw, change.amount_end, change.end = sign * money._.value, money.text, money.end_char, money.end_char
        return change
    return None


_PARTS_OPEN = regex.compile(r"[,，]?\s*其中[:：]")
_CLAUSE_STOP = regex.compile(r"(?<!\d),|,(?!\d)|[，;；。]")  # not the comma inside 324,638.50


def _parts_listed(text: str, pos: int, end: int) -> int | None:
    """Where a list of two or more parts that opens right after a figure (，其中：A X万元、B Y万元)
    ends, or None."""
    m = _PARTS_OPEN.match(text, pos)
    if m is None:
        return None
    stop = _CLAUSE_STOP.search(text, m.end(), end)
    list_end = stop.start() if stop else end
    return list_end if "、" in text[m.end() : list_end] else None


def _is_base(ctx: Context, money) -> bool:
    """A figure compared against (比2025年年初预算数14708.87万元增加…) is the base of the
    change that follows, not a figure of its own."""
    comparison = _patterns().comparison
    before = ctx.norm.folded[max(0, money.start_char - 16) : money.start_char]
    return bool(comparison.search(before)) and not regex.search(r"[,;。]", before[comparison.search(before).start():])


def reason_after(ctx: Context, pos: int, limit: int | None = None) -> tuple[str, int, int] | None:
    """The reason given after a change: text after 主要原因是 / 主要是 / 增加原因， … to the
    end of its sentence; an enumeration (一是…二是…) runs to the end of the paragraph."""
    enumeration = _patterns().enumeration
    text = ctx.norm.text
    stop = min(len(text), limit if limit is not None else pos + _REASON_WINDOW)
    for span in ctx.between("REASON", pos, stop):
        start, end = span._.group
        if enumeration.match(ctx.norm.folded, start):
            para_end = text.find("\n", start)
            end = para_end if para_end != -1 else len(text)
            body = text[start:end]
            cut = regex.search(r"。(?:其中[:：]?|包括[:：]?)$", body)
            if cut:
                end = start + cut.start()
        reason = text[start:end].strip(" ，,：:；;。")
        if reason:
            return reason, span.start_char, end
    return None


def change_facts(ctx: Context, path: str, change: Change) -> list[Fact]:
    facts = []
    if change.amount is not None:
        facts.append(
            Fact(field=f"changes.{path}.amount", value=change.amount, unit="万元", raw=change.amount_raw or ctx.norm.text[change.start : change.end],
                 section=ctx.section_label(change.start), evidence=_compared(ctx.evidence(change.start, change.amount_end or change.end), change))
        )
    if change.pct is not None:
        facts.append(
            Fact(field=f"changes.{path}.pct", value=change.pct, unit="%", raw=change.pct_raw or "",
                 section=ctx.section_label(change.start), evidence=ctx.evidence(change.start, change.pct_end or change.end))
        )
    return facts


def _compared(evidence: Evidence, change: Change) -> Evidence:
    """A change's evidence labelled with what it is against, so a reader (or a check across
    documents) sees the base: last year's budget, its execution or its final account."""
    if change.against:
        evidence.label = f"against: {change.against}"
    return evidence


def headline_change(ctx: Context) -> tuple[Change | None, tuple[str, int, int] | None, list[Finding]]:
    """The change of the headline total, from the first anchor (in rank order) that has
    one. Where that statement gives no reason, a later statement of the same change
    (财政拨款收、支总计各增加… 主要原因是…) may."""
    anchors = _patterns().anchors
    text = ctx.norm.folded
    findings: list[Finding] = []
    chosen: Change | None = None
    for anchor in anchors:
        for m in anchor.finditer(text):
            if ctx.excluded(m.start()):
                continue
            pos = m.end()
            own = ctx.first_after("MONEY", pos)
            if own is not None and _names(text[pos : own.start_char]) and not ctx.between("CHANGE", pos, own.start_char):
                pos = own.end_char  # the total's own figure
            change = parse_change(ctx, pos, follow_next_sentence=True, total=own._.value if own is not None and own.end_char == pos else None)
            if change is None:
                continue
            if change.placeholder:
                findings.append(placeholder_finding(ctx, "total_change_amount", change))
                continue
            if own is not None and own.end_char == pos and not _adds_up(own._.value, change):
                findings.append(_misprinted_change(ctx, own, change))
                continue
            if chosen is not None and (change.amount != chosen.amount or change.start == chosen.start):
                continue
            next_heading = min((s.start for s in _sections_after(ctx, change.end)), default=None)
            reason = reason_after(ctx, change.end, next_heading) or _reason_item(ctx, change.start)
            if chosen is None:
                chosen = change
            if reason is not None:
                return chosen, reason, findings
    return chosen, None, findings


def _names(gap: str) -> bool:
    """Only words that name a figure stand between the anchor and it (:2026年年初预算数)."""
    _, gap_re, max_gap, _ = specs()
    return len(gap) <= max_gap and bool(gap_re.fullmatch(gap))


def _adds_up(total: Decimal | None, change: Change) -> bool:
    """Total − base = change, to the rounding of two printed figures, where all three are printed."""
    if total is None or change.base is None or change.amount is None:
        return True
    return abs(total - change.base - change.amount) <= _ROUNDING


def _misprinted_change(ctx: Context, own, change: Change) -> Finding:
    return finding(
        "change_amount_mismatch",
        f"the total {own._.value} against {change.base} is a change of {own._.value - change.base}, but the document says {change.amount}; that statement is not used",
        fields=["total_change_amount"], difference=change.amount - (own._.value - change.base), tolerance=_ROUNDING,
        evidence=[ctx.evidence(own.start_char, change.amount_end or change.end)],
    )


def _reason_item(ctx: Context, pos: int) -> tuple[str, int, int] | None:
    """The reason given as an item of its own under the change's heading
    (（三）增减变化情况 … 3.收支预算增加的主要原因，一是…)."""
    chain = section_at(ctx.sections, pos)
    if not chain:
        return None
    for child in chain[-1].children:
        if child.start > pos and "原因" in child.title:
            return reason_after(ctx, child.start, child.end)
    return None


def _sections_after(ctx: Context, pos: int):
    return (s for s in walk(ctx.sections) if s.start > pos)


def placeholder_finding(ctx: Context, field: str, change: Change) -> Finding:
    return finding(
        "template_placeholder",
        f"{field}: the template's placeholder was left unfilled; the change is not reported",
        fields=[field],
        evidence=[ctx.evidence(max(0, change.start - 10), change.end + 12)],
    )
