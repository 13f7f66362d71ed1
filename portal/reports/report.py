"""A report as it is shown: every table and the charts' data, protected together once
(``suppression.protect``), so the page, the chart images, the CSV, the PDF and the command line
show the same cells and withhold the same ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.reports import charts, figures, suppression
from portal.reports.periods import Period
from portal.reports.tables import Table


@dataclass
class Report:
    tables: list[Table]  # the figures, in their order (with the list of overdue follow-ups)
    charts: list[charts.Chart]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def exported(self) -> list[Table]:
        """The tables that may leave the team: figures only, no list of cases."""
        return [t for t in self.tables if not t.listing]


def build(period: Period, scope: figures.Scope, today: date, *, exact: bool = False) -> Report:
    """``exact``: the page and charts of the own caseload, for the staff member only; every
    file is built with ``exact`` false."""
    tables = figures.all_tables(period, scope, today)
    protected = suppression.protect(tables + charts.data_tables(period, scope), exact=exact)
    by_key = {t.key: t for t in protected}
    return Report([by_key[t.key] for t in tables], charts.charts_of(by_key))
