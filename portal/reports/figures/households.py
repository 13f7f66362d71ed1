"""Sections 1 and 2: intakes and the caseload."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_

from portal.core import clock
from portal.households.models import Household
from portal.reports import labels
from portal.reports.figures.base import ALL, PROGRAMME, Scope, _cells, _split
from portal.reports.periods import Period
from portal.reports.tables import Table

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
