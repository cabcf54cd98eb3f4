"""Which files a command reads (files as given, and document files under folders), and
the name each one's record gets: unique per input path, never outside the output folder."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

OUTPUT_MARK = "manifest.jsonl"  # the file every batch output folder holds
SUPPORTED_SUFFIXES = {".pdf", ".ofd", ".docx", ".doc", ".wps", ".xlsx", ".xls", ".et", ".txt", ".html", ".htm"}
# Documents a department might publish that cannot be read: found in folders too, so each
# gets an error record (unsupported_format) instead of being passed over in silence.
DOCUMENT_SUFFIXES = SUPPORTED_SUFFIXES | {".rtf", ".odt"}


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
            under = sorted(p.rglob("*"))
            # a batch's own output folder under an input folder (its report page, its records) is no input
            outputs = [f.parent for f in under if f.name == OUTPUT_MARK]
            # not only regular files: a pipe or a link to a device named like a document gets its error record
            found = [(f, p) for f in under if not f.is_dir() and f.suffix.lower() in DOCUMENT_SUFFIXES
                     and not f.name.startswith(".") and not any(o in f.parents for o in outputs)]
            # a folder that cannot be listed hides its documents: it gets an error record of its own
            found += [(d, p) for d in [p, *(f for f in under if f.is_dir())] if not _listable(d)]
        else:
            found = [(p, None)]
        for f, root in found:
            key = f.resolve() if f.exists() else f.absolute()  # a dangling link resolves to nothing
            if key not in seen:
                seen.add(key)
                out.append((f, root))
    return out


def _listable(folder: Path) -> bool:
    try:
        with os.scandir(folder):
            return True
    except OSError:
        return False


def is_regular(path: Path) -> bool:
    """A regular file (after links): reading a pipe or a device may block or never end."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def unreadable_why(path: Path) -> str:
    """Why a file that is not a regular readable file gives no document, in words a user acts on."""
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that leads back to itself (a loop); point it at a document"
        return f"cannot open the file: {exc.strerror or exc}"
    if path.is_dir():
        return "a folder that cannot be listed (no permission to read it): the documents in it were not read"
    if not is_regular(path):
        return "not a regular file (a pipe, device or socket); give a document file"
    return "the file cannot be read"


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
    # normalized: in/../x/a.txt is x/a.txt, whose path from the shared folder has no ..
    absolute = [Path(os.path.normpath(path.absolute())) for path, _ in found]
    common = Path(os.path.commonpath(absolute)) if absolute else Path("/")
    # two inputs of one name take their paths from the folder all inputs share; a renamed
    # one may then meet a third name, so this goes on until every name is unique (each round
    # renames at least one more input, and the paths from the common folder are all distinct)
    while True:
        count: dict[Path, int] = {}
        for rel in names:
            count[rel] = count.get(rel, 0) + 1
        shared = {rel for rel, n in count.items() if n > 1}
        if not shared:
            break
        names = [a.relative_to(common) if n in shared else n for n, a in zip(names, absolute)]
    records = [rel.parent / _record_name(rel.name) for rel in names]
    # a record whose name is a folder another record needs (report.txt.json beside a folder
    # report.txt.json/ of inputs), or that would leave the records' folder, takes a name of its own
    folders = {parent for record in records for parent in record.parents}
    return [(path, distinct(Path(record.name), os.fsdecode(a)) if record in folders or ".." in record.parts or record.is_absolute()
             else record) for (path, _), record, a in zip(found, records, absolute)]


_NAME_BYTES = 255  # the longest file name most file systems take


def _record_name(name: str) -> str:
    """name.json, shortened where that passes the name limit (a title of 83 Chinese characters
    is a legal file name; with .json it is not): its start, then a digest of the whole name."""
    record = f"{name}.json"
    if len(os.fsencode(record)) <= _NAME_BYTES:
        return record
    tail = f"~{_digest(name)}.json"
    keep = name
    while len(os.fsencode(keep + tail)) > _NAME_BYTES:
        keep = keep[:-1]
    return keep + tail


def distinct(record: Path, key: str) -> Path:
    """record renamed for one input (by its manifest key): where a later batch into the same
    folder would give a second input a record name the first already has (2018/dept.txt, then
    2019/dept.txt), the second's record is its own."""
    return record.with_name(_record_name(f"{record.name.removesuffix('.json')}~{_digest(key)}"))


def temporary_beside(path: Path) -> Path:
    """A hidden temporary name in path's folder, short whatever path's name (a name near the
    255-byte limit plus a prefix and suffix would pass it), unique to this process."""
    return path.with_name(f".{_digest(path.name)}.{os.getpid()}.tmp")


def _digest(name: str) -> str:
    """A short name for a name of any length, the same on every run."""
    return hashlib.sha1(os.fsencode(name)).hexdigest()[:12]
