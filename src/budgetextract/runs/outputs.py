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
from .series import comparisons, corpus_findings, evidence_fields, fact_paths, same_budgets, series_rows

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


_CORPUS_TABLES = ("series", "corpus_findings", "comparisons")
_CHUNK = 200  # records whose rows are held at once while the tables are written


def _corpus_rows(light: list[tuple[str, dict]]) -> tuple[dict[str, str], dict[str, list[dict[str, Any]]]]:
    """The tables across documents, from what each document's record says of its figures; and
    which records repeat another."""
    copies = same_budgets(light)
    series = series_rows(light, copies)
    return copies, {"series": series, "corpus_findings": corpus_findings(light, series), "comparisons": comparisons(light, series)}


def _light(record: dict) -> dict:
    """What the steps across documents read of a record, and no more, so a corpus's worth fits
    in memory: its department, status, summary figures, each key's support status, its
    execution, the 结转和结余 rows of its 收支总表, the first statement of each change, and of
    each summary figure the statement of the value the summary holds (its evidence)."""
    summary = {k: v for k, v in record["summary"].items() if v is not None}
    holds = {path: summary.get(key) for key, path in fact_paths().items()}
    facts, seen = [], set()
    for f in record.get("facts", []):
        field = f["field"]
        wanted = (field.startswith("changes.") and field.endswith(".amount")) or (field in holds and f["value"] == holds[field])
        if wanted and field not in seen:
            seen.add(field)
            ev = f["evidence"]
            # the quotes of the findings across documents (evidence_fields); of the rest, the value
            quoted = field in evidence_fields()
            facts.append({"field": field, "value": f["value"],
                          "evidence": {"page": ev.get("page"), "text": ev["text"], "label": ev.get("label")} if quoted else {}})
    tables = [{"kind": t["kind"], "rows": [row for row in t["rows"] if "结转" in row["name"] or "结余" in row["name"]]}
              for t in record.get("tables", []) if t["kind"] == "budget_total"]
    return {"department_key": record.get("department_key"), "status": record["status"], "summary": summary,
            "support": {k: _STATUS.setdefault(v["status"], {"status": v["status"]}) for k, v in record.get("support", {}).items()},
            "execution": record.get("execution", []), "facts": facts, "tables": tables}


_STATUS: dict[str, dict] = {}  # one {"status": …} for all the keys of that status, never changed


def _document_rows(record_path: str, r: dict, entry: dict, copies: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The rows one record gives each table of documents."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS if name not in _CORPUS_TABLES}
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


def _records(out: Path, entries: list[dict]):
    """(record path relative to the folder, record, manifest entry) of each input done, one at a time."""
    base = out.resolve()
    for entry in entries:
        path = Path(entry["record"])
        if path.exists():
            shown = display(path.relative_to(base) if path.is_relative_to(base) else path)
            yield shown, json.loads(path.read_text(encoding="utf-8")), entry


# A text cell that a spreadsheet would run as a formula (=HYPERLINK(…) as a file name)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _csv_rows(f, columns: dict[str, str], values: dict[str, list]) -> None:
    """values: each column's cells, top to bottom, appended to the open CSV f."""
    cells = [list(map(_cell, values[c])) if kind == "string" else values[c] for c, kind in columns.items()]
    # a carriage return in a cell (a file name may hold one) must be quoted, which the csv module
    # does only for the line terminator's own characters: such rows are written by hand
    returns = any(kind == "string" and any(isinstance(v, str) and "\r" in v for v in column)
                  for column, kind in zip(cells, columns.values()))
    if returns:
        f.writelines(",".join(map(_csv_field, row)) + "\n" for row in zip(*cells))
    else:
        csv.writer(f, lineterminator="\n").writerows(zip(*cells))


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


class _TableFiles:
    """One table's CSV and Parquet, written a chunk of rows at a time under temporary names and
    put in place when complete."""

    def __init__(self, out: Path, name: str):
        import pyarrow.parquet as pq

        self.name, self.columns = name, SCHEMAS[name]
        self.csv, self.parquet = out / f"{name}.csv", out / f"{name}.parquet"
        self._csv = self.csv.with_suffix(".csv.tmp").open("w", encoding="utf-8", newline="")
        csv.writer(self._csv, lineterminator="\n").writerow(self.columns)
        self._parquet_tmp = self.parquet.with_suffix(".parquet.tmp")
        self._parquet = pq.ParquetWriter(self._parquet_tmp, _arrow_table(self.columns, {c: [] for c in self.columns}).schema)

    def write(self, rows: list[dict[str, Any]]) -> None:
        # by column: rows of dicts cost most of the writing
        values = {c: [row.get(c) for row in rows] for c in self.columns}
        _csv_rows(self._csv, self.columns, values)
        self._parquet.write_table(_arrow_table(self.columns, values))

    def close(self) -> None:
        self._csv.close()
        self._parquet.close()
        os.replace(self._csv.name, self.csv)
        os.replace(self._parquet_tmp, self.parquet)


def write_outputs(out: Path) -> int:
    """Write the analysis tables of a batch folder; returns how many documents they cover. The
    records are read one at a time, twice: first what the tables across documents need of
    each, then each one's rows, written a chunk at a time, so memory does not grow with the
    corpus but by what those tables need of a document."""
    import duckdb

    entries = sorted(read_manifest(out).values(), key=lambda e: e["path"])
    copies, corpus = _corpus_rows([(shown, _light(r)) for shown, r, _ in _records(out, entries)])
    files = {name: _TableFiles(out, name) for name in SCHEMAS}
    for name in _CORPUS_TABLES:
        files[name].write(corpus[name])
    pending: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS if name not in _CORPUS_TABLES}
    documents = 0
    for shown, record, entry in _records(out, entries):
        documents += 1
        for name, rows in _document_rows(shown, record, entry, copies).items():
            pending[name].extend(rows)
        if documents % _CHUNK == 0:
            for name, rows in pending.items():
                files[name].write(rows)
                rows.clear()
    for name, rows in pending.items():
        files[name].write(rows)
    for f in files.values():
        f.close()

    tmp_db = out / ".budgets.duckdb.tmp"
    tmp_db.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp_db))
    con.execute("SET memory_limit = '64MB'")  # the tables are copied in, not held: a small buffer is enough
    con.execute("SET threads = 1")
    for name in SCHEMAS:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [str(files[name].parquet)])
    con.close()
    os.replace(tmp_db, out / "budgets.duckdb")
    _write_package(out)
    return documents


def _write_package(out: Path) -> None:
    """datapackage.json: each CSV's columns, types, units and (for the summary) meanings."""
    described = entries()
    resources = [{
        "name": name.replace("_", "-"), "path": f"{name}.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "schema": {"fields": [{"name": c, "type": t, **({"unit": _MONEY_UNIT} if c in _MONEY_COLUMNS else {}),
                               **({"description": described[c].description} if name == "summary" and c in described else {})}
                              for c, t in columns.items()]},
    } for name, columns in SCHEMAS.items()]
    package = {
        "profile": "tabular-data-package",
        "name": "budgetextract-batch",
        "title": "Key figures extracted from department budget explanations",
        "version": SCHEMA_VERSION,
        "description": "Money in 万元 (10,000 yuan); percentages in percent; changes signed. One summary row per input document.",
        "resources": resources,
    }
    (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
