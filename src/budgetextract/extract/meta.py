"""Who and when: department, fiscal year, budget vs final accounts, department vs unit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from .. import vocab
from ..normalize import NormalizedText
from ..schema import Section
from ..segment import walk


@dataclass
class Meta:
    department: str | None
    department_at: tuple[int, int] | None
    fiscal_year: int | None
    fiscal_year_at: tuple[int, int] | None
    doc_kind: str
    scope: str


@lru_cache(maxsize=1)
def _patterns():
    data = vocab.load("meta")
    flags = regex.MULTILINE
    return (
        [regex.compile(p, flags) for p in data["department"]],
        regex.compile(data["department_head"]),
        regex.compile(data["department_reject"]),
        regex.compile(data["fiscal_year"]),
        regex.compile(data["final_accounts"]),
        regex.compile(data["unit_scope"]),
        regex.compile(data["fiscal_year_fallback"]),
    )


def _title_block(norm: NormalizedText, sections: list[Section]) -> tuple[str, list[int]]:
    """The lines before the first heading (or the first six lines), joined, with the
    offset of each character so a match can be traced back."""
    first = next((s.start for s in walk(sections)), len(norm.text))
    head_end = min(first, len(norm.folded))
    chars, offsets = [], []
    lines_seen = 0
    for i, ch in enumerate(norm.folded[:head_end]):
        if ch == "\n":
            lines_seen += 1
            if lines_seen >= 6:
                break
            continue
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


def extract_meta(norm: NormalizedText, sections: list[Section]) -> Meta:
    dept_pats, head_pat, reject, year_pat, final_pat, unit_pat, table_year_pat = _patterns()
    text = norm.folded

    department, dept_at = None, None
    for pattern in dept_pats:
        m = pattern.search(text)
        if m and not reject.match(m.group("name")):
            department, dept_at = m.group("name"), m.span("name")
            break
    if department is None:
        head, offsets = _title_block(norm, sections)
        m = head_pat.search(head)
        if m and not reject.match(m.group("name")):
            department = m.group("name")
            dept_at = (offsets[m.start("name")], offsets[m.end("name") - 1] + 1)
            # the title may wrap the name over lines: report the text as printed, joined
            department = regex.sub(r"\s+", "", department)

    years = [(int(m.group("year")), m.span("year")) for m in year_pat.finditer(text)]
    if not years:  # a file of tables only: the year in a table title
        years = [(int(m.group("year")), m.span("year")) for m in table_year_pat.finditer(text)]
    # the first "<year>年(度)…预算/决算" is the title's; later ones compare with other years
    fiscal_year, year_at = years[0] if years else (None, None)

    head = text[: min(len(text), 400)]
    doc_kind = "final_accounts" if final_pat.search(head) else "budget"
    scope = "unit" if unit_pat.search(head) else "department"
    if department:
        department = department.strip()
    return Meta(department, dept_at, fiscal_year, year_at, doc_kind, scope)
