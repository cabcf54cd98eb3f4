"""The department's name: a title or a table header naming another department than the
one the document is about (a template copied from another department)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from .. import vocab
from ..scope import abbreviates
from ..schema import Finding, Summary, Table
from ..findings import finding

if TYPE_CHECKING:
    from ..extract.context import Context

# qualifiers that name the same department: 北京市统计局（本级）, 深圳市信访局本级
_QUALIFIER = regex.compile(r"[(（][^)）]*[)）]|本级$|机关$|部门$")


@lru_cache(maxsize=1)
def _patterns():
    data = vocab.load("wording")
    return regex.compile(data["title"], regex.M), regex.compile(data["name_line"], regex.M), regex.compile(data["organisation"])


def _bare(name: str) -> str:
    return _QUALIFIER.sub("", name.replace("“", "").replace("”", ""))


def _same(a: str, b: str) -> bool:
    """One name holds the other (北京市统计局 and 北京市统计局机关; 信访局 and 深圳市信访局), or
    shortens it (省检察院 and 江苏省人民检察院)."""
    a, b = _bare(a), _bare(b)
    return bool(a) and bool(b) and (a in b or b in a or abbreviates(a, b) or abbreviates(b, a))


def check_names(ctx: Context, summary: Summary, tables: list[Table]) -> list[Finding]:
    department = summary.department
    if not department:
        return []
    title, name_line, organisation = _patterns()
    text = ctx.norm.folded
    out = []
    named = [(m.group("name"), m.start("name")) for m in name_line.finditer(text)]
    for m in title.finditer(text):
        name = (m.group("name") or "") or (m.group("name2") or "")
        if len(_bare(name)) >= 3 and organisation.search(_bare(name)):
            named.append((name, m.start("name") if m.group("name") else m.start("name2")))
    for name, at in named:
        if not _same(name, department):
            out.append(finding("department_name_mismatch", f"“{name}” where the document is about {department}",
                               evidence=[ctx.evidence(at, at + len(name))]))
    return out
