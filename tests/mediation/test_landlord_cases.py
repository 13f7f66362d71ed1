"""The landlord side of mediation: prefilled form, tenancy choice, and the own cases with the
replies sent to them (never internal notes, never another organisation's cases)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core.db import utcnow
from portal.extensions import db
from portal.mediation import operations as ops
from portal.mediation.forms import FLAT_CHOICES, NO_FLAT
from portal.mediation.models import CaseEntry, MediationCase
from portal.placements.models import Placement
from tests import factories
from tests.builders import MEDIATION_FORM as GOOD
from tests.builders import make_case
from tests.builders import mediation_cases as cases
from tests.builders import send_mediation as send
from tests.conftest import counted_statements


@pytest.fixture(autouse=True)
def no_waiting(app, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIATION_MIN_SECONDS", 0)


def test_landlord_finds_name_and_email_filled_in_and_their_tenancies(browser):
    landlord = browser.login("landlord", full_name="Lara Landlord")
    let = factories.FlatFactory(
        organisation=landlord.organisation, status="let", street="Mietweg", house_number="3"
    )
    factories.FlatFactory(organisation=landlord.organisation, status="reserved", street="Resweg")
    factories.FlatFactory(organisation=landlord.organisation, status="published", street="Pubweg")
    factories.FlatFactory(status="let", street="Fremdweg")  # another organisation
    html = browser.client.get("/mediation/").get_data(as_text=True)
    assert 'value="Lara Landlord"' in html and f'value="{landlord.email}"' in html
    assert re.search(r'value="landlord"[^>]*checked|checked[^>]*value="landlord"', html)
    assert "Which tenancy is it about?" in html
    assert "Mietweg 3" in html and "Resweg" in html
    assert "Pubweg" not in html and "Fremdweg" not in html
    assert f'<option value="{let.public_key}"' in html
    assert "most recently" not in html  # all of them are offered: no word about the others


def test_anonymous_visitor_sees_no_tenancy_choice(client):
    html = client.get("/mediation/").get_data(as_text=True)
    assert "Which tenancy is it about?" not in html
    assert 'value="landlord" checked' not in html


def test_landlord_sends_a_request_about_a_tenancy(browser):
    landlord = browser.login("landlord")
    flat = factories.FlatFactory(
        organisation=landlord.organisation, status="let", street="Mietweg", house_number="3"
    )
    response = send(
        browser,
        sender_kind="landlord",
        name=landlord.full_name,
        email=landlord.email,
        flat=flat.public_key,
        flat_address="",
    )
    assert response.status_code == 302
    [case] = cases()
    assert case.flat_id == flat.id and "Mietweg 3" in case.flat_address
    assert case.organisation_id == landlord.organisation_id and case.user_id == landlord.id


def test_landlord_cannot_choose_another_organisations_flat(browser):
    browser.login("landlord")
    other = factories.FlatFactory(status="let")
    response = send(browser, flat=other.public_key)
    assert response.status_code == 200
    assert GOOD["message"] in response.get_data(as_text=True)
    assert cases() == []


# A housing company with many tenancies: the fifty let most recently, and the placement's flat ---


def tenancies(organisation, count: int) -> list:
    """``count`` let flats of ``organisation``, "Mietweg 1" the one let most recently, the
    others a day apart each."""
    now = utcnow()
    return [
        factories.FlatFactory(
            organisation=organisation,
            status="let",
            street="Mietweg",
            house_number=str(n + 1),
            status_changed_at=now - timedelta(days=n),
        )
        for n in range(count)
    ]


def flat_options(html: str) -> list[str]:
    """The values of the tenancy choice, in the order offered."""
    choice = html.split('name="flat"')[1].split("</select>")[0]
    return re.findall(r'<option[^>]*value="([^"]*)"', choice)


def test_many_tenancies_offer_the_fifty_let_most_recently(browser):
    landlord = browser.login("landlord")
    flats = tenancies(landlord.organisation, FLAT_CHOICES + 3)
    with counted_statements(db.engine) as seen:
        html = browser.client.get("/mediation/").get_data(as_text=True)
    offered = [flat.public_key for flat in flats[:FLAT_CHOICES]]
    assert flat_options(html) == [NO_FLAT, *offered]  # 50 and "none of these"
    assert "Mietweg 50," in html and "Mietweg 51," not in html
    assert "Your 50 flats let or reserved most recently are listed" in html
    assert "type the address of another flat below" in html
    # The flats are read with the columns their labels need, not whole.
    [statement] = [s for s in seen if re.search(r"FROM flats\b", s)]
    assert "flats.street" in statement and "flats.description" not in statement
    landlord.locale = "de"
    db.session.flush()
    html = browser.client.get("/mediation/").get_data(as_text=True)
    assert "Hier stehen Ihre 50 zuletzt vermieteten oder reservierten Wohnungen" in html


def test_the_placement_s_flat_is_offered_however_long_ago_it_was_let(browser):
    landlord = browser.login("landlord")
    flats = tenancies(landlord.organisation, FLAT_CHOICES + 3)
    oldest = flats[-1]
    placement = Placement(flat=oldest, household=factories.HouseholdFactory(), origin="specialist")
    db.session.add(placement)
    db.session.flush()
    path = f"/mediation/?placement={placement.public_key}"
    html = browser.client.get(path).get_data(as_text=True)
    offered = [flat.public_key for flat in flats[:FLAT_CHOICES]]
    assert flat_options(html) == [NO_FLAT, oldest.public_key, *offered]
    assert re.search(rf'<option selected value="{oldest.public_key}"', html)
    data = dict(GOOD, sender_kind="landlord", flat=oldest.public_key, flat_address="")
    data["started"] = re.search(r'name="started"[^>]*value="([^"]+)"', html).group(1)
    assert browser.post(path, data, csrf_from_path=path).status_code == 302
    [case] = cases()
    assert case.flat_id == oldest.id and case.placement_id == placement.id
    assert case.flat_address.startswith(f"Mietweg {FLAT_CHOICES + 3},")


def test_a_flat_not_offered_is_refused_and_everything_typed_kept(browser):
    landlord = browser.login("landlord")
    flats = tenancies(landlord.organisation, FLAT_CHOICES + 1)
    foreign = factories.FlatFactory(status="let", street="Fremdweg")
    # Another organisation's flat, and an own one let too long ago to be offered.
    for key in (foreign.public_key, flats[-1].public_key):
        response = send(
            browser,
            sender_kind="landlord",
            flat=key,
            flat_address="Mietweg 51, 47057 Duisburg",
            message="Der Mieter zahlt seit zwei Monaten keine Miete mehr.",
        )
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Not a valid choice" in html
        assert "Der Mieter zahlt seit zwei Monaten keine Miete mehr." in html
        assert 'value="Mietweg 51, 47057 Duisburg"' in html
        assert "Fremdweg" not in html
    assert cases() == []


def test_link_from_a_placement_preselects_its_flat(browser):
    landlord = browser.login("landlord")
    flat = factories.FlatFactory(organisation=landlord.organisation, status="published")
    household = factories.HouseholdFactory()
    placement = Placement(flat=flat, household=household, origin="specialist")
    db.session.add(placement)
    db.session.flush()
    path = f"/mediation/?placement={placement.public_key}"
    html = browser.client.get(path).get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{flat.public_key}"|<option value="{flat.public_key}" selected',
        html,
    )
    data = dict(GOOD, flat=flat.public_key, flat_address="")
    data["started"] = re.search(r'name="started"[^>]*value="([^"]+)"', html).group(1)
    assert browser.post(path, data, csrf_from_path=path).status_code == 302
    [case] = cases()
    assert case.placement_id == placement.id and case.flat_id == flat.id
    # Another organisation's placement preselects nothing.
    other = Placement(
        flat=factories.FlatFactory(status="published"),
        household=factories.HouseholdFactory(),
        origin="specialist",
    )
    db.session.add(other)
    db.session.flush()
    html = browser.client.get(f"/mediation/?placement={other.public_key}").get_data(as_text=True)
    assert f'value="{other.flat.public_key}"' not in html


def test_mine_lists_own_cases_only(browser):
    landlord = browser.login("landlord")
    own = make_case(landlord.organisation_id, "M-2026-0101")
    other_org = factories.OrganisationFactory()
    make_case(other_org.id, "M-2026-0102")
    make_case(None, "M-2026-0103")
    html = browser.client.get("/mediation/mine").get_data(as_text=True)
    assert own.number in html and "Rent arrears" in html and "Received" in html
    assert "M-2026-0102" not in html and "M-2026-0103" not in html


def test_case_shows_replies_but_never_internal_notes(browser):
    landlord = browser.login("landlord")
    staff = factories.StaffFactory(role="social_worker", full_name="Sara Sozial")
    case = make_case(landlord.organisation_id, "M-2026-0111")
    ops.add_note(case, staff, "INTERNAL: tenant seems overwhelmed")
    ops.reply(case, staff, "We have spoken with your tenant and will call you tomorrow.")
    db.session.add(CaseEntry(case=case, kind="note", text="SECOND INTERNAL NOTE"))
    db.session.flush()
    response = browser.client.get(f"/mediation/mine/{case.public_key}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "We have spoken with your tenant" in html and "Sara Sozial" in html
    assert "INTERNAL" not in html
    assert case.message in html and "In progress" in html


def test_another_organisations_case_answers_404(browser):
    browser.login("landlord")
    other = make_case(factories.OrganisationFactory().id, "M-2026-0121")
    orphan = make_case(None, "M-2026-0122")
    for case_key in (other.public_key, orphan.public_key, "no-such-key", str(other.id)):
        assert browser.client.get(f"/mediation/mine/{case_key}").status_code == 404
        assert browser.client.get(f"/mediation/mine/{case_key}/replies").status_code == 404


@pytest.mark.parametrize("role", ["specialist", "social_worker", "admin"])
def test_staff_get_403(browser, role):
    browser.login(role)
    case = make_case(None, "M-2026-0131")
    assert browser.client.get("/mediation/mine").status_code == 403
    assert browser.client.get(f"/mediation/mine/{case.public_key}").status_code == 403
    assert browser.client.get(f"/mediation/mine/{case.public_key}/replies").status_code == 403


def test_anonymous_is_sent_to_login(client):
    case = make_case(None, "M-2026-0141")
    for path in (
        "/mediation/mine",
        f"/mediation/mine/{case.public_key}",
        f"/mediation/mine/{case.public_key}/replies",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/account/login" in response.location


def test_nav_footer_and_landing_link_to_the_form(client):
    html = client.get("/").get_data(as_text=True)
    assert html.count('href="/mediation/"') >= 3


def test_no_case_rows_leak_between_tests():
    assert db.session.scalars(select(MediationCase)).all() == []


def test_mine_comes_a_page_at_a_time(browser, monkeypatch):
    """PER_PAGE + 2 cases: PER_PAGE on the first page (the newest), 2 on the second; the link
    to the second page keeps the other query arguments."""
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 3)
    landlord = browser.login("landlord")
    numbers = [make_case(landlord.organisation_id, f"M-2026-02{i:02d}").number for i in range(5)]
    first = browser.client.get("/mediation/mine?from=home").get_data(as_text=True)
    assert [n for n in numbers if n in first] == numbers[2:]
    assert "Page 1 of 2" in first
    assert 'href="/mediation/mine?from=home&amp;page=2"' in first
    second = browser.client.get("/mediation/mine?from=home&page=2").get_data(as_text=True)
    assert [n for n in numbers if n in second] == numbers[:2]
    assert "Page 2 of 2" in second and "?from=home&amp;page=1" in second
    for past in ("/mediation/mine?page=999", "/mediation/mine?page=abc"):
        response = browser.client.get(past)
        assert response.status_code == 200
    html = browser.client.get("/mediation/mine?page=999").get_data(as_text=True)
    assert "You have not sent a mediation request yet." not in html
    assert [n for n in numbers if n in html] == numbers[:2] and "Page 2 of 2" in html
    assert numbers[4] in browser.client.get("/mediation/mine?page=abc").get_data(as_text=True)


# A case answered many times: the newest ten answers on the case page, all a page further ------


def answers(case: MediationCase, count: int, author_id: int | None = None) -> None:
    """``count`` replies of ``case``, "Antwort 000" onwards, and as many internal notes (which
    no landlord page may show), straight into the table."""
    for number in range(count):
        text = f"Antwort {number:03d}"
        db.session.add(CaseEntry(case_id=case.id, kind="reply", author_id=author_id, text=text))
        db.session.add(CaseEntry(case_id=case.id, kind="note", text=f"INTERN {number:03d}"))
    db.session.flush()


def answer_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Antwort (\d{3})", html)]


def replies_section(html: str) -> str:
    return html.split('<section id="replies"')[1].split("</section>")[0]


def test_the_case_page_shows_the_newest_answers_and_the_replies_page_all(browser, monkeypatch):
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 5)
    landlord = browser.login("landlord")
    staff = factories.StaffFactory(role="social_worker", full_name="Sara Sozial")
    case = make_case(landlord.organisation_id, "M-2026-0151")
    answers(make_case(landlord.organisation_id, "M-2026-0152"), 4)  # another case's answers
    answers(case, 13, staff.id)
    path = f"/mediation/mine/{case.public_key}"
    html = browser.client.get(path).get_data(as_text=True)
    section = replies_section(html)
    assert answer_numbers(section) == list(range(3, 13))  # the newest ten, oldest first
    assert section.count("Sara Sozial") == 10 and "INTERN" not in html
    assert "3 earlier replies are not shown here." in section
    assert f'href="{path}/replies">Show all 13 replies</a>' in section

    first = browser.client.get(f"{path}/replies").get_data(as_text=True)
    assert "13 replies, oldest first" in first and "Answers from the Kümmerer team" in first
    assert f'href="{path}#replies">← Mediation request M-2026-0151</a>' in first
    assert answer_numbers(first) == list(range(5)) and "Sara Sozial" in first
    assert f'href="{path}/replies?page=2" rel="next"' in first and "Page 1 of 3" in first
    second = browser.client.get(f"{path}/replies?page=2").get_data(as_text=True)
    last = browser.client.get(f"{path}/replies?page=3").get_data(as_text=True)
    assert answer_numbers(second) == list(range(5, 10))
    assert answer_numbers(last) == list(range(10, 13))
    # A page past the last shows the last (core.pagination.page_of).
    past = browser.client.get(f"{path}/replies?page=9")
    assert past.status_code == 200 and answer_numbers(past.get_data(as_text=True)) == [10, 11, 12]
    for page in (html, first, second, last):
        assert "INTERN" not in page
        assert not re.findall(r'(?:href|action)="[^"]*/\d+(?:[/?#"])', page)  # keys, no ids


def test_a_few_answers_are_shown_whole_without_a_link(browser):
    landlord = browser.login("landlord")
    case = make_case(landlord.organisation_id, "M-2026-0153")
    answers(case, 10)
    path = f"/mediation/mine/{case.public_key}"
    section = replies_section(browser.client.get(path).get_data(as_text=True))
    assert answer_numbers(section) == list(range(10))
    assert "not shown here" not in section and "/replies" not in section
    # The page of all of them answers as well, and a case without answers says so.
    assert answer_numbers(browser.client.get(f"{path}/replies").get_data(as_text=True)) == list(
        range(10)
    )
    empty = make_case(landlord.organisation_id, "M-2026-0154")
    html = browser.client.get(f"/mediation/mine/{empty.public_key}/replies").get_data(as_text=True)
    assert "0 replies, oldest first" in html and "No answer yet." in html


def test_the_answers_speak_german_with_plurals(browser, db):
    landlord = browser.login("landlord")
    landlord.locale = "de"
    case = make_case(landlord.organisation_id, "M-2026-0155")
    answers(case, 11)
    path = f"/mediation/mine/{case.public_key}"
    section = replies_section(browser.client.get(path).get_data(as_text=True))
    assert "1 frühere Antwort wird hier nicht angezeigt." in section
    assert "Alle 11 Antworten anzeigen" in section
    page = browser.client.get(f"{path}/replies").get_data(as_text=True)
    assert "11 Antworten, die ältesten zuerst" in page and "Antworten des Kümmerer-Teams" in page
    assert "← Mediationsanfrage M-2026-0155</a>" in page
