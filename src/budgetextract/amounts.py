"""Printed figures → exact values: money in 万元 as Decimal, percentages, counts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext

import regex

from .numerals import from_chinese

_TO_WAN = {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)}
_SIGN = {
    "增加": 1, "增长": 1, "上升": 1, "增幅": 1, "增": 1,
    "减少": -1, "下降": -1, "降低": -1, "减幅": -1, "降幅": -1, "减": -1,
    "持平": 0, "一致": 0, "相同": 0, "无变化": 0, "未变化": 0,
}


def parse_number(text: str) -> Decimal | None:
    """'1,384.7' → Decimal('1384.7'); '壹佰万' → Decimal('1000000'); None when not a number."""
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        value = from_chinese(cleaned)
        return Decimal(value) if value is not None else None


def to_wan(number: Decimal, unit: str) -> Decimal:
    """Convert to 万元 exactly (91,016,775.35 元 → 9101.677535)."""
    with localcontext() as exact:  # as many digits as printed: a thirty-digit figure is not rounded to 28
        exact.prec = max(exact.prec, len(number.as_tuple().digits) + 8)
        value = number * _TO_WAN[unit]
        if value == value.to_integral_value():
            return value.to_integral_value()  # 100.00 → 100
        return value.normalize()


def cell_amount(text: str, unit: str | None) -> Decimal | None:
    """A table cell's figure ('12,029,501.84' in the table's unit) in 万元; none where the
    unit is unknown: a figure whose unit is unknown is not one we can report."""
    if unit is None:
        return None
    try:
        return to_wan(Decimal(text.replace(",", "")), unit)
    except InvalidOperation:
        return None


def parse_money(text: str) -> Decimal | None:
    """'37188.34万元' → 37188.34; '9,101.68' (no unit) → None: a unit is required."""
    for unit in ("亿元", "万元", "元"):
        if text.endswith(unit):
            number = parse_number(text[: -len(unit)])
            return to_wan(number, unit) if number is not None else None
    return None


_PRINTED = regex.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(亿元|万元|元)$")


def as_printed(raw: str) -> Decimal | None:
    """A money figure in 万元 with the digits it is printed to ('3,400.00万元' → 3400.00, where
    the value kept is 3400): what its rounding allows is half its last printed digit."""
    m = _PRINTED.search(raw.strip())
    if m is None:
        return None
    number = Decimal(m.group(1).replace(",", ""))
    with localcontext() as exact:
        exact.prec = max(exact.prec, len(number.as_tuple().digits) + 8)
        return number * _TO_WAN[m.group(2)]


def change_sign(word: str) -> int | None:
    return _SIGN.get(word)
