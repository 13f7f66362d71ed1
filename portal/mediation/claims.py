"""A mediation request sent without logging in reaches the account of its sender: when the
request's e-mail address is the confirmed address of a landlord's account, the case joins that
account's organisation ("my requests"), at once when the account exists, or when the account's
address is confirmed later.

Only a confirmed address counts: anyone can register an account with somebody else's address,
and an unconfirmed account must never see what was sent from that address. The request's own
address is not proved by anyone; matching it gives the address's owner the request, never
anything the sender could not see already."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import ADDRESS_CONFIRMED, Role, User, normalise_email
from portal.core import audit
from portal.extensions import db
from portal.mediation.models import MediationCase


def _owner_of(email: str | None) -> User | None:
    """The active landlord account whose confirmed address is ``email``, if any."""
    if not email:
        return None
    return db.session.scalar(
        select(User).where(
            User.email == normalise_email(email),
            User.email_verified_at.is_not(None),
            User.is_active.is_(True),
            User.role == Role.LANDLORD,
            User.organisation_id.is_not(None),
        )
    )


def _attach(case: MediationCase, user: User) -> None:
    case.organisation_id = user.organisation_id
    case.user_id = user.id
    audit.record(
        "mediation.claimed", obj=case, user_id=user.id, organisation_id=user.organisation_id
    )


def match_request(case: MediationCase) -> bool:
    """At request time: a case sent without an account joins the account with that confirmed
    address. True when it did."""
    if case.organisation_id is not None:
        return False
    user = _owner_of(case.email)
    if user is None:
        return False
    _attach(case, user)
    return True


@ADDRESS_CONFIRMED.connect
def claim_requests(user: User) -> int:
    """At confirmation time: the requests sent earlier from the now confirmed address, and not
    yet in any organisation, join the account's organisation. Returns how many."""
    if user.role != Role.LANDLORD or user.organisation_id is None or not user.is_verified:
        return 0
    cases = db.session.scalars(
        select(MediationCase).where(
            MediationCase.organisation_id.is_(None),
            func.lower(func.trim(MediationCase.email)) == normalise_email(user.email),
        )
    ).all()
    for case in cases:
        _attach(case, user)
    return len(cases)
