"""The matching rules for one flat and one household, as plain Python: each hard rule as a
predicate, and the soft score. ``search`` holds the same rules as SQL; the property test
(tests/placements/test_matching_properties.py) holds the two together."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from portal.households.limits import limit_of
from portal.households.models import Household
from portal.listings.models import Flat
from portal.listings.rules import RentLimitTable, limits_in_force, within_grant
from portal.sites.models import DEFAULT_SITE_ID

MAX_VACANCY_DAYS = 60
HARD = ("site", "size", "rent", "wbs", "access", "move_in")
# The soft score, in points: the district, one point per week of waiting (two years at most),
# a room more or fewer than needed, pets where the flat allows none.
PREFERRED, NO_PREFERENCE, ELSEWHERE = 30, 15, 0
MAX_WAITING_WEEKS = 104
PER_ROOM = 10
PETS_NOT_ALLOWED = 20


def same_site(flat: Flat, h: Household) -> bool:
    """Matching stays within a site (a row not yet flushed is in the default site)."""
    return (flat.site_id or DEFAULT_SITE_ID) == (h.site_id or DEFAULT_SITE_ID)


def size_ok(flat: Flat, h: Household) -> bool:
    """Floor area and rooms bind only a flat that requires a WBS (not larger than the household
    is granted); any other flat of known size fits when its rent does (product theory)."""
    if flat.rooms is None or flat.living_area is None:
        return False
    if not flat.wbs_required:
        return True
    return within_grant(flat.rooms, flat.living_area, h.needed_rooms, h.needed_area)


def rooms_as_wished(flat: Flat, h: Household) -> bool:
    """At least as many rooms as the household needs: a preference, not a hard rule."""
    return flat.rooms is not None and flat.rooms >= h.needed_rooms


def rent_ok(flat: Flat, h: Household, table: RentLimitTable | None = None) -> bool:
    """Gross cold rent within the household's limit: the staff's override, else the row of
    ``table`` (the table in force today when not given) for its size."""
    return limit_of(h, table=table or limits_in_force(site_id=h.site_id)).allows(
        flat.gross_cold_rent
    )


def wbs_ok(flat: Flat, h: Household) -> bool:
    if not flat.wbs_required:
        return True
    return h.has_wbs and (h.wbs_persons or 0) >= (flat.wbs_persons or 1)


def access_ok(flat: Flat, h: Household) -> bool:
    step_free = flat.is_step_free or flat.is_wheelchair_accessible
    return (not h.needs_step_free or step_free) and (
        not h.needs_wheelchair or flat.is_wheelchair_accessible
    )


def move_in_ok(flat: Flat, h: Household) -> bool:
    if flat.available_from is None:
        return False
    return h.earliest_move_in <= flat.available_from + timedelta(days=MAX_VACANCY_DAYS)


def is_match(flat: Flat, h: Household, table: RentLimitTable | None = None) -> bool:
    """All hard rules hold for this pair (the profile rule is the caller's); the rent by
    ``table`` (the table in force today when not given)."""
    return (
        same_site(flat, h)
        and size_ok(flat, h)
        and rent_ok(flat, h, table)
        and wbs_ok(flat, h)
        and access_ok(flat, h)
        and move_in_ok(flat, h)
    )


def score(
    flat_district_id: int | None,
    flat_rooms: Decimal | None,
    flat_pets: bool,
    waiting_since: date,
    needed_rooms: Decimal,
    has_pets: bool,
    prefers: bool | None,
    today: date,
) -> float:
    """Higher is better. ``prefers``: None when the household named no district. The search
    orders by the same score in SQL; the property test holds the two together."""
    value = float(NO_PREFERENCE if prefers is None else (PREFERRED if prefers else ELSEWHERE))
    value += min((today - waiting_since).days / 7, MAX_WAITING_WEEKS)
    if flat_rooms is not None:
        value -= PER_ROOM * abs(float(flat_rooms - needed_rooms))
    if has_pets and not flat_pets:
        value -= PETS_NOT_ALLOWED
    return value
