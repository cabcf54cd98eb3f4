"""The checks: each family on real text, with real errors and errors planted in real
documents, and the registry the user sees."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from budgetextract.findings import Policy, registry, table
from budgetextract.checks.tables import check_tables, title_lines
from budgetextract.cli import main
from budgetextract.extract.context import Context
from budgetextract.nlp import analyse
from budgetextract.pipeline import load, process_file
from budgetextract.schema import Finding

from conftest import altered, extracted, needs_real, real_file

ROOT = Path(__file__).resolve().parent.parent


def _text(doc_id: str) -> str:
    return load(real_file(doc_id)).norm.text


def _raised(path: Path) -> list[Finding]:
    return [f for f in process_file(path, debug=True).findings if f.severity != "info"]


def _codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


# --- errors planted in a real final account ------------------------------------------------

PLANTED = [  # (old, new, the code that must report it)
    ("中共上海市普陀区委社会工作部2024年度部门决算表\n收入支出决算总表", "XX部2024年度部门决算表\n收入支出决算总表", "template_placeholder"),
    ("2024年度收入支出总计307.82万元", "2024年度收入支出总计0万元", "headline_total_zero"),
    ("支出决算为51.32万元，完成全年预算数的98.69%。决算数小于全年预算数", "支出决算为51.32万元，完成全年预算数的98.69%。决算数大于全年预算数",
     "comparison_mismatch"),
    ("全年预算为17.68万元，支出决算为11.31万元。决算数小于全年预算数", "全年预算为17.68万元，支出决算为11.31万元。决算数大于全年预算数", "comparison_mismatch"),
    ("全年预算为5.74万元，支出决算为4.64万元。决算数小于预算数", "全年预算为5.74万元，支出决算为4.64万元。决算数等于预算数", "comparison_mismatch"),
    ("主要原因：单位于2024年成立。", "主要原因：单位于2024年成立。。", "doubled_punctuation"),
    ("\n支出决算表\n", "\n2023年度支出决算表\n", "title_year_mismatch"),
    ("截至2024年12月31日", "截至2025年12月31日", "date_out_of_range"),
]


@needs_real
def test_errors_planted_in_a_real_final_account_are_found(tmp_path):
    final = next(i for i in ("F1",) if extracted(str(real_file(i))).summary.doc_kind == "final_accounts")
    text = _text(final)
    clean = process_file(altered(tmp_path, text), debug=True)
    assert not [f for f in clean.findings if f.severity != "info"]  # the published document: nothing to report

    text = text[: text.index("\n收入决算表\n")] + text[text.index("\n支出决算表\n"):]  # a mandated table removed
    doc = process_file(altered(tmp_path, text, *[(old, new) for old, new, _ in PLANTED]), debug=True)
    found = 0
    for old, new, code in PLANTED:
        changed = next(part for part in new.split("\n") if part not in old.split("\n")) if "\n" in new else new[-12:]
        hits = [f for f in doc.findings if f.code == code and any(changed[-6:] in e.text or e.text in changed for e in f.evidence)]
        found += bool(hits)
    missing = [f for f in doc.findings if f.code == "required_table_missing"]
    found += len(missing) == 1 and "revenue" in missing[0].message
    assert found == len(PLANTED) + 1
    assert len([f for f in doc.findings if f.code == "comparison_mismatch"]) == 3
    # every warning and error raised is one of the planted ones
    assert _codes([f for f in doc.findings if f.severity != "info"]) <= {c for _, _, c in PLANTED} | {"required_table_missing"}
    # the misprinted 0 is never the total; the year's 本年收入合计 alone is not it either where no
    # table (here only text) confirms that nothing was carried over: null, and a finding says why
    assert doc.summary.revenue_total is None
    assert any(f.code == "scope_difference" and "revenue_total" in f.fields for f in doc.findings)


# --- words against numbers --------------------------------------------------------------------

@needs_real
def test_a_change_word_against_two_stated_figures(tmp_path):
    # BJ2 prints the prior-year figure: 比2025年年初预算数28479.84万元增加1476.73万元 (a change that is itself misprinted)
    text = _text("BJ2")
    sentence = "比2025年年初预算数28479.84万元增加1476.73万元"
    assert sentence in text
    raised = _raised(altered(tmp_path, text, (sentence, sentence.replace("增加", "减少"))))
    (wrong,) = [f for f in raised if f.code == "direction_mismatch"]
    assert "“减少”" in wrong.message and wrong.difference == Decimal("1476.43")


@needs_real
def test_steady_said_of_a_change(tmp_path):
    text = _text("HZ1")
    real = "比上年执行数增加13.59万元，增长0.2%，与上年基本持平"
    assert "steady_mismatch" not in _codes(extracted(str(real_file("HZ1"))).findings)  # 基本持平 of 0.2% is fair
    raised = _raised(altered(tmp_path, text, (real, "比上年执行数增加13.59万元，增长0.2%，与上年持平")))
    (steady,) = [f for f in raised if f.code == "steady_mismatch"]
    assert "13.59" in steady.message and "与上年持平" in steady.evidence[0].text


@needs_real
def test_a_change_printed_without_its_unit(tmp_path):
    text = _text("HZ1")
    raised = _raised(altered(tmp_path, text, ("增加13.59万元，增长0.2%，", "增加13.59万元，增长0.2，")))
    (unitless,) = [f for f in raised if f.code == "missing_unit"]
    assert "增长0.2" in unitless.message and "增长0.2" in unitless.evidence[0].text


# --- template text, years, names ------------------------------------------------------------

@needs_real
def test_template_text_left_unfilled():
    placeholders = [f for f in extracted(str(real_file("J15"))).findings if f.code == "template_placeholder" and "（减少）" in f.message]
    assert placeholders and all(f.severity == "warning" for f in placeholders)
    # one finding a text, every place as evidence (less those a field's own finding reports)
    assert len({f.message.split("（")[0] for f in placeholders}) == len(placeholders) and sum(len(f.evidence) for f in placeholders) >= 8
    assert all("减少" in e.text for f in placeholders for e in f.evidence)


@needs_real
def test_a_figure_missing_before_its_unit(tmp_path):
    text = _text("HZ1")
    raised = _raised(altered(tmp_path, text, ("比上年执行数增加13.59万元", "比上年执行数增加万元")))
    assert any(f.code == "template_placeholder" and "增加万元" in f.message for f in raised)


@needs_real
def test_a_budget_compared_with_its_own_year():
    # S7, a 2026 budget, prints 比2026年预算增加793.14万元 where 2025 is meant
    doc = extracted(str(real_file("S7")))
    years = [f for f in doc.findings if f.code == "comparison_year"]
    assert doc.fiscal_year == 2026 and len(years) >= 3
    assert all(f.severity == "error" and "2026年" in f.evidence[0].text for f in years)
    # a final account compares its actuals with its own year's budget: not a finding
    assert "comparison_year" not in _codes(extracted(str(real_file("F1"))).findings)


@needs_real
def test_another_department_named_in_a_table_header(tmp_path):
    assert "department_name_mismatch" not in _codes(extracted(str(real_file("HZ1"))).findings)
    raised = _raised(altered(tmp_path, _text("HZ1"), ("部门名称：杭州市气象局", "部门名称：杭州市水利局")))
    (other,) = [f for f in raised if f.code == "department_name_mismatch"]
    assert "杭州市水利局" in other.message


# --- the tables -------------------------------------------------------------------------------

def _context(doc_id: str):
    path = real_file(doc_id)
    doc = extracted(str(path))
    norm = load(path).norm
    return doc, Context(norm=norm, sections=doc.sections, doc=analyse(norm.text), excluded_kinds=frozenset())


def _set(table, row_name: str, value: str) -> None:
    row = next(r for r in table.rows if r.name == row_name)
    column = next(c for c, v in row.values.items() if v is not None)
    row.values[column], row.printed[column] = Decimal(value), value


@needs_real
def test_table_arithmetic_and_the_same_total_in_two_tables():
    doc, ctx = _context("GZ1")
    tables = [t.model_copy(deep=True) for t in doc.tables]
    assert not [f for f in check_tables(ctx, doc.summary, tables, doc.execution, title_lines(ctx)) if f.severity != "info"]
    overview = next(t for t in tables if t.kind == "budget_total")
    _set(overview, "收入总计", "3954.08")  # 3944.08 in the published table
    raised = check_tables(ctx, doc.summary, tables, doc.execution, title_lines(ctx))
    assert {"table_balance_mismatch", "cross_table_mismatch"} <= _codes(raised)
    (balance,) = [f for f in raised if f.code == "table_balance_mismatch"]
    assert balance.difference == Decimal("10.00") and balance.evidence[0].text == "3,944.08"  # the side still printed


@needs_real
def test_class_rows_against_the_total():
    doc, ctx = _context("S7")
    tables = [t.model_copy(deep=True) for t in doc.tables]
    assert "table_sum_mismatch" not in _codes(check_tables(ctx, doc.summary, tables, doc.execution, title_lines(ctx)))
    function = next(t for t in tables if t.kind == "function" and any(r.level == "类" for r in t.rows))
    first_class = next(r for r in function.rows if r.level == "类")
    column = next(c for c, v in first_class.values.items() if v is not None)
    first_class.values[column] += 100
    sums = [f for f in check_tables(ctx, doc.summary, tables, doc.execution, title_lines(ctx)) if f.code == "table_sum_mismatch"]
    assert sums and any(f.difference in (Decimal(-100), Decimal(100)) for f in sums)


@needs_real
def test_empty_tables_with_and_without_their_note(tmp_path):
    empty = [f for f in extracted(str(real_file("F1"))).findings if f.code == "table_empty"]
    assert len(empty) == 3 and all("无" in f.evidence[0].text or "没有" in f.evidence[0].text for f in empty)
    assert "table_empty_unexplained" not in _codes(extracted(str(real_file("XA1"))).findings)  # 不涉及 in its list of tables


@needs_real
def test_three_public_budget_blank_beside_a_stated_budget():
    doc, ctx = _context("FS1")
    tables = [t.model_copy(deep=True) for t in doc.tables]
    execution = [e.model_copy(deep=True) for e in doc.execution]
    assert "table_cells_blank" not in _codes(check_tables(ctx, doc.summary, tables, execution, title_lines(ctx)))
    stated = next(e for e in execution if "三公" in e.item and e.source == "narrative")
    stated.budget_initial = Decimal("1.20")  # as if the text stated a budget of 1.20万元
    three = next(t for t in tables if t.kind == "three_public")
    for row in three.rows:
        for column in row.values:
            if "预算" in column and "决算" not in column:
                row.values[column], row.printed[column] = None, ""
    (blank,) = [f for f in check_tables(ctx, doc.summary, tables, execution, title_lines(ctx)) if f.code == "table_cells_blank"]
    assert "1.20" in blank.message


# --- the registry and the user's policy -------------------------------------------------------

def test_every_code_is_registered_once_with_its_severity():
    checks = registry()
    assert {"template_placeholder", "comparison_year", "headline_total_zero", "required_table_missing", "sum_rounding"} <= set(checks)
    assert {c.severity for c in checks.values()} == {"error", "warning", "info"}
    assert (ROOT / "docs" / "checks.md").read_text(encoding="utf-8") == table(markdown=True)  # the page is generated


def test_checks_command_lists_every_code(capsys):
    assert main(["checks"]) == 0
    out = capsys.readouterr().out
    assert all(code in out for code in registry())


def test_policy_turns_codes_off_and_changes_severity():
    policy = Policy.parse(["doubled_punctuation,template_placeholder"], ["share_mismatch=error"])
    findings = [Finding(code=c, severity=registry()[c].severity, message="") for c in ("doubled_punctuation", "share_mismatch", "sum_rounding")]
    kept = policy.apply(findings)
    assert [(f.code, f.severity) for f in kept] == [("share_mismatch", "error"), ("sum_rounding", "info")]
    with pytest.raises(ValueError, match="nope"):
        Policy.parse(["nope"])
    with pytest.raises(ValueError):
        Policy.parse([], ["share_mismatch=fatal"])


@needs_real
def test_policy_from_the_command_line(capsys):
    path = str(real_file("S7"))
    assert main(["extract", "--stdout", path, "--disable-check", "comparison_year", "--check-severity", "doubled_punctuation=warning"]) == 0
    record = json.loads(capsys.readouterr().out)
    codes = {(f["code"], f["severity"]) for f in record["findings"]}
    assert not any(code == "comparison_year" for code, _ in codes)
    assert ("doubled_punctuation", "warning") in codes
    assert main(["extract", "--stdout", path, "--disable-check", "no_such_check"]) == 2
    assert "no_such_check" in capsys.readouterr().err


# --- what an auditor acts on, planted in a real final account ---------------------------------

@needs_real
def test_the_kinds_an_auditor_acts_on_are_found_where_they_are_planted(tmp_path):
    import regex

    from conftest import real_files

    def usable(text: str) -> bool:  # a final account listing its tables, stating its grand total and holdings
        return "决算" in text[:300] and "\n三、支出决算表\n" in text and "年度收入支出总计" in text and "截至" in text

    path = next(p for p in real_files("*.pdf") if usable(load(p).norm.text))
    text, year = load(path).norm.text, extracted(str(path)).fiscal_year
    start = text.index("\n支出决算表\n")
    end = regex.compile(r"\n[^\n]*决算(?:总)?表\n").search(text, start + 1).start()
    text = text[:start] + text[end:]  # the mandated 支出决算表 removed; the 目录 still lists it
    text = regex.sub(r"(年度收入支出总计)\d[\d,.]*万元", r"\g<1>0万元", text, count=1)
    text = text.replace(f"截至{year}年12月31日", f"截至{year - 1}年12月31日", 1)
    text, n = regex.subn(r"(增加|减少)(\d[\d,.]*万元)[,，](?:增长|下降)(\d+\.\d+)%", r"\1\2（\3）", text, count=1)
    assert n == 1
    heading = "二、收入决算情况说明\n"
    text = text.replace(heading, heading + f"（一）收入决算：{year}年。\n", 1)
    doc = process_file(altered(tmp_path, text), debug=True)
    by_code = {}
    for f in doc.findings:
        by_code.setdefault(f.code, []).append(f)

    (missing,) = by_code["required_table_missing"]
    assert "支出决算表" in missing.message and missing.evidence[0].text.strip() == "三、支出决算表"  # the 目录 line
    assert any(e.text == "0万元" for f in by_code["headline_total_zero"] for e in f.evidence)
    assert any(f"截至{year - 1}年12月31日" in e.text for f in by_code["date_out_of_range"] for e in f.evidence)
    assert any("has no %" in f.message for f in by_code["missing_unit"])
    assert any(f"收入决算：{year}年。" in f.message for f in by_code["template_placeholder"])
    assert all(f.severity == "warning" for code in ("required_table_missing", "missing_unit", "template_placeholder")
               for f in by_code[code])


@needs_real
def test_a_row_above_its_tables_total():
    from conftest import real_files

    def classed(doc) -> bool:
        return any(t.kind == "function" and any(r.level == "类" for r in t.rows) for t in doc.tables)

    path = next(p for p in real_files("*.pdf") if classed(extracted(str(p))))
    doc = extracted(str(path))
    norm = load(path).norm
    ctx = Context(norm=norm, sections=doc.sections, doc=analyse(norm.text), excluded_kinds=frozenset())
    tables = [t.model_copy(deep=True) for t in doc.tables]
    assert "table_row_above_total" not in _codes(check_tables(ctx, doc.summary, tables, doc.execution, title_lines(ctx)))
    function = next(t for t in tables if t.kind == "function" and any(r.level == "类" for r in t.rows))
    total = next(r for r in function.rows if r.level is None and any(v for v in r.values.values()))
    column = next(c for c, v in total.values.items() if v)
    row = next(r for r in function.rows if r.level == "类" and r.values.get(column) is not None)
    row.values[column] = total.values[column] + 1
    (above,) = [f for f in check_tables(ctx, doc.summary, tables, doc.execution, title_lines(ctx)) if f.code == "table_row_above_total"]
    assert above.difference == Decimal(1) and row.name in above.message
