"""What the standard tables are (patterns/tables.json): their kinds by title, their total rows,
what each column holds, and the classification levels of their codes."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import regex

from .. import vocab

LEVELS = {3: "类", 5: "款", 7: "项"}  # classification level by code length


class Catalogue(NamedTuple):
    """The catalogue of standard tables (patterns/tables.json)."""

    kinds: list[tuple[str, regex.Pattern]]  # a table's kind by its title
    title: regex.Pattern  # a table's title line
    unit: regex.Pattern  # its unit line (单位：万元)
    total_row: regex.Pattern  # 合计 / 总计 rows
    code_header: regex.Pattern  # header cells of classification codes
    columns: dict[str, regex.Pattern]  # the summary concept of each column
    line_number_header: regex.Pattern  # 行次 / 栏次 columns
    about_table: regex.Pattern  # a note that speaks of a table (本表…)


@lru_cache(maxsize=1)
def patterns() -> Catalogue:
    data = vocab.load("tables")
    return Catalogue(
        kinds=[(k, regex.compile(p)) for k, p in data["kinds"]],
        title=regex.compile(data["title"]),
        unit=regex.compile(data["unit"]),
        total_row=regex.compile(data["total_row"]),
        code_header=regex.compile(data["code_header"]),
        columns={k: regex.compile(p) for k, p in data["columns"].items()},
        line_number_header=regex.compile(data["line_number_header"]),
        about_table=regex.compile(data["required"]["about_table"]),
    )


def title_pattern() -> regex.Pattern:
    return patterns().title


def table_kind(title: str) -> str | None:
    kinds = patterns().kinds
    return next((k for k, p in kinds if p.search(title)), None)


def is_total_row(name: str) -> bool:
    """合计 / 总计 / 收入总计 …: the row of a table's totals."""
    return bool(patterns().total_row.match(name))


def column_role(name: str) -> str | None:
    """The summary concept a column holds (basic, personnel, three_public_outbound …); a
    header cell whose words wrap over two lines may have been read as two levels
    (公务接待/费), so the last two levels are also tried as one."""
    roles = patterns().columns
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
