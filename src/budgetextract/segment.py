"""The section tree of a budget explanation: 第X部分 / 一、 / （一） / 1. / （1） / ①.

Headings are found on line starts of the normalized text. A table of contents is
recognised and skipped, table rows in the text layer are not taken for headings,
and each heading gets a canonical kind from patterns/sections.json.
"""

from __future__ import annotations

from bisect import bisect_right

from dataclasses import dataclass, field
from functools import lru_cache

import regex

from . import vocab
from .normalize import NormalizedText, is_table_row
from .numerals import from_chinese
from .schema import Section

_CN = "一二三四五六七八九十"
_HEADINGS = [
    # (level, pattern); the number is group 1, the rest of the line group 2
    (1, regex.compile(rf"^第([{_CN}]+)部分\s*(.*)$")),
    (2, regex.compile(rf"^([{_CN}]{{1,3}})\s*[、.．]\s*(.+)$")),
    (3, regex.compile(rf"^[(（]([{_CN}]{{1,3}})[)）]\s*(.*)$")),
    (4, regex.compile(r"^(\d{1,2})\s*(?:[、．]|\.(?!\d))\s*(.+)$")),
    (5, regex.compile(r"^[(（](\d{1,2})[)）]\s*(.*)$")),
    (6, regex.compile(r"^([①-⑳])\s*(.*)$")),
]
_TOC_TITLE = regex.compile(r"目\s*录")
_PART = regex.compile(rf"^第[{_CN}]+部分")
_LEADER = regex.compile(r"(?:…{2,}|\.{4,}|·{4,}|-{6,})")
# signs of a table row read as text: a bare amount, or two row labels glued together
_BARE_AMOUNT = regex.compile(r"(?<![\d.,])\d[\d,]*\.\d{2}(?![\d.]*(?:万|元|亿|%))|(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d.,]*(?:万|元|亿|%))")
_GLUED_LABEL = regex.compile(rf"(?<=\p{{Han}})(?<![{_CN}第])[{_CN}]+、")
# how a heading's title ends (a row label of a table does not end so)
_HEADING_CONTINUATION = regex.compile(r"(?:说明|情况|概况|解释|表|目标|职能|职责|设置|任务)$")
_TITLE_END = regex.compile(r"[：:。；;，]|,(?!\d)")
_MAX_HEADING_LINE = 40


@dataclass
class _Line:
    start: int
    end: int
    text: str


@dataclass
class _Node:
    number: str
    level: int
    title: str
    start: int
    kind: str
    children: list["_Node"] = field(default_factory=list)
    end: int = 0


@lru_cache(maxsize=1)
def _kinds() -> tuple[list[tuple[str, regex.Pattern]], regex.Pattern]:
    data = vocab.load("sections")
    return [(k, regex.compile(p)) for k, p in data["kinds"]], regex.compile(data["unnumbered_heading"])


def section_kind(title: str) -> str:
    kinds, _ = _kinds()
    for kind, pattern in kinds:
        if pattern.search(title):
            return kind
    return "other"


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def _rowlike(line: str) -> bool:
    return is_table_row(line) or bool(_BARE_AMOUNT.search(line)) or bool(_GLUED_LABEL.search(line))


def _title(rest: str) -> str:
    rest = rest.strip()
    if len(rest) <= _MAX_HEADING_LINE and not any(c in rest for c in "。；"):
        return rest.rstrip("：:，,")
    cut = _TITLE_END.search(rest, 2)
    title = rest[: cut.start()] if cut else rest
    return title[:60]


def _toc_ranges(lines: list[_Line], norm: NormalizedText) -> list[tuple[int, int]]:
    """Character ranges of tables of contents. A TOC starts at a 目录 line and ends where
    its first entry is repeated (the body begins), else at the end of its page, else
    after the last line that still looks like an entry."""
    ranges = []
    for i, line in enumerate(lines):
        if not _TOC_TITLE.fullmatch(line.text):
            continue
        entries = lines[i + 1 :]
        if not entries:
            continue
        first = _LEADER.split(entries[0].text)[0].strip()
        end = None
        for later in entries[1:]:
            if later.text == first or _LEADER.split(later.text)[0].strip() == first and not _LEADER.search(later.text):
                end = later.start
                break
        if end is None and norm.paged:
            page = norm.page_at(line.start)
            end = norm.page_starts[page] if page < len(norm.page_starts) else len(norm.text)
        if end is None:
            end = line.end
            for later in entries:
                if _LEADER.search(later.text) or (len(later.text) <= _MAX_HEADING_LINE and not any(c in later.text for c in "，。；")):
                    end = later.end
                else:
                    break
        ranges.append((line.start, end))
    return ranges


def _heading(line: str, has_parts: bool) -> tuple[int, str, str] | None:
    """(level, number, title) when the line opens a section."""
    if _LEADER.search(line) or _rowlike(line):
        return None
    for level, pattern in _HEADINGS:
        m = pattern.match(line)
        if m:
            title = _title(m.group(2))
            if not title:
                return None
            return level, m.group(1), title
    _, unnumbered = _kinds()
    if len(line) <= _MAX_HEADING_LINE and not any(c in line for c in "，。；：:") and unnumbered.search(line):
        return (2 if has_parts else 1), "", line
    return None


def _number_value(number: str) -> int | None:
    if number.isdigit():
        return int(number)
    return from_chinese(number)


def segment(norm: NormalizedText) -> list[Section]:
    lines = _lines(norm.text)
    tocs = _toc_ranges(lines, norm)
    has_parts = any(_PART.match(l.text) for l in lines if not any(a <= l.start < b for a, b in tocs))

    roots: list[_Node] = []
    stack: list[_Node] = []
    last_at_level: dict[int, _Node] = {}
    skip_next = False
    after_row = False  # the previous line was a table row (or a row label)
    for idx, line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        if any(a <= line.start < b for a, b in tocs):
            continue
        found = _heading(line.text, has_parts)
        joined = False
        if found is None and _PART.fullmatch(line.text.strip()) and idx + 1 < len(lines):
            # 第三部分 alone on its line, its title on the next (a part after the tables)
            found = _heading(line.text.strip() + lines[idx + 1].text, has_parts)
            joined = skip_next = found is not None
        if not found:
            after_row = _rowlike(line.text)
            continue
        level, number, title = found
        next_row = idx + 1 < len(lines) and _rowlike(lines[idx + 1].text)
        if level > 1 and (after_row or next_row) and not _HEADING_CONTINUATION.search(title):
            after_row = True
            continue  # a row label among table rows (二、外交支出 of an empty row)
        after_row = False
        table_parent = next((n for n in reversed(stack) if n.kind == "tables"), None)
        if table_parent and level > table_parent.level and section_kind(title) != "tables":
            continue  # a row label of a table, not a heading
        if level == 4 and line.text[len(number):].lstrip().startswith("、"):
            # "2、" among 一、 siblings: the template's slip for 二、 (the seed has one)
            prev2 = last_at_level.get(2)
            open4 = last_at_level.get(4)
            open4_inside = open4 is not None and prev2 is not None and open4.start > prev2.start
            if prev2 and prev2.number and _number_value(prev2.number) == int(number) - 1 and not open4_inside:
                level = 2
        # a heading wrapped onto a short second line ("…部门预算" / "情况说明")
        if level <= 2 and not joined and idx + 1 < len(lines) and len(line.text) <= _MAX_HEADING_LINE:
            nxt = lines[idx + 1].text
            if (
                len(nxt) <= 12
                and _HEADING_CONTINUATION.search(nxt)
                and not any(p.match(nxt) for _, p in _HEADINGS)
                and not any(c in nxt for c in "，。；：:,")
                and not any(c.isdigit() for c in nxt)
                and not any(c in line.text for c in "，。；：:")
            ):
                title += nxt
                skip_next = True
        node = _Node(number=number, level=level, title=title, start=line.start, kind=section_kind(title))
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        last_at_level[level] = node
        for deeper in [l for l in last_at_level if l > level]:
            del last_at_level[deeper]

    def close(nodes: list[_Node], end: int) -> list[Section]:
        out = []
        for i, node in enumerate(nodes):
            node_end = nodes[i + 1].start if i + 1 < len(nodes) else end
            out.append(
                Section(
                    number=node.number,
                    level=node.level,
                    title=node.title,
                    kind=node.kind,
                    start=node.start,
                    end=node_end,
                    page_start=norm.page_at(node.start),
                    page_end=norm.page_at(max(node.start, node_end - 1)),
                    children=close(node.children, node_end),
                )
            )
        return out

    return close(roots, len(norm.text))


def walk(sections: list[Section]):
    """Every section, depth first, in document order."""
    for s in sections:
        yield s
        yield from walk(s.children)


def section_at(sections: list[Section], offset: int) -> list[Section]:
    """The chain of sections (outermost first) that contains offset."""
    chain, level = [], sections
    while True:
        # siblings stand in document order: the last one starting at or before offset
        i = bisect_right(level, offset, key=lambda s: s.start) - 1
        if i < 0 or offset >= level[i].end:
            return chain
        chain.append(level[i])
        level = level[i].children
