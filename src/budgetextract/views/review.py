"""`budgetextract review`: one self-contained HTML page per document — the section
outline, the normalized text with every fact highlighted (field, value and unit on
hover), the summary with each value linked to its evidence, and the findings.

No network: styles and script are inline. Opened with `#selftest`, the page clicks
every summary link itself and records in `body[data-selftest]` whether each target
came into view; the browser test reads that back.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from ..schema import SUMMARY_KEYS

# colour per fact family (the first part of the field path)
_FAMILY_COLOURS = {
    "revenue": "#cfe8ff", "expenditure": "#ffe2c6", "fiscal_appropriation": "#d9f2d9", "three_public": "#f7d4f0",
    "procurement": "#e6dcff", "changes": "#fff3b0", "function_classes": "#d6f5f0", "assets": "#e0e0e0",
    "performance": "#ffd6d6", "staffing": "#e8f0c8",
}
_DEFAULT_COLOUR = "#ececec"

_CSS = """
body{margin:0;font:15px/1.7 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;color:#222}
#side{position:fixed;top:0;left:0;bottom:0;width:430px;overflow:auto;padding:12px 16px;box-sizing:border-box;background:#fafafa;border-right:1px solid #ddd;font-size:13px}
#main{margin-left:450px;padding:12px 24px 60vh 24px;max-width:900px}
h1{font-size:18px;margin:4px 0 8px} h2{font-size:14px;margin:16px 0 6px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%} td{border-bottom:1px solid #eee;padding:2px 4px;vertical-align:top}
td.k{color:#555;white-space:nowrap} a.value{text-decoration:none;border-bottom:1px dotted #36c;color:#036}
.null{color:#aaa} .page{color:#999;font-size:12px;border-top:1px dashed #ccc;margin:14px 0 4px;padding-top:2px} .page.ocr{color:#a60;border-top-color:#a60}
pre{white-space:pre-wrap;font:inherit;margin:0}
mark.fact{border-radius:2px;padding:0 1px;cursor:help} mark.flash{outline:3px solid #e33}
.sev-error{color:#b00}.sev-warning{color:#a60}.sev-info{color:#666}
.support{font-size:11px;border-radius:3px;padding:0 3px;cursor:help} .s-verified{background:#dfd;color:#063} .s-single{background:#eee;color:#555}
.s-disputed{background:#fdd;color:#900} .s-unestablished{background:#ffe8c8;color:#840} .s-derived{background:#e6eefc;color:#235}
ul{padding-left:16px;margin:4px 0} li{margin:1px 0}
"""

_JS = """
function go(id){var t=document.getElementById(id);if(!t)return false;
 t.scrollIntoView({block:'center'});t.classList.add('flash');setTimeout(function(){t.classList.remove('flash')},1500);return true}
document.addEventListener('click',function(e){var a=e.target.closest('a[data-target]');if(!a)return;
 e.preventDefault();go(a.getAttribute('data-target'))});
if(location.hash==='#selftest'){var links=document.querySelectorAll('a.value'),seen=0;
 links.forEach(function(a){a.click();var t=document.getElementById(a.getAttribute('data-target'));
  var r=t.getBoundingClientRect();if(r.bottom>0&&r.top<window.innerHeight)seen++});
 var facts=JSON.parse(document.getElementById('facts').textContent),marked=0;
 facts.forEach(function(i){if(document.querySelector('mark[data-facts~="'+i+'"]'))marked++});
 window.scrollTo(0,0);
 document.body.setAttribute('data-selftest',JSON.stringify({links:links.length,visible:seen,facts:facts.length,marked:marked}))}
"""


def _colour(field: str) -> str:
    return _FAMILY_COLOURS.get(field.split(".")[0], _DEFAULT_COLOUR)


def _marked_text(text: str, facts: list[dict], page_starts: list[int], section_starts: set[int], ocr: dict[int, float]) -> str:
    """The text with every fact's evidence span wrapped in <mark>; where spans overlap,
    a piece of text carries every fact that covers it (data-facts). Page markers (saying
    which pages were read by OCR, with the recognizer's confidence) and an anchor at each
    section start are placed between the pieces."""
    bounds = {0, len(text)} | set(page_starts) | section_starts
    for f in facts:
        bounds.update((f["evidence"]["start"], f["evidence"]["end"]))
    cuts = sorted(b for b in bounds if 0 <= b <= len(text))
    starts = {}
    for i, f in enumerate(facts):
        starts.setdefault(f["evidence"]["start"], []).append(i)
    pages = {s: n for n, s in enumerate(page_starts, 1)} if len(page_starts) > 1 else {}
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a in pages:
            n = pages[a]
            read = f" · read by OCR, confidence {ocr[n]:.2f}" if n in ocr else ""
            out.append(f'<div class="page{" ocr" if read else ""}" id="page-{n}">page {n}{read}</div>')
        if a in section_starts:
            out.append(f'<span id="sec-{a}"></span>')
        covering = [i for i, f in enumerate(facts) if f["evidence"]["start"] <= a and b <= f["evidence"]["end"]]
        piece = html.escape(text[a:b])
        if not covering:
            out.append(piece)
            continue
        inner = min(covering, key=lambda i: facts[i]["evidence"]["end"] - facts[i]["evidence"]["start"])
        title = "\n".join(f'{facts[i]["field"]} = {facts[i]["value"]} {facts[i].get("unit") or ""}'.strip() for i in covering)
        anchors = "".join(f'<span id="fact-{i}"></span>' for i in starts.get(a, []))
        out.append(f'{anchors}<mark class="fact" data-facts="{" ".join(map(str, covering))}" '
                   f'style="background:{_colour(facts[inner]["field"])}" title="{html.escape(title)}">{piece}</mark>')
    return "".join(out)


def _outline(sections: list[dict]) -> str:
    if not sections:
        return ""
    items = []
    for s in sections:
        label = html.escape(f'{s["number"]}{"、" if s["number"] else ""}{s["title"]}')
        page = f' <span class="null">p.{s["page_start"]}</span>' if s.get("page_start") else ""
        items.append(f'<li><a href="#sec-{s["start"]}" data-target="sec-{s["start"]}">{label}</a>{page}'
                     f' <span class="null">{s["kind"]}</span>{_outline(s.get("children", []))}</li>')
    return "<ul>" + "".join(items) + "</ul>"


def _section_anchors(sections: list[dict]) -> list[int]:
    out = []
    for s in sections:
        out.append(s["start"])
        out.extend(_section_anchors(s.get("children", [])))
    return out


def _summary_rows(record: dict, facts: list[dict]) -> str:
    from ..extract.fields import specs

    paths = {spec.field: spec.path for spec in specs()[0]}
    support = record.get("support", {})
    rows = []
    for key in SUMMARY_KEYS:
        value = record["summary"].get(key)
        if key == "function_classes":
            for name, amount in (value or {}).items():
                rows.append(_summary_row(f"function_classes.{name}", amount, facts, [f"function_classes.{name}"],
                                         support.get(f"function_classes.{name}")))
            if not value:
                rows.append(_summary_row(key, None, facts, []))
            continue
        candidates = [paths.get(key, key), key, f"changes.total.{key.removeprefix('total_change_')}"]
        if key == "other_revenue":
            candidates = [p for p in paths.values() if p.startswith("revenue.other.")]
        rows.append(_summary_row(key, value, facts, candidates, support.get(key)))
    return "".join(rows)


def _support_badge(support: dict | None) -> str:
    """How the document corroborates the figure: verified, single, disputed …, with its
    statements on hover."""
    if not support:
        return ""
    said = "\n".join(f"{'p.' + str(s['page']) + ' ' if s.get('page') else ''}{s['text'][-50:]} → {s['value']}"
                     f"{'' if s['of_key'] else ' (scope not established)'}" for s in support.get("statements", []))
    note = support.get("identity") or ""
    return f' <span class="support s-{support["status"]}" title="{html.escape(chr(10).join(filter(None, [note, said])))}">{support["status"]}</span>'



def _summary_row(key: str, value, facts: list[dict], paths: list[str], support: dict | None = None) -> str:
    if value is None:
        return f'<tr><td class="k">{html.escape(key)}</td><td class="null">null{_support_badge(support)}</td></tr>'
    index = next((i for i, f in enumerate(facts) if f["field"] in paths and f["value"] == value), None)
    if index is None:
        index = next((i for i, f in enumerate(facts) if f["field"] in paths), None)
    shown = html.escape(str(value))
    if index is None:  # a classification (doc_kind, scope) without a sentence of its own
        return f'<tr><td class="k">{html.escape(key)}</td><td>{shown}{_support_badge(support)}</td></tr>'
    return (f'<tr><td class="k">{html.escape(key)}</td><td><a class="value" href="#fact-{index}" data-target="fact-{index}">{shown}</a>'
            f' <span class="null">p.{facts[index]["evidence"].get("page") or "–"}</span>{_support_badge(support)}</td></tr>')


def _findings(record: dict, facts: list[dict]) -> str:
    """Findings grouped by severity, then code; each with the text of every side it quotes,
    linked to the fact highlighted there where there is one."""
    from ..findings import SEVERITIES, registry

    by_span = {(f["evidence"]["start"], f["evidence"]["end"]): i for i, f in enumerate(facts)}
    groups: dict[tuple[str, str], list[dict]] = {}
    for f in record.get("findings", []):
        groups.setdefault((f["severity"], f["code"]), []).append(f)
    if not groups:
        return '<p class="null">none</p>'
    known = registry()
    parts = []
    for severity in SEVERITIES:
        codes = sorted(code for sev, code in groups if sev == severity)
        if not codes:
            continue
        parts.append(f'<h3 class="sev-{severity}">{severity} ({sum(len(groups[severity, c]) for c in codes)})</h3>')
        for code in codes:
            about = known[code].description if code in known else ""
            parts.append(f'<p><b>{html.escape(code)}</b> <span class="null">{html.escape(about)}</span></p><ul>')
            for f in groups[severity, code]:
                sides = []
                for ev in f.get("evidence", []):
                    i = by_span.get((ev["start"], ev["end"]))
                    quote = f'p.{ev.get("page") or "–"} “{html.escape(ev.get("text", "")[:80])}”'
                    sides.append(f'<a href="#fact-{i}" data-target="fact-{i}">{quote}</a>' if i is not None else quote)
                parts.append(f'<li class="sev-{severity}">{html.escape(f["message"])}<br><small>{" · ".join(sides)}</small></li>')
            parts.append("</ul>")
    return "".join(parts)


def _execution(record: dict, first: int) -> str:
    """Budget against actual, each entry linked to its statement (highlighted as the facts are)."""
    entries = record.get("execution", [])
    if not entries:
        return '<p class="null">none</p>'
    cell = lambda v: html.escape("–" if v is None else str(v))
    rows = "".join(
        f'<tr><td>{cell(e["item"])}</td><td>{cell(e["budget_initial"])}</td><td>{cell(e["budget_final"])}</td>'
        f'<td><a class="value" href="#fact-{first + i}" data-target="fact-{first + i}">{cell(e["actual"])}</a></td>'
        f'<td>{cell(e["pct"])}{"%" if e["pct"] is not None else ""}</td><td>{cell(e["reason"])}</td></tr>'
        for i, e in enumerate(entries))
    return ("<table><tr><th>item</th><th>年初预算</th><th>全年预算</th><th>决算</th><th>完成</th><th>reason</th></tr>"
            f"{rows}</table>")


def render(record: dict, text: str, page_starts: list[int]) -> str:
    # execution entries are highlighted and linked like facts, after them
    facts = record.get("facts", []) + [
        {"field": f"execution.{e['item']}", "value": e["actual"], "unit": "万元", "raw": str(e["actual"]), "evidence": e["evidence"]}
        for e in record.get("execution", [])]
    first_entry = len(record.get("facts", []))
    src = record["source"]
    ocr = {p["page"]: p["confidence"] for p in record.get("ocr_pages", [])}
    body = _marked_text(text, facts, page_starts, set(_section_anchors(record.get("sections", []))), ocr)
    title = html.escape(record.get("department") or src["file_name"])
    status = record["status"] + (f' — {record["error"]["code"]}: {record["error"]["message"]}' if record.get("error") else "")
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{title} — budgetextract review</title><style>{_CSS}</style></head>
<body>
<div id="side">
<h1>{title} {record.get("fiscal_year") or ""}</h1>
<div>{html.escape(src["file_name"])} · {html.escape(status)} · {len(facts)} facts{f" · {len(ocr)} pages read by OCR" if ocr else ""}</div>
<h2>Summary</h2><table>{_summary_rows(record, facts)}</table>
<h2>Findings</h2>{_findings(record, facts)}
<h2>Budget against actual</h2>{_execution(record, first_entry)}
<h2>Sections</h2>{_outline(record.get("sections", []))}
</div>
<div id="main"><pre>{body}</pre></div>
<script type="application/json" id="facts">{json.dumps(list(range(len(facts))))}</script>
<script>{_JS}</script>
</body></html>
"""


def review_page(source: Path, record_json: Path | None = None) -> str:
    """The page for a document, from its record if given (else it is extracted now)."""
    from ..pipeline import load, process_file

    record = json.loads(record_json.read_text(encoding="utf-8")) if record_json else json.loads(process_file(source).to_json())
    if record["status"] == "error":
        return render(record, "", [0])
    # the text the offsets index: pages read by OCR are read again (the recognizer is
    # deterministic); every page read by OCR is --ocr, or a scan, where forcing reads the same
    norm = load(source, ocr="force" if record.get("ocr_pages") and len(record["ocr_pages"]) == record["source"].get("pages") else "auto").norm
    return render(record, norm.text, norm.page_starts)
