"""What every extractor reads: the normalized text, its sections and its entities."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property

from ..nlp import Doc, Span
from ..normalize import NormalizedText
from ..schema import Evidence, Fact, Scope, Section
from ..scope import ScopeReader
from ..segment import section_at, walk


@dataclass
class Context:
    norm: NormalizedText
    sections: list[Section]
    doc: Doc
    excluded_kinds: frozenset[str]
    department: str | None = None
    actuals: bool = False  # a final account
    facts: list[Fact] = field(default_factory=list)

    @cached_property
    def spans(self) -> dict[str, list[Span]]:
        by_label: dict[str, list[Span]] = {}
        for span in sorted(self.doc.spans["budget"], key=lambda s: (s.start_char, -s.end_char)):
            by_label.setdefault(span.label_, []).append(span)
        return by_label

    @cached_property
    def _starts(self) -> dict[str, list[int]]:
        return {label: [s.start_char for s in spans] for label, spans in self.spans.items()}

    def _merged(self, but: str | None) -> tuple[list[int], list[int]]:
        """The excluded sections (less those of kind `but`) merged into disjoint spans, as their
        starts and ends: an offset is looked up by bisection, however many sections a long
        document has."""
        spans = sorted((s.start, s.end) for s in walk(self.sections) if s.kind in self.excluded_kinds and s.kind != but)
        starts: list[int] = []
        ends: list[int] = []
        for a, b in spans:
            if ends and a <= ends[-1]:
                ends[-1] = max(ends[-1], b)
            else:
                starts.append(a)
                ends.append(b)
        return starts, ends

    @cached_property
    def _excluded(self) -> dict[str | None, tuple[list[int], list[int]]]:
        return {}

    @cached_property
    def _scopes(self) -> ScopeReader:
        return ScopeReader(self.norm, self.sections, self.department, self.actuals)

    def scope(self, anchor: int, figure: int | None = None) -> Scope:
        """What the figure whose phrase starts at anchor covers (see scope.py)."""
        return self._scopes.at(anchor, figure)

    def excluded(self, offset: int, but: str | None = None) -> bool:
        """The offset stands in a section whose figures are not statements (a table of contents,
        a glossary, the tables), unless of the kind `but`."""
        if but not in self._excluded:
            self._excluded[but] = self._merged(but)
        starts, ends = self._excluded[but]
        i = bisect.bisect_right(starts, offset) - 1
        return i >= 0 and offset < ends[i]

    def kinds_at(self, offset: int) -> set[str]:
        return {s.kind for s in section_at(self.sections, offset)}

    def section_label(self, offset: int) -> str | None:
        chain = section_at(self.sections, offset)
        if not chain:
            return None
        parts = [s.number or s.title for s in chain]
        return "/".join(parts)

    def first_after(self, label: str, pos: int) -> Span | None:
        starts = self._starts.get(label, [])
        i = bisect.bisect_left(starts, pos)
        return self.spans[label][i] if i < len(starts) else None

    @cached_property
    def _by_end(self) -> dict[str, tuple[list[int], list[Span]]]:
        """Each label's entities by where they end (the longest first among those ending together)."""
        out = {}
        for label, spans in self.spans.items():
            ordered = sorted(spans, key=lambda s: (s.end_char, -s.start_char))
            out[label] = ([s.end_char for s in ordered], ordered)
        return out

    def last_before(self, label: str, pos: int) -> Span | None:
        """The entity of that label that ends closest before pos (by bisection: a scan per
        call made a document of many figures quadratic)."""
        ends, spans = self._by_end.get(label, ([], []))
        i = bisect.bisect_right(ends, pos)
        return spans[i - 1] if i else None

    def between(self, label: str, start: int, end: int) -> list[Span]:
        starts = self._starts.get(label, [])
        i = bisect.bisect_left(starts, start)
        out = []
        while i < len(starts) and starts[i] < end:
            out.append(self.spans[label][i])
            i += 1
        return out

    def evidence(self, start: int, end: int) -> Evidence:
        return self.norm.evidence(start, end)

    def sentence_start(self, pos: int) -> int:
        """Start of the sentence containing pos (after the last 。 or line break)."""
        text = self.norm.text
        line_start = text.rfind("\n", 0, pos) + 1
        return text.rfind("。", line_start, pos) + 1 or line_start

    def sentence_end(self, pos: int) -> int:
        """End of the sentence containing pos (after its 。, or at the line end)."""
        text = self.norm.text
        stops = [i for i in (text.find("。", pos), text.find("\n", pos)) if i != -1]
        end = min(stops) if stops else len(text)
        return end + 1 if end < len(text) and text[end] == "。" else end
