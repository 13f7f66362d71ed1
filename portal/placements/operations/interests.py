"""A landlord's interest in a household: registered by the landlord, taken up or declined by the
team."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.core import audit, clock
from portal.core.db import utcnow
from portal.core.outbox import queue_mail
from portal.extensions import db
from portal.households.models import Household
from portal.households.operations import landlord_may_register_interest
from portal.households.queries import visible_to_organisation
from portal.listings.models import Flat, FlatStatus
from portal.placements.models import Interest, InterestStatus, Placement
from portal.placements.operations.workflow import propose
from portal.placements.refusals import interest_refused, refused


def register_interest(
    user: User, household: Household, flat: Flat, message: str | None
) -> Interest:
    """ "This household could live in my flat": once per flat and household, for one of the
    landlord's own published flats in the household's site and a profile the landlord may see
    (``not_visible`` also for a site where the organisation has no published flat). The
    interest belongs to the household's site. The landlord gets a
    confirmation, the team a notice; neither mail names anything of the household beyond its
    code."""
    if not landlord_may_register_interest(user):
        raise interest_refused("not_allowed")
    if not _visible_to(user, household):
        raise interest_refused("not_visible")
    if flat.organisation_id != user.organisation_id or flat.status != FlatStatus.PUBLISHED:
        raise interest_refused("flat")
    if flat.site_id != household.site_id:
        raise interest_refused("site")
    existing = db.session.scalar(
        select(Interest.id).where(
            Interest.flat_id == flat.id, Interest.household_id == household.id
        )
    )
    if existing is not None:
        raise interest_refused("duplicate")
    interest = Interest(
        flat=flat,
        household=household,
        organisation_id=user.organisation_id,
        site_id=household.site_id,
        created_by_id=user.id,
        message=(message or "").strip()[:2000] or None,
    )
    try:
        with db.session.begin_nested():  # the same pair registered a moment ago elsewhere
            db.session.add(interest)
            db.session.flush()
    except IntegrityError as exc:
        raise interest_refused("duplicate") from exc
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
        # The landlord's own words may name the household: never in the mail, only a pointer.
        has_message=interest.message is not None,
        url=f"{base}/backoffice/households/{household.id}#interests-title",
    )
    return interest


def _visible_to(user: User, household: Household) -> bool:
    """The landlord's organisation may see the profile now (``visible_to_organisation``)."""
    conditions = visible_to_organisation(user.organisation_id, clock.today())
    return household.is_visible_to_landlords(clock.today()) and bool(
        db.session.scalar(select(Household.id).where(Household.id == household.id, *conditions))
    )


def accept_interest(interest: Interest, actor: User) -> Placement:
    """The specialist takes up a landlord's interest: it becomes a proposed placement."""
    if interest.status != InterestStatus.OPEN:
        raise refused("decided")
    placement = propose(interest.flat, interest.household, actor, interest=interest)
    interest.status = InterestStatus.ACCEPTED.value
    interest.decided_at = utcnow()
    audit.record("interest.accepted", actor=actor, obj=interest, placement_id=placement.id)
    return placement


def decline_interest(interest: Interest, actor: User) -> None:
    """Decline politely: the landlord hears that the team will not follow this up now, and
    nothing about the household."""
    if interest.status != InterestStatus.OPEN:
        raise refused("decided")
    interest.status = InterestStatus.DECLINED.value
    interest.decided_at = utcnow()
    audit.record("interest.declined", actor=actor, obj=interest)
    recipient = db.session.get(User, interest.created_by_id or -1)
    if recipient is not None and recipient.is_active:
        queue_mail(
            recipient.email,
            "interest_declined",
            recipient.locale,
            name=recipient.full_name,
            code=interest.household.code,
            flat=interest.flat,
        )
