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
from .pdf import read_pdf
from .txt import read_txt


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
            raise InputError("unsupported_format", "a damaged zip archive; expected .pdf, .docx, .txt or a web page") from exc
        if "word/document.xml" in names:
            return "docx"
        if suffix == ".docx":
            raise InputError("corrupt_docx", "the zip container has no word/document.xml; it is not a Word document")
        raise InputError("unsupported_format", "a zip archive that is not a Word document; expected .pdf, .docx, .txt or a web page")
    if is_html(data) or suffix in (".html", ".htm"):
        return "html"  # crawls save web pages under .pdf names too
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("unsupported_format", "a legacy Word .doc (or other OLE) file; convert it to .docx (e.g. libreoffice --convert-to docx) and run again")
    if suffix == ".pdf":
        raise InputError("corrupt_pdf", "the file is named .pdf but has no PDF header; it is damaged or not a PDF")
    if suffix == ".docx":
        raise InputError("corrupt_docx", "the file is named .docx but is not a zip container; it is damaged or not a Word document")
    if suffix in (".txt", ".text", ""):
        return "txt"
    raise InputError("unsupported_format", f"cannot read '{suffix}' files; expected .pdf, .docx, .txt or a web page (.html)")


def read_bytes(path: Path, data: bytes, ocr: str = "auto") -> RawDocument:
    """ocr (PDF only): "auto" for pages without a usable text layer, "force", or "off"."""
    if not data.strip():
        raise InputError("empty_file", "the file is empty")
    fmt = sniff_format(data, path.suffix.lower())
    reader = {"pdf": read_pdf, "docx": read_docx, "txt": read_txt, "html": read_html}[fmt]
    doc = read_pdf(path, data, ocr) if fmt == "pdf" else reader(path, data)
    if path.suffix.lower() not in ("", f".{fmt}") and (fmt, path.suffix.lower()) != ("html", ".htm"):
        doc.warnings.append(f"file named '{path.suffix}' but its content is {fmt}; read as {fmt}")
    return doc


__all__ = ["RawDocument", "read_bytes", "sniff_format"]
