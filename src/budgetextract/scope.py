"""What a figure covers — its fund, unit, period and whether it is one part of something
larger — read once from the headings it stands under and the clause before it.

Extractors let only the department's own figures compete for a summary key, and checks
set a figure only against one of the same scope: a sub-unit's 人员经费 is not a second
statement of the department's, nor a class's line a rival to the class's total.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import regex

from . import vocab
from .normalize import NormalizedText
from .schema import Scope, Section
from .segment import section_at, walk


@lru_cache(maxsize=1)
def _patterns():
    data = vocab.load("scope")
    return (
        regex.compile(data["unit_title"]),
        regex.compile(data["class_item"]),
        regex.compile(data["part_clause"]),
        [(regex.compile(p), fund) for p, fund in data["funds"]],
        [(regex.compile(p), period) for p, period in data["periods"]],
        data["fund_sections"],
    )


def clause_start(text: str, pos: int) -> int:
    """Where the clause holding pos begins (after the last 。 ; or line break)."""
    return max(text.rfind(p, 0, pos) for p in "。;\n") + 1


def fund_in(words: str) -> str | None:
    """The one fund that words name (一般公共预算拨款收入 → 一般公共预算), if any."""
    return next((fund for pattern, fund in _patterns()[3] if pattern.search(words)), None)


def period_in(words: str) -> str | None:
    return next((period for pattern, period in _patterns()[4] if pattern.search(words)), None)


@dataclass
class ScopeReader:
    norm: NormalizedText
    sections: list[Section]

    @cached_property
    def _units(self) -> dict[int, str]:
        """Section start → unit name, for headings that name one unit among two or more
        siblings that do (一、深圳市司法局（本级） 二、深圳市法律援助中心 …). A lone unit heading is
        the department itself."""
        unit_title = _patterns()[0]
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
        class_item = _patterns()[1]
        return {s.start for s in walk(self.sections) if class_item.search(s.title)}

    def at(self, anchor: int, words_end: int | None = None) -> Scope:
        """The scope of a figure whose phrase begins at anchor (its clause read up to
        words_end, the figure's start, where given)."""
        chain = section_at(self.sections, anchor)
        unit = next((self._units[s.start] for s in reversed(chain) if s.start in self._units), None)
        part = next((s.title for s in reversed(chain) if s.start in self._classes and s.start != anchor), None)
        text = self.norm.folded
        clause = text[clause_start(text, anchor) : words_end if words_end is not None else anchor]
        if part is None and _patterns()[2].search(clause):
            part = clause
        fund = fund_in(clause)
        if fund is None:
            fund_sections = _patterns()[5]
            fund = next((fund_sections[s.kind] for s in reversed(chain) if s.kind in fund_sections), None)
        return Scope(fund=fund, unit=unit, period=period_in(clause), part_of=part)
