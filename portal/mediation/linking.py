"""Which placements a mediation case may be linked to: those that fit the case (the sender's
organisation's, the named flat's, the one linked now), and those a staff search finds by the
household's code, the placement's key or the flat's street. Staff choose from these; nobody
types a number."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.core.i18n import day
from portal.extensions import db
from portal.households.models import Household
from portal.listings.models import Flat
from portal.mediation.models import MediationCase
from portal.placements.labels import state_label
from portal.placements.models import Placement

LIMIT = 30


def _query():
    return (
        select(Placement)
        .join(Flat, Flat.id == Placement.flat_id)
        .join(Household, Household.id == Placement.household_id)
        .options(
            selectinload(Placement.flat),
            selectinload(Placement.household).load_only(Household.code),
        )
        .order_by(Placement.created_at.desc(), Placement.id.desc())
        .limit(LIMIT)
    )


def fitting(case: MediationCase) -> list[Placement]:
    """The placements of the case's organisation and flat, and the linked one."""
    conditions = []
    if case.organisation_id is not None:
        conditions.append(Flat.organisation_id == case.organisation_id)
    if case.flat_id is not None:
        conditions.append(Placement.flat_id == case.flat_id)
    if case.placement_id is not None:
        conditions.append(Placement.id == case.placement_id)
    if not conditions:
        return []
    return list(db.session.scalars(_query().where(or_(*conditions))))


def search(text: str | None) -> list[Placement]:
    """Placements whose household code, key or flat street contains ``text``."""
    text = " ".join((text or "").split())[:100]
    if len(text) < 2:
        return []
    # LIKE's own signs are dropped, so a search never becomes a pattern.
    for sign in ("\\", "%", "_"):
        text = text.replace(sign, "")
    pattern = f"%{text}%"
    return list(
        db.session.scalars(
            _query().where(
                or_(
                    Household.code.ilike(pattern),
                    Placement.public_key.ilike(pattern),
                    Flat.street.ilike(pattern),
                )
            )
        )
    )


def label(placement: Placement) -> str:
    return " · ".join(
        [
            placement.household.code,
            placement.flat.address_line or "–",
            state_label(placement.state),
            day(placement.created_at),
        ]
    )


def choices(case: MediationCase, text: str | None) -> list[tuple[int, str]]:
    """(id, label) for the select: the fitting placements first, then the search's."""
    seen: dict[int, str] = {}
    for placement in fitting(case) + search(text):
        seen.setdefault(placement.id, label(placement))
    return list(seen.items())
