"""The batch's manifest (DIR/manifest.jsonl): one line per finished input — its absolute
path, content hash, record, status and versions — appended as each file ends, so a rerun
after any stop knows what is done, and the outputs know every record."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .files import OUTPUT_MARK as MANIFEST


def read_manifest(out: Path) -> dict[str, dict]:
    """The latest entry per input path; a line cut short by a kill is ignored."""
    entries: dict[str, dict] = {}
    manifest = out / MANIFEST
    if not manifest.exists():
        return entries
    for line in manifest.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        entries[entry["path"]] = entry
    return entries


def open_manifest(out: Path):
    """Open for appending; a line cut short by a kill is ended first, so the next entry
    starts on a line of its own."""
    path = out / MANIFEST
    if path.exists() and path.stat().st_size:
        with path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            cut_short = f.read(1) != b"\n"
        if cut_short:
            with path.open("a", encoding="utf-8") as f:
                f.write("\n")
    return path.open("a", encoding="utf-8")


def manifest_key(path: Path) -> str:
    """An input's key in the manifest: its real path, whatever the working directory, the way
    it was typed or the links it was reached through (a rerun through a linked folder is the
    same run), kept exact, undecodable bytes included."""
    return os.fsdecode(os.path.realpath(path))
