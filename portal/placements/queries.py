"""Queries of the placements back office: the filterable list, the open placements beside
the matching lists, what the casework home shows, a household's open interests and a
placement's history; each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.core import clock
from portal.core.pagination import (
    HOME_ROWS,
    first_and_total_statement,
    first_rows_of,
    run_first_and_total,
)
from portal.extensions import db
from portal.households.models import Household
from portal.households.queries import CaseloadFilter, valid_until
from portal.listings.models import Flat
from portal.placements import operations as ops
from portal.placements.calendar import BERLIN
from portal.placements.forms import PlacementFilterForm
from portal.placements.models import (
    CLOSED_STATES,
    OPEN_STATES,
    ORDER,
    FollowUp,
    Interest,
    InterestStatus,
    Placement,
    PlacementEvent,
    State,
)

BEFORE_MOVE_IN = tuple(ORDER[: ORDER.index(State.MOVED_IN)])
AFTERCARE_STATES = (State.MOVED_IN.value, State.AFTERCARE.value)


def open_placements(*, flat_id: int | None = None, household_id: int | None = None) -> dict:
    """The open placements of a flat (keyed by household id) or of a household (keyed by flat
    id), in one query: the matching lists show "placement in progress" instead of a propose
    button."""
    query = select(Placement).where(Placement.state.not_in([s.value for s in CLOSED_STATES]))
    if flat_id is not None:
        rows = db.session.scalars(query.where(Placement.flat_id == flat_id))
        return {p.household_id: p for p in rows}
    rows = db.session.scalars(query.where(Placement.household_id == household_id))
    return {p.flat_id: p for p in rows}


def _overdue_limit(today: date) -> datetime:
    # The same moment as operations.remind, so the home and the reminder mail agree.
    return datetime.combine(today - timedelta(days=ops.OVERDUE_DAYS), time.min, UTC)


def is_overdue(placement: Placement, today: date | None = None) -> bool:
    return placement.state in BEFORE_MOVE_IN and placement.state_changed_at < _overdue_limit(
        today or clock.today()
    )


def _day_start(local_day: date) -> datetime:
    """The UTC moment at which ``local_day`` begins in Duisburg."""
    return datetime.combine(local_day, time.min, BERLIN).astimezone(UTC)


@dataclass(frozen=True)
class PlacementFilter:
    state: str | None = None  # a state, or "open"
    district_id: int | None = None
    staff_id: int | None = None
    changed_from: date | None = None  # last change (state_changed_at), Duisburg days
    changed_to: date | None = None

    @classmethod
    def from_form(cls, form: PlacementFilterForm) -> PlacementFilter:
        """What the form holds; a value that does not parse is no filter (the form shows the
        error next to the field)."""
        state = form.state.data or None
        valid_range = not form.changed_from.errors and not form.changed_to.errors
        return cls(
            state=state if state == "open" or state in {s.value for s in State} else None,
            district_id=form.district.data,
            staff_id=form.staff.data,
            changed_from=form.changed_from.data if valid_range else None,
            changed_to=form.changed_to.data if valid_range else None,
        )

    def query(self) -> Select:
        """The matching placements, latest change first, with what the list and the CSV show
        loaded in a fixed number of queries."""
        query = select(Placement).options(
            selectinload(Placement.flat).options(
                selectinload(Flat.district), selectinload(Flat.organisation)
            ),
            selectinload(Placement.household).load_only(Household.code),
            selectinload(Placement.staff),
        )
        if self.state == "open":
            query = query.where(Placement.state.in_([s.value for s in OPEN_STATES]))
        elif self.state:
            query = query.where(Placement.state == self.state)
        if self.district_id:
            query = query.where(
                Placement.flat_id.in_(select(Flat.id).where(Flat.district_id == self.district_id))
            )
        if self.staff_id:
            query = query.where(Placement.staff_id == self.staff_id)
        if self.changed_from:
            query = query.where(Placement.state_changed_at >= _day_start(self.changed_from))
        if self.changed_to:
            end = _day_start(self.changed_to + timedelta(days=1))
            query = query.where(Placement.state_changed_at < end)
        return query.order_by(Placement.state_changed_at.desc(), Placement.id.desc())


# The back-office home ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    """What the casework home shows. A part not asked for (``dashboard``'s ``casework`` or
    ``aftercare``) has no rows and ``None`` for its numbers."""

    pipeline: list[tuple[str, int]]  # every state with its number of placements
    due_follow_ups: list[FollowUp]
    due_count: int | None
    viewings_today: list[Placement]
    viewings_count: int | None
    overdue: list[Placement]
    overdue_count: int | None
    expiring: list[tuple[Household, date | None]]
    expiring_count: int | None


def _with_flat_and_code():
    # Both many-to-one: joined into the list's own statement instead of one query each (the
    # lists pass ``key`` to ``first_and_total``, so that only the rows shown are joined).
    return (
        joinedload(Placement.flat),
        joinedload(Placement.household).load_only(Household.code),
    )


def dashboard(
    today: date | None = None,
    rows: int = HOME_ROWS,
    *,
    casework: bool = True,
    aftercare: bool = True,
) -> Dashboard:
    """What the casework home shows, in a fixed number of queries whatever the numbers; the
    first ``rows`` of each list with the number of all (``rows=0``: the numbers only, as the
    admin's overview shows them).

    ``casework`` (the specialist's part): the pipeline, today's viewings and placements without
    progress for ``OVERDUE_DAYS`` days. ``aftercare`` (the social worker's part): follow-ups due
    today or earlier and consents that end within the warning period. A home asks only for the
    part it shows: each part's lists cost more than the rest of its page."""
    today = today or clock.today()
    statements = _dashboard_statements(today, rows)
    pipeline: list[tuple[str, int]] = []
    viewings: list[tuple] = []
    overdue: list[tuple] = []
    due: list[tuple] = []
    expiring: list[tuple] = []
    viewings_count = overdue_count = due_count = expiring_count = None
    if casework:
        counts = dict(db.session.execute(statements.pipeline).all())
        pipeline = [(s.value, counts.get(s.value, 0)) for s in [*ORDER, State.CANCELLED]]
        viewings, viewings_count = run_first_and_total(statements.viewings, rows)
        overdue, overdue_count = run_first_and_total(statements.overdue, rows)
    if aftercare:
        due, due_count = run_first_and_total(statements.due, rows)
        expiring, expiring_count = run_first_and_total(statements.expiring, rows)
    return Dashboard(
        pipeline=pipeline,
        due_follow_ups=[follow_up for (follow_up,) in due],
        due_count=due_count,
        viewings_today=[placement for (placement,) in viewings],
        viewings_count=viewings_count,
        overdue=[placement for (placement,) in overdue],
        overdue_count=overdue_count,
        expiring=[(h, valid_until(h, today)) for (h,) in expiring],
        expiring_count=expiring_count,
    )


@dataclass(frozen=True)
class _DashboardStatements:
    pipeline: Select
    due: Select
    viewings: Select
    overdue: Select
    expiring: Select


@lru_cache(maxsize=8)
def _dashboard_statements(today: date, rows: int) -> _DashboardStatements:
    """The home's statements of one day, built once per process and day: they depend on the
    date and the number of rows alone, and building them (the lists with their joins, each
    with its count) took a third of the casework home's time. Statements are immutable; the
    site filter of a staff request is added to a copy when one runs (``sites.scope``)."""
    is_due = (
        FollowUp.done_on.is_(None),
        FollowUp.due_on <= today,
        FollowUp.placement_id.in_(
            select(Placement.id).where(Placement.state.in_(AFTERCARE_STATES))
        ),
    )
    is_stuck = (
        Placement.state.in_([s.value for s in BEFORE_MOVE_IN]),
        Placement.state_changed_at < _overdue_limit(today),
    )
    return _DashboardStatements(
        pipeline=select(Placement.state, func.count()).group_by(Placement.state),
        due=first_and_total_statement(
            select(FollowUp)
            .where(*is_due)
            .options(joinedload(FollowUp.placement).options(*_with_flat_and_code()))
            .order_by(FollowUp.due_on, FollowUp.id),
            rows,
            key=FollowUp.id,
        ),
        viewings=first_and_total_statement(
            select(Placement)
            .where(
                Placement.state == State.VIEWING_SCHEDULED.value,
                Placement.viewing_at >= _day_start(today),
                Placement.viewing_at < _day_start(today + timedelta(days=1)),
            )
            .options(*_with_flat_and_code())
            .order_by(Placement.viewing_at, Placement.id),
            rows,
            key=Placement.id,
        ),
        overdue=first_and_total_statement(
            select(Placement)
            .where(*is_stuck)
            .options(*_with_flat_and_code())
            .order_by(Placement.state_changed_at, Placement.id),
            rows,
            key=Placement.id,
        ),
        # One row per household: the window counts what expiring_count counts.
        expiring=first_and_total_statement(
            CaseloadFilter(consent="expiring", sort="expiry").query(today), rows
        ),
    )


def newest_open_interests(limit: int = 10) -> tuple[list[Interest], int]:
    """The newest open landlord interests (with household and flat) and how many are open."""
    rows, count = run_first_and_total(_open_interests_statement(limit), limit)
    return [interest for (interest,) in rows], count


@lru_cache(maxsize=8)
def _open_interests_statement(limit: int) -> Select:
    """Built once per process (the staff home runs it on every request)."""
    return first_and_total_statement(
        select(Interest)
        .where(Interest.status == InterestStatus.OPEN.value)
        .options(  # many-to-one, joined: one statement
            joinedload(Interest.household).load_only(Household.code),
            joinedload(Interest.flat).joinedload(Flat.organisation),
        )
        .order_by(Interest.created_at.desc(), Interest.id.desc()),
        limit,
    )


# A household's open landlord interests: each landlord who asked to meet it, as long as the team
# has not answered (a household long in the programme and widely fitting gathers many) ---------


def open_interests_of(household_id: int | ColumnElement[int]) -> Select:
    """A household's open interests, newest first, each with its flat and the flat's landlord
    (many-to-one, joined: one statement a page). ``household_id``: an id, or a bound
    parameter."""
    return (
        select(Interest)
        .where(
            Interest.household_id == household_id,
            Interest.status == InterestStatus.OPEN.value,
        )
        .options(joinedload(Interest.flat).joinedload(Flat.organisation))
        .order_by(Interest.created_at.desc(), Interest.id.desc())
    )


# The newest open interests of a household and the number of all (its staff page).
latest_open_interests = first_rows_of(open_interests_of, "household_id")


# A placement's history: its steps and notes, a line each for as long as it runs ---------------


def history_of(placement_id: int) -> Select:
    """A placement's events (steps and the team's notes), oldest first, each with its actor
    (joined: one statement a page)."""
    return (
        select(PlacementEvent)
        .where(PlacementEvent.placement_id == placement_id)
        .options(joinedload(PlacementEvent.actor))
        .order_by(PlacementEvent.id)
    )


def _newest_events(placement_id: int | ColumnElement[int]) -> Select:
    """A placement's events newest first, each with its actor: ``latest_history``'s rows."""
    return (
        select(PlacementEvent)
        .where(PlacementEvent.placement_id == placement_id)
        .options(joinedload(PlacementEvent.actor))
        .order_by(PlacementEvent.id.desc())
    )


# ``latest_history(placement_id, limit)``: the newest events of a placement, oldest first as the
# whole history reads, and the number of all of them (the placement page).
latest_history = first_rows_of(_newest_events, "placement_id", turned=True)
