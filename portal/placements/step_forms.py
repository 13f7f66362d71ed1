"""The back office's forms for a placement's steps, notes and aftercare checks (one form per
step; ``STEP_FORMS`` maps a step to its form)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.core import clock
from portal.core.fields import max_chars, optional_int
from portal.placements.calendar import BERLIN
from portal.placements.labels import CANCEL_REASON_LABELS, OUTCOME_LABELS
from portal.placements.models import ENDED_OUTCOMES, Action, Placement
from portal.placements.plausibility import FIELDS, date_problem

NOTE_MAX = 4000


def _required(message) -> list:
    return [InputRequired(message)]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]


class StepForm(FlaskForm):
    """A step's form: ``step_data()`` gives the keyword arguments of ``operations.take_step``
    (the step's data, ``note``, ``on_behalf_of``). Given the placement and the step
    (``for_step``), it also refuses dates that cannot be true, at the field."""

    placement: Placement | None = None
    action: Action | None = None

    def for_step(self, placement: Placement, action: Action) -> StepForm:
        self.placement, self.action = placement, action
        return self

    def step_data(self) -> dict[str, Any]:
        return {}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok or self.placement is None or self.action is None:
            return ok
        problem = date_problem(self.placement, self.action, self.step_data())
        if problem is None:
            return True
        self[FIELDS[problem.code]].errors.append(str(problem.message))
        return False


class LandlordAnswerForm(StepForm):
    """Accept or decline a proposal for the landlord, who told the team by phone."""

    on_behalf = BooleanField(
        _l("Recorded on the landlord's behalf (phone call)"),
        validators=[
            InputRequired(_l("Please confirm that the landlord gave this answer to the team."))
        ],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        description=_l("For example who called and when."),
        validators=[Optional(), Length(max=NOTE_MAX)],
        render_kw={"rows": 2},
    )

    def step_data(self) -> dict[str, Any]:
        return {"on_behalf_of": "landlord", "note": self.note.data}


class ViewingForm(StepForm):
    """Date, time (Europe/Berlin), place and the staff member who goes along."""

    viewing_date = DateField(_l("Date"), validators=_required(_l("Please enter the date.")))
    viewing_time = TimeField(
        _l("Time"),
        description=_l("Local time in Duisburg."),
        validators=_required(_l("Please enter the time, e.g. 14:30.")),
    )
    viewing_place = StringField(
        _l("Place"),
        description=_l("For example: in front of the house, at the main entrance."),
        filters=STRIP,
        validators=[
            DataRequired(_l("Please enter where the viewing takes place.")),
            max_chars(200),
        ],
    )
    companion = SelectField(_l("Accompanied by"), coerce=optional_int, validate_choice=False)

    def set_staff(self, staff: list[tuple[int, str]]) -> None:
        """``staff``: (id, name) of the active staff members."""
        self.companion.choices = [SelectChoice("", _l("Please choose"))] + [
            SelectChoice(str(user_id), name) for user_id, name in staff
        ]

    def validate_companion(self, field: SelectField) -> None:
        allowed = {optional_int(choice.value) for choice in field.choices or []} - {None}
        if field.data is None or field.data not in allowed:
            raise ValidationError(_l("Please choose who accompanies the viewing."))

    def viewing_at(self) -> datetime:
        """The local date and time as a UTC-aware moment."""
        local = datetime.combine(self.viewing_date.data, self.viewing_time.data, tzinfo=BERLIN)
        return local.astimezone(UTC)

    def step_data(self) -> dict[str, Any]:
        return {
            "viewing_at": self.viewing_at(),
            "viewing_place": self.viewing_place.data.strip(),
            "viewing_companion_id": self.companion.data,
        }


class ViewingOutcomeForm(StepForm):
    viewing_outcome = TextAreaField(
        _l("Outcome of the viewing"),
        description=_l("For example: both sides want to go on; the household asks about …"),
        filters=STRIP,
        validators=[
            DataRequired(_l("Please describe the outcome of the viewing.")),
            Length(max=NOTE_MAX),
        ],
        render_kw={"rows": 3},
    )

    def step_data(self) -> dict[str, Any]:
        return {"viewing_outcome": self.viewing_outcome.data.strip()}


class RentOfferForm(StepForm):
    rent_offer_on = DateField(
        _l("Rent offer sent on"), validators=_required(_l("Please enter the date."))
    )
    rent_offer_office = StringField(
        _l("Sent to"),
        description=_l("For example: Jobcenter Duisburg-Mitte, Sozialamt."),
        filters=STRIP,
        validators=[
            DataRequired(_l("Please enter the office the rent offer went to.")),
            max_chars(120),
        ],
    )

    def step_data(self) -> dict[str, Any]:
        return {
            "rent_offer_on": self.rent_offer_on.data,
            "rent_offer_office": self.rent_offer_office.data.strip(),
        }


class CostsApprovedForm(StepForm):
    costs_approved_on = DateField(
        _l("Written approval (Zusicherung) dated"),
        validators=_required(_l("Please enter the date.")),
    )
    deposit_loan = RadioField(
        _l("Is the deposit paid as a loan?"),
        choices=[SelectChoice("yes", _l("yes")), SelectChoice("no", _l("no"))],
        validators=_required(_l("Please choose yes or no.")),
    )

    def step_data(self) -> dict[str, Any]:
        return {
            "costs_approved_on": self.costs_approved_on.data,
            "deposit_loan": self.deposit_loan.data == "yes",
        }


class LeaseForm(StepForm):
    lease_signed_on = DateField(
        _l("Lease signed on"), validators=_required(_l("Please enter the date."))
    )
    rent_start_on = DateField(
        _l("Rent starts on"), validators=_required(_l("Please enter the date."))
    )

    def step_data(self) -> dict[str, Any]:
        return {
            "lease_signed_on": self.lease_signed_on.data,
            "rent_start_on": self.rent_start_on.data,
        }


class MoveInForm(StepForm):
    keys_handed_over_on = DateField(
        _l("Keys handed over on"),
        description=_l("The aftercare follow-ups are due 1, 3, 6 and 12 months later."),
        validators=_required(_l("Please enter the date.")),
    )

    def step_data(self) -> dict[str, Any]:
        return {"keys_handed_over_on": self.keys_handed_over_on.data}


class ConfirmStepForm(StepForm):
    """A step without data (start aftercare, complete)."""


class CancelForm(StepForm):
    cancel_reason = SelectField(
        _l("Reason"),
        choices=[SelectChoice("", _l("Please choose"))]
        + [SelectChoice(key, label) for key, label in CANCEL_REASON_LABELS.items()],
        validators=_required(_l("Please choose a reason.")),
    )
    note = TextAreaField(
        _l("What happened?"),
        filters=STRIP,
        validators=[
            DataRequired(_l("Please describe briefly why the placement ends.")),
            Length(max=NOTE_MAX),
        ],
        render_kw={"rows": 3},
    )

    def validate_cancel_reason(self, field: SelectField) -> None:
        if field.data not in CANCEL_REASON_LABELS:
            raise ValidationError(_l("Please choose a reason."))

    def step_data(self) -> dict[str, Any]:
        return {"cancel_reason": self.cancel_reason.data, "note": self.note.data}


STEP_FORMS: dict[Action, type[StepForm]] = {
    Action.ACCEPT: LandlordAnswerForm,
    Action.DECLINE: LandlordAnswerForm,
    Action.SCHEDULE_VIEWING: ViewingForm,
    Action.RESCHEDULE_VIEWING: ViewingForm,
    Action.RECORD_VIEWING: ViewingOutcomeForm,
    Action.SUBMIT_RENT_OFFER: RentOfferForm,
    Action.APPROVE_COSTS: CostsApprovedForm,
    Action.SIGN_LEASE: LeaseForm,
    Action.MOVE_IN: MoveInForm,
    Action.START_AFTERCARE: ConfirmStepForm,
    Action.COMPLETE: ConfirmStepForm,
    Action.CANCEL: CancelForm,
}


class NoteForm(FlaskForm):
    note = TextAreaField(
        _l("Note"),
        filters=STRIP,
        validators=[
            DataRequired(_l("Please write the note.")),
            max_chars(NOTE_MAX),
        ],
        render_kw={"rows": 3},
    )


class FollowUpForm(FlaskForm):
    """Record an aftercare check."""

    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(key, label) for key, label in OUTCOME_LABELS.items()],
        validators=_required(_l("Please choose the outcome.")),
    )
    done_on = DateField(
        _l("Done on"),
        description=_l("The day of the contact (the reports count it then). Empty: today."),
        validators=[Optional()],
    )
    outcome_on = DateField(
        _l("Ended on"),
        description=_l("Only when the tenancy has ended: the day the household moved out."),
        validators=[Optional()],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        render_kw={"rows": 3},
    )

    def __init__(self, *args, moved_in_on: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.moved_in_on = moved_in_on

    def validate_done_on(self, field: DateField) -> None:
        if field.data is not None and field.data > clock.today():
            raise ValidationError(_l("The date cannot be in the future."))

    def validate_outcome_on(self, field: DateField) -> None:
        ended = self.outcome.data in ENDED_OUTCOMES
        if not ended and field.data is not None:
            raise ValidationError(_l("Leave this empty while the tenancy goes on."))
        if field.data is not None and field.data > clock.today():
            raise ValidationError(_l("The date cannot be in the future."))
        if field.data is not None and self.moved_in_on and field.data < self.moved_in_on:
            raise ValidationError(_l("The tenancy cannot end before the move-in."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Not in validate_outcome_on: Optional() stops the chain for an empty field.
        ended = self.outcome.data in ENDED_OUTCOMES
        if ended and self.outcome_on.data is None and not self.outcome_on.errors:
            self.outcome_on.errors = [str(_l("Please enter the day the tenancy ended."))]
            ok = False
        return ok
