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

from .extract.execution import item_key
from .schema import SUMMARY_KEYS

NUM_TOLERANCE = 0.005
REASON_SIMILARITY = 0.8


@dataclass
class _Tally:
    misses: list[tuple[str, str, Any, Any]] = field(default_factory=list)

    def add(self, other: "_Tally") -> None:
        """Counts added, misses joined: one document's score into the total."""
        for name in self.__dataclass_fields__:
            mine = getattr(self, name)
            if isinstance(mine, list):
                mine.extend(getattr(other, name))
            else:
                setattr(self, name, mine + getattr(other, name))


@dataclass
class Score(_Tally):
    correct: int = 0
    wrong: int = 0
    missed: int = 0
    spurious: int = 0
    verified_right: int = 0  # right figures the record marks verified
    verified_wrong: int = 0  # wrong figures it marks verified: the number that must stay 0

    @property
    def verified_share(self) -> float:
        """The share of right figures that the document itself corroborates."""
        return self.verified_right / self.correct if self.correct else 0.0

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


def _score_value(doc_id: str, key: str, got: Any, want: Any, score: Score, verified: bool = False) -> None:
    if want is None and got is None:
        return
    if want is None:
        score.spurious += 1
        score.verified_wrong += verified
        score.misses.append((doc_id, "spurious", key, (got, None)))
    elif got is None:
        score.missed += 1
        score.misses.append((doc_id, "missed", key, (None, want)))
    elif _same(key, got, want):
        score.correct += 1
        score.verified_right += verified
    else:
        score.wrong += 1
        score.verified_wrong += verified
        score.misses.append((doc_id, "wrong" + " (verified)" * verified, key, (got, want)))


def score_summary(doc_id: str, summary: dict[str, Any], gold: dict[str, Any], support: dict[str, Any] | None = None) -> Score:
    """`support`: the record's, to count the figures it marks verified right and wrong."""
    score = Score()
    verified = {k for k, s in (support or {}).items() if s.get("status") == "verified"}
    fields = gold["fields"]
    for key in SUMMARY_KEYS:
        want = fields.get(key, {}).get("value")
        got = summary.get(key)
        if key == "function_classes":
            want, got = want or {}, got or {}
            for name in sorted(set(want) | set(got)):
                _score_value(doc_id, f"function_classes.{name}", got.get(name), want.get(name), score, f"function_classes.{name}" in verified)
            continue
        _score_value(doc_id, key, got, want, score, key in verified)
    return score


def load_gold(gold_dir: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(gold_dir).glob("*.json"))}


EXECUTION_FIELDS = ("code", "budget_initial", "budget_final", "pct", "pct_of", "reason")


@dataclass
class ExecutionScore(_Tally):
    """Entries matched on item and actual; then each field of a matched entry."""

    gold: int = 0
    found: int = 0
    spurious: int = 0
    fields_right: int = 0
    fields_compared: int = 0

    @property
    def entry_recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def field_accuracy(self) -> float:
        return self.fields_right / self.fields_compared if self.fields_compared else 1.0


def _same_item(a: str, b: str) -> bool:
    a, b = item_key(a or ""), item_key(b or "")
    return bool(a and b) and (a == b or a in b or b in a)


def score_execution(doc_id: str, entries: list[dict[str, Any]], gold: list[dict[str, Any]]) -> ExecutionScore:
    score = ExecutionScore(gold=len(gold))
    unused = list(entries)
    for want in gold:
        match = next((e for e in unused if _same_item(e["item"], want["item"]) and _same("actual", e["actual"], want["actual"])), None)
        if match is None:
            score.misses.append((doc_id, "missed", f"execution[{want['item']}]", (None, want["actual"])))
            continue
        unused.remove(match)
        score.found += 1
        for name in EXECUTION_FIELDS:
            got, expected = match.get(name), want.get(name)
            if got is None and expected is None:
                continue
            score.fields_compared += 1
            key = "total_change_reason" if name == "reason" else name  # reasons compare by similarity
            if got is not None and expected is not None and _same(key, got, expected):
                score.fields_right += 1
            else:
                score.misses.append((doc_id, "wrong", f"execution[{want['item']}].{name}", (got, expected)))
    score.spurious = len(unused)
    for extra in unused:
        score.misses.append((doc_id, "spurious", f"execution[{extra['item']}]", (extra["actual"], None)))
    return score
