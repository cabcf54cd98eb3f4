"""What every reader returns: the text of each page, and nothing about budgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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
