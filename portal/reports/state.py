"""The state-level report (DESIGN.md §9): the figures of every site summed, then protected.

The sum is computed over the rows of every site at once (``Scope(site_ids=None)`` inside
``scope.all_sites()``), which for every count is the sum of the sites' own figures; medians and
rates are worked out over all rows, as they must be (a median of all is not a sum of medians).
Suppression comes after the sum: a cell of 2 in each of two sites is a 4 in the state report
and shown, unless a complementary rule withholds it. The list of overdue follow-ups (household
codes, staff names) is never part of it.

Per site, the report shows a few figures that add up over the sites (``BREAKDOWN``), each as the
site's own protected report shows it: a cell withheld there is withheld here (``withheld``), a
cell shown there may not be chosen here to protect another (``published``); the breakdown's
"All sites" column is the state figure, tied to it, so that the complementary suppression runs
over the state tables and the breakdown together and no small number of a site can be worked
out from the sum and the other sites.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.reports import figures, report, suppression
from portal.reports.periods import Period
from portal.reports.tables import Table, count
from portal.sites import scope as site_scope
from portal.sites.models import Site

ALL = figures.ALL
BREAKDOWN_KEY = "sites"

# Figures that add up over the sites: (table key, row key, the breakdown's label). Landlords are
# not among them: a housing company that lets in two sites counts in each, and once in the sum.
BREAKDOWN = (
    ("intakes", "households", _l("Households taken in")),
    ("intakes", "persons", _l("Persons taken in")),
    ("caseload", "#0", _l("Households active at the period's end")),
    ("placements", "households", _l("Households placed (lease signed)")),
    ("placements", "persons", _l("Persons placed")),
    ("flats", "#0", _l("Flats acquired")),
    ("mediation", "#0", _l("Mediation cases opened")),
    ("prevention", "opened", _l("Prevention cases opened")),
)


@dataclass
class StateReport:
    sites: list[Site]
    tables: list[Table]  # the state tables, then the per-site breakdown (protected together)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def all_sites() -> list[Site]:
    with site_scope.all_sites():
        return list(db.session.scalars(select(Site).order_by(Site.name)))


def raw_tables(period: Period, today: date) -> list[Table]:
    """The state figures before suppression: every site's rows (no list of cases)."""
    with site_scope.all_sites():
        tables = figures.all_tables(period, figures.Scope(site_ids=None), today)
    return [t for t in tables if not t.listing]


def site_report(site: Site, period: Period, today: date) -> report.Report:
    """The site's own report, protected as its files are."""
    with site_scope.all_sites():
        return report.build(period, figures.Scope(site_ids=(site.id,)), today)


def _cell(tables: list[Table], key: str, row: str):
    table = next(t for t in tables if t.key == key)
    return table.rows[table.index(row)].cells[ALL]


def build(period: Period, today: date) -> StateReport:
    """The state tables and the per-site breakdown, protected together after the sum. The
    breakdown has a row per site (31 sites fit a page and the PDF) and the "All sites" row on
    top, the sum of the sites' rows in every column (``Table.sums``)."""
    sites = all_sites()
    state = raw_tables(period, today)
    columns = [(f"{key}:{row}", str(label)) for key, row, label in BREAKDOWN]
    breakdown = Table(
        BREAKDOWN_KEY,
        str(_l("Per site")),
        str(
            _l(
                "A few figures of each site, as the site's own report shows them; "
                "“All sites” is the state figure."
            )
        ),
        columns,
        sums=[(ALL, tuple(site.slug for site in sites))],
    )
    breakdown.add(
        _l("All sites"),
        {
            column: count(_cell(state, key, row).value)
            for (column, _), (key, row, _) in zip(columns, BREAKDOWN, strict=True)
        },
        key=ALL,
    )
    withheld: dict[suppression.Ref, str] = {}
    published: set[suppression.Ref] = set()
    for i, site in enumerate(sites, start=1):
        tables = site_report(site, period, today).tables
        cells = {}
        for column, key, row in ((f"{k}:{r}", k, r) for k, r, _label in BREAKDOWN):
            shown = _cell(tables, key, row)
            cells[column] = count(shown.value)
            ref = (BREAKDOWN_KEY, i, column)
            if shown.hidden:
                withheld[ref] = shown.hidden
            else:
                published.add(ref)
        breakdown.add(f"{site.name} ({site.municipality_key})", cells, key=site.slug)
    for key, row, _label in BREAKDOWN:  # "All sites" is the state figure
        breakdown.links.append([((BREAKDOWN_KEY, ALL, f"{key}:{row}"), 1), ((key, row, ALL), -1)])
    protected = suppression.protect(
        [*state, breakdown], withheld=withheld, published=frozenset(published)
    )
    return StateReport(sites, protected)
