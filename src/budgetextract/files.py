"""Which files a command reads (files as given, and document files under folders), and
the name each one's record gets: unique per input path, never outside the output folder."""

from __future__ import annotations

import hashlib

import os
from pathlib import Path

SUPPORTED_SUFFIXES = {".pdf", ".docx", ".txt"}
# Documents a department might publish that cannot be read: found in folders too, so each
# gets an error record (unsupported_format) instead of being passed over in silence.
DOCUMENT_SUFFIXES = SUPPORTED_SUFFIXES | {".doc", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".et", ".ofd", ".html", ".htm"}


def missing(paths: list[str]) -> list[str]:
    """The inputs that name nothing on disk (a mistyped path is a usage error, not a document)."""
    return [p for p in paths if not os.path.lexists(p)]


def discover(paths: list[str]) -> list[Path]:
    """Files as given, and the document files under each folder (recursively), sorted."""
    return [path for path, _ in _walk(paths)]


def _walk(paths: list[str]) -> list[tuple[Path, Path | None]]:
    """(file, the folder it was found under or None), each file once."""
    out: list[tuple[Path, Path | None]] = []
    seen: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found = [(f, p) for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in DOCUMENT_SUFFIXES and not f.name.startswith(".")]
        else:
            found = [(p, None)]
        for f, root in found:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                out.append((f, root))
    return out


def display(path: Path | str) -> str:
    """A path as text that can always be written out: a name that is not UTF-8 (GBK bytes
    left by unzipping a Windows archive) is decoded as GB18030, else shown escaped."""
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "backslashreplace")


def with_record_names(paths: list[str]) -> list[tuple[Path, Path]]:
    """Each input file with its record's path relative to the output folder: the file's
    path under the folder it was found in (under that folder's name when several folders
    are given), or its name when given as a file; where two inputs would share a name,
    their paths from the folder all inputs have in common."""
    found = _walk(paths)
    folders = {root.resolve() for _, root in found if root is not None}
    names: list[Path] = []
    for path, root in found:
        if root is None:
            rel = Path(path.name)
        else:
            rel = path.relative_to(root)
            if len(folders) > 1:
                rel = Path(root.resolve().name or "root") / rel
        names.append(rel)
    seen: dict[Path, int] = {}
    for rel in names:
        seen[rel] = seen.get(rel, 0) + 1
    if any(count > 1 for count in seen.values()):
        resolved = [path.resolve() for path, _ in found]
        common = Path(os.path.commonpath(resolved)) if resolved else Path("/")
        names = [r.relative_to(common) if seen[n] > 1 else n for n, r in zip(names, resolved)]
    return [(path, rel.parent / f"{rel.name}.json") for (path, _), rel in zip(found, names)]


def temporary_beside(path: Path) -> Path:
    """A hidden temporary name in path's folder, short whatever path's name (a name near the
    255-byte limit plus a prefix and suffix would pass it), unique to this process."""
    digest = hashlib.sha1(path.name.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return path.with_name(f".{digest}.{os.getpid()}.tmp")
