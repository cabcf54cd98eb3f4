"""Tolerance follows what is printed: a figure printed to whole 万元 may be half a 万元 from
the exact one, one printed to 0.01 half a cent; a sum of n rounded figures n half-units."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation


def half(value: Decimal | int) -> Decimal:
    """Half a unit of the last digit printed (40,870 → 0.5; 30.25 → 0.005)."""
    exponent = value.as_tuple().exponent if isinstance(value, Decimal) else 0
    return Decimal(1).scaleb(min(0, exponent)) / 2


def agree(a: Decimal | int, b: Decimal | int) -> bool:
    """Within the rounding of what is printed, or one figure the other cut to its digits."""
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    a, b = Decimal(a), Decimal(b)
    if abs(a - b) <= half(a) + half(b):
        return True
    coarse, fine = (a, b) if half(a) > half(b) else (b, a)
    try:
        return fine.quantize(Decimal(1).scaleb(min(0, coarse.as_tuple().exponent)), rounding=ROUND_DOWN) == coarse
    except InvalidOperation:  # a figure past Decimal's precision: not the other cut short
        return False
