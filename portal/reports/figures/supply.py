"""Sections 6 and 7: flats and landlords."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select

from portal.accounts.models import Organisation
from portal.core import clock
from portal.core.dates import add_months
from portal.core.sql import days_between
from portal.extensions import db
from portal.listings.models import Flat, FlatStatus
from portal.placements.models import Placement
from portal.reports import labels
from portal.reports.figures.base import ALL, PROGRAMME, Scope, _leases
from portal.reports.periods import Period
from portal.reports.sql import percentile, utc_date
from portal.reports.tables import Cell, Table, count, days

# 6 ------------------------------------------------------------------------------------------


def _by_kind(stmt_columns, *, where, select_from) -> dict[str, tuple]:
    stmt = (
        select(Organisation.kind, *stmt_columns)
        .select_from(select_from)
        .where(*where)
        .group_by(Organisation.kind)
    )
    found = {kind: tuple(values) for kind, *values in db.session.execute(stmt)}
    kinds = list(labels.LANDLORD_KIND_LABELS)
    return {k: found.get(k, tuple(None for _ in stmt_columns)) for k in kinds}


def _kind_counts(split: dict[str, tuple]) -> dict[str, Cell]:
    """Counts per landlord kind from ``_by_kind``, with their sum for all."""
    cells = {k: count(v[0]) for k, v in split.items()}
    cells[ALL] = count(sum(c.value for c in cells.values()))
    return cells


def flats(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Flats acquired in the period: flats first published in the period (by the day in
    Duisburg), by landlord kind. Available at the period's end: published by then and without a
    lease signed by then, and not withdrawn or archived before then. Median days from
    publication (its UTC day) to the lease, for the leases signed in the period of flats
    published on or before the lease day; the other leases signed in the period (the flat was
    never published, or only after the lease, e.g. offered by phone) are counted in their own
    line, "leased without publication", so no lease is left out. In the own-caseload view: the
    flats with a placement of one of its households, and its leases."""
    as_of = period.as_of(today or clock.today())
    as_of_period = Period(as_of, as_of)
    with_org = Flat.__table__.join(Organisation.__table__, Flat.organisation_id == Organisation.id)
    acquired = _by_kind(
        [func.count(Flat.id)],
        where=[
            Flat.published_at >= period.utc_start,
            Flat.published_at < period.utc_end,
            scope.flats(),
        ],
        select_from=with_org,
    )
    leased_by_then = exists().where(
        Placement.flat_id == Flat.id, _leases(), Placement.lease_signed_on <= as_of
    )
    still_offered = or_(
        Flat.status.in_([FlatStatus.PUBLISHED.value, FlatStatus.RESERVED.value]),
        Flat.status_changed_at >= as_of_period.utc_end,
    )
    available = _by_kind(
        [func.count(Flat.id)],
        where=[
            Flat.published_at < as_of_period.utc_end,
            ~leased_by_then,
            still_offered,
            scope.flats(),
        ],
        select_from=with_org,
    )
    to_lease = days_between(utc_date(Flat.published_at), Placement.lease_signed_on)
    lease_join = with_org.join(Placement.__table__, Placement.flat_id == Flat.id)
    signed = [
        _leases(),
        Placement.lease_signed_on.between(period.start, period.end),
        scope.placements(),
    ]
    published_first = and_(Flat.published_at.is_not(None), to_lease >= 0)
    lease_where = [*signed, published_first]
    unpublished = _by_kind(
        [func.count(Placement.id)],
        where=[*signed, ~published_first],
        select_from=lease_join,
    )
    median = _by_kind(
        [func.count(Placement.id), percentile(to_lease, 0.5)],
        where=lease_where,
        select_from=lease_join,
    )
    median_all = db.session.execute(
        select(func.count(Placement.id), percentile(to_lease, 0.5))
        .select_from(lease_join)
        .where(*lease_where)
    ).one()

    table = Table(
        "flats",
        str(_l("Flats")),
        str(
            _l(
                "Acquired: first published in the period. Available: published and not let "
                "(no lease) at the period's end. Days from publication to the lease for the "
                "leases signed in the period; the leases of flats not published before "
                "(e.g. offered by phone) are counted apart."
            )
        ),
        labels.by_landlord_kind(),
        total=ALL,
    )
    table.add(_l("Flats acquired"), _kind_counts(acquired))
    table.add(_l("Flats available, not yet placed, at the period's end"), _kind_counts(available))
    medians = {k: days(v[1], v[0]) for k, v in median.items()}
    medians[ALL] = days(median_all[1], median_all[0])
    table.add(_l("Publication to lease: median days"), medians)
    table.add(_l("Leased without publication"), _kind_counts(unpublished), key="unpublished")
    return table


# 7 ------------------------------------------------------------------------------------------


def landlords(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Landlords newly won: organisations whose first published flat was published in the
    period. Active landlords: organisations with a lease (not cancelled) signed in the twelve
    months up to the period's end (or today, if earlier). By private landlords and housing
    companies. In the own-caseload view: the organisations of the caseload's flats, active by
    a lease of the caseload's placements."""
    as_of = period.as_of(today or clock.today())
    first = (
        select(
            Flat.organisation_id.label("organisation_id"),
            func.min(Flat.published_at).label("first_published"),
        )
        .where(Flat.published_at.is_not(None), scope.of_sites(Flat))
        .group_by(Flat.organisation_id)
        .subquery()
    )
    won = _by_kind(
        [func.count(Organisation.id)],
        where=[
            first.c.first_published >= period.utc_start,
            first.c.first_published < period.utc_end,
            scope.organisations(),
        ],
        select_from=Organisation.__table__.join(first, first.c.organisation_id == Organisation.id),
    )
    since = add_months(as_of, -12) + timedelta(days=1)
    active_orgs = (
        select(Flat.organisation_id)
        .join(Placement, Placement.flat_id == Flat.id)
        .where(_leases(), Placement.lease_signed_on.between(since, as_of), scope.placements())
    )
    active = _by_kind(
        [func.count(Organisation.id)],
        where=[Organisation.id.in_(active_orgs)],
        select_from=Organisation.__table__,
    )

    table = Table(
        "landlords",
        str(_l("Landlords")),
        str(
            _l(
                "Newly won: the first flat published in the period. Active: a lease signed in "
                "the twelve months up to the period's end."
            )
        ),
        labels.by_landlord_kind(),
        total=ALL,
    )
    table.add(_l("Landlords newly won"), _kind_counts(won))
    table.add(_l("Active landlords (a lease in the last 12 months)"), _kind_counts(active))
    return table
