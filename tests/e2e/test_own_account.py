"""Issue 15 in the browser: a landlord changes their e-mail address through the link, reads
their own data, and closes the account; axe checks every page on the way."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import Organisation, Role, User
from portal.core.outbox import OutboxMessage
from portal.extensions import db
from tests.e2e.conftest import person, published_flat

pytestmark = pytest.mark.e2e

PASSWORD = "Mein Konto gehoert mir 2026"
LINK = re.compile(r"https?://[^/\s]+(/\S+)")


def link_to(live_app, address: str) -> str:
    with live_app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no mail to {address}"
        match = LINK.search(message.body_text)
        assert match, message.body_text
        return match.group(1)


@pytest.mark.english
def test_a_landlord_moves_address_reads_the_data_and_leaves(web, live_app, tmp_path, monkeypatch):
    monkeypatch.setitem(live_app.config, "ERASURE_LOG", str(tmp_path / "erasures.jsonl"))
    with live_app.app_context():
        organisation = Organisation(kind="private", name="Vermietung Ostacker")
        person(
            "own.old@example.org",
            "Olga Ostacker",
            Role.LANDLORD,
            PASSWORD,
            organisation=organisation,
        )
        published_flat(organisation, "Ostackerweg", "3")
        db.session.commit()
    page = web.page
    web.log_in("own.old@example.org", PASSWORD)
    web.goto("/account/")

    page.get_by_role("link", name="Change my e-mail address").click()
    web.check()
    form = page.locator("main form[action='/account/email']")
    form.locator("input[name=email]").fill("own.new@example.org")
    form.locator("input[name=current_password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    web.check()
    assert "We have sent a link to own.new@example.org" in page.content()

    web.goto(link_to(live_app, "own.new@example.org"))
    page.get_by_role("button", name="Use this address").click()
    web.check()
    assert "Your e-mail address is now own.new@example.org" in page.content()

    page.get_by_role("link", name="My data").click()
    web.check()
    assert "Ostackerweg 3" in page.content() and "own.new@example.org" in page.content()

    web.goto("/account/close")
    form = page.locator("main form[action='/account/close']")
    form.locator("input[name=current_password]").fill(PASSWORD)
    form.locator("input[name=understood]").check()
    form.locator("button[type=submit]").click()
    web.check()
    assert "Your account is closed" in page.content()
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.full_name == "Olga Ostacker"))
        assert user is None, "the name is erased"


def test_the_pages_in_german_pass_axe(web, live_app):
    with live_app.app_context():
        organisation = Organisation(kind="company", name="Wohnen am Deich GmbH")
        person(
            "deich@example.org",
            "Dora Deich",
            Role.LANDLORD,
            PASSWORD,
            organisation=organisation,
            locale="de",
        )
        db.session.commit()
    web.log_in("deich@example.org", PASSWORD)
    for path in ("/account/email", "/account/data", "/account/close"):
        web.goto(path)
    assert "Mein Konto endgültig schließen" in web.page.content()
