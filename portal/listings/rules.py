"""The rules a flat is measured by: the rent limits (Kosten der Unterkunft), the floor-area
rule of the NRW housing-funding guidelines (WNB), and postcode and district agreeing. One
place, used by the flat pages, the back office filters and the matching of households.

The reference tables belong to a site (DESIGN.md §9): every reader names the site whose rows it
reads (``site_id``, the default site when not given) with an explicit condition, never relying
on the staff filter (``portal.sites.scope``), since landlords and jobs are not filtered."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.listings.models import District, DistrictPostcode, RentLimit, RentLimitExtraPerson
from portal.sites.models import DEFAULT_SITE_ID, Site, SiteStatus
from portal.sites.scope import ALL_SITES

# WNB: 50 m² for one person, 65 m² or 2 rooms for two, +15 m² or one room per further person.
AREA_FIRST_PERSON = Decimal("50")
AREA_PER_FURTHER_PERSON = Decimal("15")
# The Jobcenter accepts a flat slightly above the guideline area; we allow 5 m².
AREA_TOLERANCE = Decimal("5")
MAX_HOUSEHOLD_SIZE = 12

# The energy certificate's details (GEG § 87): all of them, or none while the certificate is
# "not yet available".
ENERGY_FIELDS = (
    "energy_kind",
    "energy_value",
    "energy_carrier",
    "building_year",
    "energy_class",
    "energy_valid_until",
)
# What a flat needs before it may be submitted for review (besides the energy details and, when
# a WBS is required, for how many persons).
REQUIRED_FOR_SUBMISSION = (
    "street",
    "house_number",
    "postcode",
    "district_id",
    "floor",
    "rooms",
    "living_area",
    "cold_rent",
    "service_charges",
    "heating_costs",
    "warm_water",
    "deposit",
    "available_from",
    "description",
)


def missing_for_submission(values: Mapping[str, Any]) -> dict[str, str]:
    """The fields of a flat (its values by field name) still empty before it may be submitted,
    each with why: ``needed``, or ``energy`` (needed unless the certificate is not yet
    available). Empty when the flat is complete."""

    def empty(name: str) -> bool:
        return values.get(name) in (None, "")

    missing = {name: "needed" for name in REQUIRED_FOR_SUBMISSION if empty(name)}
    if not values.get("energy_certificate_pending"):
        missing.update({name: "energy" for name in ENERGY_FIELDS if empty(name)})
    if values.get("wbs_required") and empty("wbs_persons"):
        missing["wbs_persons"] = "needed"
    return missing


def max_area_for(persons: int) -> Decimal:
    """The largest living area the WNB considers appropriate for ``persons``."""
    if persons < 1:
        raise ValueError("a household has at least one person")
    return AREA_FIRST_PERSON + AREA_PER_FURTHER_PERSON * (persons - 1)


def rooms_for(persons: int) -> int:
    """The rooms the WNB grants ``persons``: one for a single person, otherwise one per person."""
    if persons < 1:
        raise ValueError("a household has at least one person")
    return 1 if persons == 1 else persons


def fits_size(
    rooms: Decimal | None, area: Decimal | None, needed_rooms: Decimal, needed_area: Decimal
) -> bool:
    """True when a flat of ``rooms`` and ``area`` suits a household granted ``needed_rooms``
    and ``needed_area``: not larger than granted (area within it plus the tolerance, or rooms
    within the rooms), and no fewer rooms than granted (never fewer than one): a household
    granted 3 rooms does not fit a flat of 2.5. A household that accepts fewer rooms has its
    grant lowered by the social worker, so the rule itself never guesses."""
    if rooms is None or area is None:
        return False
    not_too_big = area <= needed_area + AREA_TOLERANCE or rooms <= needed_rooms
    return not_too_big and rooms >= max(Decimal(1), needed_rooms)


def within_grant(
    rooms: Decimal | None, area: Decimal | None, needed_rooms: Decimal, needed_area: Decimal
) -> bool:
    """True when a flat of ``rooms`` and ``area`` is not larger than a household granted
    ``needed_rooms`` and ``needed_area`` may rent: area within the grant plus the tolerance, or
    rooms within the rooms. The hard size rule for flats that require a WBS (the WBS is issued
    for a size); for other flats the rent alone decides (product theory). Fewer rooms than
    granted is a matter of preference, never a hard rule."""
    if rooms is None or area is None:
        return False
    return area <= needed_area + AREA_TOLERANCE or rooms <= needed_rooms


def area_suits(rooms: Decimal | None, area: Decimal | None, persons: int) -> bool:
    """``fits_size`` with what the WNB grants ``persons``."""
    return fits_size(rooms, area, Decimal(rooms_for(persons)), max_area_for(persons))


def suitable_sizes(rooms: Decimal | None, area: Decimal | None) -> list[int]:
    return [n for n in range(1, MAX_HOUSEHOLD_SIZE + 1) if area_suits(rooms, area, n)]


@dataclass(frozen=True)
class LimitRow:
    """Where a household size's limit comes from: the table's row for ``size`` valid from
    ``valid_from`` (its ``amount``), and for a larger household (``persons`` > ``size``) the
    amount per further person valid from ``extra_from``. ``limit`` is what it adds up to."""

    persons: int
    size: int
    amount: Decimal
    valid_from: date
    extra: Decimal | None = None
    extra_from: date | None = None

    @property
    def further_persons(self) -> int:
        return self.persons - self.size

    @property
    def limit(self) -> Decimal:
        return self.amount + (self.extra or Decimal(0)) * self.further_persons


@dataclass(frozen=True)
class RentLimitTable:
    """The maximum gross cold rents in force on one day, by household size, and the amount per
    further person for households larger than the largest size in the table."""

    on: date
    limits: dict[int, Decimal] = field(default_factory=dict)
    site_id: int = DEFAULT_SITE_ID  # the site whose table this is
    valid_since: date | None = None  # the newest "valid from" among the rows in force
    sources: tuple[str, ...] = ()
    valid_from: dict[int, date] = field(default_factory=dict)  # by household size
    per_further_person: Decimal | None = None
    per_further_person_from: date | None = None

    def row_for(self, persons: int) -> LimitRow | None:
        """The row a household of ``persons`` is measured by, or None when the table has none:
        no rows, or a household beyond the largest size and no amount per further person."""
        if persons < 1 or not self.limits:
            return None
        if persons in self.limits:
            return LimitRow(persons, persons, self.limits[persons], self.valid_from[persons])
        largest = max(self.limits)
        if persons < largest or self.per_further_person is None:
            return None  # a gap in the table: nothing to guess from
        return LimitRow(
            persons,
            largest,
            self.limits[largest],
            self.valid_from[largest],
            self.per_further_person,
            self.per_further_person_from,
        )

    def limit_for(self, persons: int) -> Decimal | None:
        row = self.row_for(persons)
        return None if row is None else row.limit

    def affordable_sizes(self, gross_cold_rent: Decimal | None) -> list[int]:
        """Household sizes (1 to ``MAX_HOUSEHOLD_SIZE``) whose limit the rent does not exceed."""
        if gross_cold_rent is None:
            return []
        return [
            n
            for n in range(1, MAX_HOUSEHOLD_SIZE + 1)
            if (limit := self.limit_for(n)) is not None and gross_cold_rent <= limit
        ]


def rows_in_force(model: Any, key: Any, on: date, *, site_id: int = DEFAULT_SITE_ID) -> list[Any]:
    """Per value of ``key`` (a column of ``model``), the row of site ``site_id`` with the latest
    ``valid_from`` on or before ``on``: reference tables that change from a date on (rent
    limits, heating thresholds). One query."""
    latest = (
        select(key, func.max(model.valid_from).label("valid_from"))
        .where(model.site_id == site_id, model.valid_from <= on)
        .group_by(key)
        .subquery()
    )
    joined = (key == latest.c[key.key]) & (model.valid_from == latest.c.valid_from)
    return list(
        db.session.scalars(select(model).join(latest, joined).where(model.site_id == site_id))
    )


def taken_on(
    model: Any, key: Any, valid_from: date, keys: Iterable[Any], *, site_id: int = DEFAULT_SITE_ID
) -> set[Any]:
    """The values of ``key`` among ``keys`` that already have a row of ``model`` of site
    ``site_id`` valid from ``valid_from``: a dated reference table takes one row per site, key
    and day. One query."""
    keys = list(keys)
    if not keys:
        return set()
    return set(
        db.session.scalars(
            select(key).where(
                model.site_id == site_id, model.valid_from == valid_from, key.in_(keys)
            )
        )
    )


def limits_in_force(on: date | None = None, *, site_id: int = DEFAULT_SITE_ID) -> RentLimitTable:
    """For each household size, the row of site ``site_id`` with the latest ``valid_from`` on or
    before ``on`` (today by default), and the site's amount per further person in force then.
    Two queries."""
    on = on or clock.today()
    rows = rows_in_force(RentLimit, RentLimit.household_size, on, site_id=site_id)
    extra = db.session.scalars(
        select(RentLimitExtraPerson)
        .where(RentLimitExtraPerson.site_id == site_id, RentLimitExtraPerson.valid_from <= on)
        .order_by(RentLimitExtraPerson.valid_from.desc())
        .limit(1)
    ).first()
    if not rows:
        return RentLimitTable(on=on, site_id=site_id)
    return RentLimitTable(
        on=on,
        site_id=site_id,
        limits={row.household_size: row.max_gross_cold_rent for row in rows},
        valid_since=max(row.valid_from for row in rows),
        sources=tuple(sorted({row.source for row in rows})),
        valid_from={row.household_size: row.valid_from for row in rows},
        per_further_person=extra.amount if extra else None,
        per_further_person_from=extra.valid_from if extra else None,
    )


def rent_limit_for(
    persons: int, on: date | None = None, *, site_id: int = DEFAULT_SITE_ID
) -> Decimal | None:
    """The maximum gross cold rent for a household of ``persons`` by site ``site_id``'s table in
    force on ``on`` (today by default); None when the table has no figure for it."""
    return limits_in_force(on, site_id=site_id).limit_for(persons)


def size_range(sizes: list[int]) -> tuple[int, int] | None:
    """(first, last) of a list of sizes, or None when empty."""
    return (min(sizes), max(sizes)) if sizes else None


# Address: postcode and district must agree (the district_postcodes table) -------------------


@lru_cache(maxsize=1)
def reference_data() -> dict:
    """Duisburg's districts, postcodes and first rent limits (data/duisburg.json): the seed of
    the default site (``listings.reference``, the migrations). The rules read the database."""
    raw = resources.files("portal.listings").joinpath("data/duisburg.json").read_text("utf-8")
    return json.loads(raw)


def postcode_district_ids(postcode: str) -> set[int]:
    """The districts of active sites that ``postcode`` reaches (empty: not a postcode of any
    active site). Reference data of every site, whoever asks: read past the staff filter. One
    query."""
    return set(
        db.session.scalars(
            select(DistrictPostcode.district_id)
            .join(District, District.id == DistrictPostcode.district_id)
            .join(Site, Site.id == District.site_id)
            .where(DistrictPostcode.postcode == postcode, Site.status == SiteStatus.ACTIVE.value)
            .execution_options(**{ALL_SITES: True})
        )
    )


def active_site_names() -> list[str]:
    """The names of the active sites, the default site first: where flats may be offered."""
    return list(
        db.session.scalars(
            select(Site.name).where(Site.status == SiteStatus.ACTIVE.value).order_by(Site.id)
        )
    )


def address_problem(postcode: str | None, district_id: int | None) -> str | None:
    """Why a postcode and district cannot stand together: ``postcode`` (no district of an
    active site has it), ``district`` (the district is not one the postcode reaches), or None
    when they agree or one of them is still missing (a draft may be half done)."""
    postcode = (postcode or "").strip() or None
    if postcode is None:
        return None
    reached = postcode_district_ids(postcode)
    if not reached:
        return "postcode"
    if district_id is not None and district_id not in reached:
        return "district"
    return None
