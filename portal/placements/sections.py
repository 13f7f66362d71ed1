"""What placements show on pages of lower floors (their hooks, portal.core.hooks): the open
landlord interests on the staff page of a household, the placements of a flat on the landlord's
page of the flat."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.households.backoffice import HOUSEHOLD_PAGE
from portal.households.models import Household
from portal.listings.models import Flat
from portal.listings.views import FLAT_PAGE as LANDLORD_FLAT_PAGE
from portal.placements.models import Interest, InterestStatus
from portal.placements.presenters import landlord_placements


@HOUSEHOLD_PAGE.connect
def open_interests(household: Household, *, social_worker: bool) -> dict[str, Any]:
    interests = db.session.scalars(
        select(Interest)
        .where(
            Interest.household_id == household.id,
            Interest.status == InterestStatus.OPEN.value,
        )
        .options(selectinload(Interest.flat).selectinload(Flat.organisation))
        .order_by(Interest.created_at.desc(), Interest.id.desc())
    ).all()
    return {"interests": interests}


@LANDLORD_FLAT_PAGE.connect
def placements_of_flat(flat: Flat, *, organisation_id: int) -> dict[str, Any]:
    return {"placements": landlord_placements(organisation_id, flat_id=flat.id)}
