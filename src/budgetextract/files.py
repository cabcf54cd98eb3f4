"""Which files a command reads: files as given, and supported files under folders."""

from __future__ import annotations

from pathlib import Path

SUPPORTED_SUFFIXES = {".pdf", ".docx", ".txt"}


def discover(paths: list[str]) -> list[Path]:
    """Files as given, and the supported files under each folder (recursively), sorted."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith(".")))
        else:
            out.append(p)
    return out
