"""Formats beside PDF, DOCX, TXT and web pages, each built from the real documents: legacy
Word (.doc, .wps) converted from a DOCX by LibreOffice, read back through it; workbooks of the
公开表 (.xlsx written by openpyxl from a real PDF's tables, .xls and .et converted from it by
LibreOffice), whose tables give the figures the PDF's give."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from budgetextract.pipeline import process_file
from conftest import extracted, needs_real, real_files, seed_lines, workbook

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def _convert(source, to: str, out_dir) -> object:
    """source converted by LibreOffice headless to the format `to` (doc, xls) in out_dir."""
    profile = (out_dir / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", to, "--outdir", str(out_dir),
                    str(source)], check=True, capture_output=True, timeout=180)
    return out_dir / f"{source.stem}.{to}"


def _table_figures(doc) -> dict[str, object]:
    """Each figure the document's tables state, by key (the first a key's tables give)."""
    out: dict[str, object] = {}
    for fact in doc.facts:
        if fact.source == "table":
            out.setdefault(fact.field, fact.value)
    return out


@needs_real
@needs_soffice
def test_legacy_word_reads_as_the_word_document_it_was_saved_from(tmp_path):
    from render import to_docx

    to_docx(seed_lines(), tmp_path / "seed.docx", auto_numbering=True)
    doc_file = _convert(tmp_path / "seed.docx", "doc", tmp_path)
    wps_file = tmp_path / "seed.wps"
    shutil.copy(doc_file, wps_file)  # a Kingsoft .wps is a Word binary document
    reference = process_file(tmp_path / "seed.docx")
    for path in (doc_file, wps_file):
        doc = process_file(path)
        assert doc.status == "ok" and doc.source.format == "doc", doc.error
        assert doc.summary == reference.summary, path.name
        assert not any("content is" in w for w in doc.warnings)  # a .wps is a name a Word document goes by


def test_legacy_word_without_libreoffice_says_how_to_install_it(tmp_path, monkeypatch):
    from budgetextract.readers import legacy_word

    path = tmp_path / "budget.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\0" * 512)
    monkeypatch.setattr(legacy_word, "_soffice", lambda: None)
    doc = process_file(path)
    assert doc.error.code == "unsupported_format"
    assert "LibreOffice" in doc.error.message and "libreoffice-writer-nogui" in doc.error.message


def _with_tables():
    """Real PDFs whose tables give ten figures or more."""
    return [p for p in real_files("*.pdf") if len(_table_figures(extracted(str(p)))) >= 10]


@needs_real
def test_a_workbook_of_the_tables_gives_the_figures_the_pdfs_tables_give(tmp_path):
    """Each sheet a table: no figure other than the PDF's table gives, and most of them."""
    pdfs = _with_tables()
    assert len(pdfs) >= 10
    given = same = 0
    for pdf in pdfs:
        expected = _table_figures(extracted(str(pdf)))
        doc = process_file(workbook(pdf, tmp_path / f"{pdf.stem}.xlsx"))
        assert doc.status == "ok" and doc.source.format == "xlsx", (pdf.name, doc.error)
        got = _table_figures(doc)
        differ = {k: (v, got[k]) for k, v in expected.items() if v is not None and got.get(k) is not None and got[k] != v}
        assert not differ, (pdf.name, differ)
        given += len(expected)
        same += sum(got.get(k) == v for k, v in expected.items())
    assert same / given >= 0.85, (same, given)


@needs_real
@needs_soffice
def test_xls_and_et_workbooks_read_as_the_xlsx(tmp_path):
    pdf = next(p for p in _with_tables() if extracted(str(p)).summary.doc_kind == "final_accounts")
    xlsx = workbook(pdf, tmp_path / "tables.xlsx")
    xls = _convert(xlsx, "xls", tmp_path)
    et = tmp_path / "tables.et"
    shutil.copy(xls, et)  # a Kingsoft .et is an Excel binary workbook
    reference = process_file(xlsx)
    assert reference.summary.doc_kind == "final_accounts"  # 决算 tables make a final account
    for path in (xls, et):
        doc = process_file(path)
        assert doc.source.format == "xls", doc.error
        assert _table_figures(doc) == _table_figures(reference), path.name
        assert doc.summary == reference.summary


def test_a_damaged_workbook_gets_its_own_error(tmp_path):
    import zipfile

    path = tmp_path / "tables.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook>not closed")
    doc = process_file(path)
    assert doc.status == "error" and doc.error.code == "corrupt_sheet", doc.error
