"""The section tree on the three real templates and across formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetextract.normalize import normalize
from budgetextract.pipeline import load
from budgetextract.readers.base import RawDocument
from budgetextract.segment import segment, walk
from conftest import CORPUS, needs_real, real_file, seed_lines


def tree(path: Path):
    return segment(load(path).norm)


def numbered_children(sections, part_title_contains: str):
    part = next(s for s in sections if part_title_contains in s.title)
    return [(c.number, c.kind) for c in part.children]


@needs_real
def test_seed_part_three_has_all_ten_sections():
    sections = tree(real_file("H1"))
    part3 = next(s for s in sections if s.level == 1 and s.number == "三")
    assert part3.title == "海口市社会保障卡一卡通中心2026年部门预算情况说明"  # wrapped title joined
    assert [c.number for c in part3.children] == list("一二三四五六七八九十")
    kinds = [c.kind for c in part3.children]
    assert kinds == ["fiscal_appropriation", "general_public_budget", "basic_expenditure", "three_public", "government_fund",
                     "state_capital", "budget_overview", "revenue", "expenditure", "other_matters"]
    other = part3.children[-1]
    assert [(c.number, c.kind) for c in other.children] == [("一", "operating_costs"), ("二", "procurement"), ("三", "assets"), ("四", "performance")]


@needs_real
def test_seed_odd_arabic_section_number_is_a_section():
    sections = tree(real_file("H1"))
    top = [(s.level, s.number, s.title) for s in sections if s.level == 2]
    assert (2, "2", "机构设置") in top


@needs_real
@pytest.mark.parametrize("doc_id, last", [("J11", "十三"), ("J15", "十四"), ("J3", "十四"), ("J5", "十三"), ("J7", "十二")])
def test_jiangsu_explanation_sections(doc_id, last):
    sections = tree(real_file(doc_id))
    assert [s.number for s in sections if s.level == 1] == list("一二三四")
    part3 = next(s for s in sections if s.level == 1 and s.number == "三")
    numbers = [c.number for c in part3.children]
    assert numbers[0] == "一" and numbers[-1] == last
    assert len(numbers) == len(set(numbers))
    kinds = {c.kind for c in part3.children}
    assert {"budget_overview", "revenue", "expenditure", "three_public", "operating_costs", "procurement"} <= kinds
    # the table of contents is not the body: the first part starts after the 目录 page
    assert sections[0].page_start >= 2


@needs_real
def test_wrapped_heading_is_one_title():
    part3 = next(s for s in tree(real_file("J11")) if s.level == 1 and s.number == "三")
    nine = next(c for c in part3.children if c.number == "九")
    assert nine.title == "一般公共预算“三公”经费、会议费、培训费支出预算情况说明"


@needs_real
@pytest.mark.parametrize("doc_id", ["S2", "S3", "S7"])
def test_shanghai_unnumbered_sections_and_tables(doc_id):
    sections = tree(real_file(doc_id))
    kinds = [s.kind for s in sections]
    assert kinds[:4] == ["overview", "overview", "glossary", "budget_overview"]
    assert kinds.count("tables") == 9  # the nine standard tables, one section each
    other = next(s for s in sections if s.kind == "other_matters")
    assert [c.kind for c in other.children] == ["three_public", "operating_costs", "procurement", "performance", "assets"]
    # nothing from the 目录 page: every section starts after it
    assert min(s.page_start for s in sections) >= 3


@needs_real
def test_table_rows_are_not_headings():
    sections = tree(real_file("T1"))
    assert all(s.kind == "tables" for s in walk(sections))
    assert not any("支出" in s.title and s.number for s in walk(sections))


@needs_real
def test_same_titles_from_txt_docx_and_pdf(tmp_path):
    from render import to_docx, to_pdf

    lines = seed_lines()
    txt, docx_path, pdf = tmp_path / "s.txt", tmp_path / "s.docx", tmp_path / "s.pdf"
    txt.write_text("\n".join(lines), encoding="gb18030")
    to_docx(lines, docx_path, auto_numbering=True)
    to_pdf(lines, pdf, header="海口市社会保障卡一卡通中心2026年部门预算")

    def titles(path):
        return [(s.level, s.number, s.title, s.kind) for s in walk(tree(path))]

    reference = titles(real_file("H1"))
    assert len(reference) > 60
    assert titles(txt) == reference
    assert titles(docx_path) == reference
    assert titles(pdf) == reference


def test_sample_corpus_sections_agree_across_formats():
    for stem in ("sample_haikou_style", "sample_jiangsu_style"):
        found = {suffix: [(s.number, s.title) for s in walk(tree(CORPUS / f"{stem}{suffix}"))] for suffix in (".txt", ".docx", ".pdf")}
        assert found[".txt"] == found[".docx"] == found[".pdf"]
        assert len(found[".txt"]) >= 15


def test_section_offsets_and_pages_are_consistent():
    norm = load(CORPUS / "sample_jiangsu_style.pdf").norm
    sections = segment(norm)
    for s in walk(sections):
        assert 0 <= s.start < s.end <= len(norm.text)
        line = norm.text[s.start : norm.text.find("\n", s.start)]
        assert s.number in line[:4] and s.title[:4] in line
        assert s.page_start <= s.page_end
        for child in s.children:
            assert s.start <= child.start and child.end <= s.end


def test_a_part_number_alone_on_its_line_takes_the_next_line_as_its_title():
    # Yantai: the tables part, then 第三部分 on a line of its own, its title below it
    text = ("第二部分\n2026年部门预算表\n一、收支总体情况表\n合计 7,370.46 7,370.46\n"
            "第三部分\n2026年部门预算情况和重要事项说明\n一、预算收支增减变化情况说明\n"
            "2026年收支预算7,370.46万元，比上年减少18,435.5万元。\n")
    sections = segment(normalize(RawDocument(format="txt", pages=[text], paged=False, path=Path("yt.txt"))))
    assert [(s.number, s.title, s.kind) for s in sections] == [
        ("二", "2026年部门预算表", "tables"), ("三", "2026年部门预算情况和重要事项说明", "other")]
    assert sections[1].children[0].title == "预算收支增减变化情况说明"
