"""The mediation form on a phone: an anonymous visitor and a logged-in landlord send it and see
the case number; a social worker replies, keeps an internal note and resolves the case; the
landlord sees the reply and never the note. Every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import Organisation, Role
from portal.extensions import db
from portal.mediation.models import MediationCase
from tests.e2e.conftest import person

pytestmark = [pytest.mark.e2e, pytest.mark.phone, pytest.mark.english]

PASSWORD = "Ein Zuhause für alle 2026"
NUMBER = re.compile(r"M-\d{4}-\d{4}")


@pytest.fixture
def no_waiting(live_app, monkeypatch):
    monkeypatch.setitem(live_app.config, "MEDIATION_MIN_SECONDS", 0)


def make_landlord(live_app) -> None:
    with live_app.app_context():
        org = Organisation(kind="private", name="Mediation Vermietung")
        person(
            "mediation.owner@example.org",
            "Lena Landlord",
            Role.LANDLORD,
            PASSWORD,
            organisation=org,
        )
        person("mediation.sw@example.org", "Sami Sozial", Role.SOCIAL_WORKER, PASSWORD)
        db.session.commit()


def fill_request(page, message: str) -> None:
    page.get_by_label("What is it about?").select_option("communication")
    page.get_by_label("Your message").fill(message)
    page.get_by_label("I agree that the Kümmerer team processes my details").check()


def test_visitor_and_landlord_send_the_mediation_form(web, live_app, no_waiting):
    make_landlord(live_app)
    page = web.page

    # An anonymous visitor, from the link on the start page.
    web.goto("/")
    page.locator("main").get_by_role("link", name="Ask for mediation").click()
    web.check()
    page.get_by_label("Tenant").check()
    page.get_by_label("Your name").fill("Tariq Tenant")
    page.get_by_label("E-mail address").fill("tariq@example.org")
    fill_request(page, "Short.")
    page.get_by_role("button", name="Send request").click()
    web.check()  # the refusal page is checked too
    assert "Please write between 20 and 5,000 characters." in page.locator("main").inner_text()
    assert page.get_by_label("Your name").input_value() == "Tariq Tenant"
    page.get_by_label("Your message").fill("Our landlord does not answer about the broken window.")
    page.get_by_label("I agree that the Kümmerer team processes my details").check()
    page.get_by_role("button", name="Send request").click()
    web.check()
    main = page.locator("main").inner_text()
    assert NUMBER.search(main) and "2 working days" in main

    # A landlord: name and e-mail are filled in.
    web.log_in("mediation.owner@example.org", PASSWORD)
    web.goto("/mediation/")
    assert page.get_by_label("Your name").input_value() == "Lena Landlord"
    assert page.get_by_label("E-mail address").input_value() == "mediation.owner@example.org"
    fill_request(page, "The tenants and I need help to talk about the house rules.")
    page.get_by_role("button", name="Send request").click()
    web.check()
    number = NUMBER.search(page.locator("main").inner_text()).group(0)

    page.get_by_role("link", name="My mediation requests").click()
    web.check()
    page.get_by_role("link", name=number).click()
    web.check()
    assert "No answer yet" in page.locator("main").inner_text()

    case_path = page.url.replace(web.base_url, "")
    web.log_out()

    # A social worker answers in the back office, keeps an internal note and resolves the case.
    web.log_in("mediation.sw@example.org", PASSWORD)
    web.goto("/backoffice/mediation/")
    page.get_by_role("link", name=number).click()
    web.check()
    page.get_by_label("Internal note", exact=True).fill("Internal: call the tenant first.")
    page.get_by_role("button", name="Save the note").click()
    web.check()
    page.get_by_label("Reply by e-mail", exact=True).fill(
        "We will visit you and your tenants next Tuesday."
    )
    page.get_by_role("button", name="Send the reply").click()
    web.check()
    page.get_by_label("Status", exact=True).select_option("resolved")
    page.get_by_role("button", name="Change the status").click()
    web.check()
    web.log_out()

    # The landlord sees the reply and the status, never the internal note.
    web.log_in("mediation.owner@example.org", PASSWORD)
    web.goto(case_path)
    main = page.locator("main").inner_text()
    assert "We will visit you and your tenants next Tuesday." in main
    assert "Internal" not in main
    with live_app.app_context():
        case = db.session.scalar(select(MediationCase).where(MediationCase.number == number))
        assert case.status == "resolved"
