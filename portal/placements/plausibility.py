"""Dates a placement step may carry: nothing recorded as done before it could have happened.
The viewing's outcome only once the viewing's time has come, a lease not before the viewing
day, the keys not handed over after today. One rule for the step forms (the refusal shown at the
field, the input kept) and for ``operations.take_step`` (``Refused``, whoever calls it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from portal.core import clock
from portal.core.clock import BERLIN
from portal.core.i18n import day, moment
from portal.core.refusals import BAD_INPUT, Refused
from portal.placements.models import Action, Placement

# The form field each refusal belongs to.
FIELDS = {
    "viewing_not_yet": "viewing_outcome",
    "lease_before_viewing": "lease_signed_on",
    "keys_in_future": "keys_handed_over_on",
}


def _refused(code: str, message: str) -> Refused:
    refusal = Refused(code, message)
    refusal.status = BAD_INPUT
    return refusal


def _viewing_day(placement: Placement) -> date | None:
    return placement.viewing_at.astimezone(BERLIN).date() if placement.viewing_at else None


def date_problem(placement: Placement, action: Action, data: dict[str, Any]) -> Refused | None:
    """Why the step's dates cannot be true, or None when they can."""
    viewing_at = placement.viewing_at
    if action == Action.RECORD_VIEWING and viewing_at is not None and clock.utcnow() < viewing_at:
        return _refused(
            "viewing_not_yet",
            _(
                "The viewing is on %(when)s. Its outcome can be recorded once it has taken place.",
                when=moment(viewing_at),
            ),
        )
    if action == Action.SIGN_LEASE:
        signed, viewing = data.get("lease_signed_on"), _viewing_day(placement)
        if isinstance(signed, date) and viewing is not None and signed < viewing:
            return _refused(
                "lease_before_viewing",
                _(
                    "The lease cannot be signed before the viewing on %(day)s. Please check "
                    "the date.",
                    day=day(viewing),
                ),
            )
    if action == Action.MOVE_IN:
        keys = data.get("keys_handed_over_on")
        if isinstance(keys, date) and keys > clock.today():
            return _refused(
                "keys_in_future",
                _(
                    "The keys cannot have been handed over after today (%(today)s). Please "
                    "record the move-in once the keys are handed over.",
                    today=day(clock.today()),
                ),
            )
    return None


def check_dates(placement: Placement, action: Action, data: dict[str, Any]) -> None:
    """Raise ``Refused`` (status 400, code as in ``FIELDS``) when the step's dates cannot be
    true."""
    problem = date_problem(placement, action, data)
    if problem is not None:
        raise problem
