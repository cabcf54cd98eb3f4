"""One reader per format behind one entry point; the format is sniffed from the bytes,
so a PDF saved as .txt is still read as a PDF."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import InputError
from .base import RawDocument
from .docx import read_docx
from .html import is_html, read_html
from .legacy_word import read_legacy_word
from .ofd import read_ofd
from .pdf import read_pdf
from .sheet import read_sheet
from .txt import read_txt

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc, .wps, .xls and .et files
# an OLE directory names its streams in UTF-16: a workbook's, or a Word document's
_OLE_WORKBOOK = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
_OLE_WORD = "WordDocument".encode("utf-16-le")
_EXPECTED = "expected .pdf, .ofd, .docx, .doc, .wps, .xlsx, .xls, .et, .txt or a web page"


def _ole_format(data: bytes, suffix: str) -> str:
    """doc or xls, by the streams the OLE container holds (a .wps is a Word document, a
    .et a workbook)."""
    if any(name in data for name in _OLE_WORKBOOK):
        return "xls"
    if _OLE_WORD in data:
        return "doc"
    if suffix in (".xls", ".et"):
        raise InputError("corrupt_sheet", "the file is named as a workbook but its container holds none; it is damaged")
    if suffix in (".doc", ".wps"):
        raise InputError("corrupt_doc", "the file is named as a Word document but its container holds none; it is damaged")
    raise InputError("unsupported_format", f"an OLE container that is neither a Word document nor a workbook; {_EXPECTED}")


def _pdf_header(data: bytes) -> bool:
    """A PDF header in the first KB: at the start, or after other bytes (readers accept junk
    before it) where the file also ends as a PDF does; a text that mentions %PDF- is a text."""
    at = data.find(b"%PDF-", 0, 1024)
    if at == -1:
        return False
    return not data[:at].lstrip(b"\xef\xbb\xbf \t\r\n") or b"%%EOF" in data[-4096:]


def sniff_format(data: bytes, suffix: str) -> str:
    if not data.startswith(b"PK\x03\x04") and _pdf_header(data):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            if suffix == ".docx":
                raise InputError("corrupt_docx", f"the DOCX (zip) container is damaged: {exc}") from exc
            raise InputError("unsupported_format", f"a damaged zip archive; {_EXPECTED}") from exc
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        if suffix == ".docx":
            raise InputError("corrupt_docx", "the zip container has no word/document.xml; it is not a Word document")
        raise InputError("unsupported_format", f"a zip archive that is neither a Word document, a workbook nor an OFD; {_EXPECTED}")
    if is_html(data) or suffix in (".html", ".htm"):
        return "html"  # crawls save web pages under .pdf names too
    if data.startswith(_OLE):
        return _ole_format(data, suffix)
    if suffix == ".pdf":
        raise InputError("corrupt_pdf", "the file is named .pdf but has no PDF header; it is damaged or not a PDF")
    if suffix == ".docx":
        raise InputError("corrupt_docx", "the file is named .docx but is not a zip container; it is damaged or not a Word document")
    if suffix in (".txt", ".text", ""):
        return "txt"
    raise InputError("unsupported_format", f"cannot read '{suffix}' files; {_EXPECTED}")


# names a format goes by beside its own
_SAME = {"html": (".htm",), "doc": (".wps",), "xls": (".et",), "xlsx": (".et",)}


def read_bytes(path: Path, data: bytes, ocr: str = "auto") -> RawDocument:
    """ocr (PDF only): "auto" for pages without a usable text layer, "force", or "off"."""
    if not data.strip():
        raise InputError("empty_file", "the file is empty")
    fmt = sniff_format(data, path.suffix.lower())
    reader = {"pdf": read_pdf, "docx": read_docx, "txt": read_txt, "html": read_html, "doc": read_legacy_word,
              "xlsx": read_sheet, "xls": read_sheet, "ofd": read_ofd}[fmt]
    doc = read_pdf(path, data, ocr) if fmt == "pdf" else reader(path, data)
    doc.format = fmt
    if path.suffix.lower() not in ("", f".{fmt}", *_SAME.get(fmt, ())):
        doc.warnings.append(f"file named '{path.suffix}' but its content is {fmt}; read as {fmt}")
    return doc


__all__ = ["RawDocument", "read_bytes", "sniff_format"]
