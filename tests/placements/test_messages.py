"""The message thread of a placement (issue 15): the landlord writes on the placement page,
staff answer in the back office, each side hears by e-mail without the text; refusals (empty,
too long, closed placement, another organisation's placement, no CSRF token) change nothing."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask import template_rendered
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.placements.messages import MESSAGE_MAX, Message, ShownMessage
from portal.placements.models import Interest, Placement, State
from tests.builders import conversation, drive, propose, published_flat
from tests.conftest import link_in, outbox
from tests.factories import HouseholdFactory, StaffFactory, UserFactory

SECRET = "Can the household bring the piano on the 3rd?"


@pytest.fixture
def mine(app, browser, db):
    landlord = browser.login("landlord", full_name="Lara Landlord")
    flat = published_flat(landlord.organisation, street="Erstweg", created_by_id=landlord.id)
    specialist = StaffFactory(role="specialist", full_name="Petra Fachkraft")
    placement = propose(app, flat, HouseholdFactory(), specialist)
    db.session.commit()
    return landlord, placement, specialist


def messages(db) -> list[Message]:
    return list(db.session.scalars(select(Message).order_by(Message.id)))


def thread_mails() -> list:
    return [m for m in outbox() if "message" in m.subject.lower()]


def path(placement) -> str:
    return f"/placements/{placement.public_key}"


@contextmanager
def captured_templates(app):
    """The (template, context) of every page rendered inside the block."""
    rendered = []

    def record(sender, template, context, **extra):  # noqa: ARG001
        rendered.append((template, context))

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


def test_landlord_writes_and_the_team_hears_of_it_without_the_text(browser, db, mine):
    landlord, placement, specialist = mine
    response = browser.post(path(placement) + "/messages", {"message_body": f"  {SECRET}\r\n"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{path(placement)}#messages")

    [message] = messages(db)
    assert message.body == SECRET and message.side == "landlord"
    assert message.placement_id == placement.id and message.mediation_case_id is None
    assert message.author_id == landlord.id
    assert message.organisation_id == landlord.organisation_id
    assert message.created_at is not None
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "placement.message"))
    assert audit.object_id == placement.id and audit.actor_id == landlord.id
    assert SECRET not in str(audit.details)

    [mail] = outbox(specialist.email)
    assert placement.household.code in mail.subject
    assert SECRET not in mail.body_text and "piano" not in mail.body_text
    assert link_in(mail) == f"/backoffice/placements/{placement.id}#messages"

    html = browser.client.get(path(placement)).get_data(as_text=True)
    assert SECRET in html and "Lara Landlord" in html


def test_without_a_specialist_in_charge_the_programme_address_hears(app, browser, db, mine):
    _landlord, placement, _specialist = mine
    placement.staff_id = None
    db.session.commit()
    browser.post(path(placement) + "/messages", {"message_body": SECRET})
    [mail] = outbox(app.config["PROGRAMME_CONTACT_EMAIL"])
    assert SECRET not in mail.body_text


def test_staff_answer_reaches_the_landlord_by_a_link_only(browser, db, mine):
    landlord, placement, specialist = mine
    browser.post(path(placement) + "/messages", {"message_body": "Question from the landlord"})
    browser.logout()
    browser.login(specialist)
    staff_page = browser.client.get(f"/backoffice/placements/{placement.id}")
    assert "Question from the landlord" in staff_page.get_data(as_text=True)
    response = browser.post(
        f"/backoffice/placements/{placement.id}/messages", {"message_body": SECRET}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#messages")
    answer = messages(db)[-1]
    assert answer.side == "staff" and answer.author_id == specialist.id
    assert answer.organisation_id == landlord.organisation_id

    [mail] = [m for m in outbox(landlord.email) if m.subject == "A message from the Kümmerer team"]
    assert SECRET not in mail.body_text and placement.household.code not in mail.body_text
    assert link_in(mail) == f"{path(placement)}#messages"

    browser.logout()
    browser.login(landlord)
    html = browser.client.get(link_in(mail)).get_data(as_text=True)
    assert SECRET in html and "Petra Fachkraft" in html
    assert html.index("Question from the landlord") < html.index(SECRET)


def test_social_worker_may_answer_too(browser, db, mine):
    _landlord, placement, _specialist = mine
    browser.logout()
    browser.login("social_worker")
    response = browser.post(
        f"/backoffice/placements/{placement.id}/messages", {"message_body": "Hello"}
    )
    assert response.status_code == 302
    assert [m.side for m in messages(db)] == ["staff"]


def test_empty_message_is_refused_and_nothing_is_written(browser, db, mine):
    _landlord, placement, _specialist = mine
    response = browser.post(path(placement) + "/messages", {"message_body": "   \r\n "})
    assert response.status_code == 200
    assert "Please write your message." in response.get_data(as_text=True)
    assert messages(db) == [] and thread_mails() == []


def test_too_long_message_is_refused_with_the_limit_and_the_text_kept(browser, db, mine):
    _landlord, placement, _specialist = mine
    text = "x" * (MESSAGE_MAX + 1)
    response = browser.post(path(placement) + "/messages", {"message_body": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # The numbers in the reader's format (English: 2,000).
    assert "at most 2,000 characters; the message has 2,001." in html
    assert text in html
    assert 'aria-describedby="message_body-hint message_body-error"' in html
    assert messages(db) == [] and thread_mails() == []


def test_the_limit_is_said_in_german_numbers(browser, db, mine):
    landlord, placement, _specialist = mine
    landlord.locale = "de"
    db.session.commit()
    html = browser.client.get(path(placement)).get_data(as_text=True)
    assert "höchstens 2.000 Zeichen" in html


def test_closed_placement_takes_no_message(app, browser, db, mine):
    landlord, placement, _specialist = mine
    drive(app, placement, State.CANCELLED, landlord)
    db.session.commit()
    html = browser.client.get(path(placement)).get_data(as_text=True)
    assert "This conversation has ended" in html and 'name="message_body"' not in html
    response = browser.post(path(placement) + "/messages", {"message_body": SECRET})
    assert response.status_code == 200
    assert "This conversation has ended" in response.get_data(as_text=True)
    assert messages(db) == [] and thread_mails() == []


def test_staff_cannot_write_into_a_closed_placement(app, browser, db, mine):
    landlord, placement, specialist = mine
    drive(app, placement, State.CANCELLED, landlord)
    db.session.commit()
    browser.logout()
    browser.login(specialist)
    response = browser.post(
        f"/backoffice/placements/{placement.id}/messages", {"message_body": SECRET}
    )
    assert response.status_code == 200
    assert messages(db) == []


def test_another_organisations_placement_answers_404_and_keeps_its_thread(app, browser, db, mine):
    _landlord, placement, specialist = mine
    browser.post(path(placement) + "/messages", {"message_body": SECRET})
    browser.logout()
    browser.login(UserFactory())
    assert browser.client.get(path(placement)).status_code == 404
    response = browser.post(path(placement) + "/messages", {"message_body": "Mallory was here"})
    assert response.status_code == 404
    assert [m.body for m in messages(db)] == [SECRET]


def test_a_message_without_csrf_token_is_refused(browser, db, mine):
    _landlord, placement, _specialist = mine
    response = browser.client.post(path(placement) + "/messages", data={"message_body": SECRET})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_staff_page_shows_the_message_sent_with_the_interest(app, browser, db):
    landlord = UserFactory()
    flat = published_flat(landlord.organisation)
    household = HouseholdFactory()
    interest = Interest(
        flat=flat,
        household=household,
        organisation_id=landlord.organisation_id,
        created_by_id=landlord.id,
        message="We could show the flat on Saturdays.",
    )
    db.session.add(interest)
    db.session.flush()
    specialist = StaffFactory(role="specialist")
    placement = propose(app, flat, household, specialist)
    placement.interest_id = interest.id
    placement.origin = "interest"
    db.session.commit()
    browser.login(specialist)
    html = browser.client.get(f"/backoffice/placements/{placement.id}").get_data(as_text=True)
    assert "We could show the flat on Saturdays." in html


# A long conversation: the newest ten on the page, all a page further ---------------------------


def thread_section(html: str) -> str:
    return html.split('<section class="thread" id="messages"')[1].split("</section>")[0]


def numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Nachricht (\d{3})", html)]


def test_the_landlord_page_shows_the_newest_ten_and_the_conversation_page_all(
    app, browser, db, mine
):
    landlord, placement, specialist = mine
    conversation(30, landlord=landlord, staff=specialist, placement=placement)
    other = propose(app, published_flat(landlord.organisation), HouseholdFactory(), specialist)
    conversation(3, landlord=landlord, staff=specialist, placement=other)  # another thread
    db.session.commit()
    with captured_templates(app) as rendered:
        html = browser.client.get(path(placement)).get_data(as_text=True)
    thread = thread_section(html)
    assert numbers(thread) == list(range(20, 30))  # the newest ten, oldest first
    assert "20 earlier messages are not shown here." in thread
    link = f'href="{path(placement)}/conversation"'
    assert f"{link}>Show all 30 messages of the conversation</a>" in thread
    # The newest message stays right above the form.
    assert thread.index("Nachricht 029") < thread.index('name="message_body"')
    assert thread.index("earlier messages") < thread.index("Nachricht 020")
    [(_template, context)] = rendered
    assert all(isinstance(m, ShownMessage) for m in context["messages"])

    with captured_templates(app) as rendered:
        first = browser.client.get(f"{path(placement)}/conversation").get_data(as_text=True)
    assert "30 messages, oldest first" in first and "Messages with the Kümmerer team" in first
    assert numbers(first) == list(range(25))
    assert "Lara Landlord" in first and "Petra Fachkraft" in first
    assert f'href="{path(placement)}#messages"' in first  # back to the placement page
    assert f'href="{path(placement)}/conversation?page=2" rel="next"' in first
    [(_template, context)] = rendered
    assert all(isinstance(m, ShownMessage) for m in context["messages"])
    assert not any(isinstance(value, Placement | Message) for value in context.values())
    second = browser.client.get(f"{path(placement)}/conversation?page=2").get_data(as_text=True)
    assert numbers(second) == list(range(25, 30))
    assert f'href="{path(placement)}/conversation?page=1" rel="prev"' in second
    # No sequential id in the thread's links or on the conversation pages.
    for page in (thread, first, second):
        # The id, not the start of a random key that begins with its digits.
        assert not re.search(rf"/placements/{placement.id}(?![\w-])", page)
        assert not re.findall(r'(?:href|action)="[^"]*/\d+(?:[/?#"])', page)


def test_a_short_conversation_shows_whole_without_a_link(browser, db, mine):
    landlord, placement, specialist = mine
    conversation(10, landlord=landlord, staff=specialist, placement=placement)
    db.session.commit()
    thread = thread_section(browser.client.get(path(placement)).get_data(as_text=True))
    assert numbers(thread) == list(range(10))
    assert "not shown here" not in thread and "/conversation" not in thread


def test_the_conversation_page_of_another_organisations_placement_answers_404(browser, db, mine):
    landlord, placement, specialist = mine
    conversation(12, landlord=landlord, staff=specialist, placement=placement)
    db.session.commit()
    browser.logout()
    browser.login(UserFactory())
    response = browser.client.get(f"{path(placement)}/conversation")
    assert response.status_code == 404 and "Nachricht" not in response.get_data(as_text=True)
    assert browser.client.get("/placements/no-such-key/conversation").status_code == 404
    browser.logout()
    browser.login("specialist")  # staff read the thread in the back office, not here
    assert browser.client.get(f"{path(placement)}/conversation").status_code == 403


def test_the_conversation_speaks_german_with_plurals(browser, db, mine):
    landlord, placement, specialist = mine
    landlord.locale = "de"
    conversation(11, landlord=landlord, staff=specialist, placement=placement)
    db.session.commit()
    thread = thread_section(browser.client.get(path(placement)).get_data(as_text=True))
    assert "1 frühere Nachricht wird hier nicht angezeigt." in thread
    assert "Alle 11 Nachrichten des Gesprächs anzeigen" in thread
    page = browser.client.get(f"{path(placement)}/conversation").get_data(as_text=True)
    assert "11 Nachrichten, die ältesten zuerst" in page
    assert "<h1>Nachrichten mit dem Kümmerer-Team</h1>" in page


def test_the_staff_page_shows_the_newest_ten_and_the_conversation_page_all(browser, db, mine):
    landlord, placement, specialist = mine
    conversation(27, landlord=landlord, staff=specialist, placement=placement)
    db.session.commit()
    browser.logout()
    browser.login(specialist)
    staff_path = f"/backoffice/placements/{placement.id}"
    thread = thread_section(browser.client.get(staff_path).get_data(as_text=True))
    assert numbers(thread) == list(range(17, 27))
    assert "17 earlier messages are not shown here." in thread
    assert f'href="{staff_path}/conversation">Show all 27 messages of the conversation</a>' in (
        thread
    )
    assert thread.index("Nachricht 026") < thread.index('name="message_body"')
    first = browser.client.get(f"{staff_path}/conversation").get_data(as_text=True)
    assert "27 messages, oldest first" in first and "Messages with the landlord" in first
    assert f'href="{staff_path}#messages"' in first
    second = browser.client.get(f"{staff_path}/conversation?page=2").get_data(as_text=True)
    assert numbers(first) + numbers(second) == list(range(27))
