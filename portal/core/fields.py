"""Form fields shared by the domains."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from portal.core.numbers import NumberFormatError, parse_decimal


class DecimalTextField(StringField):
    """A number typed as text, in German or English notation (``1.234,50`` or ``1234.50``).

    Shown back in the user's language; after an error, shown back exactly as typed.
    """

    def __init__(
        self, label=None, validators=None, places: int = 2, fixed: bool = False, **kwargs
    ) -> None:
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.fixed = fixed  # money: always show all decimals

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            number = parse_decimal(valuelist[0], self.places)
        except NumberFormatError:
            self.data = None
            if self.places == 0:
                message = _l("Please enter a whole number.")
            else:
                message = _l(
                    "Please enter a number with at most %(places)d decimals, e.g. 1.234,50.",
                    places=self.places,
                )
            raise ValueError(str(message)) from None
        self.data = number.quantize(Decimal(1).scaleb(-self.places)) if self.places else number

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        if self.places == 0:
            return str(self.data)
        pattern = "#,##0." + ("0" if self.fixed else "#") * self.places
        return format_decimal(self.data, format=pattern)


def optional_int(value: Any) -> int | None:
    """A whole number from a query string or a select; "" and junk mean "no choice" (no filter)
    rather than an error. The coerce of every id and size select of the back office."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
