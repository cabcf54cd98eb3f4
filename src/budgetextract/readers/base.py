"""What every reader returns: the text of each page, and nothing about budgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

Cell = tuple[tuple[float, float, float, float], str]
"""((x0, top, x1, bottom), text): a table cell, or a box of text recognised by OCR"""

# a gap wider than this share of the line's height separates two cells (a table's columns)
_CELL_GAP = 0.8


@dataclass
class RecognizedPage:
    """A page read by OCR."""

    rows: list[list[Cell]]
    """the page's boxes (positions in points) as lines, each left to right"""
    confidence: float
    """the recognizer's mean confidence over the page's boxes (0 where none was found)"""

    @property
    def text(self) -> str:
        return "\n".join(_line_text(row) for row in self.rows)


def _line_text(row: list[Cell]) -> str:
    """A line's boxes joined; cells set apart by a wide gap keep a space between them,
    as a text layer's table rows do."""
    out = ""
    for i, ((x0, top, x1, bottom), text) in enumerate(row):
        if i:
            gap = x0 - row[i - 1][0][2]
            out += " " if gap > _CELL_GAP * (bottom - top) else ""
        out += text
    return out


@dataclass
class RawTable:
    """A table as the format gives it: rows of cells, positions in grid units; and the lines
    of text just above it (title, unit)."""

    rows: list[list[Cell]]
    above: list[str]


@dataclass
class RawDocument:
    format: str
    pages: list[str]
    """Text of each page, lines separated by "\\n". TXT and DOCX have one page."""
    paged: bool
    """True where pages are real (PDF); page numbers are then reported."""
    path: Path
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    empty_pages: list[int] = field(default_factory=list)
    """1-based pages that had no text layer."""
    tables: list[RawTable] = field(default_factory=list)
    """Tables the format marks as such (DOCX); PDF tables are found later, on demand."""
    ocr: dict[int, RecognizedPage] = field(default_factory=dict)
    """1-based pages read by OCR: their boxes as rows, and the recognizer's confidence."""
    title: str | None = None
    """A web page's title."""
    attachments: list[str] = field(default_factory=list)
    """A web page's links to documents (附件), as "text (href)"."""
