"""New work belongs to a site: a household profile, a mediation request, a prevention case.
With one site nobody chooses anything; staff of several sites and visitors where several sites
take requests choose, and cannot choose a site that is not theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.households.models import Household
from portal.households.operations import prevention as prevention_ops
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.builders import HOUSEHOLDS, mediation_cases, only_household, profile_form, send_mediation
from tests.builders import create_household as create
from tests.factories import HouseholdFactory, StaffFactory


@pytest.fixture(autouse=True)
def no_waiting(app, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIATION_MIN_SECONDS", 0)


def _essen_form(**overrides):
    # Essen has no districts of Duisburg: no preferred districts.
    return profile_form(preferred_districts=[], **overrides)


def test_one_site_shows_no_site_anywhere(browser):
    browser.login("social_worker")
    assert 'name="site"' not in browser.client.get(f"{HOUSEHOLDS}/new").get_data(as_text=True)
    browser.logout()
    assert 'name="site"' not in browser.client.get("/mediation/").get_data(as_text=True)


def test_staff_of_two_sites_choose_and_the_code_has_the_sites_prefix(browser, db, essen):
    duisburg = db.session.get(Site, DEFAULT_SITE_ID)
    browser.login(StaffFactory(role="social_worker", sites=[duisburg, essen]))
    page = browser.client.get(f"{HOUSEHOLDS}/new").get_data(as_text=True)
    assert 'name="site"' in page and ">Essen</option>" in page
    response = create(browser, site=str(essen.id), preferred_districts=[])
    assert response.status_code == 302
    household = only_household(db)
    assert household.site_id == essen.id
    assert household.code == f"E-{clock.today().year}-0001"


def test_a_site_that_is_not_ones_own_is_refused_with_the_input_kept(browser, db, essen):
    browser.login(StaffFactory(role="social_worker", sites=[essen]))
    third = Site(slug="wesel", name="Kreis Wesel", municipality_key="05170000", code_prefix="WES")
    db.session.add(third)
    db.session.flush()
    # With one site of their own there is no choice: the profile goes to Essen.
    response = create(browser, site=str(third.id), preferred_districts=[])
    assert response.status_code == 302
    assert only_household(db).site_id == essen.id
    # With two, a third site is not a valid choice: nothing is stored, the input comes back.
    db.session.delete(only_household(db))
    browser.logout()
    duisburg = db.session.get(Site, DEFAULT_SITE_ID)
    browser.login(StaffFactory(role="social_worker", sites=[duisburg, essen]))
    response = browser.post(
        f"{HOUSEHOLDS}/new",
        _essen_form(site=str(third.id), profile_text="Eine ruhige Familie aus Essen."),
        csrf_from_path=f"{HOUSEHOLDS}/new",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Not a valid choice" in page and "Eine ruhige Familie aus Essen." in page
    assert db.session.scalars(select(Household)).all() == []


def test_staff_of_no_site_start_no_profile(browser, db):
    worker = StaffFactory(role="social_worker")
    worker.sites = []
    db.session.flush()
    browser.login(worker)
    assert browser.client.get(f"{HOUSEHOLDS}/new").status_code == 403


def test_mediation_asks_for_the_site_only_where_several_take_requests(browser, db, essen):
    page = browser.client.get("/mediation/").get_data(as_text=True)
    assert 'name="site"' in page and ">Essen</option>" in page
    response = send_mediation(browser)  # no site chosen
    assert response.status_code == 200
    assert "Please choose the site." in response.get_data(as_text=True)
    assert mediation_cases() == []
    response = send_mediation(browser, site=str(essen.id))
    assert response.status_code == 302
    [case] = mediation_cases()
    assert case.site_id == essen.id


def test_a_prevention_case_belongs_to_its_households_site(app, db, essen):
    household = HouseholdFactory(
        site_id=essen.id,
        code="E-2026-0009",
        status="paused",
        intake_on=clock.today() - timedelta(days=30),
    )
    worker = StaffFactory(role="social_worker", sites=[essen])
    with app.test_request_context():
        case = prevention_ops.open_case(
            household,
            worker,
            opened_on=clock.today() - timedelta(days=1),
            threat="notice_rent_arrears",
            landlord_name="Vermieter Essen",
        )
    assert case.site_id == essen.id


def test_preferred_districts_must_be_of_the_households_site(browser, db, essen):
    duisburg = db.session.get(Site, DEFAULT_SITE_ID)
    browser.login(StaffFactory(role="social_worker", sites=[duisburg, essen]))
    response = create(browser, site=str(essen.id))  # Hochfeld and Neudorf-Nord: Duisburg's
    assert response.status_code == 200
    assert "Please choose districts of Essen only." in response.get_data(as_text=True)
    assert db.session.scalars(select(Household)).all() == []
