"""The corpus side: documents of one department put in a series, one budget counted once, and
each document checked against the documents it speaks of.

A department's documents share a department_key (region.py). Two documents of one key, year
and kind whose key figures agree are one budget published twice (a 附件 copy): the later
names the first in `same_budget_as`. In a series each document links the same department's
document of the year before, and a budget its final account (and back). Checks across
documents compare one scope with itself only: a budget's headline change is stated against
last year's budget (年初预算), so the prior figure it implies is set against the total of the
previous year's budget — not when the change is framed against an execution or final figure. A
final account's 年初预算 of a “三公” item is its budget's figure, and what one year's accounts
carry out (年末结转和结余) the next year's carry in. A budget's 上年结转 is an estimate made
before the year closed, so it is not held to the final account.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import regex

from .. import vocab
from ..findings import finding
from ..rounding import half
from ..schema import SUMMARY_KEYS

_KEY_FIGURES = ("revenue_total", "expenditure_total", "fiscal_appropriation_total")
# the money keys two documents of a department are compared on
_COMPARED = tuple(k for k in SUMMARY_KEYS if k not in ("department", "fiscal_year", "doc_kind", "scope", "total_change_amount",
                                                       "total_change_pct", "total_change_reason", "function_classes"))
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


def comparisons(records: list[tuple[str, dict]], series: list[dict]) -> list[dict]:
    """One row per figure two related documents of a department both state (the same key, one
    scope with itself): consecutive budgets, consecutive final accounts, and a budget with its
    final account. For consecutive years, the change the later document states for the figure
    beside the difference, and whether the two agree within what the three figures print."""
    paths = fact_paths()
    by_path = dict(records)
    out = []
    for row in series:
        later = by_path[row["record"]]
        pairs = [("previous_year", row["previous_record"])]
        if row["doc_kind"] == "final_accounts":
            pairs.append(("budget_and_final_accounts", row["budget_record"]))
        for relation, other in pairs:
            if other is None:
                continue
            earlier = by_path[other]
            for key in _COMPARED:
                a, b = later["summary"].get(key), earlier["summary"].get(key)
                if a is None or b is None:
                    continue
                a, b = Decimal(str(a)), Decimal(str(b))
                stated = _stated_change(later, paths.get(key, key)) if relation == "previous_year" else None
                slack = half(a) + half(b) + (half(stated) if stated is not None else 0)
                out.append({"record": row["record"], "other_record": other, "relation": relation, "department_key": row["department_key"],
                            "doc_kind": row["doc_kind"], "fiscal_year": row["fiscal_year"], "other_fiscal_year": earlier["summary"].get("fiscal_year"),
                            "key": key, "value": float(a), "other_value": float(b), "difference": float(a - b),
                            "stated_change": float(stated) if stated is not None else None,
                            "agrees": abs(stated - (a - b)) <= slack if stated is not None else None,
                            "support": (later.get("support", {}).get(key) or {}).get("status"),
                            "other_support": (earlier.get("support", {}).get(key) or {}).get("status")})
    return out


@lru_cache(maxsize=1)
def fact_paths() -> dict[str, str]:
    """Each summary key's name in facts (three_public_total → three_public.total)."""
    return {f["field"]: f["path"] for f in vocab.load("fields")["fields"]}


def _stated_change(record: dict, path: str) -> Decimal | None:
    """The change against last year a document states for the figure at path (its headline
    change for the expenditure total)."""
    fields = (f"changes.{path}.amount", "changes.total.amount") if path == "expenditure.total" else (f"changes.{path}.amount",)
    for field in fields:
        fact = next((f for f in record.get("facts", []) if f["field"] == field), None)
        if fact is not None and isinstance(fact["value"], (int, float)):
            return Decimal(str(fact["value"]))
    return None


def corpus_findings(records: list[tuple[str, dict]], series: list[dict]) -> list[dict]:
    """Each document against the documents it speaks of: a budget's implied prior-year total
    against the previous budget; a final account's 年初预算 against its budget, and its
    年初结转和结余 against the previous final account's 年末结转和结余."""
    by_path = dict(records)
    out = []
    for row in series:
        r = by_path[row["record"]]
        if row["doc_kind"] == "budget" and row["previous_record"]:
            out.extend(_prior_year_total(row, r, by_path[row["previous_record"]]))
        if row["doc_kind"] == "final_accounts" and row["budget_record"]:
            out.extend(_initial_budget(row, r, by_path[row["budget_record"]]))
        if row["doc_kind"] == "final_accounts" and row["previous_record"]:
            out.extend(_carried_over(row, r, by_path[row["previous_record"]]))
    return out


def _corpus_finding(row: dict, other: str, code: str, field: str, this_value: Decimal, other_value: Decimal,
                    message: str, quotes: list[tuple[int | None, str | None]]) -> dict:
    f = finding(code, message, fields=[field], difference=this_value - other_value)
    return {"record": row["record"], "other_record": row[other], "code": f.code, "severity": f.severity, "field": field,
            "this_value": float(this_value), "other_value": float(other_value), "message": f.message,
            "pages": ";".join(str(page) for page, _ in quotes if page is not None),
            "evidence": " | ".join(text for _, text in quotes if text)}


def _prior_year_total(row: dict, r: dict, previous: dict) -> list[dict]:
    s, p = r["summary"], previous["summary"]
    change = next((f for f in r.get("facts", []) if f["field"] == "changes.total.amount"), None)
    if change is None or s.get("expenditure_total") is None or p.get("expenditure_total") is None \
            or not _against_budget().search((change["evidence"].get("label") or "").removeprefix("against: ")):
        return []
    implied = Decimal(str(s["expenditure_total"])) - Decimal(str(change["value"]))
    stated = Decimal(str(p["expenditure_total"]))
    if abs(implied - stated) <= _ROUNDING:
        return []
    total = next((f for f in previous.get("facts", []) if f["field"] == "expenditure.total"
                  and Decimal(str(f["value"])) == stated), None)
    return [_corpus_finding(row, "previous_record", "prior_year_total_mismatch", "expenditure_total", implied, stated,
                            f"this budget's change {change['value']} on its total {s['expenditure_total']} implies last year's "
                            f"budget was {implied}; last year's budget states {stated}",
                            [(change["evidence"].get("page"), change["evidence"]["text"]),
                             (total["evidence"].get("page"), total["evidence"]["text"]) if total else (None, None)])]


@lru_cache(maxsize=1)
def evidence_fields() -> frozenset[str]:
    """The facts whose evidence the findings across documents quote: the headline change and
    total, and the budget items a final account's 年初预算 is checked against."""
    return frozenset({"changes.total.amount", "expenditure.total", *(fact_paths().get(k, k) for k in _budget_items())})


@lru_cache(maxsize=1)
def _budget_items() -> dict[str, regex.Pattern]:
    return {key: regex.compile(p) for key, p in vocab.load("series")["budget_items"].items()}


def _initial_budget(row: dict, r: dict, budget: dict) -> list[dict]:
    """The 年初预算 a final account states for a “三公” item or 机关运行经费 is the figure its
    budget published for that item."""
    out, seen = [], set()
    for entry in r.get("execution", []):
        key = next((k for k, p in _budget_items().items() if p.match(entry["item"])), None)
        published = budget["summary"].get(key) if key else None
        if key in seen or published is None or entry["budget_initial"] is None:
            continue
        seen.add(key)
        initial, published = Decimal(str(entry["budget_initial"])), Decimal(str(published))
        if abs(initial - published) <= _ROUNDING:
            continue
        fact = next((f for f in budget.get("facts", []) if f["field"] == fact_paths().get(key, key) and Decimal(str(f["value"])) == published), None)
        out.append(_corpus_finding(row, "budget_record", "initial_budget_mismatch", key, initial, published,
                                   f"this final account states the 年初预算 of {entry['item']} as {initial}; "
                                   f"the year's budget states {published}",
                                   [(entry["evidence"].get("page"), entry["evidence"]["text"]),
                                    (fact["evidence"].get("page"), fact["evidence"]["text"]) if fact else (None, None)]))
    return out


def _summary_row(record: dict, pattern: str) -> tuple[Decimal, int | None, str] | None:
    """The figure of a 收入支出决算总表 row (年初/年末结转和结余), its page and its text."""
    name = regex.compile(pattern)
    for table in record.get("tables", []):
        if table["kind"] != "budget_total":
            continue
        for row in table["rows"]:
            figure = next((v for v in row["values"].values() if v is not None), None)
            if name.match(row["name"]) and figure is not None:
                return Decimal(str(figure)), row.get("page"), " ".join(c for c in row["cells"] if c)
    return None


def _carried_over(row: dict, r: dict, previous: dict) -> list[dict]:
    """What one year's accounts carry out (年末结转和结余) the next year's carry in (年初结转和结余)."""
    patterns = vocab.load("series")
    opening, closing = _summary_row(r, patterns["opening_row"]), _summary_row(previous, patterns["closing_row"])
    if opening is None or closing is None or abs(opening[0] - closing[0]) <= _ROUNDING:
        return []
    return [_corpus_finding(row, "previous_record", "carryover_mismatch", "carryover_prior_year", opening[0], closing[0],
                            f"this final account carries in {opening[0]} (年初结转和结余); last year's final account "
                            f"carried out {closing[0]} (年末结转和结余)", [opening[1:], closing[1:]])]
