"""Table-driven: real phrasings and the value each must give (entity layer)."""

from decimal import Decimal

import pytest

from budgetextract.amounts import parse_money
from budgetextract.nlp import analyse

from conftest import CORPUS


def entities(text, label):
    doc = analyse(text)  # spans need their Doc alive
    return [s for s in doc.spans["budget"] if s.label_ == label]


@pytest.mark.parametrize(
    "text, value",
    [
        ("1,384.7万元", Decimal("1384.7")),
        ("0.00万元", Decimal("0")),
        ("37188.34万元", Decimal("37188.34")),
        ("91,016,775.35元", Decimal("9101.677535")),
        ("96282213.44元", Decimal("9628.221344")),
        ("1.2亿元", Decimal("12000")),
        ("壹佰万元", Decimal("100")),
        ("188万元", Decimal("188")),
        ("１，３８４．７万元", Decimal("1384.7")),  # full-width digits and separators
    ],
)
def test_money(text, value):
    found = entities(text, "MONEY")
    assert len(found) == 1
    assert found[0]._.value == value
    assert found[0]._.unit == "万元"


def test_money_needs_a_unit():
    assert entities("合计 9,101.68 2,460.68", "MONEY") == []
    assert parse_money("9,101.68") is None


def test_money_split_from_unit_is_joined_by_normalization():
    from budgetextract.normalize import normalize
    from budgetextract.readers.base import RawDocument
    from pathlib import Path

    raw = RawDocument(format="pdf", pages=["收入预算总计 37188.34", "万元。包括："], paged=True, path=Path("x.pdf"))
    text = normalize(raw).text
    assert "37188.34万元" in text
    assert [s._.value for s in entities(text, "MONEY")] == [Decimal("37188.34")]


def test_rows_of_a_table_saved_as_text_are_never_run_together():
    # Fuzhou (a table as text): a coded row of one figure, then the next row; Xi'an: a row of
    # bare numbers (a spreadsheet's cells in 元) after its header, and the coded row after it
    from budgetextract.normalize import normalize
    from budgetextract.readers.base import RawDocument
    from pathlib import Path

    lines = ["30215 会议费 3.50", "30216 培训费 6.50", "功能科目编码 功能科目名称 合计 人员经费支出 公用经费支出 备注",
             "合计 480544221.6 21477243.45 1634633.17", "205 教育支出 390000 0 0 390000", "20508 进修及培训 390000 0 0 390000",
             *["本部门2022年预算支出的主要用途是保障机构运转和完成各项事业发展任务，其中基本支出用于人员和日常公"] * 8] * 2
    text = normalize(RawDocument(format="txt", pages=["\n".join(lines)], paged=False, path=Path("x.txt"))).text
    assert "会议费3.50\n30216培训费6.50\n" in text
    assert "备注\n合计480544221.6" in text and "1634633.17\n205教育支出390000" in text and "390000\n20508" in text


@pytest.mark.parametrize(
    "text, value",
    [("增长11.41%", Decimal("11.41")), ("占 0.79 %", Decimal("0.79")), ("下降 21.95 ％", Decimal("21.95"))],
)
def test_percent(text, value):
    from budgetextract.normalize import _clean_line

    found = entities(_clean_line(text), "PERCENT")
    assert [s._.value for s in found] == [value]


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("共有车辆54辆", 54, "辆"),
        ("事业编制8名", 8, "名"),
        ("编报绩效目标的项目11个", 11, "个"),
        ("单位价值100万元以上设备0台(套)", 0, "台(套)"),
        ("在职人员八名", 8, "名"),
        ("购置公务车两辆", 2, "辆"),
    ],
)
def test_count(text, value, unit):
    found = entities(text, "COUNT")
    assert [(s._.value, s._.unit) for s in found] == [(value, unit)]


@pytest.mark.parametrize(
    "text, sign",
    [("比上年预算减少45.83万元", -1), ("各增加1,003.69万元", 1), ("与上年预算持平", 0), ("与上年数一致", 0), ("下降11.41%", -1)],
)
def test_change_words(text, sign):
    found = entities(text, "CHANGE")
    assert found and found[0]._.value == sign


@pytest.mark.parametrize(
    "text, reason",
    [
        ("下降11.41%，主要原因：市财政局缩减了2026年项目支出预算经费而导致减少。", "市财政局缩减了2026年项目支出预算经费而导致减少"),
        ("财政拨款收入支出减少的主要原因是项目调整。", "项目调整"),
        ("增长10.97%。主要原因是政策性增资、住房公积金和提租补贴调整等。", "政策性增资、住房公积金和提租补贴调整等"),
        ("比上年预算数增加0万元，主要是本单位无政府性基金预算支出。", "本单位无政府性基金预算支出"),
    ],
)
def test_reason(text, reason):
    found = entities(text, "REASON")
    assert found and found[0]._.value == reason


def test_purpose_is_not_a_reason():
    assert entities("一般公共服务（类）支出7,827.46万元，主要用于单位行政运行。", "REASON") == []


@pytest.mark.parametrize(
    "text, name",
    [
        ("一般公共服务（类）支出7,827.46万元", "一般公共服务支出"),
        ("社会保障和就业支出328.03万元", "社会保障和就业支出"),
        ("医疗卫生与计划生育支出（210类）", "卫生健康支出"),
        ("文化体育与传媒支出", "文化旅游体育与传媒支出"),
    ],
)
def test_function_class_names_are_normalised(text, name):
    found = entities(text, "FUNC_CLASS")
    assert found and found[0]._.value == name


def test_a_figure_past_decimals_precision_is_read_and_checked_without_error(tmp_path):
    """A thirty-digit figure (or 0.0000001元 against a total) is a figure, not a crash in the
    checks of shares."""
    from budgetextract.pipeline import process_file

    assert parse_money("123456789012345678901234567890万元") == Decimal("123456789012345678901234567890")
    text = (CORPUS / "sample_haikou_style.txt").read_text(encoding="utf-8")
    for figure in ("123456789012345678901234567890万元，占收入总计的50%", "0.0000001元，占收入总计的0.01%"):
        path = tmp_path / "odd.txt"
        path.write_text(text.replace("核定事业编制26名", f"核定事业编制26名。其他收入{figure}"), encoding="utf-8")
        assert process_file(path).status == "ok"
