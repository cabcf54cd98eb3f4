"""A file's name as text: records, messages and tables show it, whatever bytes it has."""

from __future__ import annotations

import os
from pathlib import Path


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
