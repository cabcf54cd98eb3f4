"""Phrasings of the same figures as other provinces print them: each sentence, put in
the section where such documents put it, must give its value (and nothing else)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgetextract.pipeline import process_file

CASES = [
    # (section heading, sentence, field, value)
    ("一、收支预算总体情况说明", "2018年收入总预算317.6万元，同比增加8.25万元，同比增长2.8%。", "revenue_total", Decimal("317.6")),
    ("一、收入决算情况说明", "2017年度，本单位收入为1687.45万元，其中：财政拨款收入1516.64万元，占89.88%。", "revenue_total", Decimal("1687.45")),
    ("二、支出决算情况说明", "2017年度，本单位支出为1942.57万元。其中：基本支出1121.09万元，占57.71%；项目支出821.48万元，占42.29%。", "basic_expenditure", Decimal("1121.09")),
    ("二、支出决算情况说明", "2017年度，本单位支出为1942.57万元。其中：基本支出1121.09万元，占57.71%；项目支出821.48万元，占42.29%。", "project_expenditure", Decimal("821.48")),
    ("三、财政拨款收入决算情况", "2017年度，本单位财政拨款收入总计1516.64万元，与上年相比减少58.49万元，降低3.71%。", "fiscal_appropriation_total", Decimal("1516.64")),
    ("四、“三公”经费预算情况说明", "2024年一般公共预算“三公”经费支出预算为14.01万元，其中：因公出国(境)费用0万元，公务用车运行维护费14.01万元，公务接待费0万元。", "three_public_total", Decimal("14.01")),
    ("四、“三公”经费预算情况说明", "2024年一般公共预算“三公”经费支出预算为14.01万元，其中：因公出国(境)费用0万元，公务用车运行维护费14.01万元，公务接待费0万元。", "three_public_vehicle_operation", Decimal("14.01")),
    ("四、“三公”经费预算情况说明", "“三公”经费预算总额为 1238万元。其中：公务接待费633万元；公务用车购置及运行维护费605万元（其中：公务用车购置经费0万元，公务用车运行维护费605万元）。", "three_public_vehicle_purchase", Decimal("0")),
    ("四、“三公”经费预算情况说明", "“三公”经费预算总额为 1238万元。其中：公务接待费633万元；公务用车购置及运行维护费605万元（其中：公务用车购置经费0万元，公务用车运行维护费605万元）。", "three_public_reception", Decimal("633")),
    ("一、机构设置情况", "2018年我单位人员编制总数为15人，实有在职人员总数14人，实有离休人员0人。", "staffing_authorized", 15),
    ("一、机构设置情况", "2018年我单位人员编制总数为15人，实有在职人员总数14人，实有离休人员0人。", "staff_actual", 14),
    ("（一）机关运行经费", "2024年本部门机关运行经费预算为125.30万元，比上年减少3.2万元。", "operating_costs", Decimal("125.30")),
    ("（二）政府采购情况", "2024年度政府采购预算总额为86万元，其中：货物类30万元，服务类56万元。", "procurement_total", Decimal("86")),
    ("（三）国有资产占用情况", "截至2023年底，本部门共有车辆3辆，其中：一般公务用车2辆，执法执勤用车1辆。", "vehicles_total", 3),
    ("七、财政拨款“三公”经费支出决算情况说明", "示例县文化馆2024年度无“三公”经费财政拨款支出。", "three_public_total", Decimal("0")),
    ("八、政府性基金预算财政拨款收入支出决算情况说明", "示例县文化馆2024年度无政府性基金预算财政拨款收入和支出。", "government_fund_budget", Decimal("0")),
    ("十、预算绩效管理情况", "编报绩效目标的2024年度项目3个，涉及预算金额175.52万元。", "performance_projects_count", 3),
    ("十、预算绩效管理情况", "编报绩效目标的2024年度项目3个，涉及预算金额175.52万元。", "performance_projects_amount", Decimal("175.52")),
]


def _doc(tmp_path, heading, sentence):
    path = tmp_path / "phrase.txt"
    path.write_text(f"示例县文化馆2024年部门预算\n第三部分 2024年部门预算情况说明\n本部门预算包括基本支出和项目支出。\n"
                    f"{heading}\n{sentence}\n", encoding="utf-8")
    return process_file(path)


@pytest.mark.parametrize("heading, sentence, field, value", CASES)
def test_phrasing(tmp_path, heading, sentence, field, value):
    doc = _doc(tmp_path, heading, sentence)
    assert doc.status == "ok", doc.error
    assert getattr(doc.summary, field) == value


def test_a_purpose_clause_is_not_a_change_reason(tmp_path):
    doc = _doc(tmp_path, "一、收支预算总体情况说明",
               "收入、支出预算总计100.00万元，与上年相比收、支预算总计各增加10.00万元，增长11.11%。支出主要用于场馆运行。")
    assert doc.summary.total_change_amount == Decimal("10.00")
    assert doc.summary.total_change_reason is None
