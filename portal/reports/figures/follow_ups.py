"""Section 10: aftercare and the list of overdue follow-ups."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, or_, select

from portal.accounts.models import User
from portal.core import clock
from portal.core.dates import add_months
from portal.core.sql import days_between
from portal.extensions import db
from portal.households.models import Household
from portal.placements.models import ENDED_OUTCOMES, FollowUp, Placement, State
from portal.reports import labels
from portal.reports.figures.base import (
    ALL,
    PROGRAMME,
    Scope,
    _cells,
    _move_ins,
    _placements_of_households,
    _split,
)
from portal.reports.periods import Period
from portal.reports.tables import Cell, Table, rate, text

AFTERCARE_MONTHS, AFTERCARE_RECENT_DAYS = 12, 90


# 10 -----------------------------------------------------------------------------------------


def aftercare(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Aftercare coverage at the period's end: of the tenancies with a move-in in the twelve
    months up to that day and not ended by then (no follow-up says it ended on or before that
    day), the share with a follow-up contact in the 90 days up to that day. A follow-up counts
    by the day the contact took place (``FollowUp.done_on``, "Done on" on the form), not by
    the day it was entered in the portal: a check held on 20 June and entered in October counts
    for June."""
    as_of = period.as_of(today or clock.today())
    since = add_months(as_of, -AFTERCARE_MONTHS) + timedelta(days=1)
    ended = exists().where(
        FollowUp.placement_id == Placement.id,
        FollowUp.outcome.in_(ENDED_OUTCOMES),
        FollowUp.outcome_on <= as_of,
    )
    recent = exists().where(  # by the day of the contact
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
                "running then: the share with a follow-up contact in the 90 days up to the "
                "period's end, counted by the day the contact took place (not the day it was "
                "entered)."
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
