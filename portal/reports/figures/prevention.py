"""Section 12: prevention cases (issue 16), households threatened with losing their flat."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_

from portal.core import clock
from portal.households.models import Household
from portal.households.prevention import Outcome, PreventionCase
from portal.reports import labels
from portal.reports.figures.base import ALL, PROGRAMME, Scope, _cells, _split
from portal.reports.periods import Period
from portal.reports.tables import Table

# 12 -----------------------------------------------------------------------------------------


def prevention(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Prevention: cases opened in the period (by the date the case was opened); cases closed
    in the period (by the date of the outcome), and of them the tenancies kept, the households
    that moved to another flat and those that lost their flat; cases open at the period's end
    (opened on or before that day, no outcome by then). By the household's target group; in
    the own-caseload view the cases of the caseload's households."""
    as_of = period.as_of(today or clock.today())
    opened = PreventionCase.opened_on.between(period.start, period.end)
    closed = PreventionCase.outcome_on.between(period.start, period.end)

    def ended(outcome: Outcome):
        return and_(closed, PreventionCase.outcome == outcome.value)

    still_open = and_(
        PreventionCase.opened_on <= as_of,
        or_(PreventionCase.outcome_on.is_(None), PreventionCase.outcome_on > as_of),
    )
    split = _split(
        func.count(case((opened, PreventionCase.id))),
        func.count(case((closed, PreventionCase.id))),
        func.count(case((ended(Outcome.TENANCY_KEPT), PreventionCase.id))),
        func.count(case((ended(Outcome.MOVED), PreventionCase.id))),
        func.count(case((ended(Outcome.LOST), PreventionCase.id))),
        func.count(case((still_open, PreventionCase.id))),
        where=[scope.households()],
        select_from=PreventionCase.__table__.join(
            Household.__table__, PreventionCase.household_id == Household.id
        ),
    )
    table = Table(
        "prevention",
        str(_l("Prevention")),
        str(
            _l(
                "Households threatened with losing their flat: cases opened in the period, "
                "cases closed in the period by their outcome, and cases open at the period's "
                "end (or today, if earlier)."
            )
        ),
        labels.by_target_group(),
        total=ALL,
        sums=[("closed", ("kept", "moved", "lost"))],
    )
    table.add(_l("Prevention cases opened"), _cells(split, 0), key="opened")
    table.add(_l("Prevention cases closed"), _cells(split, 1), key="closed")
    table.add(labels.PREVENTION_OUTCOME_ROWS["tenancy_kept"], _cells(split, 2), 1, key="kept")
    table.add(labels.PREVENTION_OUTCOME_ROWS["moved"], _cells(split, 3), 1, key="moved")
    table.add(labels.PREVENTION_OUTCOME_ROWS["lost"], _cells(split, 4), 1, key="lost")
    table.add(_l("Prevention cases open at the period's end"), _cells(split, 5), key="open")
    return table
