"""Sections 3 to 5: placements, the placement rate and the durations to a lease."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from portal.core import clock
from portal.core.sql import days_between
from portal.extensions import db
from portal.households.models import ExitDestination, Household
from portal.placements.models import Placement
from portal.reports import labels
from portal.reports.figures.base import (
    ALL,
    GROUPS,
    PROGRAMME,
    Scope,
    _cells,
    _leases,
    _move_ins,
    _placements_of_households,
    _split,
    _stats_split,
)
from portal.reports.periods import Period, quarters_between
from portal.reports.sql import percentile
from portal.reports.tables import Table, count, days, rate

PLACEMENT_WINDOW_DAYS = 180


# 3 ------------------------------------------------------------------------------------------


def placements(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Placements: households with a lease (not cancelled) signed in the period, and their
    persons. Shown apart: households that left the programme in the period into a tenancy they
    found themselves with the team's support (exit destination "own tenancy found with
    support")."""
    placed = select(Placement.household_id).where(
        _leases(), Placement.lease_signed_on.between(period.start, period.end)
    )
    split = _split(
        func.count(Household.id),
        func.sum(Household.adults + Household.children),
        func.sum(Household.adults),
        func.sum(Household.children),
        where=[Household.id.in_(placed), scope.households()],
    )
    supported = _split(
        func.count(Household.id),
        func.sum(Household.adults + Household.children),
        where=[
            Household.exit_destination == ExitDestination.OWN_TENANCY_WITH_SUPPORT.value,
            Household.exit_on.between(period.start, period.end),
            scope.households(),
        ],
    )
    table = Table(
        "placements",
        str(_l("Placements")),
        str(
            _l(
                "Households with a lease signed in the period (cancelled placements do not "
                "count), and their persons; apart from them, households that found a tenancy "
                "themselves with the team's support and left the programme in the period."
            )
        ),
        labels.by_target_group(),
        total=ALL,
        sums=[("persons", ("adults", "children"))],
    )
    table.add(_l("Households placed (lease signed)"), _cells(split, 0), key="households")
    table.add(_l("Persons placed"), _cells(split, 1), key="persons")
    table.add(_l("of whom adults"), _cells(split, 2), 1, key="adults")
    table.add(_l("of whom children"), _cells(split, 3), 1, key="children")
    table.add(_l("Households that found a tenancy with support"), _cells(supported, 0))
    table.add(_l("Persons that found a tenancy with support"), _cells(supported, 1))
    return table


# 4 ------------------------------------------------------------------------------------------


def _first_lease():
    return (
        select(
            Placement.household_id.label("household_id"),
            func.min(Placement.lease_signed_on).label("lease_on"),
        )
        .where(_leases())
        .group_by(Placement.household_id)
        .subquery()
    )


def placement_rate(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Placement rate per intake quarter: of the households taken in during a calendar quarter,
    the share that signed a lease (not cancelled) within 180 days of their intake. Only
    quarters that overlap the period and ended at least 180 days before the period's end (or
    today, if earlier) are shown, so every household had its full 180 days."""
    as_of = period.as_of(today or clock.today())
    quarters = [
        (first, last)
        for first, last in quarters_between(period.start, period.end)
        if last + timedelta(days=PLACEMENT_WINDOW_DAYS) <= as_of
    ]
    table = Table(
        "placement_rate",
        str(_l("Placement rate per intake quarter")),
        str(
            _l(
                "Of the households taken in during a quarter, the share with a lease signed "
                "within 180 days of intake. Only quarters that ended at least 180 days before "
                "the period's end."
            )
        ),
        labels.by_target_group(),
        total=ALL,
    )
    if not quarters:
        table.note = str(_l("No quarter of this period ended at least 180 days ago."))
        return table
    lease = _first_lease()
    within = and_(
        lease.c.lease_on.is_not(None),
        days_between(Household.intake_on, lease.c.lease_on) <= PLACEMENT_WINDOW_DAYS,
    )
    quarter = case(
        *[
            (Household.intake_on.between(first, last), f"{first.year}-Q{(first.month + 2) // 3}")
            for first, last in quarters
        ],
        else_=None,
    )
    # The quarter is worked out in a subquery and grouped outside: PostgreSQL does not see two
    # CASE expressions with bound dates as the same expression.
    rows = (
        select(
            quarter.label("quarter"),
            Household.target_group.label("target_group"),
            Household.id.label("household_id"),
            case((within, 1), else_=0).label("placed"),
        )
        .select_from(Household)
        .outerjoin(lease, lease.c.household_id == Household.id)
        .where(Household.intake_on.between(quarters[0][0], quarters[-1][1]), scope.households())
        .subquery()
    )
    stmt = select(
        rows.c.quarter,
        rows.c.target_group,
        func.count(rows.c.household_id),
        func.sum(rows.c.placed),
    ).group_by(rows.c.quarter, rows.c.target_group)
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for key, group, taken, placed in db.session.execute(stmt):
        found[(key, group)] = (int(taken), int(placed or 0))
    for first, _last in quarters:
        key = f"{first.year}-Q{(first.month + 2) // 3}"
        per_group = {g: found.get((key, g), (0, 0)) for g in GROUPS}
        per_group[ALL] = (
            sum(v[0] for v in per_group.values()),
            sum(v[1] for v in per_group.values()),
        )
        label = f"{first.year} Q{(first.month + 2) // 3}"
        table.add(
            str(_l("%(quarter)s: households taken in", quarter=label)),
            {g: count(v[0]) for g, v in per_group.items()},
            key=f"{key}:taken",
        )
        table.add(
            str(_l("%(quarter)s: lease within 180 days", quarter=label)),
            {g: count(v[1]) for g, v in per_group.items()},
            1,
            key=f"{key}:placed",
        )
        table.add(
            str(_l("%(quarter)s: placement rate (%%)", quarter=label)),
            {g: rate(v[1], v[0]) for g, v in per_group.items()},
            1,
            key=f"{key}:rate",
        )
        table.rates.append((f"{key}:rate", f"{key}:placed", f"{key}:taken"))
    if quarters[0][0] == period.start and quarters[-1][1] == period.end:
        # The quarters shown are the period: together they are the intakes of the period.
        for column, _label in table.columns:
            link = [(("intakes", "households", column), -1)]
            link += [(("placement_rate", row.key, column), 1) for row in table.rows[::3]]
            table.links.append(link)
    return table


# 5 ------------------------------------------------------------------------------------------


def durations(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Days from intake to lease for the leases (not cancelled) signed in the period: median,
    mean and 75th percentile (interpolated, as PostgreSQL's percentile_cont); days from lease to
    key handover for the move-ins in the period: median."""
    to_lease = days_between(Household.intake_on, Placement.lease_signed_on)
    joined = _placements_of_households()
    lease_split = _stats_split(
        [
            func.count(Placement.id),
            percentile(to_lease, 0.5),
            func.avg(to_lease),
            percentile(to_lease, 0.75),
        ],
        where=[
            _leases(),
            Placement.lease_signed_on.between(period.start, period.end),
            scope.households(),
        ],
        select_from=joined,
    )
    to_move = days_between(Placement.lease_signed_on, Placement.keys_handed_over_on)
    move_split = _stats_split(
        [func.count(Placement.id), percentile(to_move, 0.5)],
        where=[
            _move_ins(),
            Placement.lease_signed_on.is_not(None),
            Placement.keys_handed_over_on.between(period.start, period.end),
            scope.households(),
        ],
        select_from=joined,
    )
    table = Table(
        "durations",
        str(_l("Time to a home")),
        str(
            _l(
                "Days from intake to the lease for the leases signed in the period; days from "
                "the lease to the key handover for the move-ins in the period."
            )
        ),
        labels.by_target_group(),
        total=ALL,
    )

    def stat(split, index):
        return {g: days(v[index], v[0]) for g, v in split.items()}

    table.add(_l("Leases signed"), {g: count(v[0]) for g, v in lease_split.items()})
    table.add(_l("Intake to lease: median days"), stat(lease_split, 1), 1)
    table.add(_l("Intake to lease: mean days"), stat(lease_split, 2), 1)
    table.add(_l("Intake to lease: 75th percentile, days"), stat(lease_split, 3), 1)
    table.add(_l("Move-ins"), {g: count(v[0]) for g, v in move_split.items()})
    table.add(_l("Lease to move-in: median days"), stat(move_split, 1), 1)
    return table
