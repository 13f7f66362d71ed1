"""URL converters: whole numbers in paths are ids, and ids fit an INTEGER column."""

from __future__ import annotations

import builtins

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, ValidationError

# The range of an INTEGER column on PostgreSQL (32 bits; every id and whole number of the schema
# is one): no id outside it can exist, and handing such a number to the database fails instead
# of finding nothing (PostgreSQL: "integer out of range", SQLite beyond 64 bits: OverflowError).
MIN_ID = -(2**31)
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Flask's ``int`` converter, limited to what an id column can hold: ASCII digits only
    (``int()`` would also read other scripts' digits) and within ``MIN_ID``..``MAX_ID``. Anything
    else is 404, as for any id that does not exist. A route may narrow the range
    (``<int(max=9):n>``), never widen it."""

    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,  # noqa: A002 - werkzeug's name
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = None,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=MIN_ID if min is None else builtins.max(min, MIN_ID),
            max=MAX_ID if max is None else builtins.min(max, MAX_ID),
            signed=signed,
        )
        if signed:
            self.regex = r"-?[0-9]+"

    def to_python(self, value: str) -> int:
        try:
            return super().to_python(value)
        except ValidationError:
            # Digits that fit no column: not a "try the next rule" (werkzeug would answer 405
            # when a rule for another method shares the path) but a plain 404. The regex
            # admits only digits, so no other rule was meant.
            raise NotFound() from None


def register_converters(app: Flask) -> None:
    """Replace the ``int`` converter of every route; called before any route is added."""
    app.url_map.converters["int"] = IdConverter
