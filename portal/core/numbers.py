"""Reading numbers as people type them, in German and English notation."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_GROUPED = re.compile(r"^\d{1,3}([.,\u00a0 ']\d{3})+$")


class NumberFormatError(ValueError):
    """The text is not a number in either notation."""


def parse_decimal(text: str, places: int = 2) -> Decimal:
    """Read ``1.234,50``, ``1234,50``, ``1,234.50``, ``1234.50``, ``1234`` and ``640 €``.

    When both separators appear, the last one is the decimal separator. When only one appears,
    it is a thousands separator if it groups exactly three digits at the end and the number has
    no other decimals (``1.234`` = 1234), otherwise the decimal separator (``72,5``). More than
    ``places`` decimals, signs other than a leading minus, or letters are refused.
    """
    value = (text or "").strip().replace("€", "").replace("EUR", "").strip()
    value = value.replace("\u00a0", " ").replace(" ", "").replace("'", "")
    if not value:
        raise NumberFormatError("empty")
    negative = value.startswith("-")
    if negative:
        value = value[1:]
    if not re.fullmatch(r"[\d.,]+", value) or not re.search(r"\d", value):
        raise NumberFormatError(text)
    last_dot, last_comma = value.rfind("."), value.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
        thousands = "," if decimal_sep == "." else "."
        integer, _, fraction = value.rpartition(decimal_sep)
        if decimal_sep in integer or not _valid_grouping(integer, thousands):
            raise NumberFormatError(text)
        integer = integer.replace(thousands, "")
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        if value.count(sep) > 1 or _GROUPED.match(value) and len(value.rpartition(sep)[2]) == 3:
            if not _valid_grouping(value, sep):
                raise NumberFormatError(text)
            integer, fraction = value.replace(sep, ""), ""
        else:
            integer, _, fraction = value.partition(sep)
    else:
        integer, fraction = value, ""
    if not integer:
        integer = "0"
    if len(fraction) > places:
        raise NumberFormatError(text)
    try:
        number = Decimal(f"{integer}.{fraction or '0'}")
    except InvalidOperation as exc:
        raise NumberFormatError(text) from exc
    return -number if negative else number


def _valid_grouping(integer: str, sep: str) -> bool:
    if sep not in integer:
        return integer.isdigit()
    groups = integer.split(sep)
    return (
        1 <= len(groups[0]) <= 3
        and all(g.isdigit() for g in groups)
        and all(len(g) == 3 for g in groups[1:])
    )
