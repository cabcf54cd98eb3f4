"""Budget tables on the real documents: recognised by title, rows adding up to 合计,
元 tables agreeing with the narrative's 万元, and files of tables only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import REAL, extracted, gold, needs_real, real_file, real_files, real_ids_with_gold, word_table

SHANGHAI_KINDS = ["budget_total", "revenue", "expenditure", "fiscal_total", "function", "government_fund", "state_capital",
                  "basic_economic", "three_public"]
JIANGSU_KINDS = {"budget_total", "revenue", "expenditure", "fiscal_total", "function", "basic_economic", "three_public",
                 "operating_costs", "procurement"}


def tables_of(doc_id):
    return extracted(str(real_file(doc_id))).tables


@needs_real
@pytest.mark.parametrize("doc_id", ["S2", "S3", "S7"])
def test_shanghai_nine_standard_tables(doc_id):
    tables = tables_of(doc_id)
    assert [t.kind for t in tables] == SHANGHAI_KINDS
    units = {t.kind: t.unit for t in tables}
    assert units["three_public"] == "万元" and units["expenditure"] == "元"


@needs_real
@pytest.mark.parametrize("doc_id", ["J3", "J5", "T1", "T2"])
def test_jiangsu_tables_recognised(doc_id):
    kinds = {t.kind for t in tables_of(doc_id)}
    assert JIANGSU_KINDS - {"procurement", "operating_costs"} <= kinds
    assert all(t.unit == "万元" for t in tables_of(doc_id))


@needs_real
@pytest.mark.parametrize("doc_id", ["J3", "J5", "T1", "T2"])
def test_jiangsu_tables_add_up(doc_id):
    """Rows split over a page (J5's 221 住房保障支出 on the next page) stay whole."""
    assert not [f for f in extracted(str(real_file(doc_id))).findings if f.code == "table_sum_mismatch"]
    for table in tables_of(doc_id):
        if table.kind == "function":
            assert {r.code for r in table.rows if r.level == "类"} >= {"221"}


@needs_real
@pytest.mark.parametrize("doc_id", ["S2", "S3", "S7"])
def test_class_rows_add_up_to_the_total_row(doc_id):
    for table in tables_of(doc_id):
        if table.kind not in ("expenditure", "function", "basic_economic"):
            continue
        total = next(r for r in table.rows if r.name == "合计")
        classes = [r for r in table.rows if r.level == "类"]
        assert classes, table.title
        for column, value in total.values.items():
            if value is not None and all(r.printed.get(column) for r in classes):
                assert sum((r.values[column] for r in classes), Decimal(0)) == value, (table.title, column)
    assert not [f for f in extracted(str(real_file(doc_id))).findings if f.code == "table_sum_mismatch"]


@needs_real
def test_table_rows_carry_codes_levels_and_exact_values():
    expenditure = next(t for t in tables_of("S3") if t.kind == "expenditure")
    row = next(r for r in expenditure.rows if r.code == "2010301")
    assert row.level == "项" and row.name == "行政运行" and row.page == 11
    assert row.values["支出预算/合计"] == Decimal("1202.950184")  # 12,029,501.84 元
    assert row.printed["支出预算/合计"] == "12,029,501.84"
    assert expenditure.pages == [11, 12]  # continued over a page


@needs_real
def test_blank_cells_keep_their_column():
    three = next(t for t in tables_of("S3") if t.kind == "three_public")
    (row,) = three.rows
    by_role = {c.split("/")[-1]: v for c, v in row.values.items()}
    assert by_role["合计"] == Decimal("867.50") and by_role["公务接待费"] == Decimal("28.50")
    assert by_role["小计"] is None  # blank vehicle cells stay blank, not shifted
    assert by_role["机关运行经费预算数"] == Decimal("213.28")


@needs_real
@pytest.mark.parametrize("doc_id", ["S2", "S3", "S7"])
def test_yuan_tables_match_the_narrative_in_wan(doc_id):
    doc = extracted(str(real_file(doc_id)))
    assert not [f for f in doc.findings if f.code == "narrative_table_mismatch"]
    table_facts = {f.field: f for f in doc.facts if f.source == "table"}
    narrative = {f.field: f for f in doc.facts if f.source == "narrative"}
    # one name for the figure, whichever it was read from
    assert "three_public.reception" in table_facts and "three_public.reception" in narrative
    assert abs(table_facts["three_public.reception"].value - narrative["three_public.reception"].value) <= Decimal("0.005")


@needs_real
def test_table_only_figures_fill_the_summary_with_evidence():
    doc = extracted(str(real_file("S3")))
    s = doc.summary
    assert (s.basic_expenditure, s.project_expenditure) == (Decimal("2460.677535"), Decimal("6641"))
    assert (s.personnel_expenditure, s.public_expenditure) == (Decimal("2247.399781"), Decimal("213.277754"))
    fact = next(f for f in doc.facts if f.field == "expenditure.basic" and f.source == "table")
    assert fact.evidence.text == "24,606,775.35" and fact.evidence.page in (14, 15, 11, 12)


@needs_real
def test_tables_only_file_gives_summary_from_tables():
    doc = extracted(str(real_file("T2")))
    s = doc.summary
    assert doc.status == "ok" and len(doc.tables) >= 9
    assert (s.revenue_total, s.fiscal_appropriation_total) == (Decimal("10150.48"), Decimal("10070.48"))
    assert (s.basic_expenditure, s.project_expenditure, s.reserve_expenditure) == (Decimal("5678.17"), Decimal("3314.68"), Decimal("1157.63"))
    assert s.three_public_total == Decimal("675.10")  # printed in the table (the narrative J11 does not print it)
    assert s.function_classes == {"一般公共服务支出": Decimal("7827.46"), "社会保障和就业支出": Decimal("823.76"), "住房保障支出": Decimal("1499.26")}


def test_no_table_pages_no_pdfplumber(tmp_path):
    from budgetextract.pipeline import process_file
    from conftest import CORPUS

    assert process_file(CORPUS / "sample_jiangsu_style.pdf").tables == []


@needs_real
def test_docx_tables_give_the_same_figures_as_the_pdf(tmp_path):
    """The Shanghai template's table-only figures, from Word tables laid out like the PDF's."""
    import docx

    from budgetextract.pipeline import load, process_file

    pdf_doc = extracted(str(real_file("S3")))
    expenditure = next(t for t in pdf_doc.tables if t.kind == "expenditure")
    economic = next(t for t in pdf_doc.tables if t.kind == "basic_economic")
    text = load(real_file("S3")).norm.text
    narrative = next(s for s in pdf_doc.sections if s.kind == "budget_overview")

    document = docx.Document()
    for line in text[: narrative.end].split("\n"):
        document.add_paragraph(line)
    split = lambda code: [code[:3], code[3:5], code[5:7]] if code else ["", "", ""]
    word_table(document, expenditure.title, "元",
                [[("项目", 4), ("支出预算", 3)], [("功能分类科目编码", 3), ("功能分类科目名称", 1), ("合计", 1), ("基本支出", 1), ("项目支出", 1)],
                 [("类", 1), ("款", 1), ("项", 1), ("", 1), ("", 1), ("", 1), ("", 1)]],
                [split(r.code) + [r.name] + [r.printed.get(c, "") for c in ("支出预算/合计", "支出预算/基本支出", "支出预算/项目支出")]
                 for r in expenditure.rows if r.code] + [["", "", "", "合计"] + [r.printed[c] for r in expenditure.rows if r.name == "合计"
                                                                             for c in ("支出预算/合计", "支出预算/基本支出", "支出预算/项目支出")]])
    columns = ("一般公共预算基本支出/合计", "一般公共预算基本支出/人员经费", "一般公共预算基本支出/公用经费")
    word_table(document, economic.title, "元",
                [[("项目", 3), ("一般公共预算基本支出", 3)], [("部门预算经济分类科目编码", 2), ("经济分类科目名称", 1), ("合计", 1), ("人员经费", 1), ("公用经费", 1)],
                 [("类", 1), ("款", 1), ("", 1), ("", 1), ("", 1), ("", 1)]],
                [[r.code[:3], r.code[3:5], r.name] + [r.printed.get(c, "") for c in columns] for r in economic.rows if r.code]
                + [["", "", "合计"] + [r.printed[c] for r in economic.rows if r.name == "合计" for c in columns]])
    path = tmp_path / "s3.docx"
    document.save(path)

    doc = process_file(path)
    assert [t.kind for t in doc.tables] == ["expenditure", "basic_economic"]
    for key in ("basic_expenditure", "project_expenditure", "personnel_expenditure", "public_expenditure", "revenue_total", "total_change_amount"):
        assert getattr(doc.summary, key) == getattr(pdf_doc.summary, key), key
    assert doc.summary.function_classes == pdf_doc.summary.function_classes
    assert not [f for f in doc.findings if f.code == "table_sum_mismatch"]


@needs_real
@pytest.mark.parametrize("doc_id", ["S2", "S3", "S7"])
def test_tables_as_text_give_their_totals(tmp_path, doc_id):
    """A Shanghai document saved as text keeps what its tables state in text that can be
    placed: the 合计 rows (basic/project, personnel/public) and each coded row's first
    figure, its 合计 (function classes, 会议费, 培训费), exactly as the PDF's ruled tables give them."""
    import pypdfium2 as pdfium

    from budgetextract.pipeline import process_file

    pdf = pdfium.PdfDocument(real_file(doc_id))
    text = "\n".join(pdf[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(pdf)))
    path = tmp_path / f"{doc_id}.txt"
    path.write_bytes(text.encode("gb18030", errors="replace"))
    doc, reference = process_file(path), extracted(str(real_file(doc_id)))
    for key in ("basic_expenditure", "project_expenditure", "personnel_expenditure", "public_expenditure",
                "meeting_expenses", "training_expenses", "function_classes"):
        assert getattr(doc.summary, key) == getattr(reference.summary, key), key
    assert {"expenditure", "function", "basic_economic"} <= {t.kind for t in doc.tables}
    assert not [f for f in doc.findings if f.code == "table_sum_mismatch"]


@needs_real
def test_standard_tables_as_text_give_the_totals_only_tables_state(tmp_path):
    """Saved as text, documents of every province still give the totals their gold takes
    from the standard tables (收支总表, 财政拨款收支总表): right where given, never wrong."""
    import pypdfium2 as pdfium

    from budgetextract.pipeline import process_file

    keys = ("revenue_total", "expenditure_total", "fiscal_appropriation_total", "general_public_budget",
            "government_fund_budget", "carryover_prior_year")
    right, wrong, missed = [], [], []
    for doc_id in real_ids_with_gold():
        fields = gold(doc_id)["fields"]
        from_tables = [k for k in keys if fields[k]["source"] == "table"]
        source = real_file(doc_id)
        if not from_tables or source.suffix != ".pdf":
            continue
        pdf = pdfium.PdfDocument(source)
        text = "\n".join(pdf[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(pdf)))
        path = tmp_path / f"{doc_id}.txt"
        path.write_bytes(text.encode("gb18030", errors="replace"))
        summary = process_file(path).summary
        for key in from_tables:
            got, want = getattr(summary, key), fields[key]["value"]
            (missed if got is None else right if abs(float(got) - want) < 0.006 else wrong).append((doc_id, key, got, want))
    assert not wrong, wrong
    assert len(right) >= 0.9 * (len(right) + len(missed)), missed


@needs_real
def test_cells_of_ruled_tables_are_pdfplumbers_cells():
    import pypdfium2 as pdfium
    from pdfplumber.table import edges_to_intersections, intersections_to_cells

    from budgetextract.tables.ruled import _cells, _edges, _Frame

    checked = 0
    for path in real_files("*.pdf")[:6]:
        pdf = pdfium.PdfDocument(path.read_bytes())
        for index in range(len(pdf)):
            page = pdf[index]
            intersections = edges_to_intersections(_edges(page, _Frame(page)), 1, 1)
            assert _cells(intersections) == intersections_to_cells(intersections), (path.name, index + 1)
            checked += bool(intersections)
    assert checked >= 10  # pages with ruling lines were compared


@needs_real
def test_figures_only_columns_tell_are_read_from_text_where_a_row_can_be_placed(tmp_path):
    """Saved as text, each real document gives the figures its tables state by column (basic
    and project, personnel and public, function classes) as its PDF does wherever a row can be
    placed: one figure per named column, or the named columns opening the header (总计 | 基本支出
    | 项目支出 | 事业单位经营支出 …); tables whose cells drop zero cents (480544221.6 元), whose
    titles open with 表N run into the year, whose unit stands above the title; never another value."""
    import pypdfium2 as pdfium

    from budgetextract.pipeline import process_file

    keys = ("basic_expenditure", "project_expenditure", "personnel_expenditure", "public_expenditure", "function_classes")
    same, wrong, missed = [], [], []
    for doc_id in real_ids_with_gold():
        source = real_file(doc_id)
        if source.suffix != ".pdf":
            continue
        pdf = pdfium.PdfDocument(source)
        path = tmp_path / f"{doc_id}.txt"
        path.write_text("\n".join(pdf[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(pdf))),
                        encoding="utf-8")
        got, want = process_file(path).summary, extracted(str(source)).summary
        for key in keys:
            a, b = getattr(got, key), getattr(want, key)
            if b is not None:
                (missed if a is None else same if _within_gold_tolerance(a, b) else wrong).append((doc_id, key, a, b))
    assert not wrong, wrong
    assert len(same) >= 0.95 * (len(same) + len(missed)), (len(same), missed)  # 128 of 131


def _within_gold_tolerance(a, b) -> bool:
    """Equal within the gold's 0.005 万元 (a text layer may cut a cell's last digit: 475907032.4 of
    475,907,032.42 元); function classes class by class."""
    if isinstance(b, dict):
        return a.keys() == b.keys() and all(abs(a[k] - b[k]) < Decimal("0.005") for k in b)
    return abs(a - b) < Decimal("0.005")


def _budget_with_table(tmp_path, title: str, rows: list[tuple[str, ...]]):
    import docx

    from budgetextract.pipeline import process_file

    document = docx.Document()
    for line in ("示例市建筑工务署2026年部门预算", "第一部分 部门概况", "示例市建筑工务署负责政府投资项目建设。",
                 "第二部分 2026年部门预算表", title, "单位：万元"):
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=len(rows[0]))
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    document.add_paragraph("第三部分 2026年部门预算情况说明")
    document.add_paragraph("一、收支预算总体情况")
    document.add_paragraph("2026年部门预算收入9,744.68万元；部门预算支出9,744.68万元。")
    document.save(tmp_path / "budget.docx")
    return process_file(tmp_path / "budget.docx", debug=True)


def test_a_sub_item_named_like_a_class_is_not_the_class(tmp_path):
    # Shenzhen: 住房保障 is a 款 under 援助其他地区支出; 住房保障支出 is the class
    doc = _budget_with_table(tmp_path, "支出总表", [
        ("项目", "2026年预算数"), ("一、教育支出", "355.00"), ("五、援助其他地区支出", "5,231.12"), ("住房保障", "5,231.12"),
        ("六、住房保障支出", "4,158.56"), ("住房改革支出", "4,158.56"), ("本年支出合计", "9,744.68")])
    assert doc.summary.function_classes == {"教育支出": Decimal("355.00"), "援助其他地区支出": Decimal("5231.12"),
                                            "住房保障支出": Decimal("4158.56")}
    assert [f.value for f in doc.facts if f.field == "function_classes.住房保障支出"] == [Decimal("4158.56")]


def test_a_coded_class_that_took_a_character_from_its_neighbour_is_its_code(tmp_path):
    # Xi'an: 208 专社会保障和就业支出 (the 专 of 专项业务经费支出 beside it)
    doc = _budget_with_table(tmp_path, "一般公共预算支出明细表（按支出功能分类科目）", [
        ("功能科目编码", "功能科目名称", "合计"), ("", "合计", "9,744.68"), ("201", "一般公共服务支出", "5,586.12"),
        ("208", "专社会保障和就业支出", "4,158.56")])
    assert doc.summary.function_classes == {"一般公共服务支出": Decimal("5586.12"), "社会保障和就业支出": Decimal("4158.56")}


def test_revenue_rows_numbered_in_arabic_are_read(tmp_path):
    # Shenzhen: 三、单位资金 / 1.事业收入 … 5.其他收入 in the 收支总表
    doc = _budget_with_table(tmp_path, "收支总表", [
        ("项目", "2026年预算数"), ("一、财政拨款", "9,490.48"), ("1.一般公共预算拨款", "9,490.48"), ("二、财政专户管理资金", "0.00"),
        ("三、单位资金", "254.20"), ("1.事业收入", "0.00"), ("2.事业单位经营收入", "0.00"), ("5.其他收入", "254.20"),
        ("本年收入合计", "9,744.68")])
    assert doc.summary.other_revenue == Decimal("254.20")


def test_a_class_listed_per_government_class_is_summed_but_per_unit_is_not_the_departments(tmp_path):
    # Yantai: 30215 会议费 under 50202 会议费 and again under 50502 商品和服务支出
    header = ("部门经济分类科目编码", "部门经济分类科目名称", "政府经济分类科目编码", "政府经济分类科目名称", "合计")
    doc = _budget_with_table(tmp_path, "一般公共预算支出表（按经济分类）", [
        header, ("", "合计", "", "", "9,744.68"), ("30215", "会议费", "50202", "会议费", "20.42"),
        ("30215", "会议费", "50502", "商品和服务支出", "9.25")])
    assert doc.summary.meeting_expenses == Decimal("29.67")
    # Shenzhen: 30216 培训费 once for each unit of the department; no department figure is printed
    doc = _budget_with_table(tmp_path, "一般公共预算支出表（按经济分类）", [
        ("科目编码", "科目名称", "支出总计"), ("", "合计", "9,744.68"), ("30216", "培训费", "45.92"), ("30216", "培训费", "3.08")])
    assert doc.summary.training_expenses is None


def _expenditure_table_docx(tmp_path, total: str):
    """Hangzhou's 支出预算总表: 基本支出 heads 人员支出 | 日常公用支出 and has no column of its own."""
    import docx

    from budgetextract.pipeline import process_file

    document = docx.Document()
    for line in ("示例市气象局2026年部门预算", "第一部分 部门概况", "示例市气象局负责本市气象工作。", "第二部分 2026年部门预算表"):
        document.add_paragraph(line)
    word_table(document, "表3：2026年市级部门支出预算总表", "万元",
                [[("功能分类科目名称", 1), ("总计", 1), ("基本支出", 2), ("项目支出", 1)],
                 [("", 1), ("", 1), ("人员支出", 1), ("日常公用支出", 1), ("", 1)]],
                [["合计", total, "2,906.80", "838.27", "2,131.61"], ["科学技术支出", "28.00", "", "", "28.00"]])
    document.add_paragraph("第三部分 2026年部门预算情况说明")
    document.add_paragraph("2026年部门预算收入5,876.67万元；部门预算支出5,876.67万元。")
    document.save(tmp_path / "budget.docx")
    return process_file(tmp_path / "budget.docx", debug=True)


def test_a_header_group_without_its_own_column_is_the_sum_of_its_columns(tmp_path):
    doc = _expenditure_table_docx(tmp_path, "5,876.67")  # 2,906.80 + 838.27 + 2,131.61 within a cent
    assert doc.summary.basic_expenditure == Decimal("3745.07")
    assert doc.summary.project_expenditure == Decimal("2131.61")
    (fact,) = [f for f in doc.facts if f.field == "expenditure.basic" and f.source == "table"]
    assert fact.raw == "2,906.80+838.27万元" and "人员支出+日常公用支出" in fact.evidence.label
    # a row that does not add up may hold more than the group's parts: no figure
    assert _expenditure_table_docx(tmp_path, "5,976.67").summary.basic_expenditure is None


@needs_real
def test_fund_rows_under_a_carryover_heading_are_not_the_years_fund_figures():
    """A 财政拨款收支总表 lists the fund parts twice, under 一、本年收入 and under 二、上年结转:
    the second are the carry-over's, so the year's fund figure is the first whichever
    order or names the template gives them."""
    from budgetextract.extract.from_tables import _under_carryover

    seen = 0
    for path in real_files("*.pdf"):
        for table in (t for t in extracted(str(path)).tables if t.kind == "fiscal_total"):
            names = [r.name for r in table.rows]
            heading = next((i for i, n in enumerate(names) if n.endswith("上年结转")), None)
            if heading is None or not any("一般公共预算" in n for n in names[heading + 1:]):
                continue
            under = _under_carryover(table)
            parts = [i for i in range(heading + 1, len(names)) if "一般公共预算" in names[i] and names[i][0] in "（("]
            assert parts and all(i in under for i in parts), (path.name, names)
            assert not any(i in under for i in range(heading)), (path.name, names)
            seen += 1
    if not seen:
        pytest.skip("no real 财政拨款收支总表 lists its carry-over by fund")


WILD = REAL.parent / "wild"


@pytest.mark.skipif(not WILD.is_dir(), reason=f"wild documents not present at {WILD}")
def test_one_funds_table_does_not_give_the_departments_project_expenditure():
    """A 一般公共预算支出明细表's 专项业务经费 column is that fund's: where the department has
    other revenue too, its project expenditure is not that column's total."""
    from budgetextract.pipeline import load, process_file

    checked = 0
    for path in sorted(WILD.glob("*.pdf"), reverse=True):
        text = load(path).norm.text
        if "专项业务经费支出" not in text or "政府性基金" not in text:
            continue
        doc = process_file(path)
        one_fund = [f for f in doc.facts if f.field == "expenditure.project" and f.source == "table" and f.scope.fund]
        others = (doc.summary.government_fund_budget or 0) + (doc.summary.other_revenue or 0) + (doc.summary.carryover_prior_year or 0)
        if not one_fund or not others:
            continue
        assert doc.summary.project_expenditure not in {f.value for f in one_fund}, path.name
        checked += 1
        break
    assert checked, "no wild document sets a one-fund project column beside other revenue"


@pytest.mark.parametrize("header, role", [("人员类", "personnel"), ("一般公共预算基本支出/人员经费", "personnel"), ("公用类", "public"),
                                          ("日常公用经费", "public"), ("人员经费和公用经费支出", "basic")])
def test_column_headers_of_basic_expenditure_tables_name_their_role(header, role):
    """Headers as templates print them (Changsha: 人员类 | 公用经费)."""
    from budgetextract.tables.catalogue import column_role

    assert column_role(header) == role
