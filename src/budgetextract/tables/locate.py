"""Which pages of a PDF hold tables, found cheaply from the normalized text before any
geometry is read: pages with rows of figures or a table title, and short sections of tables."""

from __future__ import annotations

import re

from ..normalize import NormalizedText
from ..schema import Section
from ..segment import walk
from .catalogue import patterns, table_kind

_BARE_AMOUNT = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2})(?![\d.,]*(?:万|元|亿|%))")
_MIN_FIGURES_ON_PAGE = 4
_LIST_OF_TABLES = 3  # titles on one page that make it the list of tables


def table_pages(norm: NormalizedText, sections: list[Section]) -> list[int]:
    """Pages with table rows in their text layer, or inside a section of tables."""
    if not norm.paged:
        return []
    pages = set()
    title_re = patterns().title
    figures = []
    for page in range(1, norm.pages + 1):
        a, b = norm.page_span(page)
        lines = norm.text[a:b].split("\n")
        # a continued table may come out of the text layer as one long line: count figures
        figures.append(sum(len(_BARE_AMOUNT.findall(line)) for line in lines if not any(c in line for c in "，。；")))
        # a table title on a line of its own: an empty table (本表无数据) has no figures; a
        # page of many titles is the list of tables (目录), which holds none
        titled = sum(1 for line in lines if len(line) <= 40 and (m := title_re.fullmatch(line.strip())) and table_kind(m.group()))
        if 0 < titled < _LIST_OF_TABLES:
            pages.add(page)
    for page, count in enumerate(figures, 1):
        # the last rows of a table (its 合计) may stand alone on the next page
        if count >= _MIN_FIGURES_ON_PAGE or (count and page > 1 and figures[page - 2] >= _MIN_FIGURES_ON_PAGE):
            pages.add(page)
    for s in walk(sections):
        if s.kind == "tables" and s.level >= 1 and s.page_start and s.page_end and s.page_end - s.page_start <= 3:
            pages.update(range(s.page_start, s.page_end + 1))
    return sorted(pages)
