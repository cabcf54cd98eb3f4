"""What the standard tables are (patterns/tables.json): their kinds by title, their total rows,
what each column holds, and the classification levels of their codes."""

from __future__ import annotations

import re
from functools import lru_cache

import regex

from .. import vocab

LEVELS = {3: "类", 5: "款", 7: "项"}  # classification level by code length


@lru_cache(maxsize=1)
def patterns():
    """The catalogue of standard tables (patterns/tables.json): kinds by title, the title and unit
    lines, total rows, code headers, the summary concept of each column."""
    data = vocab.load("tables")
    return (
        [(k, regex.compile(p)) for k, p in data["kinds"]],
        regex.compile(data["title"]),
        regex.compile(data["unit"]),
        regex.compile(data["total_row"]),
        regex.compile(data["code_header"]),
        {k: regex.compile(p) for k, p in data["columns"].items()},
        regex.compile(data["line_number_header"]),
        regex.compile(data["required"]["about_table"]),
    )


def title_pattern() -> regex.Pattern:
    return patterns()[1]


def table_kind(title: str) -> str | None:
    kinds = patterns()[0]
    return next((k for k, p in kinds if p.search(title)), None)


def is_total_row(name: str) -> bool:
    """合计 / 总计 / 收入总计 …: the row of a table's totals."""
    return bool(patterns()[3].match(name))


def column_role(name: str) -> str | None:
    """The summary concept a column holds (basic, personnel, three_public_outbound …); a
    header cell whose words wrap over two lines may have been read as two levels
    (公务接待/费), so the last two levels are also tried as one."""
    roles = patterns()[5]
    for candidate in dict.fromkeys([name, _joined_tail(name)]):
        for role, pattern in roles.items():
            if pattern.search(candidate):
                return role
    return None


def _joined_tail(name: str) -> str:
    """a/b/c → a/bc"""
    head, _, last = name.rpartition("/")
    return head + last


def clean(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")
