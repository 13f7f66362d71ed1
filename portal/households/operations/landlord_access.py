"""What a landlord may do with a profile: registering interest needs a known landlord; every
opened profile is recorded."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.households.models import Household, ProfileView
from portal.listings.models import Flat, FlatStatus


def record_view(household: Household, viewer: User) -> None:
    """A landlord organisation opened the profile."""
    db.session.add(
        ProfileView(
            household_id=household.id, organisation_id=viewer.organisation_id, user_id=viewer.id
        )
    )


def landlord_may_register_interest(user: User) -> bool:
    """Verified, and at least one flat submitted once (so the team knows the landlord)."""
    if not user.is_verified or user.organisation_id is None:
        return False
    return (
        db.session.scalar(
            select(func.count(Flat.id)).where(
                Flat.organisation_id == user.organisation_id, Flat.submitted_at.is_not(None)
            )
        )
        > 0
    )


def interest_blocked(user: User, has_published_flat: bool) -> str | None:
    """Why this landlord cannot register interest now (``unverified``, ``no_submitted_flat``,
    ``no_published_flat`` unless ``has_published_flat``: one in the household's site), or
    None."""
    if not user.is_verified:
        return "unverified"
    if not landlord_may_register_interest(user):
        return "no_submitted_flat"
    if not has_published_flat:
        return "no_published_flat"
    return None


def _published_of(user: User, site_id: int | None) -> Select:
    query = select(Flat).where(
        Flat.organisation_id == user.organisation_id,
        Flat.status == FlatStatus.PUBLISHED.value,
    )
    return query.where(Flat.site_id == site_id) if site_id is not None else query


def has_published_flat(user: User, site_id: int | None = None) -> bool:
    """Whether the organisation has a published flat (of site ``site_id`` when given): one
    EXISTS, which stops at the first flat found; no flat is loaded."""
    if user.organisation_id is None:
        return False
    return bool(db.session.scalar(select(_published_of(user, site_id).exists())))


def published_flat_of(user: User, public_key: str | None) -> Flat | None:
    """The organisation's published flat with ``public_key`` (of any site), or None: a key of
    another organisation's flat, an unpublished one or none at all reads as no flat."""
    if not public_key:
        return None
    return db.session.scalar(
        select(Flat).where(
            Flat.public_key == public_key,
            Flat.organisation_id == user.organisation_id,
            Flat.status == FlatStatus.PUBLISHED.value,
        )
    )
