"""Which files a command reads: files as given, and supported files under folders."""

from __future__ import annotations

from pathlib import Path

SUPPORTED_SUFFIXES = {".pdf", ".docx", ".txt"}
# Documents a department might publish that cannot be read: found in folders too, so each
# gets an error record (unsupported_format) instead of being passed over in silence.
DOCUMENT_SUFFIXES = SUPPORTED_SUFFIXES | {".doc", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".et", ".ofd", ".html", ".htm"}


def discover(paths: list[str]) -> list[Path]:
    """Files as given, and the document files under each folder (recursively), sorted."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in DOCUMENT_SUFFIXES and not f.name.startswith(".")))
        else:
            out.append(p)
    return out
