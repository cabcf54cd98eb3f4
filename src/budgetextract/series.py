"""The corpus side: documents of one department put in a series, one budget counted once, and
each document checked against the documents it speaks of.

A department's documents share a department_key (region.py). Two documents of one key, year
and kind whose key figures agree are one budget published twice (a 附件 copy): the later
names the first in `same_budget_as`. In a series each document links the same department's
document of the year before, and a budget its final account (and back). Checks across
documents compare one scope with itself only: a budget's headline change is stated against
last year's budget (年初预算), so the prior figure it implies is set against the total of the
previous year's budget — not when the change is framed against an execution or final figure.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import regex

from . import vocab
from .checks.registry import finding

_KEY_FIGURES = ("revenue_total", "expenditure_total", "fiscal_appropriation_total")
_ROUNDING = Decimal("0.02")  # two printed figures, each rounded to 0.01


@lru_cache(maxsize=1)
def _against_budget() -> regex.Pattern:
    """The words that frame a change against last year's budget (比2025年年初预算数…)."""
    return regex.compile(vocab.load("fields")["total_change"]["against_budget"])


def _key(r: dict) -> tuple | None:
    s = r["summary"]
    if r["status"] == "error" or not r.get("department_key") or not s.get("fiscal_year") or not s.get("doc_kind"):
        return None
    return r["department_key"], s["fiscal_year"], s["doc_kind"]


def same_budgets(records: list[tuple[str, dict]]) -> dict[str, str]:
    """record → the record it repeats: same department, year and kind, and the same key figures
    wherever both state them (at least one)."""
    first: dict[tuple, list[tuple[str, dict]]] = {}
    copies: dict[str, str] = {}
    for path, r in records:
        key = _key(r)
        if key is None:
            continue
        for original, o in first.get(key, []):
            shared = [f for f in _KEY_FIGURES if r["summary"].get(f) is not None and o["summary"].get(f) is not None]
            if shared and all(Decimal(str(r["summary"][f])) == Decimal(str(o["summary"][f])) for f in shared):
                copies[path] = original
                break
        else:
            first.setdefault(key, []).append((path, r))
    return copies


def series_rows(records: list[tuple[str, dict]], copies: dict[str, str]) -> list[dict]:
    """One row per document (copies left out): its department, kind and year, and the records
    of the documents it follows and answers."""
    by_key = {}
    for path, r in records:
        key = _key(r)
        if key is not None and path not in copies:
            by_key.setdefault(key, path)
    rows = []
    for (department, year, kind), path in sorted(by_key.items()):
        other = "final_accounts" if kind == "budget" else "budget"
        rows.append({"department_key": department, "doc_kind": kind, "fiscal_year": year, "record": path,
                     "previous_record": by_key.get((department, year - 1, kind)),
                     "final_accounts_record": by_key.get((department, year, other)) if kind == "budget" else None,
                     "budget_record": by_key.get((department, year, other)) if kind == "final_accounts" else None})
    return rows


def corpus_findings(records: list[tuple[str, dict]], series: list[dict]) -> list[dict]:
    """Each budget's prior-year total, as its headline change implies it, against the total of
    the previous year's budget."""
    by_path = dict(records)
    out = []
    for row in series:
        if row["doc_kind"] != "budget" or not row["previous_record"]:
            continue
        r, previous = by_path[row["record"]], by_path[row["previous_record"]]
        s, p = r["summary"], previous["summary"]
        change = next((f for f in r.get("facts", []) if f["field"] == "changes.total.amount"), None)
        if change is None or s.get("expenditure_total") is None or p.get("expenditure_total") is None \
                or not _against_budget().search((change["evidence"].get("label") or "").removeprefix("against: ")):
            continue
        implied = Decimal(str(s["expenditure_total"])) - Decimal(str(change["value"]))
        stated = Decimal(str(p["expenditure_total"]))
        if abs(implied - stated) <= _ROUNDING:
            continue
        total = next((f for f in previous.get("facts", []) if f["field"] == "expenditure.total"
                      and Decimal(str(f["value"])) == stated), None)
        f = finding("prior_year_total_mismatch",
                    f"this budget's change {change['value']} on its total {s['expenditure_total']} implies last year's budget was "
                    f"{implied}; last year's budget states {stated}", fields=["total_change_amount"], difference=implied - stated)
        out.append({"record": row["record"], "other_record": row["previous_record"], "code": f.code, "severity": f.severity,
                    "field": "expenditure_total", "this_value": float(implied), "other_value": float(stated), "message": f.message,
                    "pages": ";".join(str(x) for x in (change["evidence"].get("page"), total["evidence"].get("page") if total else None)
                                      if x is not None),
                    "evidence": " | ".join(x for x in (change["evidence"]["text"], total["evidence"]["text"] if total else None) if x)})
    return out
