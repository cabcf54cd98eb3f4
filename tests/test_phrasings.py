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
    # Xi'an: the vehicles' whole is not printed, only its two parts; it is their sum
    ("六、部门预算“三公”经费等情况说明", "2021年本部门当年一般公共预算“三公”经费预算支出31.08万元。其中：因公出国（境）经费0.00万元；公务接待费12.78万元；公务用车运行维护费18.30万元；公务用车购置费0.00万元。", "three_public_vehicle", Decimal("18.30")),
    # Xi'an: a character printed twice after the item's name
    ("六、部门预算“三公”经费等情况说明", "其中：因公出国（境）经费0.00万元，较上年无变化；公务接待费费12.78万元，较上年减少2.06万元。", "three_public_reception", Decimal("12.78")),
    ("一、机构设置情况", "2018年我单位人员编制总数为15人，实有在职人员总数14人，实有离休人员0人。", "staffing_authorized", 15),
    ("一、机构设置情况", "2018年我单位人员编制总数为15人，实有在职人员总数14人，实有离休人员0人。", "staff_actual", 14),
    ("（一）机关运行经费", "2024年本部门机关运行经费预算为125.30万元，比上年减少3.2万元。", "operating_costs", Decimal("125.30")),
    ("（二）政府采购情况", "2024年度政府采购预算总额为86万元，其中：货物类30万元，服务类56万元。", "procurement_total", Decimal("86")),
    ("（三）国有资产占用情况", "截至2023年底，本部门共有车辆3辆，其中：一般公务用车2辆，执法执勤用车1辆。", "vehicles_total", 3),
    ("七、财政拨款“三公”经费支出决算情况说明", "示例县文化馆2024年度无“三公”经费财政拨款支出。", "three_public_total", Decimal("0")),
    ("八、政府性基金预算财政拨款收入支出决算情况说明", "示例县文化馆2024年度无政府性基金预算财政拨款收入和支出。", "government_fund_budget", Decimal("0")),
    # Jiangsu city budgets: the count before 纳入绩效目标管理
    ("十、预算绩效管理情况", "2026年本部门共7个项目纳入绩效目标管理，涉及财政性资金合计1,280.5万元。", "performance_projects_count", 7),
    # a central department: no vehicle purchase stated as not arranged
    ("四、“三公”经费预算情况说明", "公务用车购置及运行费12.00万元，其中：未安排购置车辆；公务用车运行费12.00万元。", "three_public_vehicle_purchase", Decimal("0")),
    ("十、预算绩效管理情况", "编报绩效目标的2024年度项目3个，涉及预算金额175.52万元。", "performance_projects_count", 3),
    ("十、预算绩效管理情况", "编报绩效目标的2024年度项目3个，涉及预算金额175.52万元。", "performance_projects_amount", Decimal("175.52")),
    # Beijing (BJ2): the total's change against a printed base; items headed by a year; vehicles in 台
    ("三、支出预算情况说明", "2026年支出预算29956.27万元，比2025年年初预算数28479.84万元增加1476.43万元，增长5.18%。主要原因是人员增加。", "total_change_amount", Decimal("1476.43")),
    ("三、支出预算情况说明", "2026年支出预算29956.27万元，比2025年年初预算数28479.84万元增加1476.43万元，增长5.18%。主要原因是人员增加。", "expenditure_total", Decimal("29956.27")),
    ("四、财政拨款“三公”经费预算情况说明", "（三）公务用车购置和运行维护费。2026年预算数51.06万元，包括：公务用车购置费预算15.42万元。", "three_public_vehicle", Decimal("51.06")),
    ("五、其他情况说明", "截至2025年底，本部门共有车辆37台，单位价值100万元以上的设备7台（套）。", "vehicles_total", 37),  # BJ2 names itself (北京市司法局): here the test document is another department
    # Guangzhou (GZ1): procurement by 货物类/工程类/服务类, 政府采购安排; vehicles in the asset sentence
    ("五、政府采购情况", "2026年本部门政府采购安排625.65万元，其中：货物类采购预算20.95万元，工程类采购预算18万元，服务类采购预算586.7万元等。", "procurement_total", Decimal("625.65")),
    ("五、政府采购情况", "2026年本部门政府采购安排625.65万元，其中：货物类采购预算20.95万元，工程类采购预算18万元，服务类采购预算586.7万元等。", "procurement_works", Decimal("18")),
    ("六、国有资产占有使用情况", "截至2026年1月31日，本部门固定资产金额2,995.16万元，分布构成情况为：房屋8,268.74平方米，车辆2辆，单价在100万元以上的设备1台等。", "vehicles_total", 2),
    # Chongqing: the change in a clause whose subject is the total, after the classes it lists
    ("一、收支预算总体情况", "(二)支出预算:2026年年初预算数14,770.62万元。按支出功能分类,包括一般公共服务支出100万元,灾害防治及应急管理支出100万元;支出比2025年增加2,515.39万元,主要是基本支出增加1,252.5万元,项目支出增加1,262.89万元。", "total_change_amount", Decimal("2515.39")),
    ("一、收支预算总体情况", "(二)支出预算:2026年年初预算数14,770.62万元。按支出功能分类,包括一般公共服务支出100万元,灾害防治及应急管理支出100万元;支出比2025年增加2,515.39万元,主要是基本支出增加1,252.5万元,项目支出增加1,262.89万元。", "total_change_reason", "基本支出增加1,252.5万元,项目支出增加1,262.89万元"),
    # Changsha: 较去年, the percentage after it
    ("一、收支预算总体情况", "（二）支出预算：2025年本单位支出预算68632.12万元，其中：一般公共服务支出3.00万元，公共安全支出68629.12万元。支出较去年减少1316.82万元，下降1.88%。主要是依政策压减项目经费等原因。", "total_change_pct", Decimal("-1.88")),
    # Shenzhen (SZ1): 部门预算支出; the reason under 主要原因说明; 项目 of procurement
    ("第二部分部门预算收支总体情况", "2026年深圳市信访局部门预算支出4,684.30万元，较2025年年初预算减少247.70万元，下降5.0%。\n预算收支减少主要原因说明：落实中央过紧日子要求，压减经费支出。", "total_change_reason", "落实中央过紧日子要求，压减经费支出"),
    ("第四部分政府采购预算情况", "深圳市信访局纳入2026年部门预算的政府采购项目共有1,100.30万元，其中：货物类项目3.00万元、工程类项目0.00万元、服务类项目1,097.30万元。", "procurement_services", Decimal("1097.30")),
    # Yantai (YT1): performance targets counted as 一级预算项目
    ("七、预算绩效管理情况", "烟台市审计局2026年政策和项目全面实施绩效目标管理，涉及一级预算项目6个，预算资金781.5万元。", "performance_projects_count", 6),
    # Hangzhou (HZ1): 日常公用支出; no 政府性基金 spending; 不编制 出国 budget
    ("（六）一般公共预算基本支出情况说明", "2026年一般公共预算基本支出3,745.07万元，其中：人员支出2,906.80万元，日常公用支出838.27万元。", "public_expenditure", Decimal("838.27")),
    ("（八）政府性基金预算支出情况说明", "本部门2026年没有使用政府性基金预算拨款安排的支出，与上年持平。", "government_fund_budget", Decimal("0")),
    # Xi'an (XA1/XA2): 编制 with its kinds after 其中; 人员及公用经费 is not 公用经费
    ("四、人员情况说明", "截至上年底，本部门人员编制211人，其中行政编制132人，事业编制79人；实有人员214人。", "staffing_authorized", 211),
    ("（三）一般公共预算基本支出", "人员及公用经费支出2311.19万元，较上年增加5万元。", "public_expenditure", None),
    # Fuzhou (FZ1): 相应安排支出预算
    ("一、预算收支总体情况", "相应安排支出预算2796.14万元，比上年增加129.07万元，增长4.84%，主要原因是公共安全支出增加114.4万元。", "total_change_amount", Decimal("129.07")),
    # Chongqing (CQ1): the change two sentences after the total; one fund's procurement after 其中
    ("二、部门收支总体情况", "（二）支出预算：2026年年初预算数45,369.18万元。按支出功能分类，包括一般公共服务支出22,022.92万元。比2025年增加2,734.52万元，主要是基本支出增加659.75万元，项目支出增加2,074.77万元。", "total_change_amount", Decimal("2734.52")),
    # Foshan final accounts (FS1): projects self-evaluated; a nil statement for another fund is no contradiction
    ("（四）预算绩效管理工作开展情况", "2019年度我部门组织对7个一般公共预算项目支出开展绩效自评，共涉及资金940.15万元；组织对2019年度0个政府性基金预算项目开展绩效自评，共涉及资金0万元。", "performance_projects_count", 7),
    ("（四）预算绩效管理工作开展情况", "2019年度我部门组织对7个一般公共预算项目支出开展绩效自评，共涉及资金940.15万元；组织对2019年度0个政府性基金预算项目开展绩效自评，共涉及资金0万元。", "performance_projects_amount", Decimal("940.15")),
    ("（二）政府采购情况", "2026年政府采购预算总额712.49万元，其中：政府采购货物预算486.50万元、政府采购服务预算225.99万元；其中一般公共预算拨款政府采购504.98万元：政府采购货物预算480.50万元、政府采购服务预算24.48万元。", "procurement_goods", Decimal("486.50")),
    # Yunnan (Lincang): 增 / 减 alone before the amount, 增幅 / 减幅 before the percentage
    ("一、收支预算总体情况", "2018年部门预算支出1234.56万元，较上年增17.1万元，增幅1.41%。主要原因是人员增资。", "total_change_amount", Decimal("17.1")),
    ("一、收支预算总体情况", "2018年部门预算支出1234.56万元，较上年减6万元，减幅0.48%。主要原因是财政压缩项目支出。", "total_change_pct", Decimal("-0.48")),
    # a balanced budget stated once (收支总预算, 收支预算总额) is both totals; the amount after the percentage
    ("一、收支预算总体情况", "2024年收支总预算1234.56万元，较上年增加100.00万元，增长8.82%。", "expenditure_total", Decimal("1234.56")),
    ("一、收支预算总体情况", "2024年本部门收支预算总额1234.56万元，较2023年预算增加100万元，增幅8.82%。", "revenue_total", Decimal("1234.56")),
    ("一、收支预算总体情况", "2024年本部门收支预算总额1234.56万元，较2023年预算增加100万元，增幅8.82%。", "total_change_amount", Decimal("100")),
    ("一、收支预算总体情况", "2024年部门收支总预算为1234.56万元，比上年增长8.82%，增加100万元。", "total_change_amount", Decimal("100")),
    ("一、收支预算总体情况", "2024年预算总支出1234.56万元，较上年预算1134.56万元增加100万元，增长8.82%。增加原因：新增文化惠民项目。", "total_change_amount", Decimal("100")),
    ("一、收支预算总体情况", "2024年部门预算收入总计1234.56万元，比上年预算数增加100万元，增长8.82%。", "revenue_total", Decimal("1234.56")),
    # final accounts: totals of the year stated together (收、支总计各, 收入、支出决算总计均为), a change against last year's accounts
    ("一、收入支出决算总体情况说明", "2024年度收、支总计各123456.78万元。与2023年度相比，收、支总计各增加6123.45万元，增长5.22%。主要原因是学生人数增加。", "expenditure_total", Decimal("123456.78")),
    ("一、收入支出决算总体情况说明", "2024年度收入、支出决算总计均为123456.78万元，较上年度增加6123.45万元，增长5.22%。", "total_change_amount", Decimal("6123.45")),
    ("一、收入支出决算总体情况说明", "2024年度本部门收入、支出总计123456.78万元，同比增加6123.45万元，增长5.22%，主要原因是学生人数增加。", "total_change_reason", "学生人数增加"),
    ("一、收入支出决算总体情况说明", "2024年度收入总计123456.78万元，比上年决算数增长5.23%，主要原因是事业收入增加。", "revenue_total", Decimal("123456.78")),
    ("一、收入支出决算总体情况说明", "2024年度收入总计123456.78万元，比上年决算数增长5.23%，主要原因是事业收入增加。", "total_change_pct", Decimal("5.23")),
    # Foshan final accounts (FS1): a line broken inside 决算; 运行及维护支出
    ("（一）“三公”经费财政拨款支出决算总体情况说明", "本部门2024年度“三公”经费财政拨款支出决\n算为0.16万元，完成预算0万元的0%。", "three_public_total", Decimal("0.16")),
    ("2.公务用车购置及运行维护费支出决算情况", "公务用车运行及维护支出0万元，2024年局机关及下属0个单位开支0万元。", "three_public_vehicle_operation", Decimal("0")),
    # Xi'an: the total, its parts listed after 其中 (、), then the change: the total's, not the last part's
    # a central department: the headline is the 一般公共预算当年拨款 against last year's 执行数, its reason in two parts
    ("五、一般公共预算当年拨款支出预算情况", "本部门2026年一般公共预算当年拨款16,477.42万元，比2025年执行数减少20,766.6万元，减幅55.76%。主要原因：一是上年执行数中包含一次性项目支出；二是压减一般性支出。", "total_change_amount", Decimal("-20766.6")),
    ("五、一般公共预算当年拨款支出预算情况", "本部门2026年一般公共预算当年拨款16,477.42万元，比2025年执行数减少20,766.6万元，减幅55.76%。主要原因：一是上年执行数中包含一次性项目支出；二是压减一般性支出。", "total_change_reason", "一是上年执行数中包含一次性项目支出；二是压减一般性支出"),
    # a final account: the change of the 收入支出总计 after the year's parts and their own changes
    ("一、收入支出决算总体情况说明", "2024年度收入总计569,497万元，其中本年收入430,725万元，较2023年度决算数增加1,000万元，增长0.23%。与2023年度相比，收入支出总计减少56.95万元，下降1.87%，主要原因是人员减少。", "total_change_amount", Decimal("-56.95")),
    ("一、收入支出决算总体情况说明", "2023年度本单位总支出125.08万元，其中本年支出116.12万元，较2022年度决算数增加19.68万元。", "expenditure_total", Decimal("125.08")),
    ("一、收入支出决算总体情况说明", "2023年度本单位总支出125.08万元，其中本年支出116.12万元，较2022年度决算数增加19.68万元。", "total_change_amount", None),
    # Shanghai city units: nil printed as a bare 0, the item's name shortened
    ("五、“三公”经费预算情况说明", "2026年“三公”经费预算数为0，与2025年预算持平。其中：（一）因公出国（境）费为0，与2025年预算持平。", "three_public_total", Decimal("0")),
    ("五、“三公”经费预算情况说明", "2026年“三公”经费预算数为6.10万元，与2025年预算持平。其中：（一）因公出国（境）为0。（二）公务用车购置及运行费5.60万元。", "three_public_outbound", Decimal("0")),
    ("二、财政拨款收支预算总体情况", "财政拨款支出预算中，一般公共预算拨款支出预算为0；政府性基金拨款支出预算21,502万元。", "general_public_budget", Decimal("0")),
    ("五、“三公”经费预算情况说明", "其中：2022年因公出国预算0万元，与2021年持平。", "three_public_outbound", Decimal("0")),
    # Changsha: vehicles held as 公务用车, the money under performance targets as the whole department's
    ("六、其他重要事项的情况说明", "（五）国有资产占用使用及新增资产配置情况：截至2024年12月底，本单位共有公务用车102辆，其中，机要通信用车1辆。", "vehicles_total", 102),
    ("（六）预算绩效目标说明", "本单位所有支出实行绩效目标管理。纳入2025年部门整体支出绩效目标的金额为68632.12万元，其中，基本支出28398.17万元。", "performance_projects_amount", Decimal("68632.12")),
    # a final account states the “三公” budget first, then its actual
    ("七、财政拨款“三公”经费支出决算情况说明", "2023年度“三公”经费财政拨款支出预算为0.95万元，支出决算为0万元，完成预算的0%。", "three_public_total", Decimal("0")),
    # Changchun: a project's line named like personnel expenditure is that project's, not the department's
    ("三、项目支出预算情况", "2026年项目支出预算1,234.5万元，主要用于：信访局临聘人员经费15.56万元、信访事项办理经费300万元。", "personnel_expenditure", None),
    ("五、部门预算收支说明", "本部门当年预算支出344,447.70万元，其中：一般公共预算拨款324,638.50万元、上年实户资金余额3,262.49万元、其他收入3,444.00万元、上年结转13,102.70万元，较上年减少129,422.00万元，下降27.31%，下降的主要原因是：本年公安专项业务经费减少。", "total_change_amount", Decimal("-129422.00")),
    ("五、部门预算收支说明", "本部门当年预算支出344,447.70万元，其中：一般公共预算拨款324,638.50万元、上年实户资金余额3,262.49万元、其他收入3,444.00万元、上年结转13,102.70万元，较上年减少129,422.00万元，下降27.31%，下降的主要原因是：本年公安专项业务经费减少。", "total_change_pct", Decimal("-27.31")),
    ("五、部门预算收支说明", "本部门当年预算支出344,447.70万元，其中：一般公共预算拨款324,638.50万元、上年实户资金余额3,262.49万元、其他收入3,444.00万元、上年结转13,102.70万元，较上年减少129,422.00万元，下降27.31%，下降的主要原因是：本年公安专项业务经费减少。", "expenditure_total", Decimal("344447.70")),
]


def _doc(tmp_path, heading, sentence):
    path = tmp_path / "phrase.txt"
    kind = "决算" if "决算" in heading else "预算"  # a final account's sentence in a final account
    path.write_text(f"示例县文化馆2024年部门{kind}\n第三部分 2024年部门{kind}情况说明\n本部门{kind}包括基本支出和项目支出。\n"
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


def test_a_nil_note_under_an_empty_table_states_the_fund(tmp_path):
    # Yantai: the note under the 政府性基金 table, in the part that holds the tables
    path = tmp_path / "note.txt"
    path.write_text("烟台市审计局2026年部门预算\n第二部分\n2026年部门预算表\n七、政府性基金预算支出表\n单位：万元\n"
                    "科目编码 科目名称 本年政府性基金预算支出\n合计\n（注：2026年没有使用政府性基金预算拨款安排的支出。）\n"
                    "第三部分\n2026年部门预算情况和重要事项说明\n一、收支预算\n（一）收入预算：2026年收入预算3,558.35万元，其中：一般公共预算收入2,776.75万元。\n",
                    encoding="utf-8")
    doc = process_file(path)
    assert doc.summary.government_fund_budget == Decimal("0")
    assert doc.summary.revenue_total == Decimal("3558.35")
