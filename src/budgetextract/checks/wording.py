"""Words left wrong: template text never filled in, a figure or its unit missing,
punctuation printed twice."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from .. import vocab
from ..schema import Finding
from ..findings import finding

if TYPE_CHECKING:
    from ..extract.context import Context

_CONTEXT = 12  # characters of evidence either side of what was found


@lru_cache(maxsize=1)
def _patterns() -> dict[str, regex.Pattern]:
    data = vocab.load("wording")
    return {name: regex.compile(data[name]) for name in ("placeholder", "no_figure", "doubled", "unitless_change", "unitless_pct",
                                                          "empty_statement")}


def _around(ctx: Context, start: int, end: int):
    line_start = ctx.norm.text.rfind("\n", 0, start) + 1
    line_end = ctx.norm.text.find("\n", end)
    line_end = len(ctx.norm.text) if line_end == -1 else line_end
    return ctx.evidence(max(line_start, start - _CONTEXT), min(line_end, end + _CONTEXT))


def check_wording(ctx: Context) -> list[Finding]:
    """One finding a distinct text (J15's template leaves 增加（减少） in eleven places),
    with every place as evidence."""
    p, text = _patterns(), ctx.norm.folded
    places: dict[tuple[str, str], list] = {}

    def add(code: str, what: str, start: int, end: int) -> None:
        places.setdefault((code, what), []).append(_around(ctx, start, end))

    for m in p["placeholder"].finditer(text):
        add("template_placeholder", f"template text left unfilled: “{ctx.norm.text[m.start():m.end()]}”", m.start(), m.end())
    for m in p["no_figure"].finditer(text):
        add("template_placeholder", f"a figure is missing: “{ctx.norm.text[m.start():m.end()]}” has none", m.start(), m.end())
    for m in p["doubled"].finditer(text):
        add("doubled_punctuation", f"“{ctx.norm.text[m.start():m.end()]}” printed twice", m.start(), m.end())
    for m in p["unitless_change"].finditer(text):
        if not ctx.excluded(m.start()):
            add("missing_unit", f"{m.group('word')}{m.group('figure')} has no unit: 万元 or %?", m.start("word"), m.end("figure"))
    for m in p["unitless_pct"].finditer(text):
        if not ctx.excluded(m.start()):
            add("missing_unit", f"“{ctx.norm.text[m.start():m.end()]}”: the percentage {m.group('figure')} has no %", m.start(), m.end())
    for m in p["empty_statement"].finditer(text):
        if not ctx.excluded(m.start()):
            add("template_placeholder", f"a sentence left unfilled: “{ctx.norm.text[m.start():m.end()]}” states nothing", m.start(), m.end())
    return [finding(code, what + (f" ({len(evidence)} places)" if len(evidence) > 1 else ""), evidence=evidence)
            for (code, what), evidence in places.items()]
