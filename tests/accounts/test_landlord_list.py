"""The back-office landlord list: a page of organisations, each row naming its first users and
the number of the others, which the organisation's own page lists a page at a time."""

from __future__ import annotations

import pyotp

from portal.accounts import twofactor as tf
from portal.accounts.backoffice import ROW_MEMBERS
from portal.core.pagination import PER_PAGE
from portal.extensions import db as _db
from tests.conftest import counted_statements
from tests.factories import CompanyFactory, OrganisationFactory, UserFactory


def html(response) -> str:
    return response.get_data(as_text=True)


def company_with(users: int, name: str):
    org = CompanyFactory(name=name)
    people = [UserFactory(organisation=org, full_name=f"{name} {n:03d}") for n in range(users)]
    return org, people


def row_of(page: str, name: str) -> str:
    return page.split(f"<td>{name}</td>")[1].split("</tr>")[0]


def test_a_big_company_shows_its_first_users_and_the_number_of_the_others(browser, db):
    big, people = company_with(40, "Wohnbau")
    small, pair = company_with(2, "Klein")
    tf.enrol_with_secret(people[1], pyotp.random_base32())
    tf.enrol_with_secret(people[-1], pyotp.random_base32())
    _db.session.commit()
    browser.login("specialist")
    page = html(browser.client.get("/backoffice/landlords"))

    row = row_of(page, "Wohnbau")
    assert [p.full_name in row for p in people[:4]] == [True] * ROW_MEMBERS + [False]
    assert f"/backoffice/landlords/{people[1].id}/reset-second-factor" in row
    assert f"/backoffice/landlords/{people[-1].id}/reset-second-factor" not in row
    assert f"{40 - ROW_MEMBERS} more members." in row
    assert f'href="/backoffice/landlords/organisations/{big.id}"' in row
    small_row = row_of(page, "Klein")
    assert all(p.full_name in small_row for p in pair) and "more member" not in small_row

    # Everyone else: on the organisation's page, a page at a time, with what the row offers.
    first = html(browser.client.get(f"/backoffice/landlords/organisations/{big.id}"))
    assert "Wohnbau 000" in first and f"Wohnbau {PER_PAGE - 1:03d}" in first
    assert f"Wohnbau {PER_PAGE:03d}" not in first and "Page 1 of 2" in first
    assert f"/backoffice/landlords/organisations/{big.id}?page=2" in first
    second = html(browser.client.get(f"/backoffice/landlords/organisations/{big.id}?page=2"))
    assert f"Wohnbau {PER_PAGE:03d}" in second and "Wohnbau 039" in second
    assert f"/backoffice/landlords/{people[-1].id}/reset-second-factor" in second
    assert f"/backoffice/privacy/users/{people[-1].id}" in second
    assert browser.client.get("/backoffice/landlords/organisations/999999").status_code == 404


def test_one_more_member_in_the_singular(browser, db):
    company_with(ROW_MEMBERS + 1, "Knapp")
    _db.session.commit()
    browser.login("social_worker")
    row = row_of(html(browser.client.get("/backoffice/landlords")), "Knapp")
    assert "1 more member." in row
    assert "reset-second-factor" not in row and "/backoffice/privacy/" not in row  # specialists'


def test_the_organisation_page_is_for_the_lists_readers_only(browser, db):
    org = OrganisationFactory()
    UserFactory(organisation=org)
    _db.session.commit()
    path = f"/backoffice/landlords/organisations/{org.id}"
    for role, status in [("specialist", 200), ("social_worker", 200), ("admin", 403)]:
        browser.login(role)
        assert browser.client.get(path).status_code == status, role
        browser.logout()
    browser.login(UserFactory(organisation=org))
    assert browser.client.get(path).status_code == 403


def test_the_list_costs_as_many_statements_whatever_the_number_of_users(browser, db):
    browser.login("specialist")

    def statements() -> int:
        browser.client.get("/backoffice/landlords")
        with counted_statements(_db.engine) as seen:
            assert browser.client.get("/backoffice/landlords").status_code == 200
        return len(seen)

    for n in range(3):
        company_with(2, f"Zwei{n}")
    _db.session.commit()
    small = statements()
    for n in range(3):
        company_with(20, f"Zwanzig{n}")
    _db.session.commit()
    assert statements() == small
    page = html(browser.client.get("/backoffice/landlords"))
    assert page.count(f"{20 - ROW_MEMBERS} more members.") == 3
