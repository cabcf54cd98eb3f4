"""DOCX: body paragraphs and tables in document order; headers and footers are left out.

Word keeps automatic list numbers (一、 （一） 1.) out of the paragraph text, in
numbering.xml. Section numbers often live there, so they are rendered back.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import InputError
from ..numerals import to_chinese
from .base import RawDocument, RawTable

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LEVELS = 9  # Word's list levels 0-8; anything else in a damaged file is ignored
# The declared size of one part past which a DOCX is refused before it is inflated (a
# decompression bomb); a budget's document.xml is a few megabytes.
_MAX_PART_BYTES = 512 * 1024 * 1024


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _fmt_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting"):
        return to_chinese(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "bullet" or fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Renders the label Word would show for a paragraph with numPr. Lists that share an
    abstract definition share their counters; a num with a startOverride restarts them."""

    def __init__(self, document):
        self.abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.num_abstract: dict[str, str] = {}
        self.overrides: dict[str, dict[int, int]] = {}
        self.counters: dict[str, list[int]] = {}
        self.started: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError, ValueError):
            return  # no numbering part, or one outside the file (an external relationship): no list labels
        for an in root.iter(_W + "abstractNum"):
            lvls = {}
            for lvl in an.iter(_W + "lvl"):
                fmt, text, start = lvl.find(_W + "numFmt"), lvl.find(_W + "lvlText"), lvl.find(_W + "start")
                ilvl = _int(lvl.get(_W + "ilvl", "0"), -1)
                if 0 <= ilvl < _LEVELS:
                    lvls[ilvl] = (
                        fmt.get(_W + "val") if fmt is not None else "decimal",
                        text.get(_W + "val") if text is not None else "",
                        _int(start.get(_W + "val") if start is not None else None, 1),
                    )
            self.abstract[an.get(_W + "abstractNumId")] = lvls
        for num in root.iter(_W + "num"):
            ref = num.find(_W + "abstractNumId")
            if ref is None:
                continue
            num_id = num.get(_W + "numId")
            self.num_abstract[num_id] = ref.get(_W + "val")
            for override in num.iter(_W + "lvlOverride"):
                start = override.find(_W + "startOverride")
                ilvl = _int(override.get(_W + "ilvl", "0"), -1)
                if start is not None and 0 <= ilvl < _LEVELS:
                    self.overrides.setdefault(num_id, {})[ilvl] = _int(start.get(_W + "val"), 1)

    def label(self, num_id: str, ilvl: int) -> str:
        abstract_id = self.num_abstract.get(num_id)
        lvls = self.abstract.get(abstract_id or "", {})
        if ilvl not in lvls:
            return ""
        counters = self.counters.setdefault(abstract_id, [0] * _LEVELS)
        if num_id not in self.started:
            self.started.add(num_id)
            for lvl, start in self.overrides.get(num_id, {}).items():
                counters[lvl] = start - lvls.get(lvl, ("", "", 1))[2]
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, _LEVELS):
            counters[deeper] = 0
        fmt, text, _ = lvls[ilvl]
        if fmt in ("bullet", "none"):
            return ""
        for lvl in range(ilvl, -1, -1):
            lfmt, _, lstart = lvls.get(lvl, ("decimal", "", 1))
            text = text.replace(f"%{lvl + 1}", _fmt_number(counters[lvl] + lstart - 1, lfmt))
        return text


def _style_num_pr(paragraph):
    """The numbering a paragraph's style (or a style it is based on) gives it."""
    style, seen = paragraph.style, set()
    while style is not None and style.style_id not in seen:
        seen.add(style.style_id)  # a style based on itself, or a ring of them, ends here
        spp = style.element.pPr
        if spp is not None and spp.numPr is not None:
            return spp.numPr
        style = style.base_style
    return None


def _num_pr(paragraph, by_style: dict) -> tuple[str, int] | None:
    """The paragraph's list numbering: its own, else its style's. A style is looked up once a
    document (python-docx scans every style at each look-up: quadratic over many paragraphs)."""
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    if num_pr is None:
        style_id = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None
        if style_id not in by_style:
            by_style[style_id] = _style_num_pr(paragraph)
        num_pr = by_style[style_id]
    try:
        if num_pr is not None and num_pr.numId is not None:
            ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
            return str(num_pr.numId.val), _int(ilvl, 0)
    except ValueError:  # a damaged numbering reference: the paragraph without its label
        return None
    return None


def _cell_text(element) -> str:
    """A cell's text, a table nested in it read once: only direct children are walked at
    each level (walking all descendants at every level repeats a nested text d(d+1)/2 times)."""
    parts = []
    for child in element.iterchildren():
        if child.tag == _W + "p":
            parts.append("".join(x.text or "" for x in child.iter(_W + "t")).strip())
        elif child.tag == _W + "tbl":
            parts.extend(_cell_text(tc) for tr in child.iterchildren(_W + "tr") for tc in tr.iterchildren(_W + "tc"))
        elif child.tag != _W + "tcPr":
            parts.append(_cell_text(child))  # a content control (sdt) and the like hold paragraphs too
    return " ".join(t for t in parts if t)


def _grid_row(tr, top: int) -> list[tuple[tuple[float, float, float, float], str]]:
    """A row's cells placed on the table grid: a cell spanning columns is as wide as they
    are, a vertically merged continuation cell is blank (its text stands in the first row)."""
    cells, column = [], 0
    for tc in tr.iterchildren(_W + "tc"):
        tc_pr = tc.find(_W + "tcPr")
        span, continued = 1, False
        if tc_pr is not None:
            grid_span = tc_pr.find(_W + "gridSpan")
            v_merge = tc_pr.find(_W + "vMerge")
            span = int(grid_span.get(_W + "val", "1")) if grid_span is not None else 1
            continued = v_merge is not None and v_merge.get(_W + "val", "continue") == "continue"
        # grid columns as 10 units wide, so header matching by position has room to spare
        cells.append(((10.0 * column, 10.0 * top, 10.0 * (column + span), 10.0 * (top + 1)), "" if continued else _cell_text(tc)))
        column += span
    return cells


def read_docx(path: Path, data: bytes) -> RawDocument:
    import docx
    from docx.text.paragraph import Paragraph

    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise InputError("corrupt_docx", f"the DOCX (zip) container is damaged: {exc}") from exc
    if any(part.file_size > _MAX_PART_BYTES for part in parts):
        raise InputError("too_large", f"a part of this DOCX inflates to more than {_MAX_PART_BYTES >> 20} MB (a decompression bomb?)")
    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise  # past the file's memory limit: the `memory` record, retried by a rerun, not a damaged file
    except (zipfile.BadZipFile, KeyError, ValueError, Exception) as exc:  # python-docx raises many kinds
        raise InputError("corrupt_docx", f"the DOCX file cannot be opened ({type(exc).__name__}: {exc}); re-save it from Word or LibreOffice") from exc

    numbering = _Numbering(document)
    by_style: dict = {}
    lines: list[str] = []
    tables: list[RawTable] = []
    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            para = Paragraph(child, document)
            text = para.text
            num = _num_pr(para, by_style)
            if num is not None:
                label = numbering.label(*num)
                if label and not text.lstrip().startswith(label):
                    text = label + text
            lines.append(text)
        elif child.tag == _W + "tbl":
            rows = [_grid_row(tr, top) for top, tr in enumerate(child.iterchildren(_W + "tr"))]
            tables.append(RawTable(rows=rows, above=[l for l in lines[-3:] if l.strip()]))
            for cells in rows:
                texts = [text for _, text in cells]
                if any(texts):
                    lines.append("\t".join(texts))
    return RawDocument(format="docx", pages=["\n".join(lines)], paged=False, path=path, tables=tables)
