"""What placements show on pages of lower floors (their hooks, portal.core.hooks): the open
landlord interests on the staff page of a household, the placements of a flat on the landlord's
page of the flat."""

from __future__ import annotations

from typing import Any

from portal.core.pagination import HOME_ROWS
from portal.households.backoffice import HOUSEHOLD_PAGE
from portal.households.models import Household
from portal.listings.models import Flat
from portal.listings.views import FLAT_PAGE as LANDLORD_FLAT_PAGE
from portal.placements.presenters import landlord_placements
from portal.placements.queries import latest_open_interests


@HOUSEHOLD_PAGE.connect
def open_interests(household: Household, *, social_worker: bool) -> dict[str, Any]:
    """The newest open interests and the number of all; the page links to all of them
    (placements.backoffice.starting.household_interests)."""
    interests, total = latest_open_interests(household.id, HOME_ROWS)
    return {"interests": interests, "interests_total": total}


@LANDLORD_FLAT_PAGE.connect
def placements_of_flat(flat: Flat, *, organisation_id: int) -> dict[str, Any]:
    return {"placements": landlord_placements(organisation_id, flat_id=flat.id)}
