"""Budget tables → line items.

PDF: ruled tables are read (pdf_grid) only on the pages whose text layer shows table rows
or a table title, found cheaply from the normalized text. DOCX: Word tables, placed on
their grid. Either way a table's columns are named by the header cells above each value
cell, by position, so merged header cells and empty value cells (which vanish from the
text layer) are handled, and a table without a title continues the one before it.
Where a standard table stands only as text, the figures that can be placed are taken
(text_tables.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from . import vocab
from .amounts import cell_amount
from .normalize import NormalizedText
from .readers.base import Cell, RawDocument
from .pdf_grid import page_tables, text_above
from .schema import Section, Table, TableRow
from .segment import walk
from .text_tables import LEVELS, line_tables, text_totals

_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_SPLIT_CODE = re.compile(r"^\d{2,3}$")
_BARE_AMOUNT = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2})(?![\d.,]*(?:万|元|亿|%))")
_MIN_FIGURES_ON_PAGE = 4


@lru_cache(maxsize=1)
def _vocab():
    data = vocab.load("tables")
    return (
        [(k, regex.compile(p)) for k, p in data["kinds"]],
        regex.compile(data["title"]),
        regex.compile(data["unit"]),
        regex.compile(data["total_row"]),
        regex.compile(data["code_header"]),
        {k: regex.compile(p) for k, p in data["columns"].items()},
        regex.compile(data["line_number_header"]),
        regex.compile(data["required"]["about_table"]),
    )


def title_pattern() -> regex.Pattern:
    return _vocab()[1]


def table_kind(title: str) -> str | None:
    kinds = _vocab()[0]
    return next((k for k, p in kinds if p.search(title)), None)


def is_total_row(name: str) -> bool:
    """合计 / 总计 / 收入总计 …: the row of a table's totals."""
    return bool(_vocab()[3].match(name))


def column_role(name: str) -> str | None:
    """The summary concept a column holds (basic, personnel, three_public_outbound …); a
    header cell whose words wrap over two lines may have been read as two levels
    (公务接待/费), so the last two levels are also tried as one."""
    patterns = _vocab()[5]
    for candidate in dict.fromkeys([name, _joined_tail(name)]):
        for role, pattern in patterns.items():
            if pattern.search(candidate):
                return role
    return None


def _joined_tail(name: str) -> str:
    """a/b/c → a/bc"""
    head, _, last = name.rpartition("/")
    return head + last


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def table_pages(norm: NormalizedText, sections: list[Section]) -> list[int]:
    """Pages with table rows in their text layer, or inside a section of tables."""
    if not norm.paged:
        return []
    pages = set()
    title_re = _vocab()[1]
    figures = []
    for page in range(1, norm.pages + 1):
        a, b = norm.page_span(page)
        lines = norm.text[a:b].split("\n")
        # a continued table may come out of the text layer as one long line: count figures
        figures.append(sum(len(_BARE_AMOUNT.findall(line)) for line in lines if not any(c in line for c in "，。；")))
        # a table title on a line of its own: an empty table (本表无数据) has no figures
        if any(len(line) <= 40 and (m := title_re.fullmatch(line.strip())) and table_kind(m.group()) for line in lines):
            pages.add(page)
    for page, count in enumerate(figures, 1):
        # the last rows of a table (its 合计) may stand alone on the next page
        if count >= _MIN_FIGURES_ON_PAGE or (count and page > 1 and figures[page - 2] >= _MIN_FIGURES_ON_PAGE):
            pages.add(page)
    for s in walk(sections):
        if s.kind == "tables" and s.level >= 1 and s.page_start and s.page_end and s.page_end - s.page_start <= 3:
            pages.update(range(s.page_start, s.page_end + 1))
    return sorted(pages)


@dataclass
class _Cell:
    text: str
    x0: float
    x1: float
    top: float


@dataclass
class _Raw:
    title: str | None
    unit: str | None
    page: int
    header: list[_Cell]
    rows: list[list[_Cell]] = field(default_factory=list)


def _header_path(header: list[_Cell], x0: float, x1: float) -> str:
    xc = (x0 + x1) / 2
    parts = []
    for cell in sorted(header, key=lambda c: c.top):
        if cell.x0 - 0.5 <= xc <= cell.x1 + 0.5 and cell.text and (not parts or parts[-1] != cell.text):
            parts.append(cell.text)
    return "/".join(parts)


def _read_grid(rows: list[list[Cell]], above: str, page_no: int | None) -> _Raw | None:
    """One table from its cells ((x0, top, x1, bottom), text) row by row and the text
    above it: header cells, title, unit and data rows. None when it is not a table of figures."""
    title_re, unit_re = _vocab()[1], _vocab()[2]
    header: list[_Cell] = []
    preamble: list[str] = []  # header-row text, where titles and units also stand
    raw = _Raw(title=None, unit=None, page=page_no, header=header)
    in_header = True
    for cells in rows:
        real = [_Cell(_clean(text), b[0], b[2], b[1]) for b, text in cells]
        if not any(c.text for c in real):
            continue
        # the header ends at the first row with a figure or a classification code
        if in_header and not any(_NUMBER.match(c.text) for c in real):
            for c in real:
                preamble.append(c.text)
                if c.text and not _is_preamble(c.text):
                    header.append(c)
            continue
        in_header = False
        raw.rows.append(real)
    lines = [_clean(line) for line in above.splitlines() if _clean(line)]
    own_titles = [m.group() for line in preamble for m in [title_re.search(line)] if m and table_kind(m.group())]
    title = _title_above(lines) or (own_titles[0] if own_titles else None)
    raw.title = re.sub(r"^(?:万元|元)", "", title) if title else None  # the unit's tail, run into the title
    # the unit may share a cell with the department, or be split from it by one
    unit = next((m for line in reversed(lines[-6:]) for m in [unit_re.search(line)] if m), None) or next((m for t in preamble for m in [unit_re.search(t)] if m), None) \
        or unit_re.search("".join(t for t in preamble if "部门" not in t))
    raw.unit = unit.group(1) if unit else None
    return raw if raw.rows or raw.title else None  # an empty table (本表无数据) is still the table


def _read_page(page, textpage, page_no: int) -> list[_Raw]:
    found = []
    for table in page_tables(page, textpage):
        raw = _read_grid(table.rows, text_above(textpage, page, table.bbox[1]), page_no)
        if raw is not None:
            found.append(raw)
    return found


_TITLE_TAIL = re.compile(r"^(?:支出|收入)?(?:预算|决算)?表$")


# Lines that may stand between a table and its title: its number (表1, 公开08表), the unit,
# the department, a part heading.
_BETWEEN_TITLE_AND_TABLE = re.compile(r"^(?:(?:附|公开)?表[\d一二三四五六七八九十]+|公开\d+表|[\d\-]+)$|单位[:：]|部门[:：]|单位名称|部门名称|^第.部分|^(?:万元|元)$")


def _title_above(lines: list[str]) -> str | None:
    """The nearest title above the table, past the lines that may stand between them;
    a title that wrapped and left only its tail (……培训费 / 支出预算表) is joined."""
    title_re = _vocab()[1]
    for i in range(len(lines) - 1, max(-1, len(lines) - 7), -1):
        candidates = [lines[i]]
        if i > 0 and (_TITLE_TAIL.match(lines[i]) or not title_re.search(lines[i])):
            candidates.insert(0, lines[i - 1] + lines[i])
        for candidate in candidates:
            m = title_re.search(candidate)
            if m and table_kind(m.group()):
                return m.group()
        if not _BETWEEN_TITLE_AND_TABLE.search(lines[i]):
            return None
    return None


def _is_preamble(text: str) -> bool:
    """Text in a table's top rows that is not a column header: title, unit, department."""
    return "单位" in text or "部门" in text or text in ("元", "万元") or bool(_vocab()[1].fullmatch(text))


def _rows(raw: _Raw, unit: str | None) -> list[TableRow]:
    """Cells → line items. A row may hold several items side by side (收入 | 支出)."""
    code_header, line_number = _vocab()[4], _vocab()[6]
    out = []
    for cells in raw.rows:
        code_parts: list[str] = []
        current: TableRow | None = None
        second_name = False  # the name of an item's second classification follows its code
        for cell in cells:
            column = _header_path(raw.header, cell.x0, cell.x1)
            if column and line_number.search(column.split("/")[-1]):
                continue  # 决算 tables number their rows (行次): not a figure
            is_code_col = bool(code_header.search(column.split("/")[-1])) if column else False
            if (_CODE.match(cell.text) or (is_code_col and _SPLIT_CODE.match(cell.text))) and (current is None or is_code_col):
                if current is not None and current.code and not current.printed and not code_parts:
                    # 30215 会议费 | 50202 会议费 | figures: one item under its department's and the
                    # government's economic classification, not two (side-by-side items have figures first)
                    current.cells.append(cell.text)
                    second_name = True
                    continue
                # a code under a code header begins the next item, also one printed beside another
                code_parts, current = ([] if current is not None else code_parts) + [cell.text], None
                continue
            if second_name and cell.text and not _NUMBER.match(cell.text):
                current.cells.append(cell.text)
                second_name = False
                continue
            second_name = False
            if _NUMBER.match(cell.text) or (cell.text == "" and current is not None):
                if current is None:
                    if out and out[-1].page == raw.page and not any(out[-1].printed.values()) and not code_parts:
                        current = out[-1]  # the figures of a label printed a line higher
                    else:
                        current = TableRow(name="", cells=[], page=raw.page)
                        out.append(current)
                key = column or f"col{len(current.values) + 1}"
                if current.printed.get(key):
                    if not cell.text:
                        continue  # a spacer cell under the same header
                    key = f"{key}#{sum(k.startswith(key) for k in current.printed) + 1}"
                current.values[key] = cell_amount(cell.text, unit) if cell.text else None
                current.printed[key] = cell.text
                current.cells.append(cell.text)
                continue
            if cell.text == "" or is_code_col:
                continue
            code = "".join(code_parts) or None
            current = TableRow(code=code, level=LEVELS.get(len(code)) if code else None, name=cell.text, cells=[*code_parts, cell.text], page=raw.page)
            code_parts = []
            out.append(current)
    # a row numbering the columns (栏次 1 2 3 …) holds no figures
    return [r for r in out if r.values and not line_number.search(r.name) and not _numbers_columns(r)]


def _numbers_columns(row: TableRow) -> bool:
    """1 2 3 … across a row: the columns' numbers (栏次), not figures."""
    printed = [p for p in row.printed.values() if p]
    if len(printed) < 3 or not all(p.isdigit() for p in printed):
        return False
    first = int(printed[0])
    return [int(p) for p in printed] == list(range(first, first + len(printed)))


def _assemble(raws) -> list[Table]:
    """Tables from raw tables in document order: a titled table starts a table, an
    untitled one right after it continues it (its header repeated or, if not, the
    previous one's)."""
    tables: list[tuple[Table, list[_Cell]]] = []
    known_unit: str | None = None  # tables of one document share their unit when one omits it
    for raw in raws:
        kind = table_kind(raw.title) if raw.title else None
        previous = tables[-1][0] if tables else None
        adjacent = previous is not None and (raw.page is None or previous.pages[-1] >= raw.page - 1)
        # a continued table may repeat its title on each page
        if adjacent and (kind is None or (raw.title == previous.title and raw.page not in previous.pages)):
            if not raw.header:
                raw.header = tables[-1][1]
            previous.rows.extend(_rows(raw, previous.unit))
            if raw.page is not None and raw.page not in previous.pages:
                previous.pages.append(raw.page)
            continue
        if kind is None:
            continue
        known_unit = raw.unit or known_unit
        unit = raw.unit or known_unit
        columns = list(dict.fromkeys(_header_path(raw.header, c.x0, c.x1) for row in raw.rows for c in row))
        table = Table(kind=kind, title=raw.title, unit=unit, pages=[raw.page] if raw.page else [],
                      columns=[c for c in columns if c], rows=_rows(raw, unit))
        tables.append((table, raw.header))
    return [t for t, _ in tables]


def _ocr_raws(rows: list[list[Cell]], page_no: int) -> list[_Raw]:
    """The tables of a page read by OCR, whose boxes stand in lines: after each title line
    the lines up to a note under it (注：…, a sentence) or the next title; before the first
    title, figure rows continue a table from the page before. After a note, nothing is a
    table until the next title (a page number is not a row)."""
    title_re, about = _vocab()[1], _vocab()[7]
    found: list[_Raw] = []
    above: list[str] = []
    table: list[list[Cell]] = []
    state = "continued"  # "titled": collecting a table, header rows too; "ended": after a note

    def close(listed: bool = False) -> None:
        if not table and state != "titled":
            return
        raw = _read_grid(_header_over_columns(table), "\n".join(above[-6:]), page_no)
        # a title followed at once by another is an entry of a list of tables (目录)
        if raw is not None and not (listed and not raw.rows):
            found.append(raw)

    for row in rows:
        line = _clean("".join(text for _, text in row))
        m = title_re.search(line) if len(line) <= 60 and "。" not in line and not about.search(line) else None
        if m and table_kind(m.group()):
            close(listed=not table)
            above, table, state = [*above, line], [], "titled"
        elif "。" in line or line.startswith(("注", "说明")):
            close()
            above, table, state = [*above, line], [], "ended"
        elif state == "titled" or (state == "continued" and (table or any(_NUMBER.match(_clean(t)) for _, t in row))):
            table.append(row)
        else:
            above.append(line)
    close()
    return found


_COLUMN_SHARE = 0.3  # a box wider than this share of the table is text across it, not a cell
_CENTRED = 0.2  # a group header stands within this share of its columns' width of their middle


def _header_over_columns(rows: list[list[Cell]]) -> list[list[Cell]]:
    """A recognised header box is as wide as its words, not its column, and figures are
    aligned anywhere in theirs. The columns are the spans of the body's boxes, the table
    parted between neighbouring ones; each header box is widened over the columns it stands
    over, as a ruled header cell spans them."""
    figured = [any(_NUMBER.match(_clean(t)) for _, t in row) for row in rows]
    first = figured.index(True) if True in figured else len(rows)
    # the boxes of the rows with figures, less a line of text across the table (a note)
    boxes = [b for row, has in zip(rows, figured) if has for b, _ in row]
    width = max((b[2] for b in boxes), default=0) - min((b[0] for b in boxes), default=0)
    columns = _merged([(b[0], b[2]) for b in boxes if b[2] - b[0] <= width * _COLUMN_SHARE])
    if not columns:
        return rows
    cuts = [(a[1] + b[0]) / 2 for a, b in zip(columns, columns[1:])]
    bounds = list(zip([columns[0][0], *cuts], [*cuts, columns[-1][1]]))
    centres = [(c0 + c1) / 2 for c0, c1 in columns]
    top_row = next((i for i, row in enumerate(rows[:first]) if not all(_is_preamble(_clean(t)) for _, t in row)), None)
    header = []
    for i, row in enumerate(rows[:first]):
        claims = _group_claims(row, columns) if i == top_row and len(row) > 1 else None
        if claims is None:
            claims = [_box_claim(box, bounds) for box, _ in row]
        cells = []
        for ((x0, top, x1, bottom), text), held in zip(row, _nearest(row, claims, centres)):
            if held:
                x0, x1 = min(x0, bounds[held[0]][0]), max(x1, bounds[held[-1]][1])
            cells.append(((x0, top, x1, bottom), text))
        header.append(cells)
    return header + rows[first:]


def _group_claims(row: list[Cell], columns: list[tuple[float, float]]) -> list[set[int]] | None:
    """The top header row's boxes as groups (预算数 | 决算数, 人员经费 | 公用经费): each
    reaches halfway to its neighbours and holds the columns whose middle lies within. None
    unless each stands centred over what it holds: a row that only begins the header (a
    group beside the first line of a tall cell) is no row of groups."""
    claims = []
    for j, ((x0, _, x1, _), _) in enumerate(row):
        left = (row[j - 1][0][2] + x0) / 2 if j else float("-inf")
        right = (x1 + row[j + 1][0][0]) / 2 if j + 1 < len(row) else float("inf")
        held = {k for k, (c0, c1) in enumerate(columns) if left <= (c0 + c1) / 2 < right}
        if held:
            a, b = columns[min(held)][0], columns[max(held)][1]
            if abs((x0 + x1) / 2 - (a + b) / 2) > _CENTRED * (b - a):
                return None
        claims.append(held)
    return claims


def _box_claim(box: tuple[float, float, float, float], bounds: list[tuple[float, float]]) -> set[int]:
    """The columns whose part of the table holds the box's middle, or half of which it covers."""
    x0, _, x1, _ = box
    middle = (x0 + x1) / 2
    last = len(bounds) - 1
    return {k for k, (a, b) in enumerate(bounds)
            if (a <= middle < b) or (k == 0 and middle < a) or (k == last and middle >= b)
            or min(b, x1) - max(a, x0) >= (b - a) / 2}


def _nearest(row: list[Cell], claims: list[set[int]], centres: list[float]) -> list[list[int]]:
    """A column two boxes of a row claim is the nearer one's (科目编码 over a column of
    names, where the codes' column has no figure row on this page)."""
    middles = [(b[0] + b[2]) / 2 for b, _ in row]
    return [sorted(k for k in claim if all(k not in other or abs(centres[k] - middles[j]) <= abs(centres[k] - middles[o])
                                            for o, other in enumerate(claims) if o != j))
            for j, claim in enumerate(claims)]


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for x0, x1 in sorted(spans):
        if out and x0 <= out[-1][1]:
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


def _pdf_raws(data: bytes, pages: list[int], ocr: dict):
    """Raw tables page by page: ruled ones through pdfium; on pages read by OCR, from its boxes."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for page_no in pages:
            if page_no in ocr:
                yield from _ocr_raws(ocr[page_no].rows, page_no)
                continue
            page = pdf[page_no - 1]
            textpage = page.get_textpage()
            yield from _read_page(page, textpage, page_no)
            textpage.close()
            page.close()
    finally:
        pdf.close()


def extract_tables(raw_doc: RawDocument, data: bytes, norm: NormalizedText, sections: list[Section]) -> list[Table]:
    """The budget tables of a PDF (ruled tables on the pages that show rows) or of a DOCX
    (its Word tables); where a standard table stands only as text, its 合计 row."""
    if raw_doc.format == "docx":
        raws = (_read_grid(t.rows, "\n".join(t.above), None) for t in raw_doc.tables)
        tables = _assemble(r for r in raws if r is not None)
    elif raw_doc.format == "pdf":
        pages = table_pages(norm, sections)
        tables = _assemble(_pdf_raws(data, pages, raw_doc.ocr)) if pages else []
    else:
        tables = []
    tables += text_totals(norm, sections, {t.kind for t in tables})
    return tables + line_tables(norm, {t.kind for t in tables})
