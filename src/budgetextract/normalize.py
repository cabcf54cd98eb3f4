"""Pages of extracted text → one normalized text with a page map.

The normalized text is what `budgetextract text` prints and what every evidence
offset indexes. It is the document's own text with the layout noise taken out:
page numbers and running headers, spaces that PDF extraction puts around CJK
characters (`2018 年`, `10,150.48 万元`), and hard line wraps inside sentences
(also across a page break). `folded` is the same text, character for character,
with full-width forms made ASCII, so patterns match `（类）` and `(类)` alike and
offsets found in it hold for `text`.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

import regex

from .readers.base import RawDocument
from .schema import Evidence

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–─‐]+\s*\d{1,4}\s*[-—–─‐]+|\d{1,4}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
# The forms no content line takes (- 3 -, 第3页): removed wherever they stand, also in text
# without page breaks (a PDF saved as text); a bare "3" is removed only at a page's edge.
_MARKED_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–─‐]+\s*\d{1,4}\s*[-—–─‐]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)\s*$")
# conversion leftovers: DOCX→text bookmarks, Word TOC field codes, invisible characters
# … and control characters (NUL from a damaged file), which no text field may carry
_ARTIFACTS = re.compile(r"\[bookmark: [^\]]*\]|\s*PAGEREF\s+_Toc\d+\s+\\?h\s+\d+|[\u200b\u200c\u200d\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Spaces next to a CJK character or CJK punctuation are layout, not content.
_CJK = r"\p{Han}\u3000-\u303f\uff00-\uffef“”‘’、"
_SPACE_NEAR_CJK = regex.compile(rf"(?<=[{_CJK}])[ \u00a0\u3000]+|[ \u00a0\u3000]+(?=[{_CJK}])")
_SPACE_BEFORE_PERCENT = re.compile(r"(?<=\d) +(?=%|％)")
# a figure whose glyphs the PDF spaced out (3 . 8 3万元): only before a unit, and only with a
# spaced decimal point, so that adjacent table figures are never run together
_SPACED_FIGURE = re.compile(r"(?<![\d.,])\d(?: ?\d)* \. ?\d(?: ?\d)*(?= ?(?:万元|亿元|元|%|％))")
# A line that starts a new block: a numbered heading or list item, a table title.
_BLOCK_START = regex.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]"
    r"|\d{1,2}(?:[、．]|\.(?!\d))|[①-⑳]|附件|附表|表[一二三四五六七八九十\d]|注[:：])"
)
_SENTENCE_END = "。！？；!?;"
# A numbered line ending like this is a heading that happens to fill the line.
_HEADING_END = re.compile(r"(?:说明|情况|概况|解释|预算表|决算表|总表|职能|职责|设置)$")
_UNIT_START = re.compile(r"^(?:万元|亿元|元|%|％|万(?=元))")
_AWAITS_FIGURE = re.compile(r"(?:增加|减少|增长|下降|共计|合计|总额|为)[:：]?$")
_FIGURE_START = re.compile(r"^\d[\d,]*(?:\.\d+)?(?:万元|亿元|元|%|％)")
# a bare amount as tables print it; one followed by its unit belongs to prose
_AMOUNT = re.compile(r"(?<![\d.,])(?:\d[\d,]*\.\d{2}|\d{1,3}(?:,\d{3})+)(?![\d.,]*(?:万|元|亿|%|％))")


# a line naming the publisher: 部门：… / 单位名称：… / 编制单位：…
_NAME_LABEL = re.compile(r"^(?:编制|预算)?(?:部门|单位)(?:名称)?\s*[:：]")
# a line opening with a classification code and a name: a table's row
_CODED_LINE = regex.compile(r"^\[?\d{3}(?:\d{2}){0,2}\]?\s*(?![万元亿])\p{Han}")
# a bare number standing alone between spaces, as a table saved as text prints its cells
_CELL_NUMBER = re.compile(r"(?<!\S)-?\d[\d,]*(?:\.\d+)?(?!\S)")


def is_table_row(line: str) -> bool:
    """A line of a table in the text layer: cells (tabs), or several amounts (or three cells
    of bare numbers: 205 教育支出 390000 0 0 390000) and no prose punctuation."""
    return "\t" in line or ((len(_AMOUNT.findall(line)) >= 2 or len(_CELL_NUMBER.findall(line)) >= 3)
                             and not any(c in line for c in "，。；"))


@dataclass
class NormalizedText:
    text: str
    folded: str
    page_starts: list[int]
    """Offset at which each page begins; page i (1-based) starts at page_starts[i-1]."""
    paged: bool

    def page_at(self, offset: int) -> int | None:
        if not self.paged:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def page_span(self, page: int) -> tuple[int, int]:
        """(start, end) offsets of a 1-based page."""
        end = self.page_starts[page] if page < len(self.page_starts) else len(self.text)
        return self.page_starts[page - 1], end

    def evidence(self, start: int, end: int) -> Evidence:
        return Evidence(start=start, end=end, page=self.page_at(start), text=self.text[start:end])

    def line_at(self, offset: int) -> str:
        """The line of text that contains offset."""
        end = self.text.find("\n", offset)
        return self.text[self.text.rfind("\n", 0, offset) + 1 : end if end != -1 else len(self.text)]


_FOLD = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    """Full-width ASCII forms → ASCII, ideographic space → space; same length as the input."""
    return text.translate(_FOLD)


_WIDE = re.compile(r"[\u2e81-\U0010ffff]")


def display_width(line: str) -> int:
    """Columns a line takes: CJK characters are two wide."""
    return len(line) + len(_WIDE.findall(line))


def _clean_line(line: str) -> str:
    line = _ARTIFACTS.sub("", line)
    line = _SPACE_NEAR_CJK.sub("", line)
    line = _SPACE_BEFORE_PERCENT.sub("", line)
    line = _SPACED_FIGURE.sub(lambda m: m.group().replace(" ", ""), line)
    return line.strip(" \u00a0")


def _header_key(line: str) -> str:
    """A running header or footer repeats word for word but for a page number at an end."""
    return re.sub(r"^\d{1,4}(?=\D)|(?<=\D)\d{1,4}$", "#", line.strip())


def _strip_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers (anywhere near a page edge) and lines repeated at the top or
    bottom of most pages (running headers and footers)."""
    edge = 3
    counts: Counter[str] = Counter()
    for lines in pages:
        nonblank = [l for l in lines if l.strip()]
        seen = {_header_key(l) for l in nonblank[:2] + nonblank[-2:]}
        counts.update(seen)
    # on most pages (all of a two-page file): a repeated sentence start is not a header
    threshold = len(pages) if len(pages) <= 3 else max(3, (len(pages) + 1) // 2)
    running = {k for k, n in counts.items() if n >= threshold and len(k) >= 4 and not k.startswith("#")}

    cleaned = []
    kept_label = False
    for lines in pages:
        idx = [i for i, l in enumerate(lines) if l.strip()]
        near_edge = set(idx[:edge] + idx[-edge:])
        keep = []
        for i, line in enumerate(lines):
            if i in near_edge and _PAGE_NUMBER.match(line):
                continue
            if i in near_edge and _header_key(line) in running:
                # a running header that names the department (部门：江苏省政协办公厅) may be
                # the only place it is named: its first occurrence stays
                if kept_label or not _NAME_LABEL.match(line.strip()):
                    continue
                kept_label = True
            keep.append(line)
        cleaned.append(keep)
    return cleaned


def _wrap_width(lines: list[tuple[str, int]]) -> int | None:
    """The width at which a hard-wrapped document breaks its prose lines, or None when
    lines are paragraphs (TXT, DOCX) rather than layout lines. Only lines with CJK
    punctuation count, so table rows do not set the margin."""
    widths = [w for line, w in lines if w >= 20 and any(c in line for c in "，。；、")]
    if len(widths) < 8:
        return None
    buckets = Counter(w // 4 for w in widths)
    best = max(buckets, key=lambda b: (buckets[b] + buckets.get(b - 1, 0) + buckets.get(b + 1, 0), b))
    near = buckets.get(best, 0) + buckets.get(best - 1, 0) + buckets.get(best + 1, 0)
    if near < 0.25 * len(widths):
        return None
    # The right margin: the widest lines of the dominant cluster.
    cluster = sorted(w for w in widths if abs(w // 4 - best) <= 1)
    return cluster[int(len(cluster) * 0.9)]


def _joins(prev: str, prev_width: int, nxt: str, wrap: int | None) -> bool:
    """Whether a line break between prev and nxt is a wrap inside a sentence. Widths are
    those of the lines as laid out (spaces included), which is what reached the margin."""
    if not prev or not nxt:
        return False
    if _UNIT_START.match(nxt) and (prev[-1].isdigit() or prev.endswith("万")):
        return True  # a figure split from its unit
    if _FIGURE_START.match(nxt) and _AWAITS_FIGURE.search(prev):
        return True  # 比上年增加 / 118.76万元: no sentence ends on a change word
    if wrap is None or is_table_row(prev) or is_table_row(nxt):
        return False
    if prev[-1] in _SENTENCE_END or _BLOCK_START.match(nxt):
        return False
    if _BLOCK_START.match(prev) and _HEADING_END.search(prev) and not any(c in prev for c in "，。；"):
        return False
    if _FIGURE_START.match(nxt) and not _BLOCK_START.match(prev):
        return True  # a justified line broke before a long figure and left a short line
    if (prev[-1].isdigit() or prev[-1] in ".,") and nxt[0].isdigit() and not _CODED_LINE.match(nxt):
        return True  # a figure split across lines: 39.6 / 0万元 (not a row: 30216 培训费 6.50)
    if any(c in prev for c in "，；") and prev_width >= 0.8 * wrap:
        return True  # a sentence that stops short of the margin without ending (an indented item)
    return prev_width >= wrap - 6


def _drop_inline_page_numbers(lines: list[tuple[str, int]], wrap: int) -> list[tuple[str, int]]:
    """In wrapped text without page breaks (a PDF saved as text), a bare number on its
    own line between a full line that stops mid-sentence and the text that goes on is
    the page number that stood at the page's foot."""
    out = []
    for i, (line, width) in enumerate(lines):
        if line.isdigit() and len(line) <= 3 and out and i + 1 < len(lines):
            prev, prev_width = out[-1]
            nxt = lines[i + 1][0]
            if prev and prev_width >= wrap - 6 and prev[-1] not in _SENTENCE_END and nxt and not nxt[0].isdigit():
                continue
        out.append((line, width))
    return out


def normalize(raw: RawDocument) -> NormalizedText:
    pages = [[l for l in page.split("\n") if not _MARKED_PAGE_NUMBER.match(l)] for page in raw.pages]
    if raw.paged:
        pages = _strip_page_furniture(pages)
    laid_out = [[(_clean_line(l), display_width(l.strip())) for l in page] for page in pages]
    wrap = _wrap_width([lw for page in laid_out for lw in page if lw[0]])
    if wrap is not None and not raw.paged:
        laid_out = [_drop_inline_page_numbers(page, wrap) for page in laid_out]

    parts: list[str] = []
    page_starts: list[int] = []
    length = 0
    prev, prev_width = "", 0
    for page in laid_out:
        first_on_page = True
        for line, width in page:
            if not line:
                if prev and not first_on_page:
                    # a blank line ends a paragraph
                    parts.append("\n")
                    length += 1
                    prev = ""
                continue
            sep = ""
            if length:
                sep = "" if _joins(prev, prev_width, line, wrap) else "\n"
            if first_on_page:
                page_starts.append(length + len(sep))
                first_on_page = False
            parts.append(sep + line)
            length += len(sep) + len(line)
            prev, prev_width = line, width
        if first_on_page:
            page_starts.append(length)
    text = "".join(parts)
    if not raw.paged:
        page_starts = [0]
    return NormalizedText(text=text, folded=fold(text), page_starts=page_starts, paged=raw.paged)
