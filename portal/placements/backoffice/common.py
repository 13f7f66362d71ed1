"""What the placements' staff routes share: the blueprint and the staff lists (a refused step
carries its own words: placements/refusals.py)."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.core.hooks import Hook
from portal.extensions import db
from portal.placements.labels import (
    action_label,
    cancel_reason_label,
    event_label,
    outcome_label,
    state_label,
)
from portal.sites.queries import colleagues

bp = Blueprint("placements_backoffice", __name__, url_prefix="/backoffice/placements")

CASEWORK = (Role.SPECIALIST, Role.SOCIAL_WORKER)
# What higher floors add to the staff placement page: mediation tells whether a case is open
# for the placement (the rent-arrears proposal offers to open one only if none is).
PLACEMENT_PAGE = Hook("the staff page of a placement", provides=frozenset({"mediation"}))
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
    """Specialists and social workers of the user's sites, active or not (names in filters,
    whom a step can be assigned to)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role.in_([Role.SPECIALIST.value, Role.SOCIAL_WORKER.value]),
                colleagues(User.id),
            )
            .order_by(User.full_name, User.id)
        )
    )


def _staff_choices(staff: list[User], active_only: bool) -> list[tuple[int, str]]:
    return [
        (u.id, u.full_name if u.is_active else _("%(name)s (inactive)", name=u.full_name))
        for u in staff
        if u.is_active or not active_only
    ]
