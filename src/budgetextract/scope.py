"""What a figure covers — its fund, unit, period and whether it is one part of something
larger — read once from the headings it stands under and the clause before it.

Extractors let only the department's own figures compete for a summary key, and checks
set a figure only against one of the same scope: a sub-unit's 人员经费 is not a second
statement of the department's, nor a class's line a rival to the class's total.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

import regex

from . import vocab
from .normalize import NormalizedText
from .schema import Scope, Section
from .segment import section_at, walk


class _Patterns(NamedTuple):
    unit_title: regex.Pattern
    class_item: regex.Pattern
    part_clause: regex.Pattern
    funds: list[tuple[regex.Pattern, str]]
    periods: list[tuple[regex.Pattern, str]]
    fund_sections: dict[str, str]
    unit_subject: regex.Pattern
    not_a_unit: regex.Pattern
    part_prefix: regex.Pattern
    part_phrase: regex.Pattern
    part_kinds: regex.Pattern
    not_included: regex.Pattern
    budget_basis: regex.Pattern
    fund_budget_names: regex.Pattern


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = vocab.load("scope")
    named = {k: regex.compile(data[k]) for k in ("unit_title", "class_item", "part_clause", "unit_subject", "not_a_unit",
                                                  "part_prefix", "part_phrase", "part_kinds", "not_included",
                                                  "budget_basis", "fund_budget_names")}
    return _Patterns(**named, funds=[(regex.compile(p), fund) for p, fund in data["funds"]],
                     periods=[(regex.compile(p), period) for p, period in data["periods"]], fund_sections=data["fund_sections"])


def carryover_in_fund_figures(folded: str) -> bool:
    """The document says its fund figures include last year's carry-over (结转金额已纳入相应
    性质的资金收入中): they are not the current year's."""
    return bool(regex.search(vocab.load("fields")["carryover_in_fund_figures"], folded))


def clause_start(text: str, pos: int) -> int:
    """Where the clause holding pos begins (after the last 。 ; or line break). Each mark is
    looked for only after the line's start: a text without ; would be searched back to its
    beginning for every figure."""
    start = text.rfind("\n", 0, pos) + 1
    for mark in "。;":
        start = max(start, text.rfind(mark, start, pos) + 1)
    return start


def _nearest(words: str, named: list[tuple[regex.Pattern, str]]) -> str | None:
    """What the words name nearest their end (…一般公共预算拨款X万元、政府性基金预算拨款 → 政府性基金)."""
    best, best_end = None, -1
    for pattern, name in named:
        for m in pattern.finditer(words):
            if m.end() > best_end:
                best, best_end = name, m.end()
    return best


def fund_in(words: str) -> str | None:
    """The one fund that words name (一般公共预算拨款收入 → 一般公共预算), if any."""
    return _nearest(words, _patterns().funds)


def period_in(words: str) -> str | None:
    return _nearest(words, _patterns().periods)


def _short_ending(name: str) -> str:
    endings = vocab.load("scope")["short_endings"]
    return next((name.removesuffix(full) + short for full, short in endings.items() if name.endswith(full)), name)


def abbreviates(short: str, name: str) -> bool:
    """short is name, or name shortened by leaving characters out but keeping the kind of
    organisation it ends on (省检察院 of 江苏省人民检察院, 市民政局 of 西安市民政局, 市委军民融合办
    of 中共北京市委军民融合发展委员会办公室)."""
    short, name = _short_ending(short), _short_ending(name)
    ending = 1 if short[-1:] in vocab.load("scope")["short_endings"].values() else 2
    if len(short) < 3 or short[-ending:] != name[-ending:]:
        return False
    rest = iter(name)
    return all(ch in rest for ch in short)


@dataclass
class ScopeReader:
    norm: NormalizedText
    sections: list[Section]
    department: str | None = None
    actuals: bool = False  # a final account: its figures are actuals, unless their words say 预算

    def _is_department(self, name: str) -> bool:
        """The department named again, in full or shortened (市民政局 for 西安市民政局)."""
        bare = regex.sub(r"[(（]?本级[)）]?$", "", name)
        return bool(_patterns().not_a_unit.search(bare)) or (self.department is not None and (
            abbreviates(bare, self.department) or bare.endswith(self.department)))

    @cached_property
    def _units(self) -> dict[int, str]:
        """Section start → unit name, for headings that name one unit among two or more
        siblings that do (一、深圳市司法局（本级） 二、深圳市法律援助中心 …). A lone unit heading is
        the department itself."""
        unit_title = _patterns().unit_title
        out: dict[int, str] = {}

        def visit(siblings: list[Section]) -> None:
            named = [(s, unit_title.match(s.title)) for s in siblings]
            named = [(s, m) for s, m in named if m]
            if len(named) >= 2:
                for s, m in named:
                    out[s.start] = m.group("name") + ("（本级）" if m.group("own") else "")
            for s in siblings:
                visit(s.children)

        visit(self.sections)
        return out

    @cached_property
    def _classes(self) -> set[int]:
        """Starts of sections headed by a classified item (进修及培训（20508）102.32万元)."""
        class_item = _patterns().class_item
        return {s.start for s in walk(self.sections) if class_item.search(s.title)}

    def _one_kind_of_several(self, clause: str, start: int) -> bool:
        """The clause ends on one kind (行政编制) where its sentence names others too (事业编制):
        one kind alone (核定事业编制26名) is all there is."""
        kind = _patterns().part_phrase.search(clause)
        if kind is None:
            return False
        text = self.norm.folded
        end = text.find("。", start)
        sentence = text[text.rfind("。", 0, start) + 1 : end if end != -1 else len(text)]
        return len({m.group() for m in _patterns().part_kinds.finditer(sentence)}) > 1

    def at(self, anchor: int, words_end: int | None = None) -> Scope:
        """The scope of a figure whose phrase begins at anchor (its clause read up to
        words_end, the figure's start, where given)."""
        chain = section_at(self.sections, anchor)
        unit = next((self._units[s.start] for s in reversed(chain) if s.start in self._units), None)
        part = next((s.title for s in reversed(chain) if s.start in self._classes and s.start != anchor), None)
        text = self.norm.folded
        start = clause_start(text, anchor)
        clause = text[start : words_end if words_end is not None else anchor]
        if unit is None:
            subject = _patterns().unit_subject.search(text, start, anchor)
            if subject and not self._is_department(subject.group("name")):
                unit = subject.group("name")
        before = text[start:anchor]
        if part is None and (_patterns().part_clause.search(before) or _patterns().part_prefix.search(before) or self._one_kind_of_several(clause, start)):
            part = clause
        fund = fund_in(clause)
        if fund is None:
            fund_sections = _patterns().fund_sections
            fund = next((fund_sections[s.kind] for s in reversed(chain) if s.kind in fund_sections), None)
        basis = self._basis(text[anchor:words_end]) if self.actuals and words_end is not None else None
        return Scope(fund=fund, unit=unit, period=period_in(clause), part_of=part, basis=basis)

    @staticmethod
    def _basis(label: str) -> str | None:
        """预算数 where a final account's label ends on the budget (支出预算为…, 决算数 after it
        in another figure), judged by the last of 预算 and 决算 once funds' names are out."""
        words = [m.group() for m in _patterns().budget_basis.finditer(_patterns().fund_budget_names.sub("", label))]
        return "预算数" if words and words[-1] == "预算" else None


def table_scope(title: str, kind: str) -> Scope:
    """What a table's figures cover, from its title (一般公共预算基本支出表 → that fund, the
    basic-expenditure part; …（不含上年结转） says nothing of the carry-over)."""
    words = _patterns().not_included.sub("", title)
    part = "基本支出" if kind.startswith("basic") or "基本支出" in words else None
    return Scope(fund=fund_in(words), period=period_in(words), part_of=part)
