"""What the mediation case routes share: the blueprint, the staff lists and the one way to
read a case (the site filter: another site's case is not there)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.mediation.labels import sender_label, status_label, topic_label
from portal.mediation.models import MediationCase
from portal.sites.queries import colleagues

bp = Blueprint("mediation_backoffice", __name__, url_prefix="/backoffice/mediation")

CASEWORK = (Role.SPECIALIST, Role.SOCIAL_WORKER)


def _labels() -> dict[str, Callable]:
    return {
        "mediation_status_label": status_label,
        "mediation_topic_label": topic_label,
        "mediation_sender_label": sender_label,
    }


def _staff(active_only: bool) -> list[tuple[int, str]]:
    """Specialists and social workers as (id, name); the filter also names inactive ones."""
    query = select(User).where(User.role.in_([r.value for r in CASEWORK]), colleagues(User.id))
    if active_only:
        query = query.where(User.is_active.is_(True))
    users = db.session.scalars(query.order_by(User.full_name, User.id))
    return [
        (u.id, u.full_name if u.is_active else _("%(name)s (inactive)", name=u.full_name))
        for u in users
    ]


def _load(case_id: int, *, whole: bool = True) -> MediationCase:
    """The case, or 404 (another site's case is not there: the site filter); ``whole``: with
    who is assigned (the case page names them), else the case alone. Its notes, replies and
    history are read a bounded number at a time (``latest_entries``, ``latest_history``)."""
    query = select(MediationCase).where(MediationCase.id == case_id)
    if whole:
        query = query.options(selectinload(MediationCase.assigned_to))
    case = db.session.scalar(query)
    if case is None:
        abort(404)
    return case
