"""The prevention section of a household's staff page: opening a case, linking its mediation
case (chosen from a list, never typed), recording the outcome."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.core import clock
from portal.households.forms.profile import choose
from portal.households.labels import PREVENTION_OUTCOME_LABELS, THREAT_LABELS

MAX_ID = 2**31 - 1


class PreventionOpenForm(FlaskForm):
    opened_on = DateField(
        _l("Case opened on"),
        default=clock.today,
        validators=[InputRequired(_l("Please enter the date the case was opened."))],
    )
    threat = SelectField(
        _l("What threatens the tenancy?"),
        choices=choose(THREAT_LABELS, _l("Please choose")),
        validators=[DataRequired(message=_l("Please choose what threatens the tenancy."))],
    )
    landlord_name = StringField(
        _l("The household's landlord"),
        validators=[
            DataRequired(_l("Please enter the name of the household's landlord.")),
            Length(max=200),
        ],
        description=_l("Name of the person or company the household rents from (staff only)."),
    )
    landlord_address = StringField(
        _l("Landlord's address"), validators=[Optional(), Length(max=300)]
    )
    threat_note = TextAreaField(
        _l("Note on the threat"),
        validators=[Optional(), Length(max=4000)],
        description=_l("E.g. the date of the notice, the arrears, a court date (staff only)."),
    )


def _case_id(value) -> int | None:
    """ "" (no mediation case) or an id; anything else is refused, never read as "none"."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.isdigit() or not 1 <= int(text[:20]) <= MAX_ID:
        raise ValueError(text)
    return int(text)


class PreventionLinkForm(FlaskForm):
    mediation_case_id = SelectField(
        _l("Mediation case with the landlord"),
        coerce=_case_id,
        validate_choice=False,
        validators=[Optional()],
        description=_l("Open mediation cases; “No mediation case” removes the link."),
    )

    def set_choices(self, cases: list[tuple[int, str]]) -> None:
        self.mediation_case_id.choices = [SelectChoice("", _l("No mediation case"))] + [
            SelectChoice(case_id, label) for case_id, label in cases
        ]


class PreventionOutcomeForm(FlaskForm):
    outcome = SelectField(
        _l("Outcome"),
        choices=choose(PREVENTION_OUTCOME_LABELS, _l("Please choose")),
        validators=[DataRequired(message=_l("Please choose the outcome."))],
    )
    outcome_on = DateField(
        _l("Outcome on"),
        default=clock.today,
        validators=[InputRequired(_l("Please enter the date of the outcome."))],
    )
