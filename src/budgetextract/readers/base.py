"""What every reader returns: the text of each page, and nothing about budgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ocr import RecognizedPage


Cell = tuple[tuple[float, float, float, float], str]
"""((x0, top, x1, bottom), text): a table cell, or a box of text recognised by OCR"""


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
