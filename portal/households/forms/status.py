"""The status buttons, with where and when a withdrawn household went."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from portal.core import clock
from portal.households.forms.profile import choose
from portal.households.labels import EXIT_DESTINATION_LABELS
from portal.households.models import HouseholdStatus
from portal.households.operations import WITHDRAWAL_DESTINATIONS


class StatusForm(FlaskForm):
    """The status buttons: ``to`` is the new status (the buttons carry it). Withdrawing a
    profile that has no exit yet also records where the household went and when; the view
    asks ``needs_exit`` before it checks those two fields."""

    to = HiddenField(validators=[InputRequired()])
    exit_destination = SelectField(
        _l("Where did the household go?"),
        choices=choose(EXIT_DESTINATION_LABELS, _l("Please choose"), WITHDRAWAL_DESTINATIONS),
        validators=[Optional()],
    )
    exit_on = DateField(
        _l("Left the programme on"),
        default=clock.today,
        description=_l("Empty: today."),
        validators=[Optional()],
    )

    def validate_to(self, field) -> None:
        if field.data not in {s.value for s in HouseholdStatus} - {HouseholdStatus.DRAFT.value}:
            raise ValidationError("unknown status")

    def check_exit(self, intake_on: date) -> bool:
        """The exit fields of a withdrawal: a destination, a date not in the future and not
        before the intake. Adds the errors to the fields; True when both are usable."""
        ok = True
        if not self.exit_destination.data or self.exit_destination.errors:
            self.exit_destination.errors = [
                str(_l("Please choose where the household went before withdrawing the profile."))
            ]
            ok = False
        day = self.exit_on.data
        if self.exit_on.errors:
            ok = False
        elif day is not None and day > clock.today():
            self.exit_on.errors = [str(_l("This date cannot be in the future."))]
            ok = False
        elif day is not None and day < intake_on:
            self.exit_on.errors = [
                str(_l("The household cannot leave the programme before it was taken in."))
            ]
            ok = False
        return ok
