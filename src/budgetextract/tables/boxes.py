"""Tables from the text boxes of a page read by OCR: rows are its lines, columns the spans of
the figure rows' boxes, each header box widened over the columns it stands over."""

from __future__ import annotations

from ..readers.base import Cell
from .catalogue import clean, patterns, table_kind
from .grid import NUMBER, RawGrid, is_preamble, read_grid


def ocr_grids(rows: list[list[Cell]], page_no: int) -> list[RawGrid]:
    """The tables of a page read by OCR, whose boxes stand in lines: after each title line
    the lines up to a note under it (注：…, a sentence) or the next title; before the first
    title, figure rows continue a table from the page before. After a note, nothing is a
    table until the next title (a page number is not a row)."""
    title_re, about = patterns().title, patterns().about_table
    found: list[RawGrid] = []
    above: list[str] = []
    table: list[list[Cell]] = []
    state = "continued"  # "titled": collecting a table, header rows too; "ended": after a note

    def close(listed: bool = False) -> None:
        if not table and state != "titled":
            return
        raw = read_grid(_header_over_columns(table), "\n".join(above[-6:]), page_no)
        # a title followed at once by another is an entry of a list of tables (目录)
        if raw is not None and not (listed and not raw.rows):
            found.append(raw)

    for row in rows:
        line = clean("".join(text for _, text in row))
        m = title_re.search(line) if len(line) <= 60 and "。" not in line and not about.search(line) else None
        if m and table_kind(m.group()):
            close(listed=not table)
            above, table, state = [*above, line], [], "titled"
        elif "。" in line or line.startswith(("注", "说明")):
            close()
            above, table, state = [*above, line], [], "ended"
        elif state == "titled" or (state == "continued" and (table or any(NUMBER.match(clean(t)) for _, t in row))):
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
    figured = [any(NUMBER.match(clean(t)) for _, t in row) for row in rows]
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
    top_row = next((i for i, row in enumerate(rows[:first]) if not all(is_preamble(clean(t)) for _, t in row)), None)
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
