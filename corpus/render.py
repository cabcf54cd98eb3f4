"""Render a budget explanation, given as lines of text, to DOCX, to PDF and to OFD.

Used to build the shipped samples and, in the tests, to turn one text into all three
formats. The PDF imitates a published file: hard line wraps at a fixed width, a
running header, and page numbers (- 3 -) at the foot of each page.
"""

from __future__ import annotations

import re
from pathlib import Path

_HEADING = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_AUTO_NUMBER = re.compile(r"^([一二三四五六七八九十]+)、")


def to_docx(lines: list[str], path: Path, auto_numbering: bool = False) -> None:
    """One paragraph per line. With auto_numbering, 一、 section numbers are left to
    Word's list numbering (chineseCounting) instead of the paragraph text."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element if auto_numbering else None
    if numbering is not None:
        numbering.append(parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
        ))
    num_id = 90
    for line in lines:
        m = _AUTO_NUMBER.match(line) if numbering is not None else None
        para = document.add_paragraph(line[m.end():] if m else line)
        if m:
            if m.group(1) == "一":  # a new list: Word restarts it with a startOverride
                num_id += 1
                numbering.append(parse_xml(
                    f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="90"/>'
                    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
                ))
            ppr = para._p.get_or_add_pPr()
            ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
    section = document.sections[0]
    section.header.paragraphs[0].text = "页眉：不应出现在正文中"
    document.save(str(path))


_NO_LINE_START = "。，、；：？！）》”’%"


def _wrap(line: str, width: int) -> list[str]:
    """Hard wrap at a display width (CJK characters count 2), as a PDF layout does, with
    the typesetter's rules: closing punctuation hangs at the line end rather than start a
    line, and a last line is never a single character (a widow)."""
    out, current, used = [], "", 0
    for ch in line:
        w = 2 if ord(ch) > 0x2E80 else 1
        if used + w > width and ch not in _NO_LINE_START:
            out.append(current)
            current, used = "", 0
        current += ch
        used += w
    if current or not out:
        out.append(current)
    if len(out) > 1 and len(out[-1]) == 1:
        out[-2], out[-1] = out[-2][:-1], out[-2][-1] + out[-1]
    return out


def to_pdf(lines: list[str], path: Path, width: int = 56, lines_per_page: int = 38, header: str | None = None) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page_w, page_h = A4
    size = 11
    c = canvas.Canvas(str(path), pagesize=A4)
    laid: list[str] = []
    for line in lines:
        laid.extend(_wrap(line, width) if line else [""])
    page = 0
    for start in range(0, len(laid), lines_per_page):
        page += 1
        if header:
            c.setFont("STSong-Light", 9)
            c.drawString(60, page_h - 40, header)
        c.setFont("STSong-Light", size)
        y = page_h - 70
        for text in laid[start : start + lines_per_page]:
            c.drawString(60, y, text)
            y -= size * 1.7
        c.setFont("STSong-Light", 9)
        c.drawCentredString(page_w / 2, 30, f"- {page} -")
        c.showPage()
    c.save()


def to_ofd(lines: list[str], path: Path, width: int = 56, lines_per_page: int = 38, header: str | None = None) -> None:
    """The lines laid out as to_pdf lays them (wraps, a running header, page numbers), written
    as an OFD package (GB/T 33190): one TextObject a line, positions in millimetres."""
    import zipfile
    from xml.sax.saxutils import escape

    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    laid: list[str] = []
    for line in lines:
        laid.extend(_wrap(line, width) if line else [""])
    pages = [laid[i : i + lines_per_page] for i in range(0, len(laid), lines_per_page)]

    def text_object(n: int, x: float, y: float, size: float, text: str) -> str:
        return (f'<ofd:TextObject ID="{n}" Boundary="{x} {y} 180 {size * 1.4:.2f}" Font="1" Size="{size}">'
                f'<ofd:TextCode X="0" Y="{size}">{escape(text)}</ofd:TextCode></ofd:TextObject>')

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD"><ofd:DocBody>'
                              '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        entries = "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        z.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData><ofd:PageArea>'
                                         f'<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>'
                                         f'<ofd:Pages>{entries}</ofd:Pages></ofd:Document>')
        for i, page in enumerate(pages):
            objects, n = [], 10
            if header:
                objects.append(text_object(n, 21, 12, 3.2, header))
            for row, text in enumerate(page):
                if text:
                    n += 1
                    objects.append(text_object(n, 21, 25 + row * 6.6, 3.9, text))
            objects.append(text_object(n + 1, 100, 285, 3.2, f"- {i + 1} -"))
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml",
                       f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="2">{"".join(objects)}'
                       '</ofd:Layer></ofd:Content></ofd:Page>')
