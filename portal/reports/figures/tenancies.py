"""Sections 8 and 9: tenancies held (retention) and returns to a shelter."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_
from sqlalchemy.sql.expression import ColumnElement

from portal.core import clock
from portal.core.dates import add_months
from portal.placements.models import ENDED_OUTCOMES, RUNNING_OUTCOMES, FollowUp, Placement
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
from portal.reports.sql import full_months
from portal.reports.tables import Table, count, rate

HORIZONS = (6, 12, 24)


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
