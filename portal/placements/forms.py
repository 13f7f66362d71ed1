"""Forms of the placements domain."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.core.fields import FilterForm, max_chars, optional_int
from portal.core.i18n import number
from portal.placements.labels import STATE_LABELS

MESSAGE_MAX = 1000


class InterestForm(FlaskForm):
    """ "This household could live in my flat": one of the landlord's published flats (the view
    sets the choices) and an optional message to the Kümmerer team."""

    # The choices' values are the flats' public keys: a landlord page carries no flat id.
    flat = SelectField(_l("Which of your flats?"), validate_choice=False)
    message = TextAreaField(
        _l("Message to the Kümmerer team (optional)"),
        validators=[
            Optional(),
            max_chars(MESSAGE_MAX),
        ],
        description=_l("For example when you could show the flat. At most 1,000 characters."),
        render_kw={"rows": 4, "maxlength": MESSAGE_MAX},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The limit in the reader's number format ("1.000" / "1,000"), at render time.
        self.message.description = _(
            "For example when you could show the flat. It reaches the Kümmerer team with your "
            "interest. At most %(max)s characters.",
            max=number(MESSAGE_MAX),
        )

    def validate_message(self, field: TextAreaField) -> None:
        if field.data and len(field.data.strip()) > MESSAGE_MAX:
            raise ValidationError(
                _(
                    "Please write at most %(max)s characters; the message has %(count)s.",
                    max=number(MESSAGE_MAX),
                    count=number(len(field.data.strip())),
                )
            )

    def set_flats(self, flats: list[tuple[str, str]]) -> None:
        """``flats``: (public key, label) of the landlord's own published flats."""
        self.flat.choices = [SelectChoice(flat_key, label) for flat_key, label in flats]

    def validate_flat(self, field: SelectField) -> None:
        allowed = {choice.value for choice in field.choices or []}
        if not field.data or field.data not in allowed:
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


# Back office: one small form per step -----------------------------------------------------------

# Back office: the filters of the placement list --------------------------------------------------


class PlacementFilterForm(FilterForm):
    """The list's filters as a GET form (nothing changes, so no CSRF token)."""

    state = SelectField(_l("State"), validate_choice=False, id="filter-state")
    district = SelectField(
        _l("District of the flat"), coerce=optional_int, validate_choice=False, id="filter-district"
    )
    staff = SelectField(
        _l("Staff member in charge"), coerce=optional_int, validate_choice=False, id="filter-staff"
    )
    changed_from = DateField(
        _l("Last change from"), validators=[Optional()], id="filter-changed-from"
    )
    changed_to = DateField(
        _l("Last change until"),
        description=_l("Both days included."),
        validators=[Optional()],
        id="filter-changed-to",
    )

    def set_choices(self, districts, staff: list[tuple[int, str]]) -> None:
        self.state.choices = [
            SelectChoice("", _l("all")),
            SelectChoice("open", _l("all open")),
        ] + [SelectChoice(key, label) for key, label in STATE_LABELS.items()]
        self.district.choices = [SelectChoice("", _l("any district"))] + [
            SelectChoice(str(d.id), d.name, optgroup=d.borough) for d in districts
        ]
        self.staff.choices = [SelectChoice("", _l("anyone"))] + [
            SelectChoice(str(user_id), name) for user_id, name in staff
        ]

    def validate_changed_to(self, field: DateField) -> None:
        start = self.changed_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The end cannot be before the start."))


class StepMailsForm(FlaskForm):
    """How the landlord hears of placement steps: each by e-mail, or one summary a day."""

    step_mails = RadioField(
        _l("How would you like to hear about your placements?"),
        choices=[
            SelectChoice("each", _l("One e-mail for every step, as soon as it happens")),
            SelectChoice("digest", _l("One summary e-mail a day, in the evening")),
        ],
        validators=[InputRequired(_l("Please choose how you would like to hear from us."))],
    )
