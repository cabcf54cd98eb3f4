"""Compare extracted summaries with gold summaries (../shared/corpus/real/gold format).

Per key: correct / wrong / missed (gold set, output null) / spurious (gold null, output
set); function_classes counts one sub-field per class. Numbers match within 0.005;
total_change_reason when the texts (without whitespace and end punctuation) are ≥ 0.8
similar; other strings exactly, whitespace aside.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .schema import SUMMARY_KEYS

NUM_TOLERANCE = 0.005
REASON_SIMILARITY = 0.8


@dataclass
class Score:
    correct: int = 0
    wrong: int = 0
    missed: int = 0
    spurious: int = 0
    misses: list[tuple[str, str, Any, Any]] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        self.correct += other.correct
        self.wrong += other.wrong
        self.missed += other.missed
        self.spurious += other.spurious
        self.misses.extend(other.misses)

    @property
    def recall(self) -> float:
        d = self.correct + self.wrong + self.missed
        return self.correct / d if d else 1.0

    @property
    def precision(self) -> float:
        d = self.correct + self.wrong + self.spurious
        return self.correct / d if d else 1.0


def gold_id(file_name: str) -> str:
    return re.split(r"[_.]", file_name, maxsplit=1)[0]


def _strip(text: str) -> str:
    return re.sub(r"\s+", "", text).strip("。.;；,，")


def _same(key: str, got: Any, want: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if isinstance(want, (int, float, Decimal)) and isinstance(got, (int, float, Decimal)):
        return abs(float(got) - float(want)) <= NUM_TOLERANCE
    if isinstance(want, str) and isinstance(got, str):
        if key == "total_change_reason":
            return difflib.SequenceMatcher(None, _strip(got), _strip(want)).ratio() >= REASON_SIMILARITY
        return re.sub(r"\s+", "", got) == re.sub(r"\s+", "", want)
    return got == want


def _score_value(doc_id: str, key: str, got: Any, want: Any, score: Score) -> None:
    if want is None and got is None:
        return
    if want is None:
        score.spurious += 1
        score.misses.append((doc_id, "spurious", key, (got, None)))
    elif got is None:
        score.missed += 1
        score.misses.append((doc_id, "missed", key, (None, want)))
    elif _same(key, got, want):
        score.correct += 1
    else:
        score.wrong += 1
        score.misses.append((doc_id, "wrong", key, (got, want)))


def score_summary(doc_id: str, summary: dict[str, Any], gold: dict[str, Any]) -> Score:
    score = Score()
    fields = gold["fields"]
    for key in SUMMARY_KEYS:
        want = fields.get(key, {}).get("value")
        got = summary.get(key)
        if key == "function_classes":
            want, got = want or {}, got or {}
            for name in sorted(set(want) | set(got)):
                _score_value(doc_id, f"function_classes.{name}", got.get(name), want.get(name), score)
            continue
        _score_value(doc_id, key, got, want, score)
    return score


def load_gold(gold_dir: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(gold_dir).glob("*.json"))}
