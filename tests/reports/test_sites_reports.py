"""Reports per site and the state-level report (issue 19, DESIGN.md §9).

Two sites, Duisburg (the default site, A) and Essen (B), each with households taken in this
year and leases signed today:

  site      intakes (refugees / other)   leases (refugee households)
  Duisburg  2 / 5                        1
  Essen     2 / 3                        2

Each site's report counts its own rows only (also outside a request, as the command line
runs it); a staff member sees the report of their own site; the state report is the sum of the
site reports before suppression, and is suppressed after the sum: the refugees' 2 in each site
("< 3" in both site reports) is a 4 shown in the state report.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from flask import url_for
from sqlalchemy import select

from portal.accounts import operations as ops
from portal.accounts.models import Role, User
from portal.core.refusals import Refused
from portal.extensions import db
from portal.placements.models import State
from portal.reports import annex, figures, state, submissions, suppression
from portal.reports.models import SubmittedReport
from portal.reports.periods import preset
from portal.reports.tables import Table, count
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.builders import drive, propose, published_flat
from tests.conftest import totp_code_for
from tests.factories import HouseholdFactory, StaffFactory, UserFactory
from tests.services import TEST_PASSWORD

REF, HOME, OTHER, ALL = (
    "refugee_shared_accommodation",
    "homeless_municipal_shelter",
    "other",
    "all",
)
REPORTS = "/backoffice/reports/"
STATE = "/backoffice/reports/state"
SITE_ROWS = (ALL, "duisburg", "essen")  # the rows of the state report's breakdown


@pytest.fixture
def period(today):
    return preset("this_year", today)


@pytest.fixture
def sites(app, today):
    """Duisburg and Essen with the households and leases of the module's table."""
    duisburg = db.session.get(Site, DEFAULT_SITE_ID)
    essen = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E")
    db.session.add(essen)
    db.session.flush()
    landlord = UserFactory()

    def households(site, group, n):
        return [
            HouseholdFactory(
                site_id=site.id,
                target_group=group,
                intake_on=today,
                max_gross_cold_rent=Decimal("687.80"),  # fits the flat
            )
            for _ in range(n)
        ]

    def leases(site, placed):
        for household in placed:
            flat = published_flat(landlord.organisation, site_id=site.id)
            placement = propose(app, flat, household)
            # The placement belongs to its household's site (ops.propose leaves the default).
            placement.site_id = site.id
            db.session.flush()
            drive(app, placement, State.LEASE_SIGNED, landlord)

    for site, refugees, others, placed in ((duisburg, 2, 5, 1), (essen, 2, 3, 2)):
        group = households(site, REF, refugees)
        households(site, OTHER, others)
        leases(site, group[:placed])
    db.session.commit()
    return duisburg, essen


def row_of(table, key):
    return table.rows[table.index(key)]


def values(table, key):
    return {column: cell.value for column, cell in row_of(table, key).cells.items()}


def test_each_site_counts_only_its_own_rows(app, sites, period, today):
    duisburg, essen = sites
    with app.app_context():  # no request, no session filter: as the command line runs it
        a = figures.intakes(period, figures.Scope(site_ids=(duisburg.id,)), today)
        b = figures.intakes(period, figures.Scope(site_ids=(essen.id,)), today)
        placed_a = figures.placements(period, figures.Scope(site_ids=(duisburg.id,)), today)
        placed_b = figures.placements(period, figures.Scope(site_ids=(essen.id,)), today)
        flats_b = figures.flats(period, figures.Scope(site_ids=(essen.id,)), today)
    assert values(a, "households") == {ALL: 7, REF: 2, HOME: 0, OTHER: 5}
    assert values(b, "households") == {ALL: 5, REF: 2, HOME: 0, OTHER: 3}
    assert values(placed_a, "households")[ALL] == 1
    assert values(placed_b, "households")[ALL] == 2
    assert flats_b.rows[0].cells[ALL].value == 2  # Essen's two flats, published today


def test_the_annex_counts_one_site(app, sites, period):
    duisburg, essen = sites
    with app.app_context():
        # Three persons per household (factories: two adults, a child), none recorded yet.
        assert annex.persons_without_record(period, (duisburg.id,)) == 7 * 3
        assert annex.persons_without_record(period, (essen.id,)) == 5 * 3
        assert annex.persons_without_record(period) == 12 * 3


def test_the_state_report_is_the_sum_of_the_site_reports_before_suppression(
    app, sites, period, today
):
    with app.test_request_context():
        total = state.raw_tables(period, today)
        per_site = [
            figures.all_tables(period, figures.Scope(site_ids=(site.id,)), today) for site in sites
        ]
    compared = 0
    for table in total:
        if table.key == "landlords":
            continue  # a housing company that lets in both sites counts in each, once in all
        parts = [next(t for t in tables if t.key == table.key) for tables in per_site]
        for i, row in enumerate(table.rows):
            for column, cell in row.cells.items():
                if cell.kind != "count":
                    continue
                assert cell.value == sum(part.rows[i].cells[column].value for part in parts), (
                    table.key,
                    row.label,
                    column,
                )
                compared += 1
    assert compared > 100
    assert values(next(t for t in total if t.key == "intakes"), "households") == {
        ALL: 12,
        REF: 4,
        HOME: 0,
        OTHER: 8,
    }


def test_suppression_comes_after_the_sum(app, sites, period, today):
    duisburg, essen = sites
    with app.test_request_context():
        site_a = state.site_report(duisburg, period, today)
        site_b = state.site_report(essen, period, today)
        shown = state.build(period, today)
    # 2 refugee households in each site: "< 3" in each site's report, 4 in the state's.
    for site_report in (site_a, site_b):
        cell = row_of(site_report.table("intakes"), "households").cells[REF]
        assert (cell.value, cell.hidden) == (2, "low")
    cell = row_of(shown.table("intakes"), "households").cells[REF]
    assert (cell.value, cell.hidden) == (4, None)
    # 1 and 2 households placed: both small in their sites, 3 in the sum, shown.
    cell = row_of(shown.table("placements"), "households").cells[ALL]
    assert (cell.value, cell.hidden) == (3, None)
    # Per site: never a small number unsuppressed.
    breakdown = shown.table(state.BREAKDOWN_KEY)
    for row in breakdown.rows:
        for column, cell in row.cells.items():
            assert not (cell.is_small and cell.hidden is None), (row.label, column)
    placed = [row_of(breakdown, k).cells["placements:households"] for k in SITE_ROWS]
    assert [(c.value, c.hidden) for c in placed] == [(3, None), (1, "low"), (2, "low")]
    taken = [row_of(breakdown, k).cells["intakes:households"].value for k in SITE_ROWS]
    assert taken == [12, 7, 5]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    return list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )


def _households_row(rows):
    return next(r for r in rows if r and r[0] in ("Households taken in", "Aufgenommene Haushalte"))


def test_staff_of_one_site_see_that_site_only(browser, sites):
    browser.login(StaffFactory(role="specialist"))  # Duisburg only
    page = browser.client.get(REPORTS).get_data(as_text=True)
    assert "Duisburg" in page and "05112000" in page
    assert 'id="report-site"' not in page  # one site: no chooser
    rows = _csv(browser.client.get(REPORTS + "export.csv"))
    assert rows[1][1] == "Duisburg (AGS 05112000)"
    assert _households_row(rows)[1] == "7"
    assert browser.client.get(REPORTS + "?site=essen").status_code == 404
    assert browser.client.get(REPORTS + "export.csv?site=essen").status_code == 404


def test_staff_of_two_sites_choose_one(browser, sites):
    duisburg, essen = sites
    browser.login(StaffFactory(role="specialist", sites=[duisburg, essen]))
    page = browser.client.get(REPORTS).get_data(as_text=True)
    assert 'id="report-site"' in page
    assert "Duisburg" in page  # the first by name
    page = browser.client.get(REPORTS + "?site=essen").get_data(as_text=True)
    assert "05113000" in page
    assert "site=essen" in page  # the downloads and charts keep the site
    rows = _csv(browser.client.get(REPORTS + "export.csv?site=essen"))
    assert rows[1][1] == "Essen (AGS 05113000)"
    assert _households_row(rows)[1] == "5"
    pdf = browser.client.get(REPORTS + "summary.pdf?site=essen")
    assert pdf.status_code == 200 and "essen" in pdf.headers["Content-Disposition"]


def test_a_submission_records_its_site_and_versions_count_per_site(app, browser, sites, period):
    duisburg, essen = sites
    both = StaffFactory(role="specialist", sites=[duisburg, essen])
    with app.test_request_context():
        in_essen = submissions.submit(period, "MAGS", both, site=essen)
        in_duisburg = submissions.submit(period, "MAGS", both, site=duisburg)
        again = submissions.submit(period, "MAGS", both, reason="Korrektur", site=essen)
    db.session.commit()
    assert (in_essen.site_id, in_essen.version) == (essen.id, 1)
    assert (in_duisburg.site_id, in_duisburg.version) == (duisburg.id, 1)
    assert (again.site_id, again.version) == (essen.id, 2)
    assert b"Essen (AGS 05113000)" in in_essen.csv
    # Staff of Duisburg only: Essen's submissions are not there for them.
    browser.login(StaffFactory(role="specialist"))
    assert browser.client.get(f"{REPORTS}submissions/{in_essen.id}").status_code == 404
    assert browser.client.get(f"{REPORTS}submissions/{in_essen.id}/report.csv").status_code == 404
    assert browser.client.get(f"{REPORTS}submissions/{in_duisburg.id}").status_code == 200
    listing = browser.client.get(f"{REPORTS}submissions").get_data(as_text=True)
    assert f"submissions/{in_essen.id}" not in listing
    assert f"submissions/{in_duisburg.id}" in listing


def _state_reader() -> User:
    reader = StaffFactory(role=Role.STATE_READER.value)  # with the second factor: it is required
    reader.sites = []
    db.session.commit()
    return reader


# A few back-office routes: none of them is the state reader's.
REFUSED = (
    "backoffice.home",
    "reports_backoffice.index",
    "reports_backoffice.export_csv",
    "reports_backoffice.summary_pdf",
    "reports_backoffice.submission_list",
    "reports_backoffice.annex_page",
    "households_backoffice.index",
    "placements_backoffice.index",
    "listings_backoffice.flats",
    "mediation_backoffice.index",
    "privacy_backoffice.index",
    "listings.dashboard",
)


def test_the_state_reader_lands_on_the_state_report_and_sees_nothing_else(app, browser, sites):
    reader = _state_reader()
    response = browser.post(
        "/account/login",
        {"email": reader.email, "password": TEST_PASSWORD},
        csrf_from_path="/account/login",
    )
    assert response.headers["Location"] == "/account/login/code"  # every site's figures: 2FA
    response = browser.post(
        "/account/login/code",
        {"code": totp_code_for(reader)},
        csrf_from_path="/account/login/code",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == STATE
    page = browser.client.get(STATE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Essen" in text and "05113000" in text and "05112000" in text
    assert "DU-2026-" not in text  # no household code, no list of cases
    rows = _csv(browser.client.get(STATE + "/export.csv"))
    assert rows[1][1] == "All sites (state level)"
    assert _households_row(rows)[1] == "12"
    pdf = browser.client.get(STATE + "/summary.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    with app.test_request_context():
        paths = {endpoint: url_for(endpoint) for endpoint in REFUSED}
    for endpoint, path in paths.items():
        assert browser.client.get(path).status_code == 403, endpoint
    home = browser.client.get("/")
    assert home.status_code == 200  # the navigation renders for the role
    assert STATE in home.get_data(as_text=True)
    with app.test_request_context():
        profile = url_for("accounts.profile")
    assert browser.client.get(profile).status_code == 200  # their own account


def test_only_state_readers_open_the_state_report(browser, sites):
    # An admin holds their site's own report: subtracted from the state total, it would tell
    # another site's withheld figure. The state report goes to readers of no site only.
    for role in ("specialist", "admin"):
        browser.login(StaffFactory(role=role))
        assert browser.client.get(STATE).status_code == 403
        assert browser.client.get(STATE + "/export.csv").status_code == 403
        assert browser.client.get(STATE + "/summary.pdf").status_code == 403
        browser.logout()
    browser.login(_state_reader())
    assert _households_row(_csv(browser.client.get(STATE + "/export.csv")))[1] == "12"


def test_create_staff_makes_a_state_reader_without_sites(runner, db, sites):
    result = runner.invoke(
        args=["accounts", "create-staff", "Land@Example.org", "--role", "state_reader"]
    )
    assert result.exit_code == 0, result.output
    reader = db.session.scalar(select(User).where(User.email == "land@example.org"))
    assert reader.role == Role.STATE_READER and reader.sites == []
    assert not reader.is_staff
    with pytest.raises(Refused):
        ops.create_staff("other@example.org", Role.STATE_READER, "Land", sites=list(sites))
    with pytest.raises(Refused):
        ops.create_staff("owner@example.org", Role.LANDLORD, "Landlord")


def test_the_command_line_exports_one_site_or_the_state(runner, sites):
    result = runner.invoke(args=["reports", "export", "--preset", "this_year", "--site", "essen"])
    assert result.exit_code == 0, result.output
    assert "Essen (AGS 05113000)" in result.output
    result = runner.invoke(args=["reports", "export", "--preset", "this_year", "--site", "state"])
    assert result.exit_code == 0, result.output
    assert "Alle Standorte (Landesebene)" in result.output
    result = runner.invoke(args=["reports", "export", "--preset", "this_year"])
    assert result.exit_code != 0  # two sites: which one must be said
    assert not db.session.scalars(select(SubmittedReport)).all()


def test_a_cell_shown_in_a_site_report_is_never_the_one_withheld_for_the_sum():
    """All sites 12 = Duisburg 2 + Essen 10: to protect the 2, the 10 would be withheld (the
    smallest); but Essen's report shows its 10, so the sum is withheld instead."""
    table = Table("t", "t", "", [("n", "n")], sums=[(ALL, ("a", "b"))])
    table.add("All", {"n": count(12)}, key=ALL)
    table.add("A", {"n": count(2)}, key="a")
    table.add("B", {"n": count(10)}, key="b")

    def marks(tables):
        return [row.cells["n"].hidden for row in tables[0].rows]

    assert marks(suppression.protect([table])) == [None, "low", "high"]
    assert marks(suppression.protect([table], published=frozenset({("t", 2, "n")}))) == [
        "high",
        "low",
        None,
    ]
