"""Which households fit which flats, and why: one module for both directions (flat →
households, household → flats) and for the landlord's "fits one of my flats" filter.

The hard rules exist twice, on purpose and side by side: as Python (``hard_reasons``) to explain a
single pair, and as SQL (``household_conditions``, ``flat_conditions``) to search thousands of
rows. A property test (tests/placements/test_matching_properties.py) holds them together.

Hard rules
  size     the flat is not larger than the household is granted (area within its area plus
           the WNB tolerance, or rooms within its rooms) and has at most one room fewer than
           granted, never fewer than one (``listings.rules.fits_size``)
  rent     gross cold rent within the household's maximum
  wbs      a flat that requires a WBS only for households holding one for at least as many
           persons
  access   step-free or wheelchair needs met
  move_in  the household can move in at most ``MAX_VACANCY_DAYS`` after the flat is free
  profile  the household is vetted with a valid consent (flat → households only)
Soft score: preferred district, waiting time (longer first), how well the rooms fit, pets;
``score`` for one pair, ``_ranked`` (the same in SQL) to rank the households for a flat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    extract,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import selectinload

from portal.core import clock
from portal.core.i18n import area as fmt_area
from portal.core.i18n import day as fmt_day
from portal.core.i18n import money as fmt_money
from portal.core.i18n import number as fmt_number
from portal.extensions import db
from portal.households.models import Household, household_districts
from portal.households.queries import visible_to_landlords
from portal.listings.models import Flat, FlatStatus
from portal.listings.rules import AREA_TOLERANCE, fits_size

MAX_VACANCY_DAYS = 60
HALF_CENT = Decimal("0.005")
# The soft score, in points: the district, one point per week of waiting (two years at most),
# a room more or fewer than needed, pets where the flat allows none.
PREFERRED, NO_PREFERENCE, ELSEWHERE = 30, 15, 0
MAX_WAITING_WEEKS = 104
PER_ROOM = 10
PETS_NOT_ALLOWED = 20
SECONDS_PER_DAY = 86400
HARD = ("size", "rent", "wbs", "access", "move_in")


@dataclass(frozen=True)
class Reason:
    rule: str
    met: bool
    text: str
    hard: bool = True


@dataclass
class Match:
    flat: Flat
    household: Household
    score: float
    reasons: list[Reason] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return all(r.met for r in self.reasons if r.hard)


# Python: one pair, with reasons -----------------------------------------------------------------


def _size_ok(flat: Flat, h: Household) -> bool:
    return fits_size(flat.rooms, flat.living_area, h.needed_rooms, h.needed_area)


def _rent_ok(flat: Flat, h: Household) -> bool:
    gross = flat.gross_cold_rent
    return (
        gross is not None and h.max_gross_cold_rent is not None and gross <= h.max_gross_cold_rent
    )


def _wbs_ok(flat: Flat, h: Household) -> bool:
    if not flat.wbs_required:
        return True
    return h.has_wbs and (h.wbs_persons or 0) >= (flat.wbs_persons or 1)


def _access_ok(flat: Flat, h: Household) -> bool:
    step_free = flat.is_step_free or flat.is_wheelchair_accessible
    return (not h.needs_step_free or step_free) and (
        not h.needs_wheelchair or flat.is_wheelchair_accessible
    )


def _move_in_ok(flat: Flat, h: Household) -> bool:
    if flat.available_from is None:
        return False
    return h.earliest_move_in <= flat.available_from + timedelta(days=MAX_VACANCY_DAYS)


def is_match(flat: Flat, h: Household) -> bool:
    """All hard rules hold for this pair (the profile rule is the caller's)."""
    return (
        _size_ok(flat, h)
        and _rent_ok(flat, h)
        and _wbs_ok(flat, h)
        and _access_ok(flat, h)
        and _move_in_ok(flat, h)
    )


def hard_reasons(flat: Flat, h: Household) -> list[Reason]:
    """Each hard rule with a sentence in the user's language, met or not."""
    reasons = []
    size_text = _(
        "%(needed)s rooms needed, the flat has %(rooms)s; %(area)s within the %(max_area)s for "
        "%(n)d persons",
        needed=fmt_number(h.needed_rooms),
        rooms=fmt_number(flat.rooms),
        area=fmt_area(flat.living_area),
        max_area=fmt_area(h.needed_area),
        n=h.size,
    )
    if not _size_ok(flat, h):
        size_text = _(
            "%(needed)s rooms and up to %(max_area)s suit %(n)d persons; the flat has %(rooms)s "
            "rooms and %(area)s",
            needed=fmt_number(h.needed_rooms),
            max_area=fmt_area(h.needed_area),
            n=h.size,
            rooms=fmt_number(flat.rooms),
            area=fmt_area(flat.living_area),
        )
    reasons.append(Reason("size", _size_ok(flat, h), size_text))
    if _rent_ok(flat, h):
        rent_text = _(
            "%(gross)s gross cold rent within the %(limit)s limit",
            gross=fmt_money(flat.gross_cold_rent),
            limit=fmt_money(h.max_gross_cold_rent),
        )
    else:
        rent_text = _(
            "%(gross)s gross cold rent is above the %(limit)s limit",
            gross=fmt_money(flat.gross_cold_rent),
            limit=fmt_money(h.max_gross_cold_rent),
        )
    reasons.append(Reason("rent", _rent_ok(flat, h), rent_text))
    if flat.wbs_required:
        wbs_text = (
            _(
                "WBS for %(n)s persons required; the household has one for %(m)s",
                n=flat.wbs_persons or 1,
                m=h.wbs_persons or 0,
            )
            if h.has_wbs
            else _("WBS required; the household has none")
        )
        reasons.append(Reason("wbs", _wbs_ok(flat, h), wbs_text))
    if h.needs_step_free or h.needs_wheelchair:
        reasons.append(
            Reason(
                "access",
                _access_ok(flat, h),
                _("Step-free or wheelchair access as the household needs")
                if _access_ok(flat, h)
                else _("The household needs step-free or wheelchair access"),
            )
        )
    reasons.append(
        Reason(
            "move_in",
            _move_in_ok(flat, h),
            _(
                "Free from %(free)s; the household can move in from %(move)s",
                free=fmt_day(flat.available_from),
                move=fmt_day(h.earliest_move_in),
            ),
        )
    )
    return reasons


def soft_reasons(flat: Flat, h: Household) -> list[Reason]:
    reasons = []
    preferred = {d.id for d in h.preferred_districts}
    if preferred:
        in_preferred = flat.district_id in preferred
        reasons.append(
            Reason(
                "district",
                in_preferred,
                _("In a preferred district") if in_preferred else _("Not in a preferred district"),
                hard=False,
            )
        )
    if h.has_pets:
        reasons.append(
            Reason(
                "pets",
                flat.pets_allowed,
                _("The household has pets; pets are allowed")
                if flat.pets_allowed
                else _("The household has pets; the flat does not allow pets"),
                hard=False,
            )
        )
    return reasons


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
    """Higher is better. ``prefers``: None when the household named no district. ``_ranked``
    orders by the same score in SQL; the property test holds the two together."""
    value = float(NO_PREFERENCE if prefers is None else (PREFERRED if prefers else ELSEWHERE))
    value += min((today - waiting_since).days / 7, MAX_WAITING_WEEKS)
    if flat_rooms is not None:
        value -= PER_ROOM * abs(float(flat_rooms - needed_rooms))
    if has_pets and not flat_pets:
        value -= PETS_NOT_ALLOWED
    return value


def explain(flat: Flat, h: Household, today: date | None = None) -> Match:
    today = today or clock.today()
    preferred = {d.id for d in h.preferred_districts}
    value = score(
        flat.district_id,
        flat.rooms,
        flat.pets_allowed,
        h.waiting_since,
        h.needed_rooms,
        h.has_pets,
        (flat.district_id in preferred) if preferred else None,
        today,
    )
    return Match(flat, h, value, hard_reasons(flat, h) + soft_reasons(flat, h))


# SQL: many rows ---------------------------------------------------------------------------------


def household_conditions(flat: Flat, today: date) -> list[ColumnElement[bool]]:
    """The hard rules, as conditions on Household for this flat, plus visibility."""
    return [*visible_to_landlords(today), *_fit_conditions(flat)]


def _fit_conditions(flat: Flat) -> list[ColumnElement[bool]]:
    """The hard rules alone, as conditions on Household for this flat."""
    gross = flat.gross_cold_rent
    if None in (gross, flat.rooms, flat.living_area, flat.available_from):
        return [false()]
    conditions = [
        Household.max_gross_cold_rent >= gross,
        # The sum is taken here, in Decimal: SQLite would add in floating point.
        or_(
            Household.needed_area >= flat.living_area - AREA_TOLERANCE,
            Household.needed_rooms >= flat.rooms,
        ),
        Household.needed_rooms <= flat.rooms + 1,
        Household.earliest_move_in <= flat.available_from + timedelta(days=MAX_VACANCY_DAYS),
    ]
    if flat.wbs_required:
        conditions += [
            Household.has_wbs.is_(True),
            Household.wbs_persons >= (flat.wbs_persons or 1),
        ]
    if not (flat.is_step_free or flat.is_wheelchair_accessible):
        conditions.append(Household.needs_step_free.is_(False))
    if not flat.is_wheelchair_accessible:
        conditions.append(Household.needs_wheelchair.is_(False))
    return conditions


def flat_conditions(h: Household) -> list[ColumnElement[bool]]:
    """The hard rules, as conditions on published flats for this household."""
    if h.max_gross_cold_rent is None:
        return [false()]
    conditions = [
        Flat.status == FlatStatus.PUBLISHED.value,
        Flat.cold_rent.is_not(None),
        Flat.service_charges.is_not(None),
        Flat.rooms.is_not(None),
        Flat.living_area.is_not(None),
        Flat.available_from.is_not(None),
        # SQLite adds the two columns in floating point (527.70 + 160.10 = 687.8000000000001);
        # half a cent absorbs that and changes nothing for amounts in whole cents.
        Flat.cold_rent + Flat.service_charges < h.max_gross_cold_rent + HALF_CENT,
        or_(Flat.living_area <= h.needed_area + AREA_TOLERANCE, Flat.rooms <= h.needed_rooms),
        Flat.rooms >= max(Decimal(1), h.needed_rooms - 1),
        Flat.available_from >= h.earliest_move_in - timedelta(days=MAX_VACANCY_DAYS),
    ]
    if h.has_wbs and h.wbs_persons:
        conditions.append(
            or_(Flat.wbs_required.is_(False), func.coalesce(Flat.wbs_persons, 1) <= h.wbs_persons)
        )
    else:
        conditions.append(Flat.wbs_required.is_(False))
    if h.needs_step_free:
        conditions.append(or_(Flat.is_step_free.is_(True), Flat.is_wheelchair_accessible.is_(True)))
    if h.needs_wheelchair:
        conditions.append(Flat.is_wheelchair_accessible.is_(True))
    return conditions


def fits_any_of(flats: list[Flat], today: date) -> ColumnElement[bool]:
    """Visible households that fit at least one of ``flats`` (the landlord's filter)."""
    if not flats:
        return false()
    # Visibility once, not once per flat: repeated in every branch of the OR, PostgreSQL
    # evaluated the consent subquery as a scan of all consents.
    return and_(
        *visible_to_landlords(today),
        or_(*(and_(*_fit_conditions(flat)) for flat in flats)),
    )


def rank_households(flat: Flat, limit: int = 50, today: date | None = None) -> list[Match]:
    """The households that fit ``flat``, best first (by ``score``, then longer waiting, then
    id), with reasons. The database ranks the candidates, so only the ``limit`` best rows
    leave it, whatever the number of households that fit."""
    today = today or clock.today()
    conditions = household_conditions(flat, today)
    if flat.rooms is None:  # fits nobody (``conditions`` says so); nothing to rank by
        return []
    ids = db.session.scalars(
        _ranked(select(Household.id).where(*conditions), flat, today).limit(limit)
    ).all()
    households = _load_households(list(ids))
    return [explain(flat, households[household_id], today) for household_id in ids]


def _ranked(query: Select, flat: Flat, today: date) -> Select:
    """``query`` in the order of ``score`` (then longer waiting, then id), computed by the
    database in sevenths of a point: whole numbers, so that equal scores tie on every database
    as they do in Python."""
    preference = (
        select(
            household_districts.c.household_id,
            func.max(
                case(
                    (household_districts.c.district_id == flat.district_id, PREFERRED),
                    else_=ELSEWHERE,
                )
            ).label("points"),
        )
        .group_by(household_districts.c.household_id)
        .subquery()
    )
    # extract("epoch") is the one date difference SQLite and PostgreSQL share.
    days = (_epoch(today) - extract("epoch", Household.waiting_since)) / SECONDS_PER_DAY
    longest = today - timedelta(weeks=MAX_WAITING_WEEKS)
    sevenths = (
        7 * func.coalesce(preference.c.points, NO_PREFERENCE)
        + case((Household.waiting_since <= longest, 7 * MAX_WAITING_WEEKS), else_=days)
        - 7 * PER_ROOM * func.abs(Household.needed_rooms - flat.rooms)
    )
    if not flat.pets_allowed:
        sevenths -= case((Household.has_pets.is_(True), 7 * PETS_NOT_ALLOWED), else_=0)
    return query.outerjoin(preference, preference.c.household_id == Household.id).order_by(
        sevenths.desc(), Household.waiting_since, Household.id
    )


def _epoch(day: date) -> int:
    """Seconds from 1970-01-01 to the start of ``day``, as SQL's extract("epoch") counts."""
    return (day - date(1970, 1, 1)).days * SECONDS_PER_DAY


def rank_flats(h: Household, limit: int = 50, today: date | None = None) -> list[Match]:
    """The published flats that fit household ``h``, best first, with reasons."""
    today = today or clock.today()
    flats = db.session.scalars(
        select(Flat)
        .where(*flat_conditions(h))
        .options(selectinload(Flat.district), selectinload(Flat.organisation))
    ).all()
    matches = sorted(
        (explain(flat, h, today) for flat in flats), key=lambda m: (-m.score, m.flat.id)
    )
    return matches[:limit]


def _load_households(ids: list[int]) -> dict[int, Household]:
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Household)
        .where(Household.id.in_(ids))
        .options(selectinload(Household.preferred_districts))
    ).all()
    return {h.id: h for h in rows}


__all__ = [
    "HARD",
    "MAX_VACANCY_DAYS",
    "Match",
    "Reason",
    "explain",
    "fits_any_of",
    "flat_conditions",
    "hard_reasons",
    "household_conditions",
    "is_match",
    "rank_flats",
    "rank_households",
    "true",
    "visible_to_landlords",
]
