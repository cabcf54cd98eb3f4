"""OFD (GB/T 33190), China's fixed-layout format: a zip of XML parts. Each page's text objects
are placed by their boundary and their text codes' offsets (millimetres), then set in lines
top to bottom and left to right, as a PDF's text layer is read; pages are real pages. The
tables' ruling (path objects) is not read: a table's 合计 row is taken from its text as for a
TXT. Read with the standard library: the reader that exists for Python converts through
PyMuPDF and a font stack, far more than text with positions needs."""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from ..errors import InputError
from .base import RawDocument

_NS = "{http://www.ofdspec.org/2016}"
_MAX_PART_BYTES = 256 * 1024 * 1024  # a page's XML past this is no page of a budget (a bomb)
_LINE = 0.5  # text whose baselines differ by less than this share of its size stands on one line
_GAP = 1.2  # a gap wider than this share of the size sets two cells apart (a table's columns)


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    try:
        info = archive.getinfo(name.lstrip("/"))
    except KeyError as exc:
        raise InputError("corrupt_ofd", f"the OFD package lacks its part {name}") from exc
    if info.file_size > _MAX_PART_BYTES:
        raise InputError("too_large", f"the OFD part {name} inflates to more than {_MAX_PART_BYTES >> 20} MB")
    try:
        return ElementTree.fromstring(archive.read(info))
    except ElementTree.ParseError as exc:
        raise InputError("corrupt_ofd", f"the OFD part {name} is not well-formed XML ({exc})") from exc


def _numbers(text: str | None) -> list[float]:
    try:
        return [float(x) for x in (text or "").split()]
    except ValueError:
        return []


def _page_lines(page: ElementTree.Element) -> list[str]:
    """The page's text codes as lines: (top, left, size, text) set by baseline, then by x."""
    pieces = []
    for obj in page.iter(f"{_NS}TextObject"):
        box = _numbers(obj.get("Boundary"))
        if len(box) < 2:
            continue
        size = float(obj.get("Size") or 3.5)
        for code in obj.iter(f"{_NS}TextCode"):
            if code.text:
                x, y = float(code.get("X") or 0), float(code.get("Y") or 0)
                pieces.append((box[1] + y, box[0] + x, size, code.text))
    pieces.sort()
    lines: list[list[tuple[float, float, float, str]]] = []
    for piece in pieces:
        if lines and abs(piece[0] - lines[-1][0][0]) < _LINE * piece[2]:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    out = []
    for line in lines:
        line.sort(key=lambda p: p[1])
        text, end = "", None
        for _, left, size, chars in line:
            if end is not None and left - end > _GAP * size:
                text += " "
            text += chars
            end = left + size * len(chars)
        out.append(text)
    return out


def read_ofd(path: Path, data: bytes) -> RawDocument:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError("corrupt_ofd", f"the OFD (zip) package is damaged: {exc}") from exc
    root = _xml(archive, "OFD.xml")
    doc_root = next((e.text for e in root.iter(f"{_NS}DocRoot") if e.text), None)
    if doc_root is None:
        raise InputError("corrupt_ofd", "OFD.xml names no document (DocRoot)")
    document = _xml(archive, doc_root)
    base = posixpath.dirname(doc_root.lstrip("/"))
    pages = []
    for page in document.iter(f"{_NS}Page"):
        location = page.get("BaseLoc")
        if location:
            content = _xml(archive, location if location.startswith("/") else posixpath.join(base, location))
            pages.append("\n".join(_page_lines(content)))
    if not pages:
        raise InputError("corrupt_ofd", "the OFD document has no pages")
    return RawDocument(format="ofd", pages=pages, paged=True, path=path,
                       empty_pages=[i for i, text in enumerate(pages, 1) if not text.strip()])
