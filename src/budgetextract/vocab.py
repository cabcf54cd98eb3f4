"""Loads the vocabulary in patterns/ (data reviewed like code, changed without code).

In an installed wheel the files sit in budgetextract/patterns; in a source checkout
(editable install, tests) they are read from the repository's top-level patterns/.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def patterns_dir() -> Path:
    for candidate in (_HERE / "patterns", _HERE.parent.parent / "patterns"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the patterns/ data directory is missing from this installation")


class PatternsError(Exception):
    """A patterns/ file that does not have its model's shape."""


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """patterns/<name>.json, or the list of objects in patterns/<name>.jsonl, checked against
    its model (vocab_models.py) first."""
    from pydantic import ValidationError

    from .vocab_models import MODELS

    base = patterns_dir()
    path = base / f"{name}.json"
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        items = [data]
    else:
        path = base / f"{name}.jsonl"
        data = items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    model = MODELS[name]
    for i, item in enumerate(items):
        try:
            model.model_validate(item)
        except ValidationError as exc:
            where = f"{path.name}" + (f" line {i + 1}" if path.suffix == ".jsonl" else "")
            raise PatternsError(f"{where} does not have the shape patterns/{path.name} must have:\n{exc}") from None
    return data
