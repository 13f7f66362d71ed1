"""Forms of the placements domain."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

MESSAGE_MAX = 1000


def _flat_id(value: Any) -> int | None:
    # Junk is "no choice", answered by validate_flat with a clear message, not a coerce error.
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class InterestForm(FlaskForm):
    """ "This household could live in my flat": one of the landlord's published flats (the view
    sets the choices) and an optional message to the Kümmerer team."""

    flat = SelectField(_l("Which of your flats?"), coerce=_flat_id, validate_choice=False)
    message = TextAreaField(
        _l("Message to the Kümmerer team (optional)"),
        validators=[
            Optional(),
            # Length fills in %(max)d itself.
            Length(max=MESSAGE_MAX, message=_l("Please write at most %(max)d characters.")),
        ],
        description=_l("For example when you could show the flat. At most 1,000 characters."),
        render_kw={"rows": 4, "maxlength": MESSAGE_MAX},
    )

    def set_flats(self, flats: list[tuple[int, str]]) -> None:
        """``flats``: (id, label) of the landlord's own published flats."""
        self.flat.choices = [SelectChoice(str(flat_id), label) for flat_id, label in flats]

    def validate_flat(self, field: SelectField) -> None:
        allowed = {_flat_id(choice.value) for choice in field.choices or []}
        if field.data is None or field.data not in allowed:
            raise ValidationError(_l("Please choose one of your published flats."))


class ViewingSlotsForm(FlaskForm):
    """The landlord proposes times for the viewing (free text)."""

    slots = TextAreaField(
        _l("When could the viewing take place?"),
        description=_l("For example: Tuesday or Thursday after 4 pm, Saturday morning."),
        validators=[
            InputRequired(_l("Please suggest at least one time.")),
            Length(max=2000, message=_l("Please keep it to at most 2,000 characters.")),
        ],
    )
