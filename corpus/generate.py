"""Rebuild the DOCX and PDF samples from the two TXT samples in this folder.

    python corpus/generate.py

sample_haikou_style.txt (and its department's budget of the year before,
sample_haikou_style_2025.txt) are UTF-8; sample_jiangsu_style.txt is GB18030, as many
published text files are. The DOCX of the first two leave their 一、 numbers to Word's list
numbering; the PDFs are hard-wrapped with a running header and page numbers.
"""

from __future__ import annotations

from pathlib import Path

from render import to_docx, to_pdf

HERE = Path(__file__).resolve().parent
SAMPLES = {
    "sample_haikou_style": ("utf-8", "示例市青少年活动中心2026年部门预算"),
    "sample_haikou_style_2025": ("utf-8", "示例市青少年活动中心2025年部门预算"),
    "sample_jiangsu_style": ("gb18030", "示例省档案馆2019年度部门预算"),
}


def main() -> None:
    for stem, (encoding, header) in SAMPLES.items():
        lines = (HERE / f"{stem}.txt").read_text(encoding=encoding).splitlines()
        to_docx(lines, HERE / f"{stem}.docx", auto_numbering=stem.startswith("sample_haikou_style"))
        to_pdf(lines, HERE / f"{stem}.pdf", header=header)


if __name__ == "__main__":
    main()
