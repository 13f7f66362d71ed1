"""The lists of a household's staff page that grow for as long as it waits: its consents, its
open landlord interests and its data exports. The page shows the newest ten of each with the
number of all and a link to a page that lists all of them, a page at a time, newest first, under
the page's own rights (another site's household: 404, tests/sites/test_scope.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.core import clock
from portal.core.db import utcnow
from portal.households.models import Consent
from portal.placements.models import Interest
from portal.privacy.models import HouseholdExport
from tests.builders import HOUSEHOLDS as BASE
from tests.factories import FlatFactory, HouseholdFactory, UserFactory

INTERESTS = "/backoffice/placements/households"
EXPORTS = "/backoffice/privacy/households"


def section(html: str, title_id: str) -> str:
    return html.split(f'id="{title_id}"')[1].split("</section>")[0]


def with_consents(db, household, number: int) -> None:
    """``number`` consents before the factory's (which is valid today), each half a year
    earlier than the next, scope "Umfang NN" (00 the oldest), recorded by a social worker."""
    worker = UserFactory(role="social_worker", organisation=None, full_name="Erika Erfasst")
    today = clock.today()
    for n in range(number):
        given = today - timedelta(days=200 * (number - n))
        db.session.add(
            Consent(
                household=household,
                given_on=given,
                expires_on=given + timedelta(days=180),
                scope=f"Umfang {n:02d}",
                recorded_by_id=worker.id,
            )
        )
    db.session.flush()


def with_interests(db, household, number: int) -> None:
    """``number`` open interests, an hour apart, each for a flat of its own on "Weg NN" (00 the
    oldest); and a declined one, which no list of open interests shows."""
    landlord = UserFactory(organisation__name="Interesse eG")
    now = utcnow()
    for n in range(number + 1):
        street = f"Weg {n:02d}"
        flat = FlatFactory(organisation=landlord.organisation, status="draft", street=street)
        db.session.add(
            Interest(
                flat=flat,
                household=household,
                organisation_id=flat.organisation_id,
                created_by_id=landlord.id,
                created_at=now - timedelta(hours=number - n),
                status="open" if n < number else "declined",
            )
        )
    db.session.flush()


def with_exports(db, household, number: int) -> None:
    """``number`` exports, a day apart, explained "Anlass NN" (00 the oldest)."""
    actor = UserFactory(role="admin", organisation=None, full_name="Ada Auskunft")
    now = utcnow()
    db.session.add_all(
        HouseholdExport(
            household_id=household.id,
            actor_id=actor.id,
            created_at=now - timedelta(days=number - n),
            purpose="access_request",
            explanation=f"Anlass {n:02d}",
        )
        for n in range(number)
    )
    db.session.flush()


def test_the_page_shows_the_newest_ten_consents_and_links_to_all(browser, db):
    household = HouseholdFactory()
    with_consents(db, household, 12)  # and the factory's own: 13
    browser.login("social_worker")
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    consents = section(html, "consents-title")
    shown = re.findall(r"Umfang (\d{2})", consents)
    assert shown == [f"{n:02d}" for n in range(11, 2, -1)]  # the valid one, then the 9 newest
    assert consents.count("<tr>") == 10 + 1  # and the head
    assert "3 older consents are not shown here." in consents
    assert f'href="{BASE}/{household.id}/consents/all">Show all 13 consents</a>' in consents
    assert "Landlords see this profile." in html  # the valid consent, among all of them
    assert 'name="to" value="paused"' in html  # the moves read every consent's dates
    assert "Withdraw consent" in consents and "Erika Erfasst" in consents


def test_the_consents_page_lists_all_a_page_at_a_time(browser, db, monkeypatch):
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 5)
    household = HouseholdFactory()
    with_consents(db, household, 7)
    browser.login("specialist")  # reads consents, never the scans nor the withdrawal
    first = browser.client.get(f"{BASE}/{household.id}/consents/all").get_data(as_text=True)
    assert "8 consents, newest first" in first
    assert re.findall(r"Umfang (\d{2})", first) == ["06", "05", "04", "03"]  # after the valid
    assert "Page 1 of 2" in first and "Erika Erfasst" in first
    assert f'href="{BASE}/{household.id}/consents/all?page=2" rel="next"' in first
    assert f'href="{BASE}/{household.id}#consents"' in first
    assert "Withdraw consent" not in first and "Signed form" not in first
    second = browser.client.get(f"{BASE}/{household.id}/consents/all?page=2")
    assert second.headers["Cache-Control"] == "no-store"
    assert re.findall(r"Umfang (\d{2})", second.get_data(as_text=True)) == ["02", "01", "00"]


def test_a_social_worker_withdraws_from_the_consents_page(browser, db):
    household = HouseholdFactory()
    browser.login("social_worker")
    path = f"{BASE}/{household.id}/consents/all"
    page = browser.client.get(path).get_data(as_text=True)
    assert "1 consent, newest first" in page and "Withdraw consent" in page
    consent = household.consents[0]
    response = browser.post(
        f"{BASE}/{household.id}/consents/{consent.id}/withdraw", {}, csrf_from_path=path
    )
    assert response.status_code == 302
    db.session.refresh(consent)
    assert consent.withdrawn_on == clock.today()


def test_a_few_consents_show_whole_without_a_link(browser, db):
    household = HouseholdFactory()
    with_consents(db, household, 9)
    browser.login("social_worker")
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    consents = section(html, "consents-title")
    assert len(re.findall(r"Umfang (\d{2})", consents)) == 9
    assert "not shown here" not in consents and "/consents/all" not in consents


def test_the_page_shows_the_newest_ten_interests_and_links_to_all(browser, db):
    household = HouseholdFactory()
    with_interests(db, household, 13)
    browser.login("specialist")
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    interests = section(html, "interests-title")
    assert '<span class="badge">13</span>' in interests
    assert re.findall(r"Weg (\d{2})", interests) == [f"{n:02d}" for n in range(12, 2, -1)]
    assert interests.count(">Accept<") == 10
    assert "3 older open interests are not shown here." in interests
    link = f'href="{INTERESTS}/{household.id}/interests"'
    assert f"{link}>Show all 13 open interests</a>" in interests


def test_the_interests_page_lists_all_open_ones_a_page_at_a_time(browser, db, monkeypatch):
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 5)
    household = HouseholdFactory()
    with_interests(db, household, 7)
    browser.login("specialist")
    path = f"{INTERESTS}/{household.id}/interests"
    first = browser.client.get(path).get_data(as_text=True)
    assert f"Open landlord interests: household {household.code}" in first
    assert "7 open interests, newest first" in first
    assert re.findall(r"Weg (\d{2})", first) == ["06", "05", "04", "03", "02"]
    assert first.count(">Accept<") == 5 and "Interesse eG" in first
    assert f'href="{path}?page=2" rel="next"' in first
    second = browser.client.get(f"{path}?page=2")
    assert second.headers["Cache-Control"] == "no-store"
    assert re.findall(r"Weg (\d{2})", second.get_data(as_text=True)) == ["01", "00"]
    browser.logout()
    browser.login("social_worker")  # reads them, decides none
    page = browser.client.get(path).get_data(as_text=True)
    assert "7 open interests, newest first" in page and ">Accept<" not in page


def test_the_page_shows_the_newest_ten_exports_and_links_to_all(browser, db):
    household = HouseholdFactory()
    with_exports(db, household, 12)
    browser.login("social_worker")
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    exports = section(html, "privacy-title")
    assert re.findall(r"Anlass (\d{2})", exports) == [f"{n:02d}" for n in range(11, 1, -1)]
    assert "2 older exports are not shown here." in exports and "Ada Auskunft" in exports
    assert f'href="{EXPORTS}/{household.id}/exports">Show all 12 data exports</a>' in exports


def test_the_exports_page_lists_all_a_page_at_a_time(browser, db, monkeypatch):
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 5)
    household = HouseholdFactory()
    with_exports(db, household, 7)
    browser.login("admin")  # reads the data-protection page, so all exports too
    privacy = browser.client.get(f"{EXPORTS}/{household.id}").get_data(as_text=True)
    assert len(re.findall(r"Anlass (\d{2})", privacy)) == 7
    assert "not shown here" not in privacy
    path = f"{EXPORTS}/{household.id}/exports"
    first = browser.client.get(path).get_data(as_text=True)
    assert "7 exports, newest first" in first and "Ada Auskunft" in first
    assert re.findall(r"Anlass (\d{2})", first) == ["06", "05", "04", "03", "02"]
    assert f'href="{path}?page=2" rel="next"' in first
    assert f"{BASE}/{household.id}" not in first  # the household page is not the admin's
    second = browser.client.get(f"{path}?page=2")
    assert second.headers["Cache-Control"] == "no-store"
    assert re.findall(r"Anlass (\d{2})", second.get_data(as_text=True)) == ["01", "00"]


def test_the_data_protection_page_shows_the_newest_ten_exports(browser, db):
    household = HouseholdFactory()
    with_exports(db, household, 11)
    browser.login("social_worker")
    html = browser.client.get(f"{EXPORTS}/{household.id}").get_data(as_text=True)
    exports = section(html, "exports-title")
    assert len(re.findall(r"Anlass (\d{2})", exports)) == 10 and "Anlass 00" not in exports
    assert "1 older export is not shown here." in exports
    assert f'href="{EXPORTS}/{household.id}/exports">Show all 11 data exports</a>' in exports


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (BASE + "/{id}/consents/all", ("specialist", "social_worker")),
        (INTERESTS + "/{id}/interests", ("specialist", "social_worker")),
        (EXPORTS + "/{id}/exports", ("social_worker", "admin")),
    ],
)
def test_who_may_read_all_of_a_list(browser, db, path, allowed):
    """As the page the list belongs to: the household page's readers, the data-protection
    page's for the exports; every other role 403, a visitor to the login, no household 404."""
    household = HouseholdFactory()
    with_consents(db, household, 1)
    with_interests(db, household, 1)
    with_exports(db, household, 1)
    url = path.format(id=household.id)
    response = browser.client.get(url)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    for role in ("landlord", "specialist", "social_worker", "admin"):
        browser.login(role)
        response = browser.client.get(url)
        assert response.status_code == (200 if role in allowed else 403), role
        if role in allowed:
            assert household.code in response.get_data(as_text=True)
            assert browser.client.get(path.format(id=household.id + 999)).status_code == 404
        browser.logout()
