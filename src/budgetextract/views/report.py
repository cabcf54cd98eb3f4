"""`budgetextract report`: where a batch is strong and weak, on one HTML page with its
charts as inline SVG (no network): documents by status and error, coverage of each
summary key, findings by code, the spread of totals, and totals by year."""

from __future__ import annotations

import csv
import html
import math
from collections import Counter
from pathlib import Path

from ..schema import SUMMARY_KEYS

_BAR = "#4a78b5"


def _read(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def bars(items: list[tuple[str, float]], unit: str = "", width: int = 640, label_width: int = 260) -> str:
    """Horizontal bar chart as SVG: one bar per (label, value)."""
    if not items:
        return '<p class="none">nothing to show</p>'
    row, top = 20, 4
    peak = max(v for _, v in items) or 1
    span = width - label_width - 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + row * len(items) + 4}" role="img">']
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = max(1.0, span * value / peak) if value else 0
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" font-size="12">{html.escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{_BAR}"><title>{html.escape(label)}: {_plain(value)}{unit}</title></rect>')
        parts.append(f'<text x="{label_width + w + 4:.1f}" y="{y + 14}" font-size="12">{_plain(value)}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def columns(items: list[tuple[str, float]], unit: str = "", width: int = 640, height: int = 180) -> str:
    """Vertical bars (a histogram or a series by year) as SVG."""
    if not items:
        return '<p class="none">nothing to show</p>'
    peak = max(v for _, v in items) or 1
    slot = (width - 40) / len(items)
    base = height - 28
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
             f'<line x1="30" y1="{base}" x2="{width - 6}" y2="{base}" stroke="#999"/>']
    for i, (label, value) in enumerate(items):
        h = (base - 14) * value / peak
        x = 34 + i * slot
        parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{max(2.0, slot - 6):.1f}" height="{h:.1f}" fill="{_BAR}">'
                     f'<title>{html.escape(label)}: {_plain(value)}{unit}</title></rect>')
        parts.append(f'<text x="{x + slot / 2 - 3:.1f}" y="{height - 10}" text-anchor="middle" font-size="11">{html.escape(label)}</text>')
        parts.append(f'<text x="{x + slot / 2 - 3:.1f}" y="{base - h - 3:.1f}" text-anchor="middle" font-size="10">{_plain(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _number(text: str) -> float | None:
    try:
        return float(text) if text not in ("", None) else None
    except ValueError:
        return None


def _plain(value: float) -> str:
    """A number as a reader writes it (1,000,000 and 12.5, never 1e+06)."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _distinct(rows: list[dict]) -> list[dict]:
    """One row per budget: a copy of a file (duplicate_of) or the same department, year and
    kind read from another format (PDF and DOCX of one budget) count once, the PDF first."""
    seen, out = set(), []
    for r in sorted(rows, key=lambda r: (r.get("format") != "pdf", r.get("path") or "")):
        if r.get("duplicate_of") or r.get("same_budget_as"):
            continue
        key = (r["department"], r["fiscal_year"], r["doc_kind"], r["scope"]) if r.get("department") else r.get("sha256") or r["record"]
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


_NAMED = 12  # documents named under each weak key


def _lacking(ok: list[dict], keys: list[str], with_classes: set[str]) -> str:
    """The documents behind each weak coverage bar."""
    parts = []
    for key in keys:
        names = [r["file_name"] for r in ok if (r["record"] not in with_classes if key == "function_classes" else r.get(key) in ("", None))]
        if names:
            more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
            parts.append(f"<tr><td>{html.escape(key)}</td><td>{len(names)}</td><td>{html.escape(', '.join(names[:_NAMED]))}{more}</td></tr>")
    return "<table><tr><th>key</th><th>documents without it</th><th>which</th></tr>" + "".join(parts) + "</table>"


def _findings_table(findings: list[dict]) -> str:
    """Each code's findings and the documents raising them, errors first."""
    from ..findings import SEVERITIES, registry

    known = registry()
    counts = Counter((r["severity"], r["code"]) for r in findings)
    documents: dict[tuple[str, str], set[str]] = {}
    for r in findings:
        documents.setdefault((r["severity"], r["code"]), set()).add(r["record"])
    rows = sorted(counts, key=lambda k: (SEVERITIES.index(k[0]) if k[0] in SEVERITIES else 9, -counts[k], k[1]))
    if not rows:
        return '<p class="none">none</p>'
    return ("<table><tr><th>severity</th><th>code</th><th>findings</th><th>documents</th><th>what it means</th></tr>"
            + "".join(f"<tr><td>{html.escape(sev)}</td><td>{html.escape(code)}</td><td>{counts[sev, code]}</td><td>{len(documents[sev, code])}</td>"
                      f"<td>{html.escape(known[code].description if code in known else '')}</td></tr>" for sev, code in rows)
            + "</table>")


def report_page(folder: Path) -> str:
    summary = _distinct(_read(folder, "summary"))
    findings = _read(folder, "findings")
    errors = _read(folder, "errors")
    ok = [r for r in summary if r["status"] != "error"]

    status = Counter(r["status"] for r in summary)
    error_codes = Counter(r["code"] for r in errors)
    coverage = [(k, round(100 * sum(1 for r in ok if r.get(k) not in ("", None)) / len(ok), 1) if ok else 0.0)
                for k in SUMMARY_KEYS if k != "function_classes"]
    with_classes = {r["record"] for r in _read(folder, "function_classes")}
    coverage.append(("function_classes", round(100 * sum(r["record"] in with_classes for r in ok) / len(ok), 1) if ok else 0.0))

    totals = [v for v in (_number(r["expenditure_total"]) for r in ok) if v and v > 0]
    histogram: list[tuple[str, float]] = []
    if totals:
        low, high = math.floor(math.log10(min(totals))), math.ceil(math.log10(max(totals)))
        for e in range(low, max(high, low + 1)):
            count = sum(1 for v in totals if 10 ** e <= v < 10 ** (e + 1))
            histogram.append((f"{_plain(10 ** e)}–", count))
    by_year: Counter[str] = Counter()
    docs_by_year: Counter[str] = Counter()
    for r in ok:
        if r["fiscal_year"]:
            docs_by_year[r["fiscal_year"]] += 1
            by_year[r["fiscal_year"]] += _number(r["expenditure_total"]) or 0

    weakest = sorted(coverage, key=lambda kv: kv[1])[:8]
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>budgetextract report — {html.escape(folder.name)}</title>
<style>body{{font:14px/1.5 "Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:24px;max-width:1000px;color:#222}} h2{{margin-top:28px;border-bottom:1px solid #ddd}}
.none{{color:#999}} table{{border-collapse:collapse}} td,th{{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}}</style></head>
<body>
<h1>Batch report: {html.escape(str(folder))}</h1>
<p>{len(summary)} documents (copies and other formats of one budget counted once): {", ".join(f"{n} {s}" for s, n in status.most_common())}. Least covered keys:
{", ".join(f"{html.escape(k)} {v}%" for k, v in weakest)}.</p>
<h2>Documents by status</h2>{bars(sorted(status.items()))}
<h2>Failed files by error code</h2>{bars(error_codes.most_common())}
<h2>Coverage of each summary key (share of readable documents stating it)</h2>{bars(coverage, "%")}
<h2>Documents behind the least covered keys</h2>{_lacking(ok, [k for k, _ in weakest], with_classes)}
<h2>Findings by severity and code</h2>{_findings_table(findings)}
<h2>Spread of expenditure totals (万元, documents per decade)</h2>{columns(histogram)}
<h2>Expenditure totals by fiscal year (万元)</h2>{columns(sorted((y, round(v, 2)) for y, v in by_year.items()))}
<h2>Documents by fiscal year</h2>{columns(sorted(docs_by_year.items()))}
<h2>Failed files</h2>
<table><tr><th>file</th><th>code</th><th>message</th></tr>
{"".join(f"<tr><td>{html.escape(r['path'])}</td><td>{html.escape(r['code'])}</td><td>{html.escape(r['message'])}</td></tr>" for r in errors)}
</table>
</body></html>
"""
