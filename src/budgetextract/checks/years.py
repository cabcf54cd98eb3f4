"""Years: a comparison with the document's own year, titles of another year, dates the
document cannot yet speak of."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from .. import vocab
from ..schema import Finding, Summary
from ..findings import finding
from .tables import Titles

if TYPE_CHECKING:
    from ..extract.context import Context


@lru_cache(maxsize=1)
def _patterns():
    data = vocab.load("wording")
    return (regex.compile(data["comparison_year"]), regex.compile(data["title"], regex.M), regex.compile(data["date"]),
            regex.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})年"))


def check_years(ctx: Context, summary: Summary, titles: Titles) -> list[Finding]:
    year = summary.fiscal_year
    if year is None:
        return []
    final = summary.doc_kind == "final_accounts"
    return [*_comparisons(ctx, year, final), *_titles(ctx, year, titles), *_dates(ctx, year, final)]


def _comparisons(ctx: Context, year: int, final: bool) -> list[Finding]:
    """A budget compares with the years before it; a final account also with its own
    year's budget (比2024年年初预算), never with a later year."""
    comparison, *_ = _patterns()
    out = []
    for m in comparison.finditer(ctx.norm.folded):
        base = int(m.group("year"))
        if base > year or (base == year and not final):
            out.append(finding("comparison_year", f"a {year} {'final account' if final else 'budget'} compares with {base}: “{m.group()}”",
                               evidence=[ctx.evidence(m.start(), m.end())]))
    return out


def _titles(ctx: Context, year: int, titles: Titles) -> list[Finding]:
    """The document's title lines and the standard tables' titles, each naming a year."""
    _, title, _, any_year = _patterns()
    text = ctx.norm.folded
    places = [(m.start("year"), m.end()) for m in title.finditer(text)]
    for _, at in titles.exact:
        line_end = text.find("\n", at)
        line_end = len(text) if line_end == -1 else line_end
        places += [(m.start("year"), line_end) for m in any_year.finditer(text, at, line_end)][:1]
    out, seen = [], set()
    for start, end in sorted(places):
        printed = int(text[start : start + 4])
        if printed != year and start not in seen:
            seen.add(start)
            line = ctx.norm.line_at(start).strip()
            out.append(finding("title_year_mismatch", f"the title “{line}” names {printed}; the document is of {year}",
                               evidence=[ctx.evidence(start, end)]))
    return out


def _dates(ctx: Context, year: int, final: bool) -> list[Finding]:
    """A budget for a year is published in it at the latest; a final account the year after.
    Holdings (截至…) stand at the year's end in a final account, before it in a budget."""
    _, _, date, _ = _patterns()
    text = ctx.norm.folded
    out = []
    for m in date.finditer(text):
        printed, as_of = int(m.group("year")), bool(m.group("asof"))
        if not 1 <= int(m.group("month")) <= 12:
            continue
        if as_of and final and printed < year:
            out.append(finding("date_out_of_range", f"the holdings are stated as of “{m.group()}”, not at the end of "
                               f"{year}, the year this final account is of", evidence=[ctx.evidence(m.start(), m.end())]))
            continue
        latest = year if (as_of or not final) else year + 1
        if printed <= latest or (not as_of and _planned(ctx, text, m.start())):
            continue
        out.append(finding("date_out_of_range", f"the date “{m.group()}” is later than a {year} "
                           f"{'final account' if final else 'budget'} can speak of",
                           evidence=[ctx.evidence(m.start(), m.end())]))
    return out


def _planned(ctx: Context, text: str, pos: int) -> bool:
    """A date of the work planned: in a performance target or a table, or the end of a
    period (合同期至2023年5月31日, 结束2023年5月31日), which may reach past the budget's year."""
    return bool(ctx.kinds_at(pos) & {"performance", "tables"}) or ctx.excluded(pos) \
        or bool(_period_end().search(text, max(0, pos - 4), pos))


@lru_cache(maxsize=1)
def _period_end() -> regex.Pattern:
    """What ends a period just before a date (至, 结束, a dash)."""
    return regex.compile(vocab.load("wording")["period_end"])
