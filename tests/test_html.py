"""Web pages: a real budget saved as a page (GB2312, navigation and scripts around it) reads
as its text does; a real table set as a <table> with rowspan/colspan gives its figures; a page
that only links to the budget is not one."""

from __future__ import annotations

import html
import json

import pytest

from budgetextract.pipeline import load, process_file
from budgetextract.tables import extract_tables

from conftest import extracted, needs_real, real_files


def _page(body: str, title: str, charset: str = "gb2312") -> str:
    return (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{title}</title><script>var s = '预算 1,234.00万元 三公';</script><style>p{{margin:0}}</style></head><body>"
            f'<nav><a href="/">首页</a> 政务公开 财政预决算 预算 决算</nav><div class="article">{body}</div>'
            f"<footer>主办单位 网站标识码 预算 三公</footer></body></html>")


@needs_real
def test_a_budget_saved_as_a_web_page_reads_as_its_text(tmp_path):
    source = next(p for p in real_files("*.txt"))  # the real documents published as text
    text = source.read_text(encoding="utf-8")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    page = tmp_path / "budget.pdf"  # crawls save pages under .pdf names
    page.write_bytes(_page(body, "部门预算").encode("gb18030"))
    doc, as_text = process_file(page, debug=True), extracted(str(source))
    assert (doc.status, doc.source.format, doc.source.encoding) == ("ok", "html", "gb18030")
    assert json.loads(doc.summary.model_dump_json()) == json.loads(as_text.summary.model_dump_json())
    assert all(f.evidence.page is None for f in doc.facts) and "1,234.00" not in load(page).norm.text  # no script text


@needs_real
def test_a_real_table_set_as_a_web_table_gives_its_figures(tmp_path):
    """The expenditure table of a real PDF whose header groups columns (基本支出 over 人员支出 |
    日常公用支出), set as a <table>: the group spanning its columns, the other header cells
    spanning both header rows; read back from the page, the same figures under the same columns."""
    for source in real_files("*.pdf"):
        table = next((t for t in extracted(str(source)).tables if t.kind == "expenditure" and len(t.rows) >= 3
                      and any("/" in c for c in t.columns)), None)
        if table is not None:
            break
    else:
        pytest.skip("no real PDF with an expenditure table whose header groups columns")
    figures = [c for c in table.columns if any(r.printed.get(c) for r in table.rows)]
    labels = [c for c in table.columns if c not in figures][:1] or ["科目名称"]
    columns = labels + figures
    head, leaves, done = ["<tr>"], [], set()
    for c in columns:
        group, _, leaf = c.rpartition("/")
        if not group:
            head.append(f'<th rowspan="2">{html.escape(c)}</th>')
        elif group not in done:
            done.add(group)
            span = [x for x in columns if x.rpartition("/")[0] == group]
            head.append(f'<th colspan="{len(span)}">{html.escape(group)}</th>')
            leaves += [x.rpartition("/")[2] for x in span]
    head.append("</tr><tr>" + "".join(f"<th>{html.escape(leaf)}</th>" for leaf in leaves) + "</tr>")
    body = "".join("<tr><td>" + html.escape(r.name) + "</td>" + "".join(f"<td>{html.escape(r.printed.get(c, ''))}</td>" for c in figures)
                   + "</tr>" for r in table.rows)
    page = tmp_path / "table.html"
    page.write_text(_page(f"<p>{html.escape(table.title)}</p><p>单位：{table.unit}</p><table>{''.join(head)}{body}</table>",
                          table.title, "utf-8"), encoding="utf-8")
    loaded = load(page)
    (read,) = [t for t in extract_tables(loaded.raw, b"", loaded.norm, []) if t.kind == "expenditure"]
    assert set(figures) <= set(read.columns)
    got = {(r.name, c): v for r in read.rows for c, v in r.values.items() if v is not None}
    want = {(r.name, c): v for r in table.rows for c, v in r.values.items() if v is not None and c in figures}
    assert want and got == want


def test_a_page_that_only_links_to_the_budget_is_not_one(tmp_path):
    page = tmp_path / "重庆市公安局2026年部门预算情况说明.pdf"
    page.write_text('<html><head><meta charset="utf-8"><title>重庆市公安局2026年部门预算情况说明</title></head><body>'
                    '<div>重庆市公安局2026年部门预算情况说明 请见附件。<a href="/att/2026.pdf">重庆市公安局2026年部门预算.pdf</a></div>'
                    "</body></html>", encoding="utf-8")
    doc = process_file(page)
    assert (doc.status, doc.error.code) == ("error", "not_a_budget")
    assert "重庆市公安局2026年部门预算情况说明" in doc.error.message and "2026.pdf" in doc.error.message
