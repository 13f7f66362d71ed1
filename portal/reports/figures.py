"""The programme's figures, each computed in SQL by one function whose docstring is its
definition. The page, the CSV, the PDF and ``flask reports export`` all call these.

Conventions for every figure:
- A period is a first and a last day, both included. "At the period's end" means the last day,
  or today when the period has not ended yet (``as_of``).
- Dates are the dates the staff recorded (intake, lease, key handover, follow-up, exit); stored
  timestamps (publication of a flat, mediation cases) count by their day in Duisburg.
- Split by target group: the household's target group as recorded now.
- A placement counts as a lease when its lease date is set and it is not cancelled.
- Persons are the household's adults and children as recorded now.
- SQL that differs between SQLite and PostgreSQL lives in ``reports/sql.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select, true
from sqlalchemy.sql.expression import ColumnElement

from portal.accounts.models import Organisation, User
from portal.core import clock
from portal.core.dates import add_months
from portal.extensions import db
from portal.households.models import (
    ExitDestination,
    Household,
    Participant,
    TargetGroup,
)
from portal.listings.models import Flat, FlatStatus
from portal.mediation.models import TOPICS, MediationCase
from portal.placements.models import (
    ENDED_OUTCOMES,
    RUNNING_OUTCOMES,
    FollowUp,
    Placement,
    State,
)
from portal.reports import labels
from portal.reports.periods import Period, quarters_between
from portal.reports.sql import (
    days_between,
    days_between_times,
    full_months,
    month_key,
    percentile,
    utc_date,
)
from portal.reports.tables import Cell, Table, count, days, rate, text

ALL = labels.ALL
GROUPS = labels.TARGET_GROUPS
HORIZONS = (6, 12, 24)
PLACEMENT_WINDOW_DAYS = 180
AFTERCARE_MONTHS, AFTERCARE_RECENT_DAYS = 12, 90
HOUSING_EXCLUSION = (
    TargetGroup.REFUGEE_SHARED_ACCOMMODATION.value,
    TargetGroup.HOMELESS_MUNICIPAL_SHELTER.value,
)


@dataclass(frozen=True)
class Scope:
    """Whose households: the whole programme, or one staff member's own caseload (households
    they entered, or whose placements they lead). Every table is scoped: the flats of the own
    caseload are the flats with a placement (in any state) of one of its households, its
    landlords the organisations of those flats, its leases those of its placements, its
    mediation cases the cases assigned to the staff member."""

    user_id: int | None = None

    @property
    def is_own(self) -> bool:
        return self.user_id is not None

    def households(self) -> ColumnElement[bool]:
        if self.user_id is None:
            return true()
        led = (
            select(Placement.household_id).where(Placement.staff_id == self.user_id).correlate(None)
        )
        return or_(Household.created_by_id == self.user_id, Household.id.in_(led))

    def _own_households(self):
        return select(Household.id).where(self.households()).correlate(None)

    def placements(self) -> ColumnElement[bool]:
        """Placements of the caseload's households."""
        if self.user_id is None:
            return true()
        return Placement.household_id.in_(self._own_households())

    def flats(self) -> ColumnElement[bool]:
        """Flats with a placement of one of the caseload's households."""
        if self.user_id is None:
            return true()
        mine = (
            select(Placement.flat_id)
            .where(Placement.household_id.in_(self._own_households()))
            .correlate(None)
        )
        return Flat.id.in_(mine)

    def organisations(self) -> ColumnElement[bool]:
        """Landlord organisations of the caseload's flats."""
        if self.user_id is None:
            return true()
        mine = select(Flat.organisation_id).where(self.flats()).correlate(None)
        return Organisation.id.in_(mine)


PROGRAMME = Scope()


def _leases() -> ColumnElement[bool]:
    return and_(Placement.lease_signed_on.is_not(None), Placement.state != State.CANCELLED.value)


def _move_ins() -> ColumnElement[bool]:
    return and_(
        Placement.keys_handed_over_on.is_not(None), Placement.state != State.CANCELLED.value
    )


def _placements_of_households():
    return Placement.__table__.join(Household.__table__, Placement.household_id == Household.id)


def _split(*columns, where, select_from=Household) -> dict[str, tuple]:
    """Run an aggregate grouped by target group; the ``all`` entry sums the groups (only for
    counts and sums)."""
    stmt = (
        select(Household.target_group, *columns)
        .select_from(select_from)
        .where(*where)
        .group_by(Household.target_group)
    )
    found = {group: tuple(values) for group, *values in db.session.execute(stmt)}
    result = {g: found.get(g, tuple(0 for _ in columns)) for g in GROUPS}
    result[ALL] = tuple(sum(int(v[i] or 0) for v in result.values()) for i in range(len(columns)))
    return result


def _stats_split(columns, *, where, select_from) -> dict[str, tuple]:
    """Statistics (percentiles, means) per target group and over all: two queries, because a
    median of all is not a sum of medians."""
    grouped = (
        select(Household.target_group, *columns)
        .select_from(select_from)
        .where(*where)
        .group_by(Household.target_group)
    )
    found = {group: tuple(values) for group, *values in db.session.execute(grouped)}
    result = {g: found.get(g, tuple(None for _ in columns)) for g in GROUPS}
    result[ALL] = tuple(
        db.session.execute(select(*columns).select_from(select_from).where(*where)).one()
    )
    return result


def _cells(split: dict[str, tuple], index: int, make=count) -> dict[str, Cell]:
    return {key: make(values[index]) for key, values in split.items()}


# 1 ------------------------------------------------------------------------------------------


def intakes(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Intakes: households whose intake date lies in the period, and their persons (adults,
    children)."""
    split = _split(
        func.count(Household.id),
        func.sum(Household.adults + Household.children),
        func.sum(Household.adults),
        func.sum(Household.children),
        where=[Household.intake_on.between(period.start, period.end), scope.households()],
    )
    table = Table(
        "intakes",
        str(_l("Intakes")),
        str(_l("Households whose intake date lies in the period, and their persons.")),
        labels.by_target_group(),
        total=ALL,
        sums=[("persons", ("adults", "children"))],
    )
    table.add(_l("Households taken in"), _cells(split, 0), key="households")
    table.add(_l("Persons taken in"), _cells(split, 1), key="persons")
    table.add(_l("of whom adults"), _cells(split, 2), 1, key="adults")
    table.add(_l("of whom children"), _cells(split, 3), 1, key="children")
    return table


# 2 ------------------------------------------------------------------------------------------


def caseload(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Active caseload at the period's end: households taken in on or before that day that had
    not left the programme by then (no exit date, or an exit date after it). Households served
    during the period: taken in on or before the last day and not left before the first day
    (active on at least one day of the period)."""
    as_of = period.as_of(today or clock.today())
    active = and_(
        Household.intake_on <= as_of,
        or_(Household.exit_on.is_(None), Household.exit_on > as_of),
    )
    served = and_(
        Household.intake_on <= period.end,
        or_(Household.exit_on.is_(None), Household.exit_on >= period.start),
    )
    persons = Household.adults + Household.children
    split = _split(
        func.count(case((active, Household.id))),
        func.sum(case((active, persons), else_=0)),
        func.count(case((served, Household.id))),
        func.sum(case((served, persons), else_=0)),
        where=[scope.households()],
    )
    table = Table(
        "caseload",
        str(_l("Caseload")),
        str(
            _l(
                "Active at the end: taken in on or before the period's last day (or today, if "
                "earlier) and not left by then. Served: active on at least one day of the period."
            )
        ),
        labels.by_target_group(),
        total=ALL,
    )
    table.add(_l("Households active at the period's end"), _cells(split, 0))
    table.add(_l("Persons active at the period's end"), _cells(split, 1))
    table.add(_l("Households served during the period"), _cells(split, 2))
    table.add(_l("Persons served during the period"), _cells(split, 3))
    return table


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
    publication (its UTC day) to the lease, for the leases signed in the period. In the
    own-caseload view: the flats with a placement of one of its households, and its leases."""
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
    lease_where = [
        _leases(),
        Placement.lease_signed_on.between(period.start, period.end),
        scope.placements(),
    ]
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
                "leases signed in the period."
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
        .where(Flat.published_at.is_not(None))
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


# 8 and 9 ------------------------------------------------------------------------------------


def _ended_before(months: int, as_of: date, outcomes=ENDED_OUTCOMES) -> ColumnElement[bool]:
    return exists().where(
        FollowUp.placement_id == Placement.id,
        FollowUp.outcome.in_(outcomes),
        FollowUp.outcome_on <= as_of,
        full_months(Placement.keys_handed_over_on, FollowUp.outcome_on) < months,
    )


def _held_at(months: int, as_of: date) -> ColumnElement[bool]:
    running_later = exists().where(
        FollowUp.placement_id == Placement.id,
        FollowUp.done_on <= as_of,
        FollowUp.outcome.in_(RUNNING_OUTCOMES),
        or_(
            FollowUp.months >= months,
            full_months(Placement.keys_handed_over_on, FollowUp.done_on) >= months,
        ),
    )
    ended_later = exists().where(
        FollowUp.placement_id == Placement.id,
        FollowUp.done_on <= as_of,
        FollowUp.outcome.in_(ENDED_OUTCOMES),
        full_months(Placement.keys_handed_over_on, FollowUp.outcome_on) >= months,
    )
    return and_(~_ended_before(months, as_of), or_(running_later, ended_later))


def _old_enough(months: int, as_of: date) -> ColumnElement[bool]:
    return and_(_move_ins(), Placement.keys_handed_over_on <= add_months(as_of, -months))


def retention(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Tenancies held at 6, 12 and 24 months after the move-in, as known at the period's end.
    Denominator: every move-in (key handover, not cancelled) at least that many months before
    the period's end. Held: no end recorded before that month, and either the follow-up of that
    month or a later one recorded with a running outcome, or the end recorded only after it.
    Ended: a follow-up records the tenancy's end (or a return to a shelter) before that month.
    Unknown: neither (shown apart, not in the rate)."""
    as_of = period.as_of(today or clock.today())
    joined = _placements_of_households()
    table = Table(
        "retention",
        str(_l("Tenancies held")),
        str(
            _l(
                "Of the move-ins at least 6, 12 or 24 months before the period's end: held "
                "(a follow-up at or after that month says the tenancy runs), ended before, or "
                "unknown. The rate is held of all move-ins old enough."
            )
        ),
        labels.by_target_group(),
        total=ALL,
    )
    for months in HORIZONS:
        ended = _ended_before(months, as_of)
        held = _held_at(months, as_of)
        split = _split(
            func.count(Placement.id),
            func.count(case((held, Placement.id))),
            func.count(case((ended, Placement.id))),
            where=[_old_enough(months, as_of), scope.households()],
            select_from=joined,
        )
        table.add(
            str(_l("%(months)s months: move-ins old enough", months=months)),
            _cells(split, 0),
            key=f"{months}:old",
        )
        table.add(
            str(_l("%(months)s months: held", months=months)),
            _cells(split, 1),
            1,
            key=f"{months}:held",
        )
        table.add(
            str(_l("%(months)s months: ended", months=months)),
            _cells(split, 2),
            1,
            key=f"{months}:ended",
        )
        table.add(
            str(_l("%(months)s months: unknown", months=months)),
            {g: count(v[0] - v[1] - v[2]) for g, v in split.items()},
            1,
            key=f"{months}:unknown",
        )
        table.add(
            str(_l("%(months)s months: held (%%)", months=months)),
            {g: rate(v[1], v[0]) for g, v in split.items()},
            1,
            key=f"{months}:rate",
        )
        table.sums.append(
            (f"{months}:old", (f"{months}:held", f"{months}:ended", f"{months}:unknown"))
        )
        table.rates.append((f"{months}:rate", f"{months}:held", f"{months}:old"))
    return table


def returns(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Returns to a shelter or shared accommodation within 6, 12 and 24 months of the move-in:
    of the move-ins at least that many months before the period's end, those with a follow-up
    "returned to a shelter" dated within that many months of the key handover."""
    as_of = period.as_of(today or clock.today())
    joined = _placements_of_households()
    table = Table(
        "returns",
        str(_l("Returns to a shelter")),
        str(
            _l(
                "Of the move-ins at least 6, 12 or 24 months before the period's end, those "
                "who returned to a shelter or shared accommodation within that time."
            )
        ),
        labels.by_target_group(),
        total=ALL,
    )
    for months in HORIZONS:
        returned = _ended_before(months, as_of, outcomes=("returned_to_shelter",))
        split = _split(
            func.count(Placement.id),
            func.count(case((returned, Placement.id))),
            where=[_old_enough(months, as_of), scope.households()],
            select_from=joined,
        )
        table.add(
            str(_l("%(months)s months: move-ins old enough", months=months)),
            _cells(split, 0),
            key=f"{months}:old",
        )
        table.add(
            str(_l("%(months)s months: returned", months=months)),
            _cells(split, 1),
            1,
            key=f"{months}:returned",
        )
        table.add(
            str(_l("%(months)s months: returned (%%)", months=months)),
            {g: rate(v[1], v[0]) for g, v in split.items()},
            1,
            key=f"{months}:rate",
        )
        table.rates.append((f"{months}:rate", f"{months}:returned", f"{months}:old"))
        for column, _label in table.columns:  # the same move-ins as in "Tenancies held"
            table.links.append(
                [
                    (("returns", f"{months}:old", column), 1),
                    (("retention", f"{months}:old", column), -1),
                ]
            )
    return table


# 10 -----------------------------------------------------------------------------------------


def aftercare(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Aftercare coverage at the period's end: of the tenancies with a move-in in the twelve
    months up to that day and no end recorded by then, the share with a follow-up recorded in
    the 90 days up to that day."""
    as_of = period.as_of(today or clock.today())
    since = add_months(as_of, -AFTERCARE_MONTHS) + timedelta(days=1)
    ended = exists().where(
        FollowUp.placement_id == Placement.id,
        FollowUp.outcome.in_(ENDED_OUTCOMES),
        FollowUp.outcome_on <= as_of,
    )
    recent = exists().where(
        FollowUp.placement_id == Placement.id,
        FollowUp.outcome.is_not(None),
        FollowUp.done_on.between(as_of - timedelta(days=AFTERCARE_RECENT_DAYS - 1), as_of),
    )
    joined = _placements_of_households()
    split = _split(
        func.count(Placement.id),
        func.count(case((recent, Placement.id))),
        where=[
            _move_ins(),
            Placement.keys_handed_over_on.between(since, as_of),
            ~ended,
            scope.households(),
        ],
        select_from=joined,
    )
    table = Table(
        "aftercare",
        str(_l("Aftercare coverage")),
        str(
            _l(
                "Tenancies with a move-in in the twelve months up to the period's end and still "
                "running: the share with a follow-up recorded in the last 90 days."
            )
        ),
        labels.by_target_group(),
        total=ALL,
        rates=[("coverage", "recent", "tenancies")],
    )
    table.add(_l("Tenancies moved in within the last 12 months"), _cells(split, 0), key="tenancies")
    table.add(_l("with a follow-up in the last 90 days"), _cells(split, 1), 1, key="recent")
    table.add(
        _l("Coverage (%)"), {g: rate(v[1], v[0]) for g, v in split.items()}, 1, key="coverage"
    )
    return table


def overdue_follow_ups(
    period: Period, scope: Scope = PROGRAMME, today: date | None = None
) -> Table:
    """The follow-ups due before the period's end (or today, if earlier) and not recorded by
    then, of placements not cancelled: household code, which check, due date, days overdue,
    specialist in charge; the longest overdue first."""
    as_of = period.as_of(today or clock.today())
    overdue = days_between(FollowUp.due_on, as_of)
    stmt = (
        select(Household.code, FollowUp.months, FollowUp.due_on, overdue, User.full_name)
        .select_from(FollowUp)
        .join(Placement, Placement.id == FollowUp.placement_id)
        .join(Household, Household.id == Placement.household_id)
        .outerjoin(User, User.id == Placement.staff_id)
        .where(
            Placement.state != State.CANCELLED.value,
            FollowUp.due_on < as_of,
            or_(FollowUp.done_on.is_(None), FollowUp.done_on > as_of),
            scope.households(),
        )
        .order_by(FollowUp.due_on, Household.code)
    )
    table = Table(
        "overdue_follow_ups",
        str(_l("Overdue follow-ups")),
        str(_l("Follow-ups due before the period's end and not recorded by then.")),
        [
            ("code", str(_l("Household"))),
            ("months", str(_l("Check after (months)"))),
            ("due_on", str(_l("Due on"))),
            ("days", str(_l("Days overdue"))),
            ("staff", str(_l("Specialist"))),
        ],
        listing=True,
    )
    for code, months, due_on, late, staff in db.session.execute(stmt):
        table.add(
            code,
            {
                "code": text(code),
                "months": Cell(months, "number"),
                "due_on": Cell(due_on, "date"),
                "days": Cell(late, "number"),
                "staff": text(staff or "–"),
            },
        )
    return table


# 11 -----------------------------------------------------------------------------------------


def mediation(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Mediation: cases opened in the period (by the day in Duisburg), cases resolved in the
    period, and the median days from opening to the first answer for the cases opened in the
    period that have one; by topic. In the own-caseload view: the cases assigned to the staff
    member."""
    from portal.mediation.labels import topic_label

    topics = list(TOPICS)
    opened = and_(
        MediationCase.created_at >= period.utc_start, MediationCase.created_at < period.utc_end
    )
    resolved = and_(
        MediationCase.resolved_at >= period.utc_start, MediationCase.resolved_at < period.utc_end
    )
    mine = MediationCase.assigned_to_id == scope.user_id if scope.is_own else true()
    answer_days = days_between_times(MediationCase.created_at, MediationCase.first_answer_at)
    answered = and_(opened, MediationCase.first_answer_at.is_not(None))
    columns = [
        func.count(case((opened, MediationCase.id))),
        func.count(case((resolved, MediationCase.id))),
    ]
    by_topic = {
        topic: values
        for topic, *values in db.session.execute(
            select(MediationCase.topic, *columns).where(mine).group_by(MediationCase.topic)
        )
    }
    medians = {
        topic: (n, value)
        for topic, n, value in db.session.execute(
            select(MediationCase.topic, func.count(MediationCase.id), percentile(answer_days, 0.5))
            .where(mine, answered)
            .group_by(MediationCase.topic)
        )
    }
    median_all = db.session.execute(
        select(func.count(MediationCase.id), percentile(answer_days, 0.5)).where(mine, answered)
    ).one()
    table = Table(
        "mediation",
        str(_l("Mediation")),
        str(
            _l(
                "Cases opened and cases resolved in the period; median days from opening to "
                "the first answer, for the cases opened in the period."
            )
        ),
        [(ALL, str(_l("All")))] + [(t, str(topic_label(t))) for t in topics],
        total=ALL,
    )
    for index, label in ((0, _l("Cases opened")), (1, _l("Cases resolved"))):
        cells = {t: count(by_topic.get(t, (0, 0))[index]) for t in topics}
        cells[ALL] = count(sum(c.value for c in cells.values()))
        table.add(label, cells)
    cells = {t: days(medians.get(t, (0, None))[1], medians.get(t, (0, None))[0]) for t in topics}
    cells[ALL] = days(median_all[1], median_all[0])
    table.add(_l("Opening to first answer: median days"), cells)
    return table


# 12 -----------------------------------------------------------------------------------------


def esf(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """ESF participant table for the entrants (intake in the period) and the exits (exit date
    in the period): persons, and the participant fields recorded at entry: gender, age band,
    third-country nationals, disability; persons without recorded fields are "not recorded".
    Homeless or affected by housing exclusion: every person of a household in the target
    groups "refugees in shared accommodation" and "homeless in a municipal shelter"."""
    entrant = and_(Household.intake_on.between(period.start, period.end), scope.households())
    leaver = and_(Household.exit_on.between(period.start, period.end), scope.households())
    persons = Household.adults + Household.children
    excluded = Household.target_group.in_(HOUSING_EXCLUSION)
    head = db.session.execute(
        select(
            func.sum(case((entrant, persons), else_=0)),
            func.sum(case((leaver, persons), else_=0)),
            func.sum(case((and_(entrant, excluded), persons), else_=0)),
            func.sum(case((and_(leaver, excluded), persons), else_=0)),
            func.count(case((entrant, Household.id))),
            func.count(case((leaver, Household.id))),
        ).where(or_(entrant, leaver))
    ).one()
    table = Table(
        "esf",
        str(_l("ESF participants")),
        str(
            _l(
                "Persons of the households taken in (entrants) and of those that left the "
                "programme (exits) in the period, with the participant data recorded at entry."
            )
        ),
        [("entrants", str(_l("Entrants"))), ("exits", str(_l("Exits")))],
    )
    table.add(
        _l("Households"), {"entrants": count(head[4]), "exits": count(head[5])}, key="households"
    )
    table.add(_l("Persons"), {"entrants": count(head[0]), "exits": count(head[1])}, key="persons")
    participants = Participant.__table__.join(
        Household.__table__, Participant.household_id == Household.id
    )
    attributes = (
        (Participant.gender, labels.GENDER_LABELS),
        (Participant.age_band, labels.AGE_LABELS),
        (Participant.third_country, labels.THIRD_COUNTRY_LABELS),
        (Participant.disability, labels.DISABILITY_LABELS),
    )
    # One pass over the participants, grouped by all four fields (at most 144 groups); each
    # field's counts are the sums over the groups.
    groups = db.session.execute(
        select(
            *(column for column, _names in attributes),
            func.count(case((entrant, Participant.id))),
            func.count(case((leaver, Participant.id))),
        )
        .select_from(participants)
        .where(or_(entrant, leaver))
        .group_by(*(column for column, _names in attributes))
    ).all()
    recorded = {"entrants": sum(g[4] for g in groups), "exits": sum(g[5] for g in groups)}
    for index, (_column, names) in enumerate(attributes):
        for value, label in names.items():
            entering = sum(g[4] for g in groups if g[index] == value)
            leaving = sum(g[5] for g in groups if g[index] == value)
            table.add(
                label, {"entrants": count(entering), "exits": count(leaving)}, 1, f"{index}:{value}"
            )
    table.add(
        _l("Participant data not recorded"),
        {
            "entrants": count(max(0, int(head[0] or 0) - recorded["entrants"])),
            "exits": count(max(0, int(head[1] or 0) - recorded["exits"])),
        },
        1,
        key="not_recorded",
    )
    table.add(
        _l("Homeless or affected by housing exclusion"),
        {"entrants": count(head[2]), "exits": count(head[3])},
        key="excluded",
    )
    # Each field's rows and the persons without recorded fields add up to the persons.
    for index, (_column, names) in enumerate(attributes):
        table.sums.append(("persons", (*(f"{index}:{v}" for v in names), "not_recorded")))
    # The entrants are the intakes of the period.
    table.links += [
        [(("esf", "households", "entrants"), 1), (("intakes", "households", ALL), -1)],
        [(("esf", "persons", "entrants"), 1), (("intakes", "persons", ALL), -1)],
        [(("esf", "excluded", "entrants"), 1)]
        + [(("intakes", "persons", group), -1) for group in HOUSING_EXCLUSION],
    ]
    return table


FIGURES = (
    intakes,
    caseload,
    placements,
    placement_rate,
    durations,
    flats,
    landlords,
    retention,
    returns,
    aftercare,
    overdue_follow_ups,
    mediation,
    esf,
)


BY_KEY = {figure.__name__: figure for figure in FIGURES}  # the table keys are the names


def all_tables(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> list[Table]:
    return [figure(period, scope, today) for figure in FIGURES]


# Charts -------------------------------------------------------------------------------------


def placements_per_month(period: Period, scope: Scope = PROGRAMME) -> dict[str, dict[str, Any]]:
    """Households with a lease signed, per calendar month of the period and target group."""
    month = month_key(Placement.lease_signed_on)
    stmt = (
        select(month, Household.target_group, func.count(func.distinct(Household.id)))
        .select_from(Placement)
        .join(Household, Household.id == Placement.household_id)
        .where(
            _leases(),
            Placement.lease_signed_on.between(period.start, period.end),
            scope.households(),
        )
        .group_by(month, Household.target_group)
    )
    series: dict[str, dict[str, Any]] = {g: dict.fromkeys(period.months(), 0) for g in GROUPS}
    for key, group, n in db.session.execute(stmt):
        series[group][key] = n
    return series


def lease_time_per_month(period: Period, scope: Scope = PROGRAMME) -> dict[str, tuple[int, Any]]:
    """Median days from intake to lease per calendar month of the lease (all target groups)."""
    month = month_key(Placement.lease_signed_on)
    to_lease = days_between(Household.intake_on, Placement.lease_signed_on)
    stmt = (
        select(month, func.count(Placement.id), percentile(to_lease, 0.5))
        .select_from(Placement)
        .join(Household, Household.id == Placement.household_id)
        .where(
            _leases(),
            Placement.lease_signed_on.between(period.start, period.end),
            scope.households(),
        )
        .group_by(month)
    )
    found = {key: (n, value) for key, n, value in db.session.execute(stmt)}
    return {key: found.get(key, (0, None)) for key in period.months()}
