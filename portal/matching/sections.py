"""The matching lists on the staff pages of a flat and a household (hooks of listings and
households, portal.core.hooks), with where a placement of the pair is already under way."""

from __future__ import annotations

from typing import Any

from portal.households.backoffice import HOUSEHOLD_PAGE
from portal.households.models import Household
from portal.listings.backoffice import FLAT_PAGE
from portal.listings.models import Flat, FlatStatus
from portal.matching.rules import rank_flats, rank_households
from portal.placements.queries import open_placements


@FLAT_PAGE.connect
def households_that_fit(flat: Flat) -> dict[str, Any]:
    # Only a published flat is offered to households; rank_households shows visible ones only.
    matches = rank_households(flat) if flat.status == FlatStatus.PUBLISHED else None
    return {
        "matches": matches,
        "in_progress": open_placements(flat_id=flat.id) if matches else {},
    }


@HOUSEHOLD_PAGE.connect
def flats_that_fit(household: Household, *, social_worker: bool) -> dict[str, Any]:
    matches = rank_flats(household)
    return {
        "matches": matches,
        "in_progress": open_placements(household_id=household.id) if matches else {},
    }
