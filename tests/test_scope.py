"""What a figure covers, and findings that compare only figures of one scope. Each case is
built from sentences and table rows of published budgets (altered where a test needs it):
the document states a figure for a unit, a class or a list, and the tool must neither call
it a conflict nor null the department's figure because of it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from budgetextract.checks.arithmetic import _within_figures_rounding
from budgetextract.extract.from_tables import _line_item, _printed_rounding
from budgetextract.pipeline import process_file
from budgetextract.schema import BudgetDocument, Table
from budgetextract.tables.grid import GridCell, RawGrid, rows_of

HEAD = "2026年深圳市司法局部门预算\n目录\n第一部分部门概况\n一、部门主要职责\n负责全市司法行政工作。\n"


def _doc(tmp_path: Path, body: str, head: str = HEAD) -> BudgetDocument:
    path = tmp_path / "budget.txt"
    path.write_text(head + body, encoding="utf-8")
    return process_file(path, debug=True)


def _raised(doc: BudgetDocument) -> set[str]:
    return {f.code for f in doc.findings if f.severity != "info"}


# --- units of a department ----------------------------------------------------------------

UNITS = """第二部分部门预算收支总体情况
2026年深圳市司法局部门预算收入26,517.00万元，较2025年年初预算增加1,749.63万元，增长7.1%。2026年深圳市司法局部门预算支出26,517.00万元，较2025年年初预算增加1,749.63万元，增长7.1%。
第三部分部门预算支出具体情况
一、深圳市司法局（本级）
深圳市司法局（本级）预算21,796.12万元，包括在职人员经费10,698.69万元、公用经费1,485.25万元、对个人和家庭的补助支出1,295.69万元、增人增资500.00万元、项目支出7,816.49万元。
二、深圳市法律援助中心
深圳市法律援助中心预算4,720.88万元，包括在职人员经费2,215.05万元、公用经费163.75万元、对个人和家庭的补助支出93.01万元、增人增资100.00万元、项目支出2,149.07万元。
（一）在职人员经费2,215.05万元，主要是在职人员工资福利和社保缴费等相关支出。
"""


def test_figures_of_each_unit_are_that_units_not_a_conflict_of_the_departments(tmp_path):
    doc = _doc(tmp_path, UNITS)
    assert doc.summary.expenditure_total == Decimal("26517.00")
    assert doc.summary.personnel_expenditure is None and doc.summary.project_expenditure is None
    assert "conflicting_values" not in {f.code for f in doc.findings}
    parts_only = [f for f in doc.findings if f.code == "stated_for_parts_only"]
    assert {f.fields[0] for f in parts_only} >= {"personnel_expenditure", "public_expenditure", "project_expenditure"}
    assert all(f.severity == "info" for f in parts_only)
    units = {f.scope.unit for f in doc.facts if f.field == "expenditure.personnel"}
    assert units == {"深圳市司法局（本级）", "深圳市法律援助中心"}


def test_a_lone_unit_heading_is_the_department_itself(tmp_path):
    body = UNITS[: UNITS.index("二、深圳市法律援助中心")]
    doc = _doc(tmp_path, body)
    assert doc.summary.personnel_expenditure == Decimal("10698.69")
    assert all(f.scope.unit is None for f in doc.facts if f.field == "expenditure.personnel")


def test_a_unit_named_as_the_subject_and_a_class_line_are_parts(tmp_path):
    body = """五、机关运行经费安排情况说明
2022年本部门机关运行经费预算360.10万元。
西安市社会科学院公用经费预算60.57万元，比2021年减少5万元，主要原因是因人员减少费用减少。
西安地区科技交流中心公用经费预算54.76万元，比2021年增加6.72万元。
六、一般公共预算支出情况
（1）进修及培训（20508）102.32万元，较上年增加102.32万元。具体为：人员经费0.00万元，较上年无变化；公用经费28.32万元，较上年增加28.32万元。
（2）民政管理事务（20802）3,386.08万元。具体为：人员经费1,541.50万元；公用经费105.58万元。
4.其他司法行政业务477.34万元，主要包括：编外人员经费89.42万元，用于支付员额工资。
"""
    doc = _doc(tmp_path, body, head="2022年西安市科学技术局部门预算\n目录\n")
    assert "conflicting_values" not in {f.code for f in doc.findings}
    assert doc.summary.public_expenditure is None and doc.summary.personnel_expenditure is None
    scopes = {f.raw: f.scope for f in doc.facts if f.field in ("expenditure.public", "expenditure.personnel")}
    assert scopes["60.57万元"].unit == "西安市社会科学院"
    assert scopes["28.32万元"].part_of.startswith("进修及培训（20508）")
    assert "89.42万元" not in scopes  # 编外人员经费 is no statement of the department's 人员经费


def test_the_departments_own_name_shortened_is_not_another_unit(tmp_path):
    body = "一、部门预算情况\n省检察院人员经费预算1,200.00万元，公用经费预算300.00万元。\n"
    doc = _doc(tmp_path, body, head="江苏省人民检察院\n2017年部门预算\n目录\n")
    assert doc.summary.personnel_expenditure == Decimal("1200.00")
    assert "department_name_mismatch" not in {f.code for f in doc.findings}


# --- year and department from the title ----------------------------------------------------

def test_the_year_and_department_are_the_titles_not_a_sentences(tmp_path):
    body = """第二部分部门预算收支总体情况
2026年深圳市建筑工务署部门预算收入33,934.54万元，较2025年年初预算减少41,827.00万元，减少55.2%。2026年深圳市建筑工务署部门预算支出33,934.54万元，较2025年年初预算减少41,827.00万元，减少55.2%。
预算收支减少主要原因说明：2025年部门预算含中央基建资金，2026年部门预算不含中央基建资金。
"""
    doc = _doc(tmp_path, body, head="AAAAAAAAA公\n2026年深圳市建筑工务署部门预算\n目录\n")
    assert doc.fiscal_year == 2026
    assert doc.department == "深圳市建筑工务署"
    assert not {"comparison_year", "title_year_mismatch"} & {f.code for f in doc.findings}


def test_a_department_name_never_begins_with_punctuation_or_a_list_number(tmp_path):
    body = "第一部分 部门概况\n一、主要职能\n负责全市统计工作。\n二、部门预算情况\n本部门收入预算100.00万元，支出预算100.00万元。\n"
    doc = _doc(tmp_path, body, head="．长春市统计局2026年部门预算\n")
    assert doc.department == "长春市统计局"


# --- tables read whole --------------------------------------------------------------------

def _cell(text: str, x: float) -> GridCell:
    return GridCell(text, x, x + 10, 0)


def test_a_class_under_two_government_classes_is_one_item_its_rows_summed():
    header = [_cell(h, x) for h, x in [("序号", 0), ("部门经济科目编码", 20), ("部门经济科目名称", 40), ("政府经济科目编码", 60),
                                       ("政府经济科目名称", 80), ("合计", 100)]]
    printed = [("39", "30215", "会议费", "50202", "会议费", "365,836.00"), ("40", "30215", "会议费", "50502", "商品和服务支出", "96,000.00"),
               ("41", "30216", "培训费", "50203", "培训费", "334,900.00"), ("42", "30216", "培训费", "50502", "商品和服务支出", "1,067,700.00")]
    raw = RawGrid(title="部门综合预算一般公共预算支出明细表（按支出经济分类科目）", unit="元", page=1, header=header,
               rows=[[_cell(t, x) for t, x in zip(row, (0, 20, 40, 60, 80, 100))] for row in printed])
    rows = rows_of(raw, "元")
    assert [(r.code, r.name) for r in rows] == [("30215", "会议费"), ("30215", "会议费"), ("30216", "培训费"), ("30216", "培训费")]
    assert all("序号" not in r.values for r in rows)  # a row number is no figure
    table = Table(kind="economic", title=raw.title, unit="元", columns=["合计"], rows=rows)
    assert _line_item(table, "会议费").values["合计"] == Decimal("46.1836")
    assert _line_item(table, "培训费").values["合计"] == Decimal("140.26")


def test_side_by_side_items_stay_apart():
    header = [_cell(h, x) for h, x in [("科目编码", 0), ("科目名称", 20), ("金额", 40), ("科目编码", 60), ("科目名称", 80), ("金额", 100)]]
    row = [_cell(t, x) for t, x in zip(("30215", "会议费", "12.00", "50202", "会议费", "12.00"), (0, 20, 40, 60, 80, 100))]
    rows = rows_of(RawGrid(title=None, unit="万元", page=1, header=header, rows=[row]), "万元")
    assert [(r.code, r.values.get("金额")) for r in rows] == [("30215", Decimal("12.00")), ("50202", Decimal("12.00"))]


# --- carry-over, lists, rounding, wording -------------------------------------------------

def test_basic_plus_project_against_a_total_that_lists_the_year_end_carry_forward(tmp_path):
    body = """三、支出预算情况说明
2026年支出预算1048475.73万元，比2025年年初预算数1025099.89万元增加23375.84万元，增长2.28%。
（一）基本支出。基本支出预算186874.72万元，占本年支出预算18.24%。
（二）项目支出。项目支出预算837932.45万元，占本年支出预算81.76%。
（三）年终结转结余资金23668.55万元。
"""
    doc = _doc(tmp_path, body)
    assert doc.summary.basic_expenditure == Decimal("186874.72")
    assert "sum_mismatch" not in _raised(doc)


def test_a_change_after_a_list_of_parts_is_the_totals(tmp_path):
    body = """五、收支预算总体情况说明
本部门当年预算收入344,447.70万元，其中：一般公共预算拨款324,638.50万元、上年结转13,102.70万元、上年实户资金余额3,262.49万元、其他收入3,444.00万元，较上年减少129,422.00万元，下降27.31%，下降的主要原因是：本年公安专项业务经费减少。
"""
    doc = _doc(tmp_path, body)
    assert not [f for f in doc.facts if f.field.startswith("changes.revenue.other")]
    assert "change_pct_mismatch" not in _raised(doc)


def test_level_in_so_many_words_is_no_contradiction(tmp_path):
    body = "三、支出预算情况说明\n2026年支出预算5,000.00万元，比上年预算减少45.00万元，下降0.9%，主要原因是基本与上年持平。\n"
    assert "steady_mismatch" not in _raised(_doc(tmp_path, body))
    body = body.replace("基本与上年持平", "与上年持平")
    assert "steady_mismatch" in _raised(_doc(tmp_path, body))


def test_rounding_of_printed_figures():
    # 94386.49 printed against 943,864,999.96元: a cent cut, not a misprint
    assert abs(Decimal("94386.49") - Decimal("94386.4999996")) <= _printed_rounding(Decimal("94386.49"))
    assert Decimal("16") - Decimal("15.6843") <= _printed_rounding(Decimal("16"))  # whole 万元 against a 元 table
    assert not Decimal("8732.39") - Decimal("8704.40") <= _printed_rounding(Decimal("8704.40"))
    # 会议费预算58.46万元，比2021年增加27.84万元，增幅90.89%: 27.84 / 30.63 is 90.89%, and 30.62 is 30.63 rounded
    assert _within_figures_rounding(Decimal("27.84"), Decimal("30.62"), Decimal("90.89"), Decimal("0.01"))
    assert not _within_figures_rounding(Decimal("3401.59"), Decimal("2630.96"), Decimal("129.97"), Decimal("0.01"))


def test_dates_of_planned_work_may_pass_the_budget_year(tmp_path):
    body = """九、部门预算绩效目标情况说明
平台维护开始2022年6月1日，结束2023年5月31日，障碍修复时限平均值≤8小时。
十、其他说明
本部门预算收入100.00万元，支出预算100.00万元，项目支出预算20.00万元，基本支出预算80.00万元。
本表数据截至2023年3月31日。
"""
    doc = _doc(tmp_path, body, head="2022年西安市科学技术局部门预算\n目录\n")
    dates = [f for f in doc.findings if f.code == "date_out_of_range"]
    assert [e.text for f in dates for e in f.evidence] == ["截至2023年3月31日"]


# --- table titles -------------------------------------------------------------------------

def _titles(tmp_path: Path, text: str):
    from budgetextract.checks.tables import title_lines
    from budgetextract.extract.context import Context
    from budgetextract.nlp import analyse
    from budgetextract.pipeline import load

    path = tmp_path / "titles.txt"
    path.write_text(text, encoding="utf-8")
    loaded = load(path)
    doc = process_file(path, debug=True)
    return title_lines(Context(norm=loaded.norm, sections=doc.sections, doc=analyse(loaded.norm.text), excluded_kinds=frozenset()))


def test_a_title_wrapped_over_two_lines_is_one_title(tmp_path):
    text = ("2021年西安市民政局部门预算\n一、部门预算情况\n本部门预算收入100.00万元，支出预算100.00万元，基本支出80.00万元，项目支出20.00万元。\n"
            "表132021年部门综合预算一般公共预算拨款“三公”经费及\n会议费、培训费支出预算表（不含上年结转）\n"
            "预算单位：西安市民政局单位：元\n合计 310,800.00 80,000.00\n")
    titles = _titles(tmp_path, text)
    assert [kind for kind, _ in titles.exact] == ["three_public"]


def test_a_table_whose_next_page_has_no_title_may_continue_there():
    # Chongqing: the basic-expenditure table's second page is printed rotated and its rows are not read
    from budgetextract.checks.tables import Titles, _may_continue
    from budgetextract.extract.context import Context
    from budgetextract.nlp import analyse
    from budgetextract.normalize import normalize
    from budgetextract.readers.base import RawDocument

    first = "表六\n2026年一般公共预算基本支出情况表\n单位:万元\n合 计 5,445.39 5,308.05 137.34\n301 工资福利支出 5,293.75 5,293.75"
    for second, continues in (("经\n济\n分\n类\n3\n0\n2\n商\n品", True), ("表七\n2026年一般公共预算“三公”经费支出情况表\n合计 10.00", False)):
        norm = normalize(RawDocument(format="pdf", pages=[first, second], paged=True, path=Path("cq.pdf")))
        ctx = Context(norm=norm, sections=[], doc=analyse(norm.text), excluded_kinds=frozenset())
        second_title = norm.text.find("2026年一般公共预算“三公”")
        titles = Titles(exact=[], loose=[("basic_economic", norm.text.find("2026年一般公共预算基本"))]
                        + ([("three_public", second_title)] if second_title >= 0 else []))
        table = Table(kind="basic_economic", title="2026年一般公共预算基本支出情况表", unit="万元", pages=[1], columns=["总计"])
        assert _may_continue(ctx, table, titles) is continues


def test_a_change_a_part_and_a_target_are_not_the_figure(tmp_path):
    body = """一、部门人员情况
本部门核定编制15名。行政编制10名，事业编制5名。实有在职人员14人，比上年减少在职人员1名。
二、“三公”经费及会议费、培训费情况说明
2026年培训费预算15.00万元，主要是增加了培训费0.20万元用于新录用人员培训。
三、部门预算绩效目标情况说明
指标7：农林水支出6314.57万元，培训费5万元。
"""
    doc = _doc(tmp_path, body)
    assert doc.summary.staffing_authorized == 15 and doc.summary.staff_actual == 14
    assert doc.summary.training_expenses == Decimal("15.00")
    assert "conflicting_values" not in {f.code for f in doc.findings}
    parts = {f.raw: f.scope.part_of for f in doc.facts if f.field in ("staffing.authorized", "expenditure.training")}
    assert parts.get("10名") and parts.get("5名") and parts["15名"] is None  # 行政编制, 事业编制: kinds of 编制


def test_a_figure_of_the_basic_expenditure_table_is_another_scope_than_the_departments():
    from budgetextract.extract.from_tables import _other_scope
    from budgetextract.schema import Evidence, Fact, Scope

    evidence = Evidence(start=0, end=1, text="x")
    said = Fact(field="expenditure.training", value=Decimal("57.50"), raw="57.50万元", evidence=evidence)
    basic = Fact(field="training_expenses", value=Decimal("7.20"), raw="72,000.00元", source="table", evidence=evidence,
                 scope=Scope(fund="一般公共预算", part_of="基本支出"))
    whole = Fact(field="training_expenses", value=Decimal("7.20"), raw="72,000.00元", source="table", evidence=evidence,
                 scope=Scope(fund="一般公共预算"))
    assert _other_scope([said], Decimal("57.50"), basic)  # not a mismatch: the narrative's figure is kept
    assert not _other_scope([said], Decimal("57.50"), whole)


# --- the department named without a title, or shortened ----------------------------------

def test_a_department_named_only_under_its_duties_heading_is_not_a_part_of_itself(tmp_path):
    # Beijing: the cover states no name; the 职责 paragraph and the 附件 line do
    head = "第一部分 2026 年度部门预算情况说明\n一、部门情况说明\n（一）本部门职责情况\n北京市气象局属于公益性事业单位，职责是制定地方气象事业发展规划。\n"
    body = ("三、支出预算情况说明\n2026 年支出预算 30775.65 万元，其中：基本支出预算 2018.97 万元。\n"
            "五、其他情况说明\n（一）政府采购预算说明\n2026 年北京市气象局政府采购预算总额 8606.06 万元，其中：政府采购货物预算 264.13 万元，"
            "政府采购工程预算 0元，政府采购服务预算 8341.93 万元。\n（三）国有资产占用情况说明\n截至 2025 年底，北京市气象局共有车辆 8 台。\n")
    doc = _doc(tmp_path, body, head)
    assert doc.department == "北京市气象局"
    assert (doc.summary.procurement_total, doc.summary.vehicles_total) == (Decimal("8606.06"), 8)
    assert not [f for f in doc.findings if f.code == "stated_for_parts_only"]


def test_a_department_shortened_to_its_abbreviated_ending_is_the_department(tmp_path):
    # Beijing: 中共北京市委军民融合发展委员会办公室 writes itself 市委军民融合办
    head = "中共北京市委军民融合发展委员会办公室2026年度部门预算情况说明\n一、部门基本情况\n负责军民融合工作。\n"
    body = ("三、支出预算情况说明\n2026年支出预算1021.16万元，其中：基本支出预算421.16万元。\n"
            "五、其他情况说明\n（三）国有资产占用情况说明\n截至2025年12月31日，市委军民融合办共有车辆3台。\n")
    doc = _doc(tmp_path, body, head)
    assert doc.summary.vehicles_total == 3
    # a unit of another kind (台 of a 局) stays a unit
    other = _doc(tmp_path, body.replace("市委军民融合办", "北京市气象台"),
                 "北京市气象局2026年度部门预算情况说明\n一、部门基本情况\n负责气象工作。\n")
    assert other.summary.vehicles_total is None
