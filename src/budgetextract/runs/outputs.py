"""Tables for analysis from a batch's records: CSV and Parquet side by side, one DuckDB
file holding them all, and a Frictionless datapackage.json describing the CSVs.

Rebuilt from every record the manifest lists, so a resumed run's tables are complete.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from ..dictionary import entries
from ..display import display
from ..schema import SCHEMA_VERSION, SUMMARY_KEYS
from .manifest import MANIFEST, read_manifest
from .series import comparisons, corpus_findings, same_budgets, series_rows

# column → Frictionless type; the column order of each table
_DOC = {"record": "string", "file_name": "string", "sha256": "string"}
_MONEY_UNIT = "万元"
_MONEY_KEYS = [k for k in SUMMARY_KEYS if k not in ("department", "fiscal_year", "doc_kind", "scope", "total_change_reason",
                                                     "vehicles_total", "performance_projects_count", "staffing_authorized",
                                                     "staff_actual", "function_classes")]
SCHEMAS: dict[str, dict[str, str]] = {
    "summary": {**_DOC, "path": "string", "format": "string", "duplicate_of": "string", "same_budget_as": "string", "status": "string",
                "error_code": "string", "pages": "integer", "department_key": "string", "province": "string", "city": "string",
                "county": "string", "adcode": "string", "admin_level": "string", "money_unit": "string",
                "verified": "integer", "disputed": "integer",
                **{k: ("integer" if k in ("fiscal_year", "vehicles_total", "performance_projects_count", "staffing_authorized", "staff_actual")
                       else "number" if k in _MONEY_KEYS else "string") for k in SUMMARY_KEYS if k != "function_classes"}},
    "function_classes": {**_DOC, "department": "string", "fiscal_year": "integer", "function_class": "string", "amount": "number",
                         "amount_unit": "string"},
    "facts": {**_DOC, "field": "string", "value": "string", "number": "number", "unit": "string", "raw": "string",
              "section": "string", "source": "string", "page": "integer", "start_offset": "integer", "end_offset": "integer",
              "evidence": "string", "evidence_label": "string",
              "scope_fund": "string", "scope_unit": "string", "scope_period": "string", "scope_part_of": "string",
              "scope_basis": "string"},
    "line_items": {**_DOC, "table_kind": "string", "table_title": "string", "table_unit": "string", "page": "integer",
                   "code": "string", "level": "string", "name": "string", "table_column": "string", "amount": "number",
                   "amount_unit": "string", "printed": "string"},
    "execution": {**_DOC, "department": "string", "fiscal_year": "integer", "doc_kind": "string", "item": "string", "code": "string",
                  "budget_initial": "number", "budget_final": "number", "actual": "number", "pct": "number", "pct_of": "string",
                  "reason": "string", "source": "string", "page": "integer", "evidence": "string"},
    "support": {**_DOC, "key": "string", "status": "string", "value": "number", "identity": "string", "statements": "integer",
                "own_scope_statements": "integer", "pages": "string", "evidence": "string"},
    "findings": {**_DOC, "code": "string", "severity": "string", "message": "string", "fields": "string", "difference": "number",
                 "pages": "string", "evidence": "string"},
    "series": {"department_key": "string", "doc_kind": "string", "fiscal_year": "integer", "record": "string",
               "previous_record": "string", "final_accounts_record": "string", "budget_record": "string"},
    "comparisons": {"record": "string", "other_record": "string", "relation": "string", "department_key": "string",
                    "doc_kind": "string", "fiscal_year": "integer", "other_fiscal_year": "integer", "key": "string", "value": "number",
                    "other_value": "number", "difference": "number", "stated_change": "number", "agrees": "boolean",
                    "support": "string", "other_support": "string"},
    "corpus_findings": {"record": "string", "other_record": "string", "code": "string", "severity": "string", "field": "string",
                        "this_value": "number", "other_value": "number", "message": "string", "pages": "string", "evidence": "string"},
    "errors": {**_DOC, "path": "string", "code": "string", "message": "string"},
}


# columns holding money, always in 万元 (a table's own unit is in table_unit, its cell in printed)
_MONEY_COLUMNS = {*_MONEY_KEYS, "amount", "budget_initial", "budget_final", "actual"}


def _rows(records: list[tuple[str, dict, dict]]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
    by_path = [(path, r) for path, r, _ in records]
    copies = same_budgets(by_path)
    tables["series"] = series_rows(by_path, copies)
    tables["corpus_findings"] = corpus_findings(by_path, tables["series"])
    tables["comparisons"] = comparisons(by_path, tables["series"])
    for record_path, r, entry in records:
        src = r["source"]
        doc = {"record": record_path, "file_name": src["file_name"], "sha256": src.get("sha256")}
        s = r["summary"]
        tables["summary"].append({**doc, "path": src.get("path"), "format": src.get("format"), "duplicate_of": entry.get("duplicate_of"),
                                  "same_budget_as": copies.get(record_path), "status": r["status"],
                                  "error_code": (r.get("error") or {}).get("code"), "pages": src.get("pages"),
                                  "department_key": r.get("department_key"), **(r.get("region") or {}),
                                  "money_unit": _MONEY_UNIT, **_support_counts(r.get("support", {})),
                                  **{k: s.get(k) for k in SUMMARY_KEYS if k != "function_classes"}})
        for key, support in r.get("support", {}).items():
            own = [st for st in support["statements"] if st["of_key"]]
            value = s.get(key) if key in s else (s.get("function_classes") or {}).get(key.split(".", 1)[-1])
            tables["support"].append({**doc, "key": key, "status": support["status"], "value": value,
                                      "identity": support.get("identity"), "statements": len(support["statements"]),
                                      "own_scope_statements": len(own),
                                      "pages": ";".join(str(st["page"]) for st in own if st.get("page") is not None),
                                      "evidence": " | ".join(f"{st['text']} {st['value']}" for st in own)})
        for name, amount in (s.get("function_classes") or {}).items():
            tables["function_classes"].append({**doc, "department": s.get("department"), "fiscal_year": s.get("fiscal_year"),
                                               "function_class": name, "amount": amount, "amount_unit": _MONEY_UNIT})
        for f in r.get("facts", []):
            ev = f["evidence"]
            number = f["value"] if isinstance(f["value"], (int, float)) and not isinstance(f["value"], bool) else None
            tables["facts"].append({**doc, "field": f["field"], "value": None if f["value"] is None else str(f["value"]),
                                    "number": number, "unit": f.get("unit"), "raw": f.get("raw"), "section": f.get("section"),
                                    "source": f.get("source"), "page": ev.get("page"), "start_offset": ev["start"],
                                    "end_offset": ev["end"], "evidence": ev["text"], "evidence_label": ev.get("label"),
                                    **{f"scope_{k}": v for k, v in (f.get("scope") or {}).items()}})
        for t in r.get("tables", []):
            for row in t["rows"]:
                for column, amount in row["values"].items():
                    tables["line_items"].append({**doc, "table_kind": t["kind"], "table_title": t["title"], "table_unit": t.get("unit"),
                                                 "page": row.get("page"), "code": row.get("code"), "level": row.get("level"),
                                                 "name": row["name"], "table_column": column, "amount": amount,
                                                 "amount_unit": _MONEY_UNIT, "printed": row.get("printed", {}).get(column)})
        for e in r.get("execution", []):
            tables["execution"].append({**doc, "department": s.get("department"), "fiscal_year": s.get("fiscal_year"), "doc_kind": s.get("doc_kind"),
                                        **{k: e.get(k) for k in ("item", "code", "budget_initial", "budget_final", "actual", "pct", "pct_of", "reason", "source")},
                                        "page": e["evidence"].get("page"), "evidence": e["evidence"]["text"]})
        for f in r.get("findings", []):
            evidence = f.get("evidence", [])
            tables["findings"].append({**doc, "code": f["code"], "severity": f["severity"], "message": f["message"],
                                       "fields": ",".join(f.get("fields", [])), "difference": f.get("difference"),
                                       "pages": ";".join(str(e["page"]) for e in evidence if e.get("page") is not None),
                                       "evidence": " | ".join(e["text"] for e in evidence)})
        if r.get("error"):
            tables["errors"].append({**doc, "path": src["path"], "code": r["error"]["code"], "message": r["error"]["message"]})
    return tables


def _support_counts(support: dict[str, dict]) -> dict[str, int]:
    statuses = [s["status"] for s in support.values()]
    return {"verified": statuses.count("verified"), "disputed": statuses.count("disputed")}


def latest_records(out: Path) -> list[tuple[str, dict, dict]]:
    """(record path relative to the folder, record, manifest entry) of every input done."""
    records = []
    base = out.resolve()
    for entry in sorted(read_manifest(out).values(), key=lambda e: e["path"]):
        path = Path(entry["record"])
        if path.exists():
            shown = display(path.relative_to(base) if path.is_relative_to(base) else path)
            records.append((shown, json.loads(path.read_text(encoding="utf-8")), entry))
    return records


# A text cell that a spreadsheet would run as a formula (=HYPERLINK(…) as a file name)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _write_csv(path: Path, columns: dict[str, str], values: dict[str, list]) -> None:
    """values: each column's cells, top to bottom."""
    tmp = path.with_suffix(".csv.tmp")
    cells = [list(map(_cell, values[c])) if kind == "string" else values[c] for c, kind in columns.items()]
    # a carriage return in a cell (a file name may hold one) must be quoted, which the csv module
    # does only for the line terminator's own characters: such a table is written by hand
    returns = any(kind == "string" and any(isinstance(v, str) and "\r" in v for v in column)
                  for column, kind in zip(cells, columns.values()))
    with tmp.open("w", encoding="utf-8", newline="") as f:
        if returns:
            f.writelines(",".join(map(_csv_field, row)) + "\n" for row in [list(columns), *zip(*cells)])
        else:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(zip(*cells))
    os.replace(tmp, path)


def _csv_field(value: Any) -> str:
    """A cell as the csv module writes it, quoted also where it holds a carriage return."""
    if value is None:
        return ""
    text = str(value)
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n\r') else text


_INT64 = range(-(1 << 63), 1 << 63)


def _typed(kind: str, value: Any) -> Any:
    """A cell as its column's type takes it: a count past a 64-bit integer (a figure misread
    or misprinted, 编制99999999999999999999名) is no count, null in the typed tables (the
    record and the CSV keep it as printed); a number is a float."""
    if value is None or isinstance(value, bool):
        return value
    if kind == "integer":
        return value if isinstance(value, int) and value in _INT64 else None
    if kind == "number" and isinstance(value, (int, float)):
        return float(value)
    return value


def _arrow_table(columns: dict[str, str], values: dict[str, list]):
    import pyarrow as pa

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
    typed = {c: [_typed(kind, v) for v in values[c]] if kind != "string" else values[c] for c, kind in columns.items()}
    return pa.Table.from_pydict(typed, schema=pa.schema([(name, types[kind]) for name, kind in columns.items()]))


def tables_current(out: Path) -> bool:
    """The run's tables were written after its manifest's last entry, by this version."""
    database, package, manifest = out / "budgets.duckdb", out / "datapackage.json", out / MANIFEST
    try:
        written = json.loads(package.read_text(encoding="utf-8")).get("version") == SCHEMA_VERSION
        return written and database.stat().st_mtime_ns >= manifest.stat().st_mtime_ns
    except (OSError, ValueError):
        return False


def write_outputs(out: Path) -> int:
    """Write the analysis tables of a batch folder; returns how many documents they cover."""
    import duckdb
    import pyarrow.parquet as pq

    records = latest_records(out)
    tables = _rows(records)
    described = entries()
    db_path = out / "budgets.duckdb"
    tmp_db = out / ".budgets.duckdb.tmp"
    tmp_db.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp_db))
    resources = []
    for name, columns in SCHEMAS.items():
        # by column: a table of 100,000 rows is written twice, and rows of dicts cost most of it
        values = {c: [row.get(c) for row in tables[name]] for c in columns}
        _write_csv(out / f"{name}.csv", columns, values)
        arrow = _arrow_table(columns, values)
        pq.write_table(arrow, out / f"{name}.parquet")
        con.register("incoming", arrow)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
        con.unregister("incoming")
        resources.append({
            "name": name.replace("_", "-"), "path": f"{name}.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "schema": {"fields": [{"name": c, "type": t, **({"unit": _MONEY_UNIT} if c in _MONEY_COLUMNS else {}),
                                   **({"description": described[c].description} if name == "summary" and c in described else {})}
                                  for c, t in columns.items()]},
        })
    con.close()
    os.replace(tmp_db, db_path)
    package = {
        "profile": "tabular-data-package",
        "name": "budgetextract-batch",
        "title": "Key figures extracted from department budget explanations",
        "version": SCHEMA_VERSION,
        "description": "Money in 万元 (10,000 yuan); percentages in percent; changes signed. One summary row per input document.",
        "resources": resources,
    }
    (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(records)
