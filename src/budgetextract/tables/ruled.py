"""Ruled tables of a PDF page, read through pdfium.

pdfplumber's table geometry (edges → intersections → cells → tables) is sound, but its
page parsing is pure Python and costs ~170 ms a page. Here pdfium (C) supplies the ruling
lines and the text of each cell, and pdfplumber's geometry functions do the rest, so a
table page costs a few milliseconds.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import cells_to_tables, edges_to_intersections, merge_edges
from pdfplumber.utils import filter_edges, obj_to_bbox, rect_to_edges

from ..readers.pdf import raw_objects
from .grid import RawGrid, read_grid

_SNAP = 3  # pdfplumber's default snap and join tolerances, in points
_MIN_EDGE = 3
_RECT_SEGMENTS = 5  # m l l l h: a rectangle (or a line) drawn as one path
# Budget tables have tens of ruling lines a page, a few thousand drawn edges at most.
_MAX_PATHS, _MAX_EDGES, _MAX_MERGED_EDGES = 50_000, 100_000, 1_500
_FORM_DEPTH = 5  # levels of nested forms searched for rules: a bound on hostile nesting


@dataclass
class GridTable:
    bbox: tuple[float, float, float, float]
    """x0, top, x1, bottom in points from the page's top-left corner"""
    rows: list[list[tuple[tuple[float, float, float, float], str]]]
    """each row: its cells, left to right, as (bbox, text)"""


class _Frame:
    """Page (user) space ↔ the page as displayed (rotation applied, y from the top),
    which is where rows run left to right and titles stand above their tables."""

    def __init__(self, page: pdfium.PdfPage):
        self.rotation = page.get_rotation() % 360
        x0, y0, x1, y1 = page.get_mediabox()
        self.ox, self.oy, self.w, self.h = x0, y0, x1 - x0, y1 - y0

    def to_display(self, x: float, y: float) -> tuple[float, float]:
        x, y = x - self.ox, y - self.oy
        return {0: (x, self.h - y), 90: (y, x), 180: (self.w - x, y), 270: (self.h - y, self.w - x)}[self.rotation]

    def to_user(self, dx: float, dy: float) -> tuple[float, float]:
        x, y = {0: (dx, self.h - dy), 90: (dy, dx), 180: (self.w - dx, dy), 270: (self.w - dy, self.h - dx)}[self.rotation]
        return x + self.ox, y + self.oy

    def display_rect(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        (ax, ay), (bx, by) = self.to_display(left, bottom), self.to_display(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)

    def user_rect(self, x0: float, top: float, x1: float, bottom: float) -> dict[str, float]:
        (ax, ay), (bx, by) = self.to_user(x0, top), self.to_user(x1, bottom)
        return {"left": min(ax, bx), "bottom": min(ay, by), "right": max(ax, bx), "top": max(ay, by)}


def _rect(x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "doctop": top, "y0": 0.0, "y1": 0.0, "object_type": "rect"}


def _bounds(obj) -> tuple[float, float, float, float]:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
    return left.value, bottom.value, right.value, top.value


def _segments(obj, frame: _Frame) -> list[dict]:
    """Straight segments of a path drawn point to point (a grid as one path)."""
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    count = pdfium_c.FPDFPath_CountSegments(obj)
    x, y = pdfium_c.FS_FLOAT(), pdfium_c.FS_FLOAT()
    points: list[tuple[int, float, float]] = []
    for i in range(count):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        dx, dy = frame.to_display(m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        points.append((pdfium_c.FPDFPathSegment_GetType(seg), dx, dy))
    edges = []
    for (_, x0, y0), (kind, x1, y1) in zip(points, points[1:]):
        if kind != pdfium_c.FPDF_SEGMENT_LINETO:
            continue
        if abs(y0 - y1) < 1:
            edges.append({**_rect(min(x0, x1), y0, max(x0, x1), y0), "orientation": "h", "object_type": "line"})
        elif abs(x0 - x1) < 1:
            edges.append({**_rect(x0, min(y0, y1), x0, max(y0, y1)), "orientation": "v", "object_type": "line"})
    return edges


def _edges(page: pdfium.PdfPage, frame: _Frame) -> list[dict]:
    """The page's ruling lines; none where the page is drawn too densely to be a table a
    person reads (pairing edges costs their count squared)."""
    edges: list[dict] = []
    paths = raw_objects(page, pdfium_c.FPDF_PAGEOBJ_PATH, _FORM_DEPTH)
    for n, obj in enumerate(paths):
        if n >= _MAX_PATHS or len(edges) >= _MAX_EDGES:
            return []
        if pdfium_c.FPDFPath_CountSegments(obj) <= _RECT_SEGMENTS:
            edges.extend(rect_to_edges(_rect(*frame.display_rect(*_bounds(obj)))))
        else:
            edges.extend(_segments(obj, frame))
    edges = merge_edges(edges, snap_x_tolerance=_SNAP, snap_y_tolerance=_SNAP, join_x_tolerance=_SNAP, join_y_tolerance=_SNAP)
    edges = filter_edges(edges, min_length=_MIN_EDGE)
    return edges if len(edges) <= _MAX_MERGED_EDGES else []


def _cells(intersections: dict) -> list[tuple[float, float, float, float]]:
    """The cells that ruling intersections describe: pdfplumber's intersections_to_cells, the
    same cells in the same order, without its scan of every later point for each point (a
    dense page made that quadratic). A cell is a point, the nearest point below and to its
    right that its lines reach, and the corner those two close."""
    vertical = {p: frozenset(map(obj_to_bbox, e["v"])) for p, e in intersections.items()}
    horizontal = {p: frozenset(map(obj_to_bbox, e["h"])) for p, e in intersections.items()}

    def connects(a: tuple, b: tuple) -> bool:
        return (a[0] == b[0] and not vertical[a].isdisjoint(vertical[b])) or \
            (a[1] == b[1] and not horizontal[a].isdisjoint(horizontal[b]))

    points = sorted(intersections)
    column: dict[float, list] = {}  # points of one x, top to bottom
    row: dict[float, list] = {}  # points of one y, left to right
    for p in points:
        column.setdefault(p[0], []).append(p)
        row.setdefault(p[1], []).append(p)
    place_in_column = {p: i for ps in column.values() for i, p in enumerate(ps)}
    place_in_row = {p: i for ps in row.values() for i, p in enumerate(ps)}
    cells = []
    for pt in points:
        below = column[pt[0]][place_in_column[pt] + 1 :]
        right = row[pt[1]][place_in_row[pt] + 1 :]
        cell = next(((pt[0], pt[1], r[0], b[1]) for b in below if connects(pt, b) for r in right if connects(pt, r)
                     if (r[0], b[1]) in intersections and connects((r[0], b[1]), r) and connects((r[0], b[1]), b)), None)
        if cell is not None:
            cells.append(cell)
    return cells


def page_tables(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> list[GridTable]:
    frame = _Frame(page)
    cells = _cells(edges_to_intersections(_edges(page, frame), 1, 1))
    found = []
    for group in cells_to_tables(cells):
        rows: dict[float, list] = {}
        for x0, top, x1, bottom in sorted(group, key=lambda c: (round(c[1], 1), c[0])):
            # shrink a little so a neighbour's glyphs stay out
            text = textpage.get_text_bounded(**frame.user_rect(x0 + 0.5, top + 0.5, x1 - 0.5, bottom - 0.5))
            rows.setdefault(round(top, 1), []).append(((x0, top, x1, bottom), text))
        bbox = (min(c[0] for c in group), min(c[1] for c in group), max(c[2] for c in group), max(c[3] for c in group))
        found.append(GridTable(bbox=bbox, rows=[rows[k] for k in sorted(rows)]))
    return sorted(found, key=lambda t: t.bbox[1])


def text_above(textpage: pdfium.PdfTextPage, page: pdfium.PdfPage, top: float) -> str:
    """The page's text above a table (its title and unit stand there)."""
    if top <= 1:
        return ""
    width, _ = page.get_size()
    return textpage.get_text_bounded(**_Frame(page).user_rect(0, 0, width, top))


def read_page(page, textpage, page_no: int) -> list[RawGrid]:
    found = []
    for table in page_tables(page, textpage):
        raw = read_grid(table.rows, text_above(textpage, page, table.bbox[1]), page_no)
        if raw is not None:
            found.append(raw)
    return found
