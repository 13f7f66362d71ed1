"""The matching rules as SQL, to search and rank thousands of rows: the households that fit a
flat, the flats that fit a household, the landlord's "fits one of my flats" filter. The same
rules as Python are in ``predicates``; the property test holds the two together. Matching stays
within a site: a flat is offered to households of its own site only, and the other way round
(DESIGN.md section 9)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    extract,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from portal.core import clock
from portal.core.sql import days_between
from portal.extensions import db
from portal.households.limits import limit_of
from portal.households.models import Household, household_districts
from portal.households.queries import sites_with_published_flat, visible_to_landlords
from portal.listings.models import Flat, FlatStatus
from portal.listings.rules import (
    AREA_TOLERANCE,
    MAX_HOUSEHOLD_SIZE,
    RentLimitTable,
    limits_in_force,
)
from portal.matching.predicates import (
    ELSEWHERE,
    MAX_VACANCY_DAYS,
    MAX_WAITING_WEEKS,
    NO_PREFERENCE,
    PER_ROOM,
    PETS_NOT_ALLOWED,
    PREFERRED,
)
from portal.matching.reasons import Match, explain
from portal.sites.models import DEFAULT_SITE_ID

HALF_CENT = Decimal("0.005")
SECONDS_PER_DAY = 86400


def household_conditions(
    flat: Flat, today: date, table: RentLimitTable | None = None
) -> list[ColumnElement[bool]]:
    """The hard rules, as conditions on Household for this flat, plus visibility; the rent by
    ``table`` (the rent-limit table in force on ``today`` when not given)."""
    table = table or limits_in_force(today, site_id=flat.site_id)
    return [*visible_to_landlords(today), *_fit_conditions(flat, table)]


def _rent_condition(gross: Decimal, table: RentLimitTable) -> ColumnElement[bool]:
    """The household's override where staff set one, else the table's limit for its size: the
    sizes the table allows this rent are computed here, so no limit is stored or joined."""
    override = Household.max_gross_cold_rent >= gross
    sizes = table.affordable_sizes(gross)
    if not sizes:
        return override
    by_table = and_(
        Household.max_gross_cold_rent.is_(None),
        (Household.adults + Household.children).in_(sizes),
    )
    return or_(override, by_table)


def _site_of(row: Flat | Household) -> int:
    """The row's site; one not yet flushed is in the default site, as it will be."""
    return row.site_id if row.site_id is not None else DEFAULT_SITE_ID


def _fit_conditions(flat: Flat, table: RentLimitTable) -> list[ColumnElement[bool]]:
    """The hard rules alone, as conditions on Household for this flat (of the flat's site)."""
    gross = flat.gross_cold_rent
    if None in (gross, flat.rooms, flat.living_area, flat.available_from):
        return [false()]
    conditions = [
        Household.site_id == _site_of(flat),
        _rent_condition(gross, table),
        Household.earliest_move_in <= flat.available_from + timedelta(days=MAX_VACANCY_DAYS),
    ]
    if flat.wbs_required:
        # Size binds only here (product theory elsewhere; ``listings.rules.within_grant``).
        # The sum is taken here, in Decimal: SQLite would add in floating point.
        conditions += [
            or_(
                Household.needed_area >= flat.living_area - AREA_TOLERANCE,
                Household.needed_rooms >= flat.rooms,
            ),
            Household.has_wbs.is_(True),
            Household.wbs_persons >= (flat.wbs_persons or 1),
        ]
    if not (flat.is_step_free or flat.is_wheelchair_accessible):
        conditions.append(Household.needs_step_free.is_(False))
    if not flat.is_wheelchair_accessible:
        conditions.append(Household.needs_wheelchair.is_(False))
    return conditions


def flat_conditions(h: Household, table: RentLimitTable | None = None) -> list[ColumnElement[bool]]:
    """The hard rules, as conditions on published flats of the household's site for this
    household; its limit by ``table`` (the rent-limit table in force today when not given).
    None for a household off the market (its lease is signed: it is offered no flat any
    more)."""
    if h.off_market_at is not None:
        return [false()]
    limit = limit_of(h, table=table or limits_in_force(site_id=h.site_id)).amount
    if limit is None:
        return [false()]
    conditions = [
        Flat.site_id == _site_of(h),
        Flat.status == FlatStatus.PUBLISHED.value,
        Flat.cold_rent.is_not(None),
        Flat.service_charges.is_not(None),
        Flat.rooms.is_not(None),
        Flat.living_area.is_not(None),
        Flat.available_from.is_not(None),
        # SQLite adds the two columns in floating point (527.70 + 160.10 = 687.8000000000001);
        # half a cent absorbs that and changes nothing for amounts in whole cents.
        Flat.cold_rent + Flat.service_charges < limit + HALF_CENT,
        # Size binds only a flat that requires a WBS (product theory elsewhere).
        or_(
            Flat.wbs_required.is_(False),
            Flat.living_area <= h.needed_area + AREA_TOLERANCE,
            Flat.rooms <= h.needed_rooms,
        ),
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


def fits_any_of(organisation_id: int | None, today: date) -> ColumnElement[bool]:
    """Visible households that fit at least one of the organisation's published flats (the
    landlord's filter): one correlated subquery over its flats, the hard rules written between
    the two tables' columns, so that the statement is the same whatever the number of flats
    and no flat is loaded for it. The same rules as ``_fit_conditions``, which writes them
    for one flat whose figures are known."""
    if organisation_id is None:
        return false()
    published = (Flat.organisation_id == organisation_id, Flat.status == FlatStatus.PUBLISHED.value)
    sites = db.session.scalars(sites_with_published_flat(organisation_id).distinct()).all()
    if not sites:
        return false()
    gross = Flat.cold_rent + Flat.service_charges
    by_table = _by_table(gross, {site: limits_in_force(today, site_id=site) for site in sites})
    fitting_flat = select(literal(1)).where(
        *published,
        Flat.site_id == Household.site_id,
        Flat.cold_rent.is_not(None),
        Flat.service_charges.is_not(None),
        Flat.rooms.is_not(None),
        Flat.living_area.is_not(None),
        Flat.available_from.is_not(None),
        # Half a cent absorbs SQLite's floating-point sums (see ``flat_conditions``).
        or_(
            Household.max_gross_cold_rent + HALF_CENT > gross,
            and_(Household.max_gross_cold_rent.is_(None), by_table),
        ),
        days_between(Flat.available_from, Household.earliest_move_in) <= MAX_VACANCY_DAYS,
        or_(
            Flat.wbs_required.is_(False),
            and_(
                or_(
                    Household.needed_area + (AREA_TOLERANCE + HALF_CENT) > Flat.living_area,
                    Household.needed_rooms >= Flat.rooms,
                ),
                Household.has_wbs.is_(True),
                Household.wbs_persons >= func.coalesce(func.nullif(Flat.wbs_persons, 0), 1),
            ),
        ),
        or_(
            Household.needs_step_free.is_(False),
            Flat.is_step_free.is_(True),
            Flat.is_wheelchair_accessible.is_(True),
        ),
        or_(Household.needs_wheelchair.is_(False), Flat.is_wheelchair_accessible.is_(True)),
    )
    # "The first fitting flat is there", not EXISTS: PostgreSQL turns an EXISTS into a semi-join
    # and may then test every household against every flat (a company's 500 flats: 200 ms)
    # before the list takes its first 26; a scalar subquery stays a test per household, made
    # in the list's order until the page is full (2 ms).
    fits = fitting_flat.limit(1).scalar_subquery().is_not(None)
    return and_(*visible_to_landlords(today), fits)


def _by_table(gross: ColumnElement, tables: dict[int, RentLimitTable]) -> ColumnElement[bool]:
    """``gross`` within the limit the table of the household's site sets for its size (sizes 1
    to ``MAX_HOUSEHOLD_SIZE``, as ``affordable_sizes`` reads the table); never where the table
    has no limit for it."""
    size = Household.adults + Household.children
    whens = [
        (and_(Household.site_id == site, size == persons), limit + HALF_CENT)
        for site, table in tables.items()
        for persons in range(1, MAX_HOUSEHOLD_SIZE + 1)
        if (limit := table.limit_for(persons)) is not None
    ]
    return gross < case(*whens, else_=None) if whens else false()


def rank_households(flat: Flat, limit: int = 50, today: date | None = None) -> list[Match]:
    """The households that fit ``flat``, best first (by ``score``, then longer waiting, then
    id), with reasons. The database ranks the candidates, so only the ``limit`` best rows
    leave it, whatever the number of households that fit."""
    today = today or clock.today()
    table = limits_in_force(today, site_id=flat.site_id)
    conditions = household_conditions(flat, today, table)
    if flat.rooms is None:  # fits nobody (``conditions`` says so); nothing to rank by
        return []
    # The ids first: the candidates are read from one covering index (``ix_households_matching``)
    # without visiting their rows; only the ``limit`` best rows are loaded.
    ids = db.session.scalars(
        _ranked(select(Household.id).where(*conditions), flat, today).limit(limit)
    ).all()
    households = _load_households(list(ids))
    return [explain(flat, households[household_id], today, table) for household_id in ids]


def _ranked(query: Select, flat: Flat, today: date) -> Select:
    """``query`` in the order of ``score`` (then longer waiting, then id), computed by the
    database in sevenths of a point: whole numbers, so that equal scores tie on every database
    as they do in Python."""
    # Two index lookups per candidate (the primary key of household_districts), not a grouping
    # of every household's districts for each flat.
    names = household_districts.c.household_id == Household.id
    points = case(
        (exists().where(names, household_districts.c.district_id == flat.district_id), PREFERRED),
        (exists().where(names), ELSEWHERE),
        else_=NO_PREFERENCE,
    )
    # extract("epoch") is the one date difference SQLite and PostgreSQL share.
    days = (_epoch(today) - extract("epoch", Household.waiting_since)) / SECONDS_PER_DAY
    longest = today - timedelta(weeks=MAX_WAITING_WEEKS)
    sevenths = (
        7 * points
        + case((Household.waiting_since <= longest, 7 * MAX_WAITING_WEEKS), else_=days)
        - 7 * PER_ROOM * func.abs(Household.needed_rooms - flat.rooms)
    )
    if not flat.pets_allowed:
        sevenths -= case((Household.has_pets.is_(True), 7 * PETS_NOT_ALLOWED), else_=0)
    return query.order_by(sevenths.desc(), Household.waiting_since, Household.id)


def _epoch(day: date) -> int:
    """Seconds from 1970-01-01 to the start of ``day``, as SQL's extract("epoch") counts."""
    return (day - date(1970, 1, 1)).days * SECONDS_PER_DAY


def rank_flats(h: Household, limit: int = 50, today: date | None = None) -> list[Match]:
    """The published flats that fit household ``h``, best first (by ``score``, then id), with
    reasons. The database ranks them, so only the ``limit`` best flats are loaded, whatever the
    number that fit (a household at the benchmark size fits hundreds of 10,000 flats)."""
    today = today or clock.today()
    table = limits_in_force(today, site_id=h.site_id)
    ids = db.session.scalars(ranked_flats(h, table).limit(limit)).all()
    if not ids:
        return []
    flats = {
        flat.id: flat
        for flat in db.session.scalars(
            select(Flat)
            .where(Flat.id.in_(ids))
            .options(selectinload(Flat.district), selectinload(Flat.organisation))
        )
    }
    return [explain(flats[flat_id], h, today, table) for flat_id in ids]


def ranked_flats(
    h: Household, table: RentLimitTable, *where: ColumnElement[bool]
) -> Select[tuple[int]]:
    """The ids of the published flats that fit household ``h`` (``flat_conditions``, its limit
    by ``table``) and meet ``where`` too (one organisation's flats, for its landlord), best
    first as ``rank_flats`` orders them; the caller sets the limit."""
    return _flats_ranked(select(Flat.id).where(*flat_conditions(h, table), *where), h)


def _flats_ranked(query: Select, h: Household) -> Select:
    """``query`` in the order of ``score`` for household ``h`` (then id), computed by the
    database in tenths of a point: whole numbers, since rooms have one decimal place. The
    household's waiting time is the same for every flat, so it is left out."""
    preferred = [d.id for d in h.preferred_districts]
    tenths = -func.round(10 * PER_ROOM * func.abs(Flat.rooms - h.needed_rooms))
    if preferred:  # otherwise NO_PREFERENCE for every flat
        tenths += case((Flat.district_id.in_(preferred), 10 * PREFERRED), else_=10 * ELSEWHERE)
    if h.has_pets:
        tenths -= case((Flat.pets_allowed.is_(True), 0), else_=10 * PETS_NOT_ALLOWED)
    return query.order_by(tenths.desc(), Flat.id)


def _load_households(ids: list[int]) -> dict[int, Household]:
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Household)
        .where(Household.id.in_(ids))
        .options(selectinload(Household.preferred_districts))
    ).all()
    return {h.id: h for h in rows}
