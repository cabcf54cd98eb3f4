"""Readers and normalization: encodings, DOCX body order, PDF wraps and page furniture."""

from __future__ import annotations


import pytest

from budgetextract.pipeline import load
from budgetextract.readers import read_bytes
from budgetextract.readers.txt import decode
from conftest import needs_real, real_files

TEXT = "一、收支预算总体情况说明\n收入总计355.85万元，支出总计355.85万元。\n"


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"), ("utf-16", "utf-16"), ("utf-16-le", "utf-16")],
)
def test_txt_encodings(encoding, expected):
    text, detected = decode(TEXT.encode(encoding))
    assert text.lstrip("\ufeff") == TEXT
    assert detected == expected


def test_txt_gb18030_file_reads_the_same_as_utf8(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(TEXT, encoding="utf-8")
    b.write_text(TEXT, encoding="gb18030")
    assert load(a).norm.text == load(b).norm.text


def test_docx_keeps_body_order_tables_and_drops_header(tmp_path):
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "页眉文字"
    document.add_paragraph("一、收入预算情况说明")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["项目", "合计", "基本支出"], ["行政运行", "1,202.95", "1,191.95"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("二、支出预算情况说明")
    path = tmp_path / "t.docx"
    document.save(path)
    raw = read_bytes(path, path.read_bytes())
    assert raw.pages[0].split("\n") == ["一、收入预算情况说明", "项目\t合计\t基本支出", "行政运行\t1,202.95\t1,191.95", "二、支出预算情况说明"]
    assert "页眉" not in raw.pages[0]


def test_docx_list_numbering_is_rendered(tmp_path):
    from render import to_docx

    path = tmp_path / "n.docx"
    to_docx(["第一部分 概况", "一、主要职能", "二、机构设置", "第二部分 说明", "一、收支预算总体情况说明"], path, auto_numbering=True)
    lines = read_bytes(path, path.read_bytes()).pages[0].split("\n")
    assert lines == ["第一部分 概况", "一、主要职能", "二、机构设置", "第二部分 说明", "一、收支预算总体情况说明"]


def test_pdf_wraps_page_numbers_and_running_header_are_repaired(tmp_path):
    from render import to_pdf

    sentences = [
        f"第{i}项：江苏省政协办公厅2018年度收入、支出预算总计10,15{i}.48万元，与上年相比收、支预算总计各增加1,003.6{i}万元，增长10.9{i}%。主要原因是政策性增资、住房公积金和提租补贴调整等。"
        for i in range(12)
    ]
    lines = ["一、收支预算总体情况说明"] + sentences + ["二、收入预算情况说明", "本年收入预算合计10,150.48万元。"]
    path = tmp_path / "w.pdf"
    to_pdf(lines, path, width=40, lines_per_page=20, header="示例部门2018年度部门预算")
    loaded = load(path)
    norm = loaded.norm
    assert loaded.raw.paged and norm.pages >= 3
    body = norm.text.split("\n")
    assert body[0] == "一、收支预算总体情况说明"
    assert body[-2:] == ["二、收入预算情况说明", "本年收入预算合计10,150.48万元。"]
    # every sentence whole again, across wraps and page breaks; a line may still end
    # at a 。 that fell on the margin, since a new paragraph cannot be told from it
    assert "".join(body[1:-2]) == "".join(sentences)
    assert all(line.endswith("。") for line in body[1:-2])
    assert "- 2 -" not in norm.text and "示例部门2018年度部门预算" not in norm.text
    # offsets map to pages: the last heading is on the last page
    assert norm.page_at(norm.text.index("二、收入预算情况说明")) == norm.pages


def test_a_running_header_naming_the_department_is_kept_once(tmp_path):
    # Jiangsu tables (公开01表 …): 部门：江苏省政协办公厅 heads every page and names it nowhere else
    from render import to_pdf

    from budgetextract.extract.meta import extract_meta
    from budgetextract.segment import segment

    lines = ["公开01表"] + [f"{i}、一般公共服务支出 7,827.4{i}" for i in range(40)]
    path = tmp_path / "t.pdf"
    to_pdf(lines, path, width=40, lines_per_page=12, header="部门：江苏省政协办公厅 单位：万元")
    norm = load(path).norm
    assert norm.pages >= 3 and norm.text.count("江苏省政协办公厅") == 1
    assert extract_meta(norm, segment(norm)).department == "江苏省政协办公厅"


def test_folded_text_keeps_offsets():
    from budgetextract.normalize import fold

    text = "一般公共服务（类）支出７，８２７．４６万元"
    assert len(fold(text)) == len(text)
    assert fold(text) == "一般公共服务(类)支出7,827.46万元"


def test_spaces_around_cjk_are_layout(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("江苏省政协办公厅 2018 年度收入预算总计 10,150.48 万元，增长 10.97 %。\n合计 91,016,775.35 24,606,775.35\n", encoding="utf-8")
    lines = load(path).norm.text.split("\n")
    assert lines[0] == "江苏省政协办公厅2018年度收入预算总计10,150.48万元，增长10.97%。"
    assert lines[1] == "合计91,016,775.35 24,606,775.35"  # cells stay apart


def test_pdf_named_txt_is_read_as_pdf(tmp_path):
    from render import to_pdf

    pdf = tmp_path / "x.pdf"
    to_pdf(["一、收支预算总体情况说明", "收入总计355.85万元。"], pdf)
    renamed = tmp_path / "x.txt"
    renamed.write_bytes(pdf.read_bytes())
    raw = read_bytes(renamed, renamed.read_bytes())
    assert raw.format == "pdf"
    assert any("content is pdf" in w for w in raw.warnings)


@needs_real
def test_a_docx_of_a_pdfs_lines_gives_what_the_same_text_gives(tmp_path):
    # PDF-to-Word converters write each line of a page as a paragraph: wrapped sentences must be
    # joined as they are in the same lines saved as text
    import docx
    import pypdfium2 as pdfium

    from budgetextract.pipeline import process_file

    path = next(p for p in real_files("*.pdf") if "部门预算" in load(p).norm.text[:300])  # a budget
    pdf = pdfium.PdfDocument(path.read_bytes())
    lines = [line for page in pdf for line in page.get_textpage().get_text_range().replace("\r\n", "\n").split("\n")]
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(tmp_path / "lines.docx")
    (tmp_path / "lines.txt").write_text("\n".join(lines), encoding="utf-8")
    as_docx = process_file(tmp_path / "lines.docx", debug=True).summary.model_dump()
    as_text = process_file(tmp_path / "lines.txt", debug=True).summary.model_dump()
    assert as_docx == as_text
    assert sum(v is not None for v in as_docx.values()) >= 20


def test_every_patterns_file_has_its_models_shape_and_a_broken_one_is_named(tmp_path, monkeypatch):
    """patterns/ files are checked against their typed models when loaded: the shipped ones
    pass; a pattern that does not compile, or a misspelt key, is an error naming the file and
    the place."""
    import json
    import shutil

    from budgetextract import vocab
    from budgetextract.vocab_models import MODELS

    for name in MODELS:
        vocab.load(name)
    broken = tmp_path / "patterns"
    shutil.copytree(vocab.patterns_dir(), broken)
    fields = json.loads((broken / "fields.json").read_text(encoding="utf-8"))
    fields["fields"][0]["anchors"].append("收入(总计")
    (broken / "fields.json").write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
    tables = json.loads((broken / "tables.json").read_text(encoding="utf-8"))
    tables["totl_row"] = tables.pop("total_row")
    (broken / "tables.json").write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(vocab, "patterns_dir", lambda: broken)
    vocab.load.cache_clear()
    try:
        with pytest.raises(vocab.PatternsError, match=r"(?s)fields\.json.*fields\.0\.anchors\.\d+.*收入\(总计"):
            vocab.load("fields")
        with pytest.raises(vocab.PatternsError, match=r"(?s)tables\.json.*total_row\n  Field required"):
            vocab.load("tables")
    finally:
        vocab.load.cache_clear()
