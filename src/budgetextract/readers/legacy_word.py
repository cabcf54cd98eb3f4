"""Legacy Word (.doc) and Kingsoft WPS (.wps) files: converted to DOCX by LibreOffice
headless, then read as DOCX. The conversion runs as a child of the process reading the file,
so it shares that process's memory limit, is bounded in time, and dies with it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError
from ..processes import die_with_parent
from .base import RawDocument
from .docx import read_docx

_SECONDS = 120  # a conversion of a budget's .doc takes a few seconds; past this it is stuck
_INSTALL = ("reading .doc and .wps files needs LibreOffice: install it (Debian/Ubuntu: apt-get install "
            "libreoffice-writer-nogui; macOS: brew install --cask libreoffice) or convert the file to .docx")


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _dies_with_parent() -> None:
    """In the child: the kernel kills it when the reading process dies (Linux)."""
    die_with_parent()
    os.setsid()  # its own group: a timeout ends LibreOffice's helper processes too


def read_legacy_word(path: Path, data: bytes) -> RawDocument:
    soffice = _soffice()
    if soffice is None:
        raise InputError("unsupported_format", _INSTALL)
    with tempfile.TemporaryDirectory(prefix="budgetextract-doc-") as work:
        source = Path(work) / "source.doc"
        source.write_bytes(data)
        # a profile of its own: two conversions at once must not share (and lock) one
        profile = Path(work, "profile").as_uri()
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "docx",
                   "--outdir", work, str(source)]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_dies_with_parent)
        try:
            _, err = proc.communicate(timeout=_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise InputError("timeout", f"LibreOffice did not convert the file within {_SECONDS} s") from None
        converted = Path(work) / "source.docx"
        if proc.returncode != 0 or not converted.exists():
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            raise InputError("corrupt_doc", f"LibreOffice could not convert this legacy Word file ({detail[0]}); it is damaged or not a Word document")
        return read_docx(path, converted.read_bytes())
