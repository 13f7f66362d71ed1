"""The programme's figures, each computed in SQL by one function whose docstring is its
definition. The page, the CSV, the PDF and ``flask reports export`` all call these.

Conventions for every figure:
- A period is a first and a last day, both included. "At the period's end" means the last day,
  or today when the period has not ended yet (``as_of``).
- Dates are the days things happened, as the staff entered them (intake, lease, key handover,
  the follow-up contact, the end of a tenancy, exit), never the day they were entered; stored
  timestamps (publication of a flat, mediation cases) count by their day in Duisburg.
- Split by target group: the household's target group as recorded now.
- A placement counts as a lease when its lease date is set and it is not cancelled.
- Persons are the household's adults and children as recorded now.
- SQL that differs between SQLite and PostgreSQL lives in ``reports/sql.py``.

The figures live in one module per report section; this package lists them in their order and
re-exports what the page, the exports, the charts and the tests use as ``figures.X``.
"""

from __future__ import annotations

from datetime import date

from portal.reports.figures.base import (
    ALL,
    GROUPS,
    PROGRAMME,
    Scope,
    _leases,
    _move_ins,
)
from portal.reports.figures.esf_indicators import HOUSING_EXCLUSION, esf
from portal.reports.figures.follow_ups import (
    AFTERCARE_MONTHS,
    AFTERCARE_RECENT_DAYS,
    aftercare,
    overdue_follow_ups,
)
from portal.reports.figures.households import caseload, intakes
from portal.reports.figures.leases import (
    PLACEMENT_WINDOW_DAYS,
    durations,
    placement_rate,
    placements,
)
from portal.reports.figures.mediation_cases import mediation
from portal.reports.figures.monthly import lease_time_per_month, placements_per_month
from portal.reports.figures.prevention import prevention
from portal.reports.figures.supply import flats, landlords
from portal.reports.figures.tenancies import HORIZONS, retention, returns
from portal.reports.periods import Period
from portal.reports.tables import Table

__all__ = [
    "AFTERCARE_MONTHS",
    "AFTERCARE_RECENT_DAYS",
    "ALL",
    "BY_KEY",
    "FIGURES",
    "GROUPS",
    "HORIZONS",
    "HOUSING_EXCLUSION",
    "PLACEMENT_WINDOW_DAYS",
    "PROGRAMME",
    "Scope",
    "_leases",
    "_move_ins",
    "aftercare",
    "all_tables",
    "caseload",
    "durations",
    "esf",
    "flats",
    "intakes",
    "landlords",
    "lease_time_per_month",
    "mediation",
    "overdue_follow_ups",
    "placement_rate",
    "placements",
    "placements_per_month",
    "prevention",
    "retention",
    "returns",
]


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
    prevention,
    esf,
)


BY_KEY = {figure.__name__: figure for figure in FIGURES}  # the table keys are the names


def all_tables(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> list[Table]:
    return [figure(period, scope, today) for figure in FIGURES]
