"""Household exports with a reason (issue 13.9): a household's archive is only made with a
purpose and an explanation, recorded as a ``household_exports`` row, audited and told to the
household's social worker. The archive itself is built by ``privacy.export``. The staff pages
of a household show the newest rows (``latest_exports``), a page of their own all of them
(``exports_of_household``)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import ColumnElement, Select, select

from portal.accounts.models import Role, User
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.core.pagination import first_rows_of
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db
from portal.households.models import Household
from portal.privacy.export import household_archive
from portal.privacy.labels import PURPOSE_LABELS
from portal.privacy.models import (
    EXPLANATION_MAX,
    EXPLANATION_MIN,
    ExportPurpose,
    HouseholdExport,
)


def social_worker_of(household: Household) -> User | None:
    """The social worker responsible for ``household``: who vetted it, else who created it,
    while the account is an active social worker's."""
    for user_id in (household.vetted_by_id, household.created_by_id):
        user = db.session.get(User, user_id) if user_id is not None else None
        if user is not None and user.is_active and user.role == Role.SOCIAL_WORKER:
            return user
    return None


def export_household(
    household: Household, actor: User | None, purpose: str, explanation: str
) -> bytes:
    """The household's archive, with the reason recorded: a ``household_exports`` row (who,
    when, purpose, explanation), the ``privacy.export`` audit event with the purpose word as
    ``reason`` (the typed explanation stays out of the append-only trail), and an e-mail to the
    household's social worker unless they exported it themself. Refuses (``Refused``
    ``purpose`` or ``explanation``, status 400: what was sent is wrong; the form and the command
    check both first) an export without a known purpose or a sufficient explanation."""
    explanation = " ".join((explanation or "").split())
    if purpose not in set(ExportPurpose):
        raise Refused("purpose", status=BAD_INPUT)
    if not EXPLANATION_MIN <= len(explanation) <= EXPLANATION_MAX:
        raise Refused("explanation", status=BAD_INPUT)
    record = HouseholdExport(
        household_id=household.id,
        actor_id=actor.id if actor is not None else None,
        purpose=purpose,
        explanation=explanation,
    )
    db.session.add(record)
    db.session.flush()
    archive = household_archive(household)
    audit.record(
        "privacy.export", actor=actor, obj=household, object_kind="household", reason=purpose
    )
    recipient = social_worker_of(household)
    if recipient is not None and (actor is None or recipient.id != actor.id):
        queue_mail(
            recipient.email,
            "household_exported",
            recipient.locale,
            name=recipient.full_name,
            code=household.code,
            by=actor.full_name if actor is not None else "flask privacy export",
            purpose=PURPOSE_LABELS[ExportPurpose(purpose)],
            url=current_app.config["PORTAL_BASE_URL"]
            + f"/backoffice/households/{household.id}#exports",
        )
    return archive.to_zip()


def exports_of_household(household_id: int | ColumnElement[int]) -> Select:
    """A household's exports, newest first. ``household_id``: an id, or a bound parameter."""
    return (
        select(HouseholdExport)
        .where(HouseholdExport.household_id == household_id)
        .order_by(HouseholdExport.created_at.desc(), HouseholdExport.id.desc())
    )


# The newest exports of a household and the number of all (its staff pages).
latest_exports = first_rows_of(exports_of_household, "household_id")
