"""Mediation and the landlord's account (issue 15): the conversation on a case between the
organisation and the team (mails without the text, refusals, another organisation's case 404),
requests sent while logged out that reach the account with the confirmed address (never an
unconfirmed one), and linking a case to a placement by choosing it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts import operations as account_ops
from portal.accounts.operations import registration
from portal.core.audit import AuditEvent
from portal.extensions import db as _db
from portal.mediation.models import MediationCase
from portal.placements.messages import MESSAGE_MAX, Message
from tests import factories
from tests.builders import conversation, make_case, placement_in, world
from tests.builders import mediation_cases as cases
from tests.builders import send_mediation as send
from tests.conftest import link_in, outbox

SECRET = "The tenant Frau Beispiel says the heating is broken."
BASE = "/backoffice/mediation"


@pytest.fixture(autouse=True)
def no_waiting(app, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIATION_MIN_SECONDS", 0)


def messages() -> list[Message]:
    return list(_db.session.scalars(select(Message).order_by(Message.id)))


def thread_mails() -> list:
    return [m for m in outbox() if "message" in m.subject.lower()]


def fresh(case: MediationCase) -> MediationCase:
    _db.session.expire_all()
    return _db.session.get(MediationCase, case.id)


# The conversation -------------------------------------------------------------------------------


def test_landlord_and_team_talk_on_the_case_without_the_text_in_any_mail(app, browser, db):
    landlord = browser.login("landlord", full_name="Lara Landlord")
    case = make_case(landlord.organisation_id, "M-2026-0201", user_id=landlord.id)
    db.session.commit()
    path = f"/mediation/mine/{case.public_key}"
    response = browser.post(path + "/messages", {"message_body": SECRET}, csrf_from_path=path)
    assert response.status_code == 302 and response.headers["Location"].endswith("#messages")
    [message] = messages()
    assert (message.side, message.mediation_case_id, message.placement_id) == (
        "landlord",
        case.id,
        None,
    )
    assert message.organisation_id == landlord.organisation_id
    [team_mail] = outbox(app.config["PROGRAMME_CONTACT_EMAIL"])[-1:]
    assert case.number in team_mail.subject and SECRET not in team_mail.body_text
    assert link_in(team_mail) == f"{BASE}/{case.id}#messages"

    browser.logout()
    staff = factories.StaffFactory(role="social_worker", full_name="Sara")
    browser.login(staff)
    html = browser.client.get(f"{BASE}/{case.id}").get_data(as_text=True)
    assert "Frau Beispiel" in html and "Messages with the landlord" in html
    response = browser.post(
        f"{BASE}/{case.id}/messages", {"message_body": "We call the tenant today."}
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == "in_progress" and case.first_answer_at is not None
    [mail] = [m for m in outbox(landlord.email) if m.subject == "A message from the Kümmerer team"]
    assert "We call the tenant" not in mail.body_text and case.number in mail.body_text
    assert link_in(mail) == f"{path}#messages"
    actions = set(
        _db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "mediation_cases", AuditEvent.object_id == case.id
            )
        )
    )
    assert "mediation.message" in actions

    browser.logout()
    browser.login(landlord)
    html = browser.client.get(path).get_data(as_text=True)
    assert "We call the tenant today." in html and "Sara" in html


def test_internal_notes_stay_off_the_landlords_thread(browser, db):
    from portal.mediation import operations as ops

    landlord = browser.login("landlord")
    case = make_case(landlord.organisation_id, "M-2026-0202")
    ops.add_note(case, factories.StaffFactory(role="specialist"), "INTERNAL NOTE")
    db.session.commit()
    html = browser.client.get(f"/mediation/mine/{case.public_key}").get_data(as_text=True)
    assert "INTERNAL NOTE" not in html and "No messages yet." in html


def test_empty_too_long_and_closed_are_refused(browser, db):
    landlord = browser.login("landlord")
    case = make_case(landlord.organisation_id, "M-2026-0203")
    db.session.commit()
    path = f"/mediation/mine/{case.public_key}"
    response = browser.post(path + "/messages", {"message_body": " "}, csrf_from_path=path)
    assert response.status_code == 200
    assert "Please write your message." in response.get_data(as_text=True)
    long_text = "y" * (MESSAGE_MAX + 5)
    response = browser.post(path + "/messages", {"message_body": long_text})
    html = response.get_data(as_text=True)
    assert "at most 2,000 characters; the message has 2,005." in html and long_text in html
    case.status = "closed"
    db.session.commit()
    response = browser.post(path + "/messages", {"message_body": "Still there?"})
    assert "This conversation has ended" in response.get_data(as_text=True)
    assert messages() == [] and thread_mails() == []


def test_staff_cannot_open_a_thread_on_a_request_without_an_organisation(browser, db):
    case = make_case(None, "M-2026-0204")
    db.session.commit()
    browser.login("specialist")
    html = browser.client.get(f"{BASE}/{case.id}").get_data(as_text=True)
    assert 'name="message_body"' not in html
    response = browser.post(f"{BASE}/{case.id}/messages", {"message_body": "Hello"})
    assert response.status_code == 200
    assert "This request was sent without an account" in response.get_data(as_text=True)
    assert messages() == []


def test_another_organisations_case_thread_answers_404(browser, db):
    owner = factories.UserFactory()
    case = make_case(owner.organisation_id, "M-2026-0205")
    _db.session.add(
        Message(
            mediation_case_id=case.id,
            organisation_id=owner.organisation_id,
            author_id=owner.id,
            side="landlord",
            body=SECRET,
        )
    )
    db.session.commit()
    browser.login("landlord")
    path = f"/mediation/mine/{case.public_key}"
    assert browser.client.get(path).status_code == 404
    response = browser.post(path + "/messages", {"message_body": "Mallory"})
    assert response.status_code == 404
    assert [m.body for m in messages()] == [SECRET]


# Requests sent while logged out -----------------------------------------------------------------


def test_a_logged_out_request_from_a_confirmed_address_joins_that_account(browser, db):
    landlord = factories.UserFactory(email="lara@example.org")
    db.session.commit()
    assert send(browser, sender_kind="landlord", email="Lara@Example.org").status_code == 302
    [case] = cases()
    assert case.organisation_id == landlord.organisation_id and case.user_id == landlord.id
    browser.login(landlord)
    html = browser.client.get("/mediation/mine").get_data(as_text=True)
    assert case.number in html


def test_an_unconfirmed_account_never_gets_the_request(app, browser, db):
    factories.UserFactory(email="amal@example.org", email_verified_at=None)
    db.session.commit()
    send(browser)
    [case] = cases()
    assert case.organisation_id is None and case.user_id is None


def test_a_staff_account_with_the_address_gets_nothing(browser, db):
    factories.StaffFactory(role="specialist", email="amal@example.org")
    db.session.commit()
    send(browser)
    [case] = cases()
    assert case.organisation_id is None


def test_confirming_the_address_later_brings_the_earlier_requests(app, browser, db):
    send(browser)
    [case] = cases()
    other = make_case(factories.OrganisationFactory().id, "M-2026-0301")
    other.email = "amal@example.org"
    user = factories.UserFactory(email="amal@example.org", email_verified_at=None)
    db.session.commit()
    assert fresh(case).organisation_id is None
    with app.test_request_context():
        registration.confirmed(user)
    db.session.commit()
    assert fresh(case).organisation_id == user.organisation_id
    assert fresh(case).user_id == user.id
    # A case already in another organisation stays there.
    assert fresh(other).organisation_id != user.organisation_id
    assert "mediation.claimed" in set(_db.session.scalars(select(AuditEvent.action)))


# Linking a placement ----------------------------------------------------------------------------


def test_staff_choose_the_placement_from_those_of_the_organisation_or_a_search(app, browser, db):
    w = world(street="Lindenweg")
    placement = placement_in(app, w)
    foreign = placement_in(app, world(street="Birkenweg"))
    case = make_case(w.landlord.organisation_id, "M-2026-0401")
    db.session.commit()
    browser.login("specialist")

    def link_section(query: str = "") -> str:
        html = browser.client.get(f"{BASE}/{case.id}{query}").get_data(as_text=True)
        return html.split('id="case-placement"')[1].split("</section>")[0]

    section = link_section()
    assert 'type="number"' not in section
    assert f'<option value="{placement.id}">' in section and placement.household.code in section
    assert foreign.household.code not in section
    assert foreign.household.code in link_section("?placement_search=Birken")
    section = link_section(f"?placement_search={foreign.household.code}")
    assert f'<option value="{foreign.id}">' in section
    response = browser.post(f"{BASE}/{case.id}/placement", {"placement_id": str(foreign.id)})
    assert response.status_code == 302 and fresh(case).placement_id == foreign.id
    # The linked placement stays a choice, selected, without a search.
    section = link_section()
    assert f'<option selected value="{foreign.id}">' in section or (
        f'<option value="{foreign.id}" selected' in section
    )


def test_a_junk_choice_keeps_the_link(app, browser, db):
    w = world()
    placement = placement_in(app, w)
    case = make_case(w.landlord.organisation_id, "M-2026-0402", placement_id=placement.id)
    db.session.commit()
    browser.login("specialist")
    response = browser.post(f"{BASE}/{case.id}/placement", {"placement_id": "abc"})
    assert response.status_code == 200
    assert fresh(case).placement_id == placement.id


def test_accepting_an_invitation_brings_the_requests_of_that_address(app, browser, db):
    from portal.accounts import tokens

    send(browser, email="colleague@example.org")
    [case] = cases()
    inviter = factories.UserFactory()
    inviter.organisation.kind = "company"
    db.session.flush()
    with app.test_request_context():
        invitation = account_ops.invite_colleague(inviter, "colleague@example.org")
        token = tokens.make_token(
            tokens.INVITATION, {"iid": invitation.id, "email": invitation.email}
        )
        user = account_ops.accept_invitation(
            token, "Cora Colleague", "Ein langes Passwort 2026", "en"
        )
    db.session.commit()
    case = fresh(case)
    assert case.organisation_id == inviter.organisation_id and case.user_id == user.id


# A long conversation: the newest ten on the case page, all a page further ----------------------


def thread_section(html: str) -> str:
    return html.split('<section class="thread" id="messages"')[1].split("</section>")[0]


def numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Nachricht (\d{3})", html)]


def test_the_staff_case_page_shows_the_newest_ten_and_the_conversation_page_all(browser, db):
    landlord = factories.UserFactory(full_name="Lara Landlord")
    staff = factories.StaffFactory(role="social_worker", full_name="Sara")
    case = make_case(landlord.organisation_id, "M-2026-0501")
    other = make_case(landlord.organisation_id, "M-2026-0502")
    conversation(31, landlord=landlord, staff=staff, case=case)
    conversation(4, landlord=landlord, staff=staff, case=other)  # another thread
    db.session.commit()
    browser.login(staff)
    html = browser.client.get(f"{BASE}/{case.id}").get_data(as_text=True)
    thread = thread_section(html)
    assert numbers(thread) == list(range(21, 31))  # the newest ten, oldest first
    assert "21 earlier messages are not shown here." in thread
    link = f'href="{BASE}/{case.id}/conversation"'
    assert f"{link}>Show all 31 messages of the conversation</a>" in thread
    # The reply form stays where it was, the newest message right above it.
    assert thread.index("Nachricht 030") < thread.index('name="message_body"')
    assert html.index('id="case-replies"') < html.index('id="messages"')
    assert html.index('id="messages"') < html.index('id="case-notes"')

    first = browser.client.get(f"{BASE}/{case.id}/conversation").get_data(as_text=True)
    assert "31 messages, oldest first" in first and "Messages with the landlord" in first
    assert "Mediation case M-2026-0501" in first and "Lara Landlord" in first
    assert f'href="{BASE}/{case.id}#messages"' in first
    assert numbers(first) == list(range(25))
    assert f'href="{BASE}/{case.id}/conversation?page=2" rel="next"' in first
    second = browser.client.get(f"{BASE}/{case.id}/conversation?page=2").get_data(as_text=True)
    assert numbers(second) == list(range(25, 31))
    # A page past the last shows the last (core.pagination.page_of).
    past = browser.client.get(f"{BASE}/{case.id}/conversation?page=3")
    assert past.status_code == 200 and numbers(past.get_data(as_text=True)) == list(range(25, 31))


def test_the_landlord_case_page_shows_the_newest_ten_and_the_conversation_page_all(browser, db):
    landlord = browser.login("landlord", full_name="Lara Landlord")
    staff = factories.StaffFactory(role="social_worker", full_name="Sara")
    case = make_case(landlord.organisation_id, "M-2026-0504")
    conversation(26, landlord=landlord, staff=staff, case=case)
    db.session.commit()
    path = f"/mediation/mine/{case.public_key}"
    html = browser.client.get(path).get_data(as_text=True)
    assert "<title>Mediation request M-2026-0504 –" in html  # the thread is not in the title
    assert html.count('id="messages"') == 1
    thread = thread_section(html)
    assert numbers(thread) == list(range(16, 26))
    assert "16 earlier messages are not shown here." in thread
    assert f'href="{path}/conversation">Show all 26 messages of the conversation</a>' in thread
    assert thread.index("Nachricht 025") < thread.index('name="message_body"')

    first = browser.client.get(f"{path}/conversation").get_data(as_text=True)
    assert "26 messages, oldest first" in first and "Messages with the Kümmerer team" in first
    assert "Sara" in first and f'href="{path}#messages"' in first
    second = browser.client.get(f"{path}/conversation?page=2").get_data(as_text=True)
    assert numbers(first) + numbers(second) == list(range(26))
    for page in (thread, first, second):
        # The id, not the start of a random key that begins with its digits.
        assert not re.search(rf"/mediation/mine/{case.id}(?![\w-])", page)
        assert not re.findall(r'(?:href|action)="[^"]*/\d+(?:[/?#"])', page)

    browser.logout()
    browser.login("landlord")  # another organisation
    response = browser.client.get(f"{path}/conversation")
    assert response.status_code == 404 and "Nachricht" not in response.get_data(as_text=True)


def test_the_case_conversation_speaks_german_with_plurals(browser, db):
    landlord = browser.login("landlord")
    landlord.locale = "de"
    case = make_case(landlord.organisation_id, "M-2026-0505")
    conversation(12, landlord=landlord, staff=factories.StaffFactory(), case=case)
    db.session.commit()
    path = f"/mediation/mine/{case.public_key}"
    thread = thread_section(browser.client.get(path).get_data(as_text=True))
    assert "2 frühere Nachrichten werden hier nicht angezeigt." in thread
    assert "Alle 12 Nachrichten des Gesprächs anzeigen" in thread
    page = browser.client.get(f"{path}/conversation").get_data(as_text=True)
    assert "12 Nachrichten, die ältesten zuerst" in page
    assert "← Mediationsanfrage M-2026-0505</a>" in page
