"""Every step reaches the landlord (issue 15): per step one e-mail in the landlord's language
(one greeting, the programme's contact in the footer, the placement's link, linked to the
placement in the outbox) and the same words in the landlord's timeline; the daily digest
instead of per-step mails; the staff's list of what went out; the landlord's setting."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.core import clock
from portal.core.db import utcnow
from portal.core.outbox import FAILED, SENT
from portal.core.refusals import Refused
from portal.placements import operations as ops
from portal.placements.models import Action, State
from portal.placements.presenters import present
from tests.builders import in_request, propose, published_flat
from tests.conftest import outbox
from tests.factories import HouseholdFactory, IdentityFactory, StaffFactory, UserFactory

CONTACT = "zuhause@diakoniewerk-duisburg.example · 0203 000000-0"
GREETING = {"en": "Hello Lena Vermieterin,", "de": "Guten Tag Lena Vermieterin,"}
NEXT = {"en": "What happens next:", "de": "So geht es weiter:"}

# step -> language -> (subject starts with, the words in mail and timeline, the next step's)
EXPECTED = {
    "propose": {
        "en": (
            "A household for your flat",
            "The Kümmerer team proposed household",
            "Now it is your turn. Please tell us whether you would like to meet the household.",
        ),
        "de": (
            "Ein Haushalt für Ihre Wohnung",
            "Das Kümmerer-Team hat den Haushalt",
            "Jetzt sind Sie gefragt. Bitte sagen Sie uns, ob Sie den Haushalt kennenlernen",
        ),
    },
    Action.ACCEPT: {
        "en": (
            "You agreed to meet household",
            "You agreed to meet the household.",
            "The Kümmerer team arranges the viewing and tells you the date.",
        ),
        "de": (
            "Sie möchten den Haushalt",
            "Sie haben zugestimmt, den Haushalt kennenzulernen.",
            "Das Kümmerer-Team vereinbart die Besichtigung",
        ),
    },
    Action.SCHEDULE_VIEWING: {
        "en": (
            "Viewing: ",
            "Jonas Begleiter from the Kümmerer team comes along.",
            "Now it is your turn. Please show the flat at this time.",
        ),
        "de": (
            "Besichtigung: ",
            "Jonas Begleiter vom Kümmerer-Team kommt mit.",
            "Jetzt sind Sie gefragt. Bitte zeigen Sie die Wohnung zu diesem Termin.",
        ),
    },
    Action.RECORD_VIEWING: {
        "en": (
            "After the viewing:",
            "The viewing took place.",
            "the Kümmerer team prepares the rent offer",
        ),
        "de": (
            "Nach der Besichtigung:",
            "Die Besichtigung hat stattgefunden.",
            "bereitet das Kümmerer-Team mit Ihnen und dem Haushalt das Mietangebot",
        ),
    },
    Action.SUBMIT_RENT_OFFER: {
        "en": (
            "Rent offer sent:",
            "the rent offer (Mietangebot) went to the Jobcenter or Sozialamt.",
            "cold rent, service charges, heating costs, deposit",
        ),
        "de": (
            "Mietangebot eingereicht:",
            "Mietangebot",
            "Kaltmiete, Nebenkosten, Heizkosten, Kaution",
        ),
    },
    Action.APPROVE_COSTS: {
        "en": (
            "Costs approved:",
            "The Kümmerer team will tell you whether the Jobcenter pays the rent directly",
            "arranges the signing of the lease",
        ),
        "de": (
            "Kosten bewilligt:",
            "ob das Jobcenter die Miete direkt an Sie zahlt",
            "die Unterzeichnung des Mietvertrags",
        ),
    },
    Action.SIGN_LEASE: {
        "en": ("Lease signed:", "The lease was signed on", "arranges the key handover"),
        "de": (
            "Mietvertrag unterschrieben:",
            "Der Mietvertrag wurde am",
            "die Schlüsselübergabe",
        ),
    },
    Action.MOVE_IN: {
        "en": ("Moved in:", "the household has moved in.", "after 1, 3, 6 and 12 months"),
        "de": ("Eingezogen:", "Der Haushalt ist eingezogen.", "nach 1, 3, 6 und 12 Monaten"),
    },
    "follow_up": {
        "en": (
            "Aftercare:",
            "The Kümmerer team checked in with the household (the check after 1 month).",
            "it mediates between you and the household",
        ),
        "de": (
            "Nachbetreuung:",
            "Das Kümmerer-Team hat sich beim Haushalt gemeldet (Kontakt nach 1 Monat).",
            "Es vermittelt zwischen Ihnen und dem Haushalt",
        ),
    },
}


@pytest.fixture
def journey(app, db):
    landlord = UserFactory(full_name="Lena Vermieterin")
    flat = published_flat(landlord.organisation, street="Erstweg", created_by_id=landlord.id)
    household = HouseholdFactory()
    IdentityFactory(household=household, main_tenant_name="Amira Haddad")
    specialist = StaffFactory(role="specialist", full_name="Petra Fachkraft")
    companion = StaffFactory(role="specialist", full_name="Jonas Begleiter")
    return landlord, flat, household, specialist, companion


def _steps(companion_id: int):
    today = clock.today()
    return [
        (Action.ACCEPT, "landlord", {}),
        (
            Action.SCHEDULE_VIEWING,
            "specialist",
            {
                # Just past: its outcome is recorded next, which a future viewing refuses.
                "viewing_at": utcnow() - timedelta(minutes=1),
                "viewing_place": "Vor dem Haus",
                "viewing_companion_id": companion_id,
            },
        ),
        (Action.RECORD_VIEWING, "specialist", {"viewing_outcome": "vertraulich gut"}),
        (
            Action.SUBMIT_RENT_OFFER,
            "specialist",
            {"rent_offer_on": today, "rent_offer_office": "Jobcenter Duisburg-Mitte"},
        ),
        (Action.APPROVE_COSTS, "specialist", {"costs_approved_on": today, "deposit_loan": True}),
        (
            Action.SIGN_LEASE,
            "specialist",
            {"lease_signed_on": today, "rent_start_on": today + timedelta(days=14)},
        ),
        (Action.MOVE_IN, "specialist", {"keys_handed_over_on": today}),
    ]


def _timeline_text(app, placement, locale: str) -> str:
    with app.test_request_context(headers={"Accept-Language": locale}):
        from flask_babel import force_locale

        with force_locale(locale):
            (seen,) = present([placement])
            return "\n".join(f"{e.text} {e.next or ''}" for e in seen.timeline)


def _check_mail(mail, placement, locale: str, key) -> None:
    subject, happened, next_text = EXPECTED[key][locale]
    assert mail.subject.startswith(subject), (key, mail.subject)
    body = mail.body_text
    assert happened in body, (key, body)
    assert f"{NEXT[locale]} " in body and next_text in body, (key, body)
    assert body.count(GREETING[locale]) == 1 and body.startswith(GREETING[locale])
    assert body.count(GREETING[locale].split(" ")[0]) == 1  # one greeting, never two
    assert CONTACT in body  # the programme's contact in the footer
    assert f"/placements/{placement.public_key}\n" in body
    assert mail.topic == f"placement:{placement.id}"
    # Nothing the team wrote for itself, nothing about the household's office.
    assert "vertraulich" not in body and "Duisburg-Mitte" not in body


@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_step_mails_the_landlord_and_tells_the_timeline(app, db, journey, locale):
    landlord, flat, household, specialist, companion = journey
    landlord.locale = locale
    placement = propose(app, flat, household, specialist)
    _check_mail(outbox(landlord.email)[-1], placement, locale, "propose")
    assert EXPECTED["propose"][locale][1] in _timeline_text(app, placement, locale)
    for action, role, data in _steps(companion.id):
        before = len(outbox(landlord.email))
        actor = landlord if role == "landlord" else specialist
        with in_request(app):
            ops.take_step(placement, action, actor, role, **data)
        mails = outbox(landlord.email)
        assert len(mails) == before + 1, action  # exactly one mail per step
        _check_mail(mails[-1], placement, locale, action)
        timeline = _timeline_text(app, placement, locale)
        assert EXPECTED[action][locale][1] in timeline, (action, timeline)
        assert EXPECTED[action][locale][2] in timeline, (action, timeline)
    # The first check after the move-in reaches the landlord, without its outcome.
    with in_request(app):
        ops.record_follow_up(placement.follow_ups[0], specialist, "rent_arrears", "Mahnung")
    _check_mail(outbox(landlord.email)[-1], placement, locale, "follow_up")
    assert EXPECTED["follow_up"][locale][1] in _timeline_text(app, placement, locale)
    assert "Mahnung" not in outbox(landlord.email)[-1].body_text


def test_the_first_viewing_mail_names_the_companion(app, db, journey):
    landlord, flat, household, specialist, companion = journey
    placement = propose(app, flat, household, specialist)
    with in_request(app):
        for action, role, data in _steps(companion.id)[:2]:
            ops.take_step(
                placement, action, landlord if role == "landlord" else specialist, role, **data
            )
    mail = outbox(landlord.email)[-1]
    assert mail.attachment_name == "viewing.ics"
    assert "Jonas Begleiter from the Kümmerer team comes along." in mail.body_text
    assert "You meet Amira Haddad, the main tenant." in mail.body_text
    assert "Suggest another time:" in mail.body_text  # the one thing to do, with the link


def test_a_landlord_who_declines_in_the_portal_gets_no_mail_but_a_phone_decline_does(
    app, db, journey
):
    landlord, flat, household, specialist, _companion = journey
    first = propose(app, flat, household, specialist)
    with in_request(app):
        ops.take_step(first, Action.DECLINE, landlord, "landlord")
    assert [m.subject for m in outbox(landlord.email)][-1].startswith("A household for")
    second = propose(app, flat, HouseholdFactory(), specialist)
    with in_request(app):
        ops.take_step(second, Action.DECLINE, specialist, "specialist", on_behalf_of="landlord")
    mail = outbox(landlord.email)[-1]
    assert mail.subject.startswith("Update on your flat")
    assert "You declined the proposal." in mail.body_text


@pytest.mark.parametrize("reason", ["household_declined", "costs_refused", "other", "no_contact"])
def test_a_cancellation_is_fair_to_both_sides_and_says_nothing_about_the_household(
    app, db, journey, reason
):
    landlord, flat, household, specialist, companion = journey
    placement = propose(app, flat, household, specialist)
    with in_request(app):
        ops.take_step(placement, Action.ACCEPT, landlord, "landlord")
        ops.take_step(placement, Action.CANCEL, specialist, "specialist", cancel_reason=reason)
    body = outbox(landlord.email)[-1].body_text
    assert "nothing to do with you or your flat" in body
    assert "nobody's fault" in body
    for word in ("declined", "refused", "contact any more", "costs"):
        assert word not in body.split("What happens next:")[0], word


def test_the_flat_let_cancels_the_other_proposals_with_a_mail(app, db, journey):
    landlord, flat, household, specialist, companion = journey
    other = propose(app, flat, HouseholdFactory(), specialist)
    placement = propose(app, flat, household, specialist)
    with in_request(app):
        for action, role, data in _steps(companion.id)[:6]:
            ops.take_step(
                placement, action, landlord if role == "landlord" else specialist, role, **data
            )
    cancelled = [m for m in outbox(landlord.email) if m.topic == f"placement:{other.id}"][-1]
    assert "your flat has been let to another household" in cancelled.body_text


# Digest -----------------------------------------------------------------------------------------


def test_digest_mode_sends_no_step_mail_and_one_summary(app, db, journey, frozen_clock):
    landlord, flat, household, specialist, companion = journey
    ops.choose_step_mails(landlord, "digest")
    frozen_clock.advance(minutes=1)
    placement = propose(app, flat, household, specialist)
    with in_request(app):
        for action, role, data in _steps(companion.id)[:3]:
            ops.take_step(
                placement, action, landlord if role == "landlord" else specialist, role, **data
            )
    assert outbox(landlord.email) == []  # no mail per step
    frozen_clock.advance(hours=8)
    with in_request(app):
        counts = ops.send_digests()
    assert counts == {"landlords": 1, "mails": 1}
    (digest,) = outbox(landlord.email)
    assert digest.subject == "Your placements today"
    assert digest.topic == f"digest:{landlord.id}"
    body = digest.body_text
    for text in (
        "The Kümmerer team proposed household",
        "Jonas Begleiter from the Kümmerer team comes along.",
        "The viewing took place.",
        "the Kümmerer team prepares the rent offer",
        f"/placements/{placement.public_key}\n",
        CONTACT,
    ):
        assert text in body, text
    assert body.count("Hello") == 1
    # Nothing new: no second summary.
    frozen_clock.advance(days=1)
    with in_request(app):
        assert ops.send_digests()["mails"] == 0
    assert len(outbox(landlord.email)) == 1
    # Back to one mail per step.
    ops.choose_step_mails(landlord, "each")
    with in_request(app):
        action, role, data = _steps(companion.id)[3]
        ops.take_step(placement, action, specialist, role, **data)
    assert len(outbox(landlord.email)) == 2


def test_digest_in_german(app, db, journey, frozen_clock):
    landlord, flat, household, specialist, companion = journey
    landlord.locale = "de"
    ops.choose_step_mails(landlord, "digest")
    frozen_clock.advance(minutes=1)
    propose(app, flat, household, specialist)
    frozen_clock.advance(hours=1)
    with in_request(app):
        ops.send_digests()
    (digest,) = outbox(landlord.email)
    assert digest.subject == "Ihre Vermittlungen heute"
    assert "hier steht, was heute in 1 Vermittlung passiert ist:" in digest.body_text
    assert "Das Kümmerer-Team hat den Haushalt" in digest.body_text


def test_an_unknown_choice_is_refused(app, db, journey):
    landlord = journey[0]
    with pytest.raises(Refused):
        ops.choose_step_mails(landlord, "weekly")
    assert landlord.step_mails == "each"


# Pages ------------------------------------------------------------------------------------------


def test_the_landlord_chooses_the_digest_on_the_settings_page(app, browser, db):
    landlord = browser.login("landlord")
    response = browser.client.get("/placements/")
    assert 'href="/placements/notifications"' in response.get_data(as_text=True)
    html = browser.client.get("/placements/notifications").get_data(as_text=True)
    assert "How would you like to hear about your placements?" in html
    assert re.search(r'<input checked[^>]*value="each"', html), html
    response = browser.post(
        "/placements/notifications",
        {"step_mails": "weekly"},
        csrf_from_path="/placements/notifications",
    )
    assert response.status_code == 200
    assert "Please check the marked fields." in response.get_data(as_text=True)
    db.session.refresh(landlord)
    assert landlord.step_mails == "each"
    response = browser.post(
        "/placements/notifications",
        {"step_mails": "digest"},
        csrf_from_path="/placements/notifications",
    )
    assert response.status_code == 302
    db.session.refresh(landlord)
    assert landlord.step_mails == "digest"


def test_staff_see_which_messages_went_out_and_which_failed(app, browser, db, journey):
    landlord, flat, household, specialist, companion = journey
    placement = propose(app, flat, household, specialist)
    with in_request(app):
        ops.take_step(placement, Action.ACCEPT, landlord, "landlord")
    first, second = outbox(landlord.email)
    first.status, first.sent_at = SENT, utcnow()
    second.status, second.last_error = FAILED, "SMTPRecipientsRefused: no such mailbox"
    unrelated = UserFactory()
    propose(app, published_flat(unrelated.organisation, street="Fremdweg"), specialist=specialist)
    db.session.commit()
    browser.login("specialist")
    html = browser.client.get(f"/backoffice/placements/{placement.id}").get_data(as_text=True)
    assert "Messages to the landlord" in html
    assert first.subject in html and second.subject in html
    assert "Sent " in html and "Failed: SMTPRecipientsRefused: no such mailbox" in html
    assert "Fremdweg" not in html  # another placement's messages stay on its own page
    assert placement.state == State.LANDLORD_ACCEPTED


def test_a_mediation_reply_greets_once(app, db):
    from portal.mediation import operations as mediation_ops
    from portal.mediation.models import MediationCase

    case = MediationCase(
        number="M-2026-0999",
        sender_kind="landlord",
        name="Erika Vermieterin",
        email="sender@example.org",
        topic="damage",
        message="Die Badezimmertür ist kaputt.",
    )
    db.session.add(case)
    db.session.flush()
    staff = StaffFactory(role="social_worker")
    with in_request(app):
        mediation_ops.reply(case, staff, "Wir rufen Sie morgen an.")
    (mail,) = outbox("sender@example.org")[-1:]
    assert mail.body_text.count("Guten Tag") == 1  # the case's language; one greeting
    assert "Wir rufen Sie morgen an." in mail.body_text
    assert CONTACT in mail.body_text
