"""The rules of the placements domain (so far: a landlord's interest in a household)."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import User
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.extensions import db
from portal.households.models import Household
from portal.households.operations import landlord_may_register_interest
from portal.listings.models import Flat, FlatStatus
from portal.placements.models import Interest


class InterestError(Exception):
    """Refused; ``code`` says why (not_allowed, not_visible, flat, duplicate)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def register_interest(
    user: User, household: Household, flat: Flat, message: str | None
) -> Interest:
    """ "This household could live in my flat": once per flat and household, for one of the
    landlord's own published flats and a profile the landlord may see. The landlord gets a
    confirmation, the team a notice; neither mail names anything of the household beyond its
    code."""
    if not landlord_may_register_interest(user):
        raise InterestError("not_allowed")
    if not household.is_visible_to_landlords(date.today()):
        raise InterestError("not_visible")
    if flat.organisation_id != user.organisation_id or flat.status != FlatStatus.PUBLISHED:
        raise InterestError("flat")
    existing = db.session.scalar(
        select(Interest.id).where(
            Interest.flat_id == flat.id, Interest.household_id == household.id
        )
    )
    if existing is not None:
        raise InterestError("duplicate")
    interest = Interest(
        flat=flat,
        household=household,
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        message=(message or "").strip()[:2000] or None,
    )
    db.session.add(interest)
    db.session.flush()
    audit.record(
        "interest.registered", actor=user, obj=interest, household_id=household.id, flat_id=flat.id
    )
    base = current_app.config["PORTAL_BASE_URL"]
    queue_mail(
        user.email,
        "interest_confirmed",
        user.locale,
        name=user.full_name,
        code=household.code,
        flat=flat,
        url=f"{base}/households/{household.id}",
    )
    queue_mail(
        current_app.config["PROGRAMME_CONTACT_EMAIL"],
        "interest_new",
        "de",
        organisation=flat.organisation.name,
        code=household.code,
        flat=flat,
        url=f"{base}/backoffice/households/{household.id}",
    )
    return interest
