"""Support: each summary key's statements, whether two of one established scope agree, and
findings of disagreement only where they do not. Inputs are the sample budget's text with
real sentences (from published budgets) put in."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from budgetextract.cli import main
from budgetextract.evaluate import score_summary
from budgetextract.pipeline import process_file

from conftest import CORPUS, altered, extracted, gold, needs_real, real_file, real_ids_with_gold

SAMPLE = (CORPUS / "sample_jiangsu_style.txt").read_bytes().decode("gb18030")


def _document(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """The sample budget with each (old, new) replaced once, as a TXT file."""
    return altered(tmp_path, SAMPLE, *changes)


def _warnings(doc) -> set[str]:
    return {f.code for f in doc.findings if f.severity != "info"}


def test_the_sample_states_its_figures_twice_and_they_are_verified():
    doc = process_file(CORPUS / "sample_jiangsu_style.txt", debug=True)
    support = doc.support
    assert support["revenue_total"].status == "verified"  # the headline and （一）收入预算总计
    assert [s.value for s in support["revenue_total"].statements] == [Decimal("3456.78"), Decimal("3456.78")]
    # 公务用车购置及运行维护费 25.00 = 购置费 0 + 运行维护费 25.00, each stated on its own line
    assert support["three_public_vehicle_purchase"].identity == "three_public_vehicle = three_public_vehicle_purchase + three_public_vehicle_operation"
    # stated once, for the 一般公共预算: the 会议费 of all funds is not established
    assert support["meeting_expenses"].status == "single"


def test_carry_over_of_a_fund_is_not_this_years_fund(tmp_path):
    """The Jiangsu city template lists each source with last year's carry-over of it: the 0 of
    上年结转结余的一般公共预算收入 is of another period, and neither supports nor contradicts
    this year's 一般公共预算."""
    path = _document(tmp_path, ("3.上年结转资金预算数为 0 万元", "3.上年结转结余的一般公共预算收入0万元，占0%；上年结转资金预算数为 0 万元"))
    doc = process_file(path, debug=True)
    assert doc.summary.general_public_budget == Decimal("3400.00")
    assert "conflicting_values" not in _warnings(doc)
    carried = [s for s in doc.support["general_public_budget"].statements if s.value == 0]
    assert carried and not carried[0].of_key
    assert doc.support["general_public_budget"].status == "single"


def test_a_part_of_one_class_is_not_the_departments(tmp_path):
    """人员经费 stated inside one function class's spending (主要用于人员经费18万元) against the
    department's 人员经费: the part's label has words no scope vocabulary accounts for."""
    path = _document(tmp_path, ("主要用于单位职工养老保险和职业年金缴费。",
                                "主要用于单位职工养老保险和职业年金缴费。“农林水支出”科目83万元，主要用于人员经费18万元、公用经费58万元。"))
    doc = process_file(path, debug=True)
    assert (doc.summary.personnel_expenditure, doc.summary.public_expenditure) == (Decimal("1700.00"), Decimal("343.22"))
    assert not _warnings(doc) & {"conflicting_values", "narrative_table_mismatch"}
    part = next(s for s in doc.support["personnel_expenditure"].statements if s.value == 18)
    assert not part.of_key


def test_a_figure_of_another_fund_neither_supports_nor_contradicts(tmp_path):
    """会议费 of the 政府性基金 beside the 一般公共预算's: another fund, positively named; the
    一般公共预算's figure (the contract's where a document states only it) is kept."""
    path = _document(tmp_path, ("示例省档案馆 2019 年度一般公共预算安排的培训费预算支出 20.00 万元。",
                                "示例省档案馆 2019 年度一般公共预算安排的培训费预算支出 20.00 万元。"
                                "示例省档案馆 2019 年度政府性基金预算安排的会议费预算支出 3.00 万元。"))
    doc = process_file(path, debug=True)
    assert doc.summary.meeting_expenses == Decimal("15.00")
    assert "conflicting_values" not in _warnings(doc)
    other = next(s for s in doc.support["meeting_expenses"].statements if s.value == 3)
    assert not other.of_key and other.scope.fund == "政府性基金"


def test_two_statements_of_one_scope_that_differ_are_disputed(tmp_path):
    """The same figure stated twice in its own scope with two values: disputed, null, and a
    warning quoting both."""
    path = _document(tmp_path, ("（二）公用经费 343.22 万元", "（二）公用经费 343.22 万元。本部门人员经费 1,600.00 万元"))
    doc = process_file(path, debug=True)
    assert doc.summary.personnel_expenditure is None
    assert doc.support["personnel_expenditure"].status == "disputed"
    finding = next(f for f in doc.findings if f.fields == ["personnel_expenditure"] and f.severity != "info")
    assert "1600" in finding.message and "1700" in finding.message


def test_a_finding_says_what_the_record_holds(tmp_path):
    """Stated twice as 1,700.00 and once as 1,600.00, each in its own scope: the figure two
    places state is the record's, and the warning says so and quotes the three."""
    path = _document(tmp_path, ("（二）公用经费 343.22 万元", "（二）公用经费 343.22 万元。本部门人员经费 1,600.00 万元。"
                                                             "本部门人员经费预算 1,700.00 万元"))
    doc = process_file(path, debug=True)
    assert doc.summary.personnel_expenditure == Decimal("1700")
    (warning,) = [f for f in doc.findings if f.fields == ["personnel_expenditure"] and f.severity != "info"]
    assert warning.message.endswith("1700, stated so in 2 places, is kept") and "1600" in warning.message


def test_a_figure_printed_to_the_cent_keeps_its_precision(tmp_path):
    """3,400.00 is printed to the cent, though its value is 3400: 3,400.40 stated in the same
    scope disagrees with it (half a cent each way, not half a 万元)."""
    path = _document(tmp_path, ("（2）政府性基金收入预算 0 万元", "（2）政府性基金收入预算 0 万元。本部门一般公共预算收入预算 3,400.40 万元"))
    doc = process_file(path, debug=True)
    assert doc.support["general_public_budget"].status == "disputed"
    assert "conflicting_values" in _warnings(doc)


def test_a_total_printed_in_whole_wan_yuan_is_within_its_rounding(tmp_path):
    """支出预算40,870万元 against parts adding up to 40,869.60: a total printed to whole 万元 may
    be half a 万元 off, so the parts agree with it (Shanghai's city template prints so)."""
    path = _document(tmp_path, ("（二）支出预算总计 3,456.78 万元", "（二）支出预算总计 3,457 万元"),
                     ("收入、支出预算总计 3,456.78 万元", "收入、支出预算总计 3,457 万元"),
                     ("（一）收入预算总计 3,456.78 万元", "（一）收入预算总计 3,457 万元"))
    doc = process_file(path, debug=True)
    assert doc.summary.expenditure_total == Decimal("3457")
    assert "sum_mismatch" not in _warnings(doc)
    rounding = [f for f in doc.findings if f.code == "sum_rounding" and "expenditure_total" in f.fields]
    assert rounding and rounding[0].tolerance >= Decimal("0.5")


def test_a_difference_beyond_printed_rounding_is_still_raised(tmp_path):
    path = _document(tmp_path, ("（二）支出预算总计 3,456.78 万元", "（二）支出预算总计 3,466 万元"),
                     ("收入、支出预算总计 3,456.78 万元", "收入、支出预算总计 3,466 万元"),
                     ("（一）收入预算总计 3,456.78 万元", "（一）收入预算总计 3,466 万元"))
    assert "sum_mismatch" in _warnings(process_file(path, debug=True))


def test_a_report_titled_as_another_kind_is_not_a_budget(tmp_path):
    """A performance evaluation filed under a budget's name: its title names what it is."""
    path = tmp_path / "部门预算.txt"
    path.write_text("2023年度长沙市公安局交通警察支队\n专项资金绩效评价结果\n为加强财政支出管理，提高财政资金使用效益，长沙市财政局"
                    "绩效评价工作组对市交警支队2023年度专项资金实施了绩效评价。\n一、项目基本情况\n该项目年初预算安排500万元，"
                    "财政拨款500万元，项目支出预算执行率98%，三公经费未涉及，基本支出不涉及。\n", encoding="utf-8")
    doc = process_file(path, debug=True)
    assert (doc.status, doc.error.code) == ("error", "not_a_budget")
    assert "专项资金绩效评价结果" in doc.error.message


@needs_real
@pytest.mark.parametrize("doc_id", real_ids_with_gold())
def test_every_verified_figure_is_right(doc_id):
    doc = extracted(str(real_file(doc_id)))
    score = score_summary(doc_id, json.loads(doc.summary.model_dump_json()), gold(doc_id),
                          json.loads(json.dumps({k: s.model_dump(mode="json") for k, s in doc.support.items()})))
    assert score.verified_wrong == 0, score.misses


def test_support_is_a_batch_table(tmp_path):
    out = tmp_path / "run"
    assert main(["batch", str(CORPUS / "sample_jiangsu_style.txt"), "--out", str(out), "--jobs", "1"]) == 0
    con = duckdb.connect(str(out / "budgets.duckdb"))
    verified = con.sql("select key, value from support where status = 'verified' order by key").fetchall()
    assert ("revenue_total", 3456.78) in verified
    [(count,)] = con.sql("select verified from summary").fetchall()
    assert count == len(verified)


# --- tables: rounding as printed, and a table that fails its own sums trusted for nothing -----

def _checked(path: Path):
    """A real document's record and the context its checks read."""
    from budgetextract.extract.context import Context
    from budgetextract.nlp import analyse
    from budgetextract.pipeline import load

    doc = extracted(str(path)).model_copy(deep=True)
    norm = load(path).norm
    return doc, Context(norm=norm, sections=doc.sections, doc=analyse(norm.text), excluded_kinds=frozenset(), department=doc.department)


def _with_class_rows(count: int):
    """The first real document whose function table in 万元 prints `count` or more 类 rows
    under a 合计 that they make, without a warning from its tables."""
    from budgetextract.checks.tables import check_tables, title_lines
    from budgetextract.tables.cells import total_row

    for doc_id in real_ids_with_gold():
        path = real_file(doc_id)
        if path.suffix != ".pdf":
            continue
        doc, ctx = _checked(path)
        for table in doc.tables:
            classes = [r for r in table.rows if r.level == "类"]
            total = total_row(table)
            if table.kind == "function" and table.unit == "万元" and len(classes) >= count and total is not None and \
                    not [f for f in check_tables(ctx, doc.summary, doc.tables, doc.execution, title_lines(ctx)) if f.severity != "info"]:
                return doc, ctx, table, classes
    pytest.skip("no real document with such a table")


def _shift(row, by: str) -> None:
    column = next(c for c, v in row.values.items() if v is not None)
    row.values[column] += Decimal(by)
    row.printed[column] = f"{row.values[column]:.2f}"


@needs_real
def test_class_rows_within_their_printed_rounding_are_not_a_mismatch():
    """Three class rows printed to 0.01 each may miss their 合计 by 0.02 (four half-cents)."""
    from budgetextract.checks.tables import check_tables, title_lines

    doc, ctx, table, classes = _with_class_rows(3)
    _shift(classes[0], "0.02")
    codes = {f.code for f in check_tables(ctx, doc.summary, doc.tables, doc.execution, title_lines(ctx))}
    assert "table_sum_rounding" in codes and "table_sum_mismatch" not in codes
    _shift(classes[0], "0.98")
    assert "table_sum_mismatch" in {f.code for f in check_tables(ctx, doc.summary, doc.tables, doc.execution, title_lines(ctx))}


@needs_real
def test_a_table_failing_its_own_sums_in_many_places_corroborates_nothing():
    """A 合计 column shifted one row against the others makes every class fail: one info
    finding names the table, none of its sums is a warning, and its figures support no key."""
    from budgetextract.checks.tables import check_tables, title_lines
    from budgetextract.support import corroborate

    doc, ctx, table, classes = _with_class_rows(3)
    for row in table.rows:
        if row.level in ("类", "款"):
            _shift(row, "7.00")
    doc.findings = check_tables(ctx, doc.summary, doc.tables, doc.execution, title_lines(ctx))
    assert len([f for f in doc.findings if f.code == "table_sum_mismatch"]) > 2
    corroborate(ctx, doc)
    assert not [f for f in doc.findings if f.code in ("table_sum_mismatch", "cross_table_mismatch") and table.title in f.message]
    (unreliable,) = [f for f in doc.findings if f.code == "table_unreliable"]
    assert unreliable.severity == "info" and table.title in unreliable.message
    assert not [s for sup in doc.support.values() for s in sup.statements if s.of_key and s.text.startswith(table.title + " |")]


@needs_real
def test_one_figure_in_two_tables_within_printed_rounding():
    """The same total in two tables, one printed 0.01 off: both are printed to 0.01, so they
    agree within their rounding; 0.05 off they do not."""
    from budgetextract.checks.tables import check_tables, title_lines

    for doc_id in real_ids_with_gold():
        path = real_file(doc_id)
        doc, ctx = _checked(path) if path.suffix == ".pdf" else (None, None)
        overview = next((t for t in doc.tables if t.kind == "budget_total" and t.unit == "万元"), None) if doc else None
        row = next((r for r in overview.rows if r.name == "本年支出合计"), None) if overview else None
        if row is None or check_tables(ctx, doc.summary, doc.tables, doc.execution, title_lines(ctx)) != \
                [f for f in check_tables(ctx, doc.summary, doc.tables, doc.execution, title_lines(ctx)) if f.severity == "info"]:
            continue
        before = {f.code for f in check_tables(ctx, doc.summary, doc.tables, doc.execution, title_lines(ctx))}
        _shift(row, "0.01")
        after = {f.code for f in check_tables(ctx, doc.summary, doc.tables, doc.execution, title_lines(ctx))}
        if "cross_table_mismatch" in before | after:
            continue
        _shift(row, "0.04")
        if "cross_table_mismatch" in {f.code for f in check_tables(ctx, doc.summary, doc.tables, doc.execution, title_lines(ctx))}:
            return
    pytest.fail("no real document sets 本年支出合计 of its 收支总表 against its 支出总表 within rounding and raises 0.05")


def test_a_figure_before_its_word_is_not_missing(tmp_path):
    """3,623.98为万元: the figure and 为 printed in the wrong order; the figure is there."""
    path = _document(tmp_path, ("（一）人员经费 1,700.00 万元", "（一）人员经费 1,700.00为万元"))
    assert "template_placeholder" not in _warnings(process_file(path, debug=True))
    path = _document(tmp_path, ("（一）人员经费 1,700.00 万元", "（一）人员经费为万元"))
    assert "template_placeholder" in _warnings(process_file(path, debug=True))
