"""Final accounts (决算): actuals in the summary, budget against actual in `execution`,
in the record, the JSON Schema, the batch tables and the review page."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest

from budgetextract.evaluate import score_execution, score_summary
from budgetextract.pipeline import process_file
from conftest import altered, extracted, gold, needs_real, real_file, real_ids_with_gold, word_table

WITH_EXECUTION = [i for i in real_ids_with_gold() if "execution" in gold(i)]
BUDGETS = [i for i in real_ids_with_gold() if gold(i)["fields"]["doc_kind"]["value"] == "budget"]


def _record(doc_id: str) -> dict:
    return json.loads(extracted(str(real_file(doc_id))).to_json())


@needs_real
@pytest.mark.parametrize("doc_id", WITH_EXECUTION)
def test_final_accounts_summary_and_execution(doc_id):
    record = _record(doc_id)
    assert record["summary"]["doc_kind"] == "final_accounts"
    summary = score_summary(doc_id, record["summary"], gold(doc_id))
    assert summary.wrong == summary.spurious == summary.missed == 0, summary.misses
    execution = score_execution(doc_id, record["execution"], gold(doc_id)["execution"])
    assert execution.spurious == 0 and execution.fields_right == execution.fields_compared, execution.misses
    assert execution.found == execution.gold, execution.misses


@needs_real
def test_execution_entries_as_printed():
    entries = {e["item"]: e for e in _record("F1")["execution"]}
    headline = entries["一般公共预算财政拨款支出"]
    assert (headline["budget_initial"], headline["budget_final"], headline["actual"]) == (0, 321.02, 307.82)
    assert (headline["pct"], headline["pct_of"]) == (95.89, "budget_initial")  # as labelled, though 307.82/321.02
    assert headline["reason"] == "人员经费支出数小于预算数"
    item = entries["一般公共服务支出（类）社会工作事务（款）事业运行（项）"]
    assert (item["budget_final"], item["actual"], item["pct"]) == (17.68, 11.31, None)  # no percentage printed
    same = entries["住房保障支出（类）住房改革支出（款）购房补贴（项）"]
    assert same["reason"] is None  # 决算数与全年预算数持平


@needs_real
def test_a_reason_after_a_total_and_its_parts_is_the_totals():
    entries = _record("FS1")["execution"]
    total = next(e for e in entries if e["item"].startswith("“三公”经费"))
    assert total["reason"].startswith("因为我局为2019年新成立单位") and total["actual"] == 0.16
    parts = [e for e in entries if e["item"] in ("因公出国（境）费", "公务接待费")]
    assert len(parts) == 2 and all(e["reason"] is None for e in parts)
    # pairs only the 三公 决算 table gives: its 预算数 and 决算数 columns
    from_table = {e["item"]: e for e in entries if e["source"] == "table"}
    assert set(from_table) == {"公务用车购置费", "公务用车运行费"}
    assert from_table["公务用车运行费"]["evidence"]["label"].endswith("决算数/公务用车购置及运行费/公务用车运行费")


@needs_real
def test_final_accounts_summary_takes_actuals_not_budget_columns():
    s = extracted(str(real_file("FS1"))).summary
    assert (s.three_public_total, s.three_public_reception, s.three_public_outbound) == (Decimal("0.16"), Decimal("0.16"), Decimal("0"))
    assert (s.personnel_expenditure, s.public_expenditure) == (Decimal("649.2"), Decimal("97.19"))


@needs_real
@pytest.mark.parametrize("doc_id", BUDGETS)
def test_a_budget_has_no_execution(doc_id):
    assert _record(doc_id)["execution"] == []


def test_schema_describes_execution():
    from budgetextract.schema import json_schema

    schema = json_schema()
    entry = schema["$defs"]["ExecutionEntry"]
    assert {"item", "budget_initial", "budget_final", "actual", "pct", "pct_of", "reason", "evidence"} <= set(entry["properties"])
    assert "execution" in schema["properties"]


@needs_real
def test_batch_puts_budget_and_final_accounts_side_by_side(tmp_path):
    import duckdb

    from budgetextract.runs.batch import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    for doc_id in ("F1", "S7"):
        shutil.copy(real_file(doc_id), folder / real_file(doc_id).name)
    run_batch([str(folder)], tmp_path / "out", jobs=2, progress=False)
    con = duckdb.connect(str(tmp_path / "out" / "budgets.duckdb"))
    rows = con.execute("select item, budget_final, actual, pct from execution where doc_kind = 'final_accounts' order by actual desc").fetchall()
    assert rows[0] == ("一般公共预算财政拨款支出", 321.02, 307.82, 95.89) and len(rows) == 10
    kinds = con.execute("select doc_kind, count(*) from summary group by doc_kind order by doc_kind").fetchall()
    assert kinds == [("budget", 1), ("final_accounts", 1)]


def test_completion_and_difference_set_against_the_figure_before_them(tmp_path):
    """A Gansu 决算's phrasing: the figure in one clause, 完成年初预算 and 决算数大于预算数 in
    the next; the budget is the actual less the difference, the percentage as printed."""
    from budgetextract.pipeline import process_file

    path = tmp_path / "final.txt"
    path.write_text(
        "示例市幼儿园2017年度部门决算公开\n二、2017年度部门决算情况说明\n三、一般公共预算财政拨款支出决算情况。\n"
        "2017年度，本单位一般公共预算财政拨款支出总计1741.75万元，与上年相比减少53.7万元，降低2.99%；完成年初预算100%，"
        "决算数大于预算数55.93万元，主要原因：职工工资调标个人部分增加。\n四、其他\n本单位2017年度基本支出1121.09万元，项目支出821.48万元。\n",
        encoding="utf-8")
    (entry,) = json.loads(process_file(path).to_json())["execution"]
    assert entry["item"] == "一般公共预算财政拨款支出"
    assert (entry["budget_initial"], entry["actual"], entry["pct"], entry["pct_of"]) == (1685.82, 1741.75, 100, "budget_initial")
    assert entry["reason"] == "职工工资调标个人部分增加"


def _final_account_with_total_table(tmp_path, unit: str, year: int, rows: list[tuple[str, str]]):
    """A final account as DOCX: its 收入支出决算总表 (a Word table) and one narrative sentence."""
    import docx

    document = docx.Document()
    for line in (f"{unit}{year}年度部门决算", "第一部分 部门概况", f"{unit}负责本单位业务。", f"第二部分 {year}年度部门决算表",
                 "收入支出决算总表", "单位：万元"):
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=2)
    for name, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, value
    for line in (f"第三部分 {year}年度部门决算情况说明", "一、财政拨款“三公”经费支出决算情况说明", f"{year}年度“三公”经费财政拨款支出决算为2.00万元。"):
        document.add_paragraph(line)
    document.save(tmp_path / "final.docx")
    return process_file(tmp_path / "final.docx", debug=True)


def test_the_total_of_a_final_account_is_its_grand_total_not_the_years_own(tmp_path):
    # 收入总计 = 本年收入合计 + 年初结转和结余: where a table prints both rows, the 总计 is the total
    doc = _final_account_with_total_table(tmp_path, "示例区文化馆", 2023, [
        ("项目", "决算数"), ("一般公共预算财政拨款收入", "2,900.00"), ("其他收入", "46.25"), ("收入合计", "2,946.25"),
        ("年初结转和结余", "49.14"), ("收入总计", "2,995.39")])
    assert doc.summary.doc_kind == "final_accounts"
    assert doc.summary.revenue_total == Decimal("2995.39")


def _final_account(tmp_path, section: str, sentence: str) -> list[dict]:
    path = tmp_path / "final.txt"
    path.write_text("示例县文化馆2023年度部门决算\n第一部分 部门概况\n示例县文化馆负责全县群众文化活动。\n"
                    f"第二部分 2023年度部门决算情况说明\n{section}\n{sentence}\n第三部分 名词解释\n基本支出：指保障机构正常运转的支出。\n",
                    encoding="utf-8")
    return json.loads(process_file(path).to_json())["execution"]


def test_the_actual_before_its_initial_budget_and_a_reason_after_原因为(tmp_path):
    # Hubei: each “三公” item's spending, then its 年初预算 and the difference, then 原因为
    entries = _final_account(tmp_path, "七、“三公”经费财政拨款支出决算情况说明",
                             "2023年度本部门“三公”经费支出2.05万元，年初预算为2.95万元，差值为0.9万元。其中：因公出国（境）支出0万元，"
                             "年初预算为0万元，差值为0万元；公务用车运行维护费支出0万元，年初预算为0.95万元，差值为0.95万元，原因为厉行节约，压减开支；"
                             "公务接待费支出2.05万元，年初预算为2万元，差值为0.05万元，原因为项目增多，下乡次数增加。")
    got = {e["item"]: (e["budget_initial"], e["actual"], e["reason"]) for e in entries}
    assert got == {"“三公”经费支出": (2.95, 2.05, None), "因公出国（境）支出": (0, 0, None),
                   "公务用车运行维护费支出": (0.95, 0, "厉行节约，压减开支"), "公务接待费支出": (2, 2.05, "项目增多，下乡次数增加")}


@pytest.mark.parametrize("sentence", [
    "2023年度一般公共预算财政拨款支出决算数为1741.75万元，为年初预算的103.32%。",
    "2023年度一般公共预算财政拨款支出1741.75万元，决算数为年初预算的103.32%。",
])
def test_the_actual_as_a_share_of_the_initial_budget(tmp_path, sentence):
    (entry,) = _final_account(tmp_path, "五、一般公共预算财政拨款支出决算情况说明", sentence)
    assert (entry["item"], entry["actual"], entry["budget_initial"], entry["pct"], entry["pct_of"]) == (
        "一般公共预算财政拨款支出", 1741.75, None, 103.32, "budget_initial")


def test_the_difference_from_the_initial_budget_after_the_actual_and_the_reason_in_the_next_sentence(tmp_path):
    (entry,) = _final_account(tmp_path, "五、一般公共预算财政拨款支出决算情况说明",
                              "2023年度一般公共预算财政拨款支出决算数为1741.75万元，比年初预算增加55.93万元，增长3.32%。"
                              "决算数大于年初预算数的主要原因是：职工工资调标个人部分增加。")
    assert (entry["item"], entry["actual"], entry["budget_initial"], entry["pct"]) == ("一般公共预算财政拨款支出", 1741.75, 1685.82, None)
    assert entry["reason"] == "职工工资调标个人部分增加"


def test_use_of_non_appropriation_balances_is_other_revenue(tmp_path):
    # 使用非财政拨款结余 took the place of 用事业基金弥补收支差额 in the 决算 templates
    doc = _final_account_with_total_table(tmp_path, "示例大学", 2024, [
        ("项目", "决算数"), ("一般公共预算财政拨款收入", "2,900.00"), ("事业收入", "46.25"), ("本年收入合计", "2,946.25"),
        ("使用非财政拨款结余", "12.50"), ("年初结转和结余", "49.14"), ("收入总计", "3,007.89")])
    assert doc.summary.revenue_total == Decimal("3007.89")
    assert doc.summary.other_revenue == Decimal("58.75")


def _with_summary_table(tmp_path, doc_id: str, figures: dict[str, str], *changes: tuple[str, str]):
    """The document's title and 情况说明 as Word paragraphs (each (old, new) replaced once),
    with its 收入支出决算总表 as a Word table between them, each row named in `figures` printing
    that figure instead of its own."""
    import docx

    from budgetextract.pipeline import load

    source = extracted(str(real_file(doc_id)))
    table = next(t for t in source.tables if t.kind == "budget_total")
    text = load(real_file(doc_id)).norm.text
    narrative = text[next(s for s in source.sections if s.kind == "explanation").start:]
    for old, new in changes:
        assert old in narrative, old
        narrative = narrative.replace(old, new, 1)
    sides = {"收入": [], "支出": []}
    for row in table.rows:
        side = next(s for s in sides if any(s in c for c in row.values))
        sides[side].append([row.name, figures.get(row.name) or next((v for v in row.printed.values() if v), "")])
    document = docx.Document()
    document.add_paragraph(text[: next(s for s in source.sections).start])
    word_table(document, "收入支出决算总表", "万元", [[("收入", 2), ("支出", 2)], [("项目", 1), ("决算数", 1), ("项目", 1), ("决算数", 1)]],
               [a + b for a, b in zip(sides["收入"], sides["支出"])])
    for line in narrative.split("\n"):
        document.add_paragraph(line)
    path = tmp_path / f"{doc_id}.docx"
    document.save(path)
    return process_file(path)


@needs_real
def test_a_final_accounts_total_is_the_tables_grand_total_not_the_years_own(tmp_path):
    """收入总计 = 本年收入合计 + 年初结转和结余: where the narrative states only the year's
    合计 and the 收支总表 prints a carry-over beside it, the total is the table's 总计."""
    from budgetextract.pipeline import load

    def says_year_total(doc_id):
        total = gold(doc_id)["fields"]["revenue_total"]["value"]
        return f"本年收入合计{total}万元" in load(real_file(doc_id)).norm.text

    doc_id = next(i for i in WITH_EXECUTION if says_year_total(i))
    total = Decimal(str(gold(doc_id)["fields"]["revenue_total"]["value"]))
    year = (total * Decimal("0.8")).quantize(Decimal("0.01"))
    first_revenue = next(r.name for r in extracted(str(real_file(doc_id))).tables[0].rows if r.name.startswith("一、"))
    doc = _with_summary_table(
        tmp_path, doc_id, {"本年收入合计": str(year), "年初结转和结余": str(total - year), first_revenue: str(year)},
        (f"收入支出总计{total}万元", "收入支出决算如下"), (f"本年收入合计{total}万元", f"本年收入合计{year}万元"))
    assert doc.summary.revenue_total == doc.summary.expenditure_total == total
    assert doc.summary.carryover_prior_year == total - year
    evidence = next(f for f in doc.facts if f.field == "revenue.total" and f.source == "table").evidence
    assert evidence.label.endswith("总计 | 收入/决算数")


@needs_real
@pytest.mark.parametrize("said", ["支出预算为{budget}万元，支出决算为{actual}万元", "支出全年预算数{budget}万元，决算数{actual}万元",
                                  "年初预算为{budget}万元，决算为{actual}万元"])
def test_a_final_accounts_three_public_budget_is_not_its_actual(tmp_path, said):
    """A final account sets the year's “三公” 预算数 before its 决算数: the summary holds the
    actual, and the budget stays a statement of another basis."""
    import regex

    from budgetextract.pipeline import load

    stated = regex.compile(r"“三公”经费财政拨款支出决\n?算为(\d+\.\d+)万元")
    doc_id = next(i for i in WITH_EXECUTION if stated.search(load(real_file(i)).norm.text))
    text = load(real_file(doc_id)).norm.text
    m = stated.search(text)
    actual = Decimal(m.group(1))
    budget = actual + Decimal("0.79")
    doc = process_file(altered(tmp_path, text, (m.group(), "“三公”经费财政拨款" + said.format(budget=budget, actual=actual))))
    assert doc.summary.three_public_total == actual
    facts = {f.value: f for f in doc.facts if f.field == "three_public.total" and f.source == "narrative"}
    assert facts[budget].scope.basis == "预算数" and facts[actual].scope.basis is None
