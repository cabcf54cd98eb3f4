"""Who and when: department, fiscal year, budget vs final accounts, department vs unit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

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
    department_from_file_name: bool = False


class _Patterns(NamedTuple):
    department_explicit: list[regex.Pattern]
    department_head: list[regex.Pattern]
    department: list[regex.Pattern]
    department_reject: regex.Pattern
    department_qualifier: regex.Pattern
    department_name_end: regex.Pattern
    fiscal_year: regex.Pattern
    final_accounts: regex.Pattern
    unit_scope: regex.Pattern
    fiscal_year_fallback: regex.Pattern
    title_year: regex.Pattern
    name_lead: regex.Pattern


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = vocab.load("meta")
    lists = {k: [regex.compile(p, regex.MULTILINE if k != "department_head" else 0) for p in data[k]]
             for k in ("department_explicit", "department_head", "department")}
    return _Patterns(**lists, **{k: regex.compile(data[k]) for k in _Patterns._fields if k not in lists})


def other_kind(norm: NormalizedText) -> str | None:
    """The title's words where the title (the lines before the first sentence, at most
    'title_chars') names a kind of document that is not a budget or final account
    (…专项资金绩效评价结果, …法治政府建设报告) and never 预算 or 决算."""
    data = vocab.load("meta")
    head = norm.folded[: data["title_chars"]]
    prose = regex.search(r"[^\n]*[。,，;；]", head)
    head = head[: prose.start()] if prose else head
    kind = regex.search(data["other_kind"], head)
    if kind is None or regex.search("预算|决算", head):
        return None
    line_start = head.rfind("\n", 0, kind.start()) + 1
    line_end = head.find("\n", kind.end())
    return head[line_start : line_end if line_end != -1 else len(head)].strip()


def _head_end(norm: NormalizedText, sections: list[Section]) -> int:
    """Where the title block ends: at the first heading that has print above it (a first
    line read as a heading, …2026年度部门预算情况说明, is the title)."""
    return min(next((s.start for s in walk(sections) if norm.folded[: s.start].strip()), len(norm.text)), len(norm.folded))


def _title_block(norm: NormalizedText, sections: list[Section]) -> tuple[str, list[int], list[int]]:
    """The lines before the first heading (or the first six lines), joined, with the
    offset of each character so a match can be traced back, and where each line starts
    in the joined text."""
    chars, offsets, line_starts = [], [], [0]
    lines_seen = 0
    for i, ch in enumerate(norm.folded[: _head_end(norm, sections)]):
        if ch == "\n":
            lines_seen += 1
            if lines_seen >= 6:
                break
            line_starts.append(len(chars))
            continue
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets, line_starts


# a name's other name in brackets after it (上海市统计和大数据研究院（上海市统计数据管理中心）)
_ALIAS = regex.compile(r"\([^()]{2,30}\)$")


def _clean_name(name: str) -> str:
    """The name as printed, joined where the title wrapped it, without a qualifier (本级)
    and without what no name begins with (punctuation, a list number)."""
    name = _patterns().name_lead.sub("", regex.sub(r"\s+", "", name))
    return _patterns().department_qualifier.sub("", name)


def _department(norm: NormalizedText, sections: list[Section], file_name: str | None) -> tuple[str | None, tuple[int, int] | None, bool]:
    """The department, where its name stands, and whether it came from the file name.
    Sources from the most to the least explicit: a 主管部门 line, the title, a heading
    or label naming it; a name found outside the title must end like an organisation's."""
    p = _patterns()
    explicit, head_pats, text_pats, reject, name_end = p.department_explicit, p.department_head, p.department, p.department_reject, p.department_name_end
    text = norm.folded

    def usable(name: str, org_end: bool) -> bool:
        name = _clean_name(name)
        return len(name) >= 2 and not reject.match(name) and (not org_end or bool(name_end.search(_ALIAS.sub("", name))))

    for pattern in explicit:
        m = pattern.search(text)
        if m and usable(m.group("name"), False):
            return _clean_name(m.group("name")), m.span("name"), False
    head, offsets, line_starts = _title_block(norm, sections)
    # a name begins a line: a line of other print above the title (a code, a stamp) is not part of it
    for start in line_starts:
        for pattern in head_pats:
            m = pattern.search(head[start:])
            if m and usable(m.group("name"), False):
                return (_clean_name(m.group("name")),
                        (offsets[start + m.start("name")], offsets[start + m.end("name") - 1] + 1), False)
    for pattern in text_pats:
        for m in pattern.finditer(text):
            if usable(m.group("name"), True):
                return _clean_name(m.group("name")), m.span("name"), False
    if file_name:
        stem = regex.sub(r"^[A-Za-z0-9]+_|\.[^.]*$", "", file_name)
        for pattern in head_pats:
            m = pattern.search(stem)
            if m and usable(m.group("name"), True):
                return _clean_name(m.group("name")), None, True
    return None, None, False


def extract_meta(norm: NormalizedText, sections: list[Section], file_name: str | None = None) -> Meta:
    p = _patterns()
    year_pat, final_pat, unit_pat, table_year_pat, title_year = p.fiscal_year, p.final_accounts, p.unit_scope, p.fiscal_year_fallback, p.title_year
    text = norm.folded
    department, dept_at, from_file_name = _department(norm, sections, file_name)

    # the title's year first: a sentence (2025年部门预算含中央基建资金) speaks of other years
    m = title_year.search(text, 0, _head_end(norm, sections))
    years = [(int(m.group("year")), m.span("year"))] if m else []
    years = years or [(int(m.group("year")), m.span("year")) for m in year_pat.finditer(text)]
    if not years:  # a file of tables only: the year in a table title
        years = [(int(m.group("year")), m.span("year")) for m in table_year_pat.finditer(text)]
    # the first "<year>年(度)…预算/决算" is the title's; later ones compare with other years
    fiscal_year, year_at = years[0] if years else (None, None)

    head = text[: min(len(text), 400)]
    doc_kind = "final_accounts" if final_pat.search(head) else "budget"
    scope = "unit" if unit_pat.search(_title_block(norm, sections)[0]) else "department"
    return Meta(department, dept_at, fiscal_year, year_at, doc_kind, scope, from_file_name)
