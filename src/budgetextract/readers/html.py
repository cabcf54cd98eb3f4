"""Web pages: the article's text and its tables (rows and cells, rowspan/colspan placed on a
grid as a DOCX table's are), in whatever encoding the page declares or its bytes show; the
site's scripts, styles, navigation and forms left out. A page has no page numbers: evidence
gives none."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import regex

from ..errors import InputError
from .base import RawDocument, RawTable

# a web page named anything: its first bytes (after a byte-order mark and blanks) are markup
_MARKUP = regex.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|meta|title|body)\b",
                        regex.IGNORECASE | regex.DOTALL)
_CHARSET = regex.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w-]+)", regex.IGNORECASE)
# GB2312 and GBK pages are read as GB18030, which holds both
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}
_SKIPPED = frozenset({"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "select", "option",
                      "button", "iframe", "svg", "template", "head"})
_BREAKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
                     "table", "tr", "blockquote", "pre", "dd", "dt", "hr"})
_ATTACHMENT = regex.compile(r"\.(?:pdf|docx?|wps|xlsx?|et|ofd|zip|rar)(?:$|\?)", regex.IGNORECASE)


def is_html(data: bytes) -> bool:
    return bool(_MARKUP.match(data[:4096]))


def _decode(data: bytes) -> tuple[str, str]:
    declared = _CHARSET.search(data[:8192])
    names = [declared.group(1).decode("ascii", "replace").lower()] if declared else []
    for name in [*(_WIDER.get(n, n) for n in names), "utf-8", "gb18030"]:
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            continue
    raise InputError("decode_error", "the web page is in none of its declared encoding, UTF-8 or GB18030")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.tables: list[RawTable] = []
        self.title = ""
        self.attachments: list[str] = []
        self._skip = 0  # depth inside elements whose text is not the article's
        self._in_title = False
        self._link: str | None = None
        self._table: list[dict] = []  # open tables (nested ones read apart)

    # text -----------------------------------------------------------------------------------
    def _break(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIPPED:
            self._skip += 1
            return
        if tag == "a":
            self._link = next((v for k, v in attrs if k == "href" and v), None)
        if tag == "table":
            self._table.append({"rows": [], "row": None, "cell": None, "taken": {}, "above": [l for l in self.lines[-4:] if l.strip()][-3:]})
        elif tag == "tr" and self._table:
            t = self._table[-1]
            t["row"], t["column"] = [], 0
        elif tag in ("td", "th") and self._table and self._table[-1]["row"] is not None:
            span = dict(attrs)
            t = self._table[-1]
            t["cell"] = {"text": [], "colspan": _span(span.get("colspan")), "rowspan": _span(span.get("rowspan"))}
        if tag in _BREAKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "a":
            self._link = None
        if tag in ("td", "th") and self._table and self._table[-1]["cell"] is not None:
            self._end_cell(self._table[-1])
        elif tag == "tr" and self._table and self._table[-1]["row"] is not None:
            t = self._table[-1]
            if t["cell"] is not None:
                self._end_cell(t)
            t["rows"].append(t["row"])
            t["row"] = None
        elif tag == "table" and self._table:
            t = self._table.pop()
            if t["rows"]:
                self.tables.append(RawTable(rows=t["rows"], above=t["above"]))
                for row in t["rows"]:
                    texts = [text for _, text in row]
                    if any(texts):
                        self.lines.append("\t".join(texts))
                self.lines.append("")
        if tag in _BREAKS:
            self._break()

    def _end_cell(self, t: dict) -> None:
        """The cell placed on the table's grid: past the columns that cells spanning down from
        rows above take, as wide as its colspan (10 units a column, as a DOCX table's)."""
        cell, top = t["cell"], len(t["rows"])
        while (top, t["column"]) in t["taken"]:
            t["row"].append(((10.0 * t["column"], 10.0 * top, 10.0 * (t["column"] + 1), 10.0 * (top + 1)), ""))
            t["column"] += 1
        left = t["column"]
        for down in range(1, cell["rowspan"]):
            for across in range(cell["colspan"]):
                t["taken"][(top + down, left + across)] = True
        text = " ".join("".join(cell["text"]).split())
        t["row"].append(((10.0 * left, 10.0 * top, 10.0 * (left + cell["colspan"]), 10.0 * (top + 1)), text))
        t["column"] += cell["colspan"]
        t["cell"] = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._skip:
            return
        if self._link and _ATTACHMENT.search(self._link) and data.strip():
            self.attachments.append(f"{data.strip()} ({self._link})")
        if self._table and self._table[-1]["cell"] is not None:
            self._table[-1]["cell"]["text"].append(data)
            return
        if self._table:
            return  # text between a table's cells (blanks) is not the article's
        self.lines[-1] += " ".join(data.split(" ")) if data.strip() else ""


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def read_html(path: Path, data: bytes) -> RawDocument:
    text, encoding = _decode(data)
    page = _Page()
    page.feed(text)
    page.close()
    lines = [line.strip() for line in page.lines]
    doc = RawDocument(format="html", pages=["\n".join(l for l in lines if l)], paged=False, path=path, encoding=encoding,
                      tables=page.tables, title=" ".join(page.title.split()) or None, attachments=page.attachments)
    doc.warnings.append("a web page has no page numbers: evidence gives none")
    return doc


__all__ = ["is_html", "read_html"]
