"""Pages without a text layer, read by offline OCR (RapidOCR: PP-OCR models shipped inside
its wheels, run on CPU through onnxruntime; nothing is fetched at run time).

A page is rendered at DPI, recognised into text boxes, and the boxes are laid out again as
lines (boxes that share a band of the page, left to right) so the page's text goes through
the same normalizer as a text layer; the boxes themselves are kept as rows of cells for the
table reader (columns by position)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from importlib import resources

import regex

from .. import vocab
from .base import Cell, RecognizedPage

DPI = 200
_POINTS = 72 / DPI  # pixels → PDF points
# boxes of one line overlap vertically by at least this share of the smaller box's height
_SAME_LINE = 0.5
# The detector sees the page at most this many pixels on its longer side (a 200 dpi A4 page
# is 2339): the PP-OCRv4 detector finds every cell of a budget table at that size, in a
# quarter of the time the full page takes
_DETECTOR_SIDE = 1280
_DETECTOR = ("rapidocr_onnxruntime", "models/ch_PP-OCRv4_det_infer.onnx")


def available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "rapidocr_onnxruntime"))


@lru_cache(maxsize=1)
def _engine():
    """image → [(quad, text, score)]. RapidOCR 3 with the PP-OCRv6 small recognizer its wheel
    ships, which reads a page's boxes in half the time of PP-OCRv4's at the same accuracy; but
    with the PP-OCRv4 detector, because PP-OCRv6's joins neighbouring table cells into one box
    (3,944.08一、一般公共服务支出). Boxes are recognised one at a time: a batch pads every box
    to the widest, and a table's boxes differ in width tenfold."""
    from rapidocr import OCRVersion, RapidOCR

    detector = resources.files(_DETECTOR[0]).joinpath(_DETECTOR[1])
    engine = RapidOCR(params={
        # one thread: batch workers already use every core, and results do not depend on threading
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        # pages are rendered upright, so the angle classifier is not needed
        "Global.use_cls": False,
        "Global.log_level": "error",
        "Det.model_path": str(detector),
        "Det.ocr_version": OCRVersion.PPOCRV4,
        "Det.limit_type": "max",
        "Det.limit_side_len": _DETECTOR_SIDE,
        "Rec.rec_batch_num": 1,
    })

    def recognise(image) -> list[tuple[list, str, float]]:
        out = engine(image)
        if out.boxes is None:
            return []
        return [(quad.tolist(), text, float(score)) for quad, text, score in zip(out.boxes, out.txts, out.scores)]

    return recognise


_listeners: list = []


def on_page(listener) -> None:
    """Call listener() as each page is about to be read: a batch worker tells its parent, which
    gives the file more time for every page read by OCR."""
    _listeners.append(listener)


def read_page(page) -> RecognizedPage:
    """OCR one pypdfium2 page."""
    for listener in _listeners:
        listener()
    image = page.render(scale=DPI / 72).to_numpy()
    boxes, scores = [], []
    for quad, text, score in _engine()(image):
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        boxes.append(((min(xs) * _POINTS, min(ys) * _POINTS, max(xs) * _POINTS, max(ys) * _POINTS), _corrected(text.strip())))
        scores.append(float(score))
    return RecognizedPage(rows=_lines(boxes), confidence=round(sum(scores) / len(scores), 4) if scores else 0.0)


@lru_cache(maxsize=1)
def _corrections() -> tuple[regex.Pattern, dict[str, str]]:
    table = vocab.load("ocr")["corrections"]
    return regex.compile("|".join(regex.escape(k) for k in sorted(table, key=len, reverse=True))), table


# the recognizer sets a space after a figure's comma or point (21, 940.96; 0. 00), and reads
# the underline of a filled-in template blank as _ beside the figure (为_2,388.04_万元)
_SPLIT_FIGURE = regex.compile(r"(?<=\d[,.])\s+(?=\d)|(?<=\d)\s+(?=[,.]\d)|_+(?=\d)|(?<=\d)_+")
_WIDE_COMMA = regex.compile(r"(?<=\d)，(?=\d{3}(?!\d))")  # 3，660.38: a thousands comma read full-width


def _corrected(text: str) -> str:
    pattern, table = _corrections()
    return _WIDE_COMMA.sub(",", _SPLIT_FIGURE.sub("", pattern.sub(lambda m: table[m.group()], text)))


def _lines(boxes: list[Cell]) -> list[list[Cell]]:
    """Boxes grouped into lines by vertical overlap, top to bottom, each left to right."""
    lines: list[list[Cell]] = []
    for box in sorted(boxes, key=lambda b: (b[0][1] + b[0][3]) / 2):
        (x0, top, x1, bottom), _ = box
        for line in reversed(lines[-3:]):
            l_top, l_bottom = min(b[0][1] for b in line), max(b[0][3] for b in line)
            overlap = min(bottom, l_bottom) - max(top, l_top)
            if overlap >= _SAME_LINE * min(bottom - top, l_bottom - l_top):
                line.append(box)
                break
        else:
            lines.append([box])
    return [_spaced_words(sorted(line, key=lambda b: b[0][0])) for line in lines]


def _spaced_words(line: list[Cell]) -> list[Cell]:
    """Characters printed apart to fill a cell (项    目, 栏  次) come out as a box each:
    join neighbouring one-character boxes less than two characters' height apart."""
    out: list[Cell] = []
    for box in line:
        (x0, top, x1, bottom), text = box
        if out and len(text) == 1 and len(out[-1][1]) == 1 and x0 - out[-1][0][2] < 2 * (bottom - top):
            (p0, ptop, _, pbottom), ptext = out[-1]
            out[-1] = ((p0, min(ptop, top), x1, max(pbottom, bottom)), ptext + text)
        else:
            out.append(box)
    return out

