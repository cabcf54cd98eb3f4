"""Plain text: a strict encoding cascade that refuses to guess into mojibake."""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import InputError
from .base import RawDocument

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _plausible(text: str) -> bool:
    """Decoded text is believable when it is mostly CJK, ASCII and common punctuation.

    A wrong legacy codec (GB18030 over Big5, say) decodes without error but yields
    rare ideographs, private-use or control characters; those fail this test.
    """
    if not text.strip():
        return True
    good = 0
    for ch in text:
        o = ord(ch)
        if ch in "\r\n\t" or 0x20 <= o < 0x7F or 0x4E00 <= o <= 0x9FA5:
            good += 1
        elif 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or 0xFFE0 <= o <= 0xFFE6 or 0x2000 <= o <= 0x27BF or o == 0xA0:
            good += 1
        elif 0x2460 <= o <= 0x24FF or 0x00B7 == o or 0x25A0 <= o <= 0x25FF:
            good += 1
    return good / len(text) >= 0.95


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: the byte order whose text is plausible. GBK/GB18030
    bytes read as UTF-16 give Hangul, private-use or rare code points, which fail the test."""
    if len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and _plausible(text):
            return text
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) or raise InputError('decode_error')."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise InputError("decode_error", f"the file starts with a {enc} byte-order mark but is not valid {enc}: {exc}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = _utf16_without_bom(data)
    if text is not None:
        return text, "utf-16"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible(text):
        return text, "gb18030"
    raise InputError(
        "decode_error",
        "the text is neither UTF-8, UTF-16 nor GB18030/GBK; re-save it as UTF-8 and run again",
    )


def read_txt(path: Path, data: bytes) -> RawDocument:
    text, encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A form feed is the one page break plain text has.
    pages = text.split("\f")
    return RawDocument(format="txt", pages=pages, paged=len(pages) > 1, path=path, encoding=encoding)
