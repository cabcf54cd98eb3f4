"""The data dictionary of the summary contract, from patterns/dictionary.json: each key's terms
as the documents print them, meaning, unit and scope. The JSON Schema, datapackage.json, the
`schema --dictionary` command and the README all read it here."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from . import vocab


class Entry(NamedTuple):
    key: str
    terms: tuple[str, ...]
    meaning: str
    unit: str | None
    scope: str

    @property
    def description(self) -> str:
        return f"{self.meaning} ({'、'.join(self.terms)}; unit: {self.unit or '—'}; scope: {self.scope})"


@lru_cache(maxsize=1)
def entries() -> dict[str, Entry]:
    return {key: Entry(key, tuple(e["terms"]), e["meaning"], e["unit"], e["scope"])
            for key, e in vocab.load("dictionary")["keys"].items()}


def markdown() -> str:
    """The dictionary as a Markdown table (the README's)."""
    rows = ["| key | 中文 | meaning | unit | scope |", "|---|---|---|---|---|"]
    rows += [f"| `{e.key}` | {'、'.join(e.terms)} | {e.meaning} | {e.unit or '—'} | {e.scope} |" for e in entries().values()]
    return "\n".join(rows) + "\n"
