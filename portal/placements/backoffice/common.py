"""What the placements' staff routes share: the blueprint, the staff lists and the words for a
refused step."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.placements import operations as ops
from portal.placements.labels import (
    action_label,
    cancel_reason_label,
    event_label,
    outcome_label,
    state_label,
)

bp = Blueprint("placements_backoffice", __name__, url_prefix="/backoffice/placements")

CASEWORK = (Role.SPECIALIST, Role.SOCIAL_WORKER)
PER_PAGE = 25
# Open and not yet moved in: these can be overdue (operations.remind uses the same states).


@bp.record_once
def _register_template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        placement_state_label=state_label,
        placement_action_label=action_label,
        placement_event_label=event_label,
        cancel_reason_label=cancel_reason_label,
        follow_up_outcome_label=outcome_label,
    )


def _staff() -> list[User]:
    """Specialists and social workers, active or not (names in timelines and filters)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.SPECIALIST.value, Role.SOCIAL_WORKER.value]))
            .order_by(User.full_name, User.id)
        )
    )


def _staff_choices(staff: list[User], active_only: bool) -> list[tuple[int, str]]:
    return [
        (u.id, u.full_name if u.is_active else _("%(name)s (inactive)", name=u.full_name))
        for u in staff
        if u.is_active or not active_only
    ]


# Refusals ---------------------------------------------------------------------------------------

REFUSALS: dict[str, Callable[[], str]] = {
    "role": lambda: _("Your role may not take this step. Nothing was changed."),
    "data": lambda: _("Information this step needs is missing. Nothing was changed."),
    "flat_taken": lambda: _("The flat is already held by another placement. Nothing was changed."),
    "household_taken": lambda: _(
        "The household is already in another placement past the viewing. Nothing was changed."
    ),
    "busy": lambda: _(
        "Someone else changed this placement at the same moment. Nothing was changed; please "
        "look at the page and try again."
    ),
    "flat_not_free": lambda: _(
        "The flat is no longer in a status that allows this step. Nothing was changed."
    ),
    "not_visible": lambda: _(
        "The household is no longer in a status that allows this step (vetted, with a valid "
        "consent). Nothing was changed."
    ),
    "duplicate": lambda: _("This household is already proposed for this flat."),
    "decided": lambda: _("This interest has been decided already."),
    "done": lambda: _("This follow-up has been recorded already."),
}


def refusal_message(exc: ops.PlacementError, state: str | None = None) -> str:
    """A refused operation in words the user can act on."""
    if exc.code == "state":
        if state is None:
            return _("This is not possible in the placement's current state. Nothing was changed.")
        return _(
            "This step is not possible while the placement is “%(state)s”; perhaps someone else "
            "was quicker. Nothing was changed.",
            state=state_label(state),
        )
    message = REFUSALS.get(exc.code)
    return message() if message else _("This was refused. Nothing was changed.")


def _refuse(exc: ops.PlacementError, state: str | None) -> None:
    db.session.rollback()
    flash(refusal_message(exc, state), "error")
