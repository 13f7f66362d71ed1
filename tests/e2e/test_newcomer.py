"""A newcomer registers, confirms the address from the e-mail, logs out and in again, and
switches the language; every page passes axe-core."""

import re

import pytest
from sqlalchemy import select

from portal.core.outbox import OutboxMessage
from portal.extensions import db

pytestmark = pytest.mark.e2e

PASSWORD = "Mein Haus am Rhein 2026"


def latest_mail_to(live_app, address: str) -> OutboxMessage:
    with live_app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no mail to {address}"
        db.session.expunge(message)
        return message


@pytest.mark.phone
def test_newcomer_registers_verifies_and_logs_in(web, live_app, live_server):
    page = web.page
    web.goto("/")
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("link", name=re.compile("Registrieren")).first.click()
    web.check()

    # First a mistake: a common password. The form comes back with the input kept.
    page.get_by_label("Wohnungsunternehmen").check()
    page.get_by_label("Name des Vermieters", exact=False).fill("Hochfeld Wohnen GmbH")
    page.get_by_label("Ansprechperson").fill("Erika Muster")
    page.get_by_label("E-Mail-Adresse").fill("erika@example.org")
    page.get_by_label("Passwort").fill("qwerty123456")
    page.get_by_label(re.compile("Datenschutzhinweise")).check()
    page.get_by_role("button", name="Registrieren").click()
    web.check()
    assert page.get_by_label("Ansprechperson").input_value() == "Erika Muster"
    assert page.locator(".error").count() >= 1

    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_label(re.compile("Datenschutzhinweise")).check()
    page.get_by_role("button", name="Registrieren").click()
    web.check()
    assert "/account/register/done" in page.url

    # The verification link from the outbox.
    message = latest_mail_to(live_app, "erika@example.org")
    path = re.search(r"http://localhost(/\S+)", message.body_text).group(1)
    # Confirming sets the password (issue 13.1): she types the one she chose.
    web.goto(path)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button").filter(has_text="E-Mail-Adresse").last.click()
    web.check()
    assert page.url.endswith("/flats/")

    # See the account, log out, log in again.
    web.goto("/account/")
    assert page.get_by_text("bestätigt", exact=True).count() == 1
    page.get_by_role("button", name="Abmelden").click()
    web.check()
    web.goto("/account/login")
    page.get_by_label("E-Mail-Adresse").fill("erika@example.org")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Anmelden").click()
    web.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Wohnungen"


def test_language_switch(web):
    page = web.page
    web.goto("/account/login")
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("button", name="English").click()
    web.check()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    web.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Deutsch").click()
    web.check()
    assert page.locator("html").get_attribute("lang") == "de"


@pytest.mark.parametrize(
    "path", ["/", "/impressum", "/datenschutz", "/account/reset", "/does-not-exist"]
)
def test_public_pages_are_accessible(web, path):
    web.goto(path)
