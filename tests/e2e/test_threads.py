"""A conversation in the browser (issue 15): the landlord writes to the team on the placement
page, the specialist reads it in the back office and answers, the landlord reads the answer;
the same on a mediation case; a long conversation shows its newest ten and links to all of it.
Every page passes axe-core. (English UI.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import Organisation, Role, User
from portal.extensions import db
from portal.mediation.models import MediationCase
from portal.placements import operations as ops
from portal.placements.messages import Message
from tests.e2e.conftest import person, published_flat
from tests.e2e.placement_world import vetted_household

pytestmark = pytest.mark.e2e

PASSWORD = "Ein Zuhause für alle 2026"
SPECIALIST = "thread-spec@example.org"
LANDLORD = "thread-owner@example.org"
QUESTION = "Can we meet at the front door? The bell is broken."
ANSWER = "Yes, we wait at the front door at ten."
CASE_QUESTION = "Is there any news from the tenant?"


def seed(live_app) -> tuple[str, int, str, int]:
    """A specialist, a landlord with a flat proposed to a household, and a case of the
    landlord's organisation. Returns (placement key, placement id, case key, case id)."""
    with live_app.app_context(), live_app.test_request_context():
        org = Organisation(kind="company", name="Gesprächs Wohnen GmbH")
        specialist = person(SPECIALIST, "Pia Platz", Role.SPECIALIST, PASSWORD)
        landlord = person(LANDLORD, "Lars Landlord", Role.LANDLORD, PASSWORD, organisation=org)
        db.session.flush()
        flat = published_flat(
            org, "Gesprächsweg", "4", created_by_id=landlord.id, submitted_by_id=landlord.id
        )
        household = vetted_household("DU-2026-0960", specialist)
        db.session.add_all([flat, household])
        db.session.flush()
        placement = ops.propose(flat, household, specialist)
        case = MediationCase(
            number="M-2026-0950",
            sender_kind="landlord",
            name=landlord.full_name,
            email=landlord.email,
            topic="communication",
            message="We need help with talking to our tenant.",
            organisation_id=org.id,
            user_id=landlord.id,
        )
        db.session.add(case)
        db.session.commit()
        return placement.public_key, placement.id, case.public_key, case.id


def send(web, text: str) -> None:
    thread = web.page.locator("#messages")
    thread.get_by_label("Your message").fill(text)
    thread.get_by_role("button", name="Send message").click()
    web.check()


def flash(page) -> str:
    return page.locator(".flash-success").inner_text()


@pytest.mark.english
def test_landlord_writes_and_the_specialist_answers(web, live_app):
    placement_key, placement_id, case_key, case_id = seed(live_app)
    page = web.page
    thread = page.locator("#messages")

    web.log_in(LANDLORD, PASSWORD)
    web.goto(f"/placements/{placement_key}")
    assert "No messages yet." in thread.inner_text()
    # Too long: refused at the field, the text kept (the browser's maxlength is bypassed).
    page.locator("#message_body").evaluate("el => el.removeAttribute('maxlength')")
    send(web, "x" * 2001)
    assert "at most 2,000 characters" in thread.inner_text()
    send(web, QUESTION)
    assert "Your message is sent" in flash(page)
    assert QUESTION in thread.inner_text()
    web.goto(f"/mediation/mine/{case_key}")
    send(web, CASE_QUESTION)
    assert CASE_QUESTION in thread.inner_text()
    web.log_out()

    web.log_in(SPECIALIST, PASSWORD)
    web.goto(f"/backoffice/placements/{placement_id}")
    assert QUESTION in thread.inner_text()
    send(web, ANSWER)
    assert "The landlord gets an e-mail with a link" in flash(page)
    web.goto(f"/backoffice/mediation/{case_id}")
    assert CASE_QUESTION in thread.inner_text()
    send(web, "We call you tomorrow.")
    web.log_out()

    web.log_in(LANDLORD, PASSWORD)
    web.goto(f"/placements/{placement_key}")
    text = thread.inner_text()
    assert QUESTION in text and ANSWER in text and "Pia Platz" in text
    web.goto(f"/mediation/mine/{case_key}")
    assert "We call you tomorrow." in thread.inner_text()

    # A long conversation: the newest ten above the form, all of it a link away.
    with live_app.app_context():
        author = db.session.scalar(select(User).where(User.email == LANDLORD))
        db.session.add_all(
            Message(
                placement_id=placement_id,
                organisation_id=author.organisation_id,
                author_id=author.id,
                side="landlord",
                body=f"Follow-up question {number}",
            )
            for number in range(12)
        )
        db.session.commit()
    web.goto(f"/placements/{placement_key}")
    assert "4 earlier messages are not shown here." in thread.inner_text()
    thread.get_by_role("link", name="Show all 14 messages of the conversation").click()
    web.check()
    main = page.locator("main").inner_text()
    assert "14 messages, oldest first" in main and QUESTION in main and "Pia Platz" in main
    web.log_out()
    web.log_in(SPECIALIST, PASSWORD)
    web.goto(f"/backoffice/placements/{placement_id}/conversation")
    assert ANSWER in page.locator("main").inner_text()
