"""Extraction on real documents: values against the hand-checked gold, evidence that
points at the value, findings where the documents have them, and one summary per
document whatever its format."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from budgetextract.evaluate import score_summary
from budgetextract.pipeline import load
from conftest import CORPUS, extracted, gold, needs_real, real_file, real_ids_with_gold, seed_lines

GOLD_IDS = real_ids_with_gold()
# documents whose gold takes every figure from the narrative (none from a table)
NARRATIVE_TEMPLATES = [i for i in GOLD_IDS if all(v["source"] != "table" for v in gold(i)["fields"].values())]


def summary_dict(doc) -> dict:
    return json.loads(doc.summary.model_dump_json())


@needs_real
@pytest.mark.parametrize("doc_id", GOLD_IDS)
def test_no_wrong_or_spurious_figure(doc_id):
    """Precision first: every figure reported agrees with the gold; unknown stays null."""
    doc = extracted(str(real_file(doc_id)))
    score = score_summary(doc_id, summary_dict(doc), gold(doc_id))
    assert score.wrong == 0 and score.spurious == 0, score.misses


@needs_real
@pytest.mark.parametrize("doc_id", NARRATIVE_TEMPLATES)
def test_narrative_figures_are_found(doc_id):
    doc = extracted(str(real_file(doc_id)))
    summary = summary_dict(doc)
    fields = gold(doc_id)["fields"]
    narrative = [k for k, v in fields.items() if v["source"] == "narrative" and k != "function_classes"]
    found = [k for k in narrative if summary[k] is not None]
    assert len(found) / len(narrative) >= 0.97, sorted(set(narrative) - set(found))
    assert summary["function_classes"] == fields["function_classes"]["value"]


@needs_real
@pytest.mark.parametrize("doc_id", GOLD_IDS)
def test_every_summary_value_has_evidence_in_the_text(doc_id):
    path = real_file(doc_id)
    doc = extracted(str(path))
    norm = load(path).norm
    for fact in doc.facts:
        ev = fact.evidence
        assert norm.text[ev.start : ev.end] == ev.text
        assert ev.page == norm.page_at(ev.start)
    values = {(f.field, str(f.value)) for f in doc.facts}
    for key in ("revenue_total", "expenditure_total", "basic_expenditure", "three_public_reception", "procurement_total"):
        value = getattr(doc.summary, key)
        if value is not None:
            assert any(str(value) == v for _, v in values), key


@needs_real
def test_seed_findings():
    doc = extracted(str(real_file("H1")))
    sums = [f for f in doc.findings if f.code == "sum_rounding" and "function classes" in f.message]
    assert len(sums) == 1
    assert sums[0].severity == "info" and sums[0].difference == Decimal("0.01")  # 355.84 against 355.85
    placeholders = [f for f in doc.findings if f.code == "template_placeholder"]
    assert placeholders and all("增加/减少/持平" in f.evidence[0].text or "/" in f.evidence[0].text for f in placeholders)
    # a placeholder change is not reported as a change
    assert not any(f.field == "changes.revenue.state_capital.amount" for f in doc.facts)
    # 基本支出167.85万元，占47.19%: 167.85 / 355.85 is 47.17%
    (share,) = [f for f in doc.findings if f.code == "share_mismatch"]
    assert share.difference == Decimal("0.02") and share.evidence[0].text == "167.85万元，占47.19%"


@needs_real
def test_scope_difference_is_info_not_error():
    doc = extracted(str(real_file("J11")))
    scope = [f for f in doc.findings if f.code == "scope_difference"]
    assert len(scope) == 1 and scope[0].severity == "info"
    assert scope[0].difference == Decimal("80.00")  # 5,678.17 all funds − 5,598.17 fiscal appropriation


@needs_real
def test_three_public_total_is_not_computed_when_not_printed():
    doc = extracted(str(real_file("J11")))
    assert doc.summary.three_public_total is None
    assert doc.summary.three_public_outbound == Decimal("106")


@needs_real
def test_headline_change_and_reason_when_reason_is_stated_later():
    doc = extracted(str(real_file("S3")))
    assert doc.summary.total_change_amount == Decimal("-2389.52")
    assert doc.summary.total_change_reason == "项目调整"
    assert doc.summary.total_change_pct is None  # not printed, not computed


@needs_real
def test_enumerated_reason_runs_to_the_end_of_the_paragraph():
    reason = extracted(str(real_file("J5"))).summary.total_change_reason
    assert reason.startswith("一是政策性调整因素。") and reason.endswith("纳入年度预算")
    assert "二是省财政加强预算管理" in reason


@needs_real
def test_same_summary_from_txt_docx_and_pdf(tmp_path):
    from render import to_docx, to_ofd, to_pdf

    from budgetextract.pipeline import process_file
    from budgetextract.segment import walk

    lines = seed_lines()
    (tmp_path / "a.txt").write_text("\n".join(lines), encoding="gb18030")
    to_docx(lines, tmp_path / "a.docx", auto_numbering=True)
    to_pdf(lines, tmp_path / "a.pdf", header="海口市社会保障卡一卡通中心2026年部门预算")
    to_ofd(lines, tmp_path / "a.ofd", header="海口市社会保障卡一卡通中心2026年部门预算")
    reference = summary_dict(extracted(str(real_file("H1"))))
    titles = None
    for name in ("a.txt", "a.docx", "a.pdf", "a.ofd"):
        doc = process_file(tmp_path / name)
        assert summary_dict(doc) == reference, name
        # the same section titles, a figure in a title (…预算数为0.00万元) whole in each
        these = [(s.number, s.title) for s in walk(doc.sections)]
        assert titles is None or these == titles, name
        titles = these
    assert any(title.endswith("预算数为0.00万元") for _, title in titles)

@pytest.mark.parametrize("stem", ["sample_haikou_style", "sample_jiangsu_style"])
def test_sample_corpus_same_summary_in_every_format(stem):
    from budgetextract.pipeline import process_file

    summaries = [summary_dict(process_file(CORPUS / f"{stem}{suffix}")) for suffix in (".txt", ".docx", ".pdf")]
    assert summaries[0] == summaries[1] == summaries[2]
    assert sum(v is not None for v in summaries[0].values()) >= 33


def test_sample_corpus_values():
    from budgetextract.pipeline import process_file

    s = process_file(CORPUS / "sample_jiangsu_style.pdf").summary
    assert (s.revenue_total, s.fiscal_appropriation_total, s.other_revenue) == (Decimal("3456.78"), Decimal("3400.00"), Decimal("56.78"))
    assert (s.total_change_amount, s.total_change_pct) == (Decimal("234.56"), Decimal("7.28"))
    assert s.total_change_reason == "新增档案数字化项目和政策性增资"
    assert (s.three_public_total, s.three_public_vehicle_operation) == (None, Decimal("25.00"))
    assert (s.vehicles_total, s.performance_projects_count, s.performance_projects_amount) == (6, 3, Decimal("800.00"))
    h = process_file(CORPUS / "sample_haikou_style.docx").summary
    assert (h.staffing_authorized, h.staff_actual, h.government_fund_budget) == (26, 24, Decimal("20.00"))
    assert h.function_classes == {"教育支出": Decimal("380.20"), "社会保障和就业支出": Decimal("70.10"), "卫生健康支出": Decimal("30.50"), "住房保障支出": Decimal("39.60")}


def test_money_is_written_exactly():
    from budgetextract.pipeline import process_file

    record = json.loads(process_file(CORPUS / "sample_haikou_style.txt").to_json())
    assert record["summary"]["revenue_total"] == 520.4
    assert '"revenue_total": 520.4' in process_file(CORPUS / "sample_haikou_style.txt").to_json()


@needs_real
def test_change_percentage_against_its_amount():
    """J5 prints +3,958.67 万元 on 21,955.35 万元 as 21.95%; prior = 17,996.68, so it is 22.00%."""
    findings = [f for f in extracted(str(real_file("J5"))).findings if f.code == "change_pct_mismatch"]
    assert len(findings) == 1
    assert findings[0].difference == Decimal("-0.05") and "22.00%" in findings[0].message
    # percentages printed to fewer places are compared at that precision (22% is not a mismatch)
    assert not [f for f in extracted(str(real_file("J11"))).findings if f.code == "change_pct_mismatch"]


@needs_real
@pytest.mark.parametrize("doc_id", ["J7", "J11", "J15"])
def test_pdf_saved_as_text_gives_the_same_summary(tmp_path, doc_id):
    """The text layer saved as GB18030 text with no page breaks: page numbers (- 8 - and
    a bare 25 at a page's foot) stand inside sentences, lines are hard-wrapped."""
    import pypdfium2 as pdfium

    from budgetextract.pipeline import process_file

    pdf = pdfium.PdfDocument(real_file(doc_id))
    text = "\n".join(pdf[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(pdf)))
    path = tmp_path / f"{doc_id}.txt"
    path.write_bytes(text.encode("gb18030"))
    assert summary_dict(process_file(path)) == summary_dict(extracted(str(real_file(doc_id))))


@needs_real
def test_what_the_document_explains_is_not_flagged():
    """BJ3: 基本/项目支出 占本年支出预算 64.37% / 35.63% of 50,927.95, the total 51,036.22 holding
    年终结转结余 108.27 beside them; FS1: 占一般公共预算项目支出总额的100% is of a narrower total;
    SZ1: 在职人员经费 + 公用经费 short of 基本支出, which holds 对个人和家庭的补助 too."""
    bj3 = extracted(str(real_file("BJ3"))).findings
    assert not [f for f in bj3 if f.severity != "info"]
    assert any(f.code == "scope_difference" and f.difference == Decimal("108.27") for f in bj3)
    assert not [f for f in extracted(str(real_file("FS1"))).findings if f.code == "share_mismatch"]
    sz1 = [f for f in extracted(str(real_file("SZ1"))).findings if "personnel_expenditure" in f.fields]
    assert sz1 and all(f.severity == "info" for f in sz1)


@needs_real
def test_a_misprinted_change_is_an_error_and_not_used():
    """BJ2's expenditure section prints +1476.73 on 28479.84 → 29956.27 (a change of 1476.43)."""
    doc = extracted(str(real_file("BJ2")))
    (finding,) = [f for f in doc.findings if f.code == "change_amount_mismatch"]
    assert finding.severity == "error" and finding.difference == Decimal("0.30")
    assert doc.summary.total_change_amount == Decimal("1476.43")  # the revenue section's, which adds up


def test_the_entity_ending_closest_before_a_place_is_the_one_a_scan_finds():
    from budgetextract.extract.context import Context
    from budgetextract.nlp import analyse

    norm = load(CORPUS / "sample_jiangsu_style.txt").norm
    ctx = Context(norm=norm, sections=[], doc=analyse(norm.text), excluded_kinds=frozenset())
    for label in ("MONEY", "PERCENT"):
        spans = ctx.spans[label]
        for pos in range(0, len(norm.text), 7):
            ending = [s for s in spans if s.end_char <= pos]
            best = max(ending, key=lambda s: (s.end_char, -s.start_char), default=None)
            assert ctx.last_before(label, pos) == best
