"""A file's name as text: records, messages and tables show it, whatever bytes it has."""

from __future__ import annotations

import os
import re
from pathlib import Path

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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


def shown(path: Path | str) -> str:
    """display(path) safe to print on a terminal: a control character in a name (an escape
    sequence, a carriage return) is written as its escape, never sent to the terminal."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), display(path))
