"""Every step reaches the landlord (issue 15), in the browser: one landlord from registration
(the confirmation link read from the outbox) through the proposal to the move-in and the
aftercare. After each step the
test reads the outbox (one e-mail in the landlord's language, with the step's words, what comes
next, one greeting, the programme's contact and the placement's link) and opens the link in the
landlord's browser, where the timeline says the same. The landlord accepts with the page's one
button, then switches to the daily summary; staff see the messages on the placement. German,
and the same in English. Every page passes axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role, User, utcnow
from portal.core import clock
from portal.core.outbox import OutboxMessage
from portal.extensions import db
from portal.households.models import Household
from portal.listings.models import Flat
from portal.placements import operations as ops
from portal.placements.models import Action, Placement
from tests.e2e.conftest import person, published_flat
from tests.e2e.placement_world import vetted_household

pytestmark = pytest.mark.e2e

PASSWORD = "Ein Zuhause für alle 2026"
TENANT = "Noura Example"
COMPANION = "Paul Begleiter"
CONTACT = "zuhause@diakoniewerk-duisburg.example · 0203 000000-0"

# step -> language -> (subject starts with, in the mail and the timeline, what happens next)
WORDS = {
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
    "accept": {
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
    "schedule_viewing": {
        "en": (
            "Viewing: ",
            f"{COMPANION} from the Kümmerer team comes along.",
            "Now it is your turn. Please show the flat at this time.",
        ),
        "de": (
            "Besichtigung: ",
            f"{COMPANION} vom Kümmerer-Team kommt mit.",
            "Jetzt sind Sie gefragt. Bitte zeigen Sie die Wohnung zu diesem Termin.",
        ),
    },
    "record_viewing": {
        "en": ("After the viewing:", "The viewing took place.", "prepares the rent offer"),
        "de": (
            "Nach der Besichtigung:",
            "Die Besichtigung hat stattgefunden.",
            "das Mietangebot für das Jobcenter oder Sozialamt vor",
        ),
    },
    "submit_rent_offer": {
        "en": (
            "Rent offer sent:",
            "went to the Jobcenter or Sozialamt.",
            "cold rent, service charges, heating costs, deposit",
        ),
        "de": (
            "Mietangebot eingereicht:",
            "Mietangebot",
            "Kaltmiete, Nebenkosten, Heizkosten, Kaution",
        ),
    },
    "approve_costs": {
        "en": (
            "Costs approved:",
            "whether the Jobcenter pays the rent directly to you",
            "arranges the signing of the lease",
        ),
        "de": (
            "Kosten bewilligt:",
            "ob das Jobcenter die Miete direkt an Sie zahlt",
            "die Unterzeichnung des Mietvertrags",
        ),
    },
    "sign_lease": {
        "en": ("Lease signed:", "The lease was signed on", "arranges the key handover"),
        "de": ("Mietvertrag unterschrieben:", "Der Mietvertrag wurde am", "Schlüsselübergabe"),
    },
    "move_in": {
        "en": ("Moved in:", "the household has moved in.", "after 1, 3, 6 and 12 months"),
        "de": ("Eingezogen:", "Der Haushalt ist eingezogen.", "nach 1, 3, 6 und 12 Monaten"),
    },
    "follow_up": {
        "en": (
            "Aftercare:",
            "(the check after 1 month).",
            "it mediates between you and the household",
        ),
        "de": (
            "Nachbetreuung:",
            "(Kontakt nach 1 Monat).",
            "Es vermittelt zwischen Ihnen und dem Haushalt",
        ),
    },
}
GREETING = {"en": "Hello ", "de": "Guten Tag "}
NEXT = {"en": "What happens next:", "de": "So geht es weiter:"}
ACCEPT_BUTTON = {
    "en": "Yes, I would like to meet the household",
    "de": "Ja, ich möchte den Haushalt kennenlernen",
}
CHECK_FLAT = {"en": "Check your flat's figures", "de": "Angaben zur Wohnung prüfen"}
DIGEST_LABEL = {
    "en": "One summary e-mail a day, in the evening",
    "de": "Eine Zusammenfassung per E-Mail am Tag, abends",
}
SAVE = {"en": "Save", "de": "Speichern"}
SETTINGS_LINK = {
    "en": "How you hear from us: every step by e-mail or one summary a day",
    "de": "Wie Sie von uns hören: jeder Schritt per E-Mail oder eine Zusammenfassung am Tag",
}


def register(web, live_app, lang: str) -> str:
    """A newcomer registers in the browser (in ``lang``) and confirms the address through the
    link in the outbox; returns the address."""
    email = f"steps-owner-{lang}@example.org"
    page = web.page
    web.goto("/account/register")
    page.locator("input[name=kind][value=private]").check()
    page.locator("input[name=organisation_name]").fill(f"Familie Ufer {lang}")
    page.locator("input[name=full_name]").fill("Lotte Ufer")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=accept_privacy]").check()
    page.locator("main form button[type=submit]").last.click()
    web.check()
    assert "/account/register/done" in page.url
    (mail,) = mails_to(live_app, email)
    web.goto(re.search(r"http://localhost(/\S+)", mail.body_text).group(1))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    web.check()
    assert page.url.endswith("/flats/")
    return email


def seed(live_app, lang: str, email: str) -> dict:
    """A specialist, a companion, a published flat of the landlord who registered as ``email``
    (the specialist's review is another test's), and a vetted household with a valid
    consent."""
    with live_app.app_context():
        landlord = db.session.scalar(select(User).where(User.email == email))
        assert landlord.email_verified_at is not None and landlord.locale == lang
        org = landlord.organisation
        specialist = person(
            f"steps-spec-{lang}@example.org", "Pia Platz", Role.SPECIALIST, PASSWORD
        )
        companion = person(f"steps-comp-{lang}@example.org", COMPANION, Role.SPECIALIST, PASSWORD)
        db.session.flush()
        flat = published_flat(
            org,
            "Am Rheinufer" if lang == "de" else "Rheinuferweg",
            "5",
            created_by_id=landlord.id,
            submitted_by_id=landlord.id,
        )
        household = vetted_household(
            f"DU-2026-09{10 if lang == 'de' else 20}",
            specialist,
            TENANT,
            waiting_since=clock.today() - timedelta(days=200),
            profile_text="We are a quiet family.",
        )
        db.session.add_all([flat, household])
        db.session.commit()
        return {
            "specialist": specialist.id,
            "companion": companion.id,
            "landlord": landlord.email,
            "flat": flat.id,
            "household": household.id,
        }


def mails_to(live_app, address: str) -> list[OutboxMessage]:
    with live_app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def step(live_app, world: dict, placement_id: int | None, action, **data) -> int:
    """A step the team takes (in the back office; here through the same operation, to keep the
    browser for the landlord's side)."""
    with live_app.test_request_context():
        specialist = db.session.get(User, world["specialist"])
        if action == "propose":
            placement = ops.propose(
                db.session.get(Flat, world["flat"]),
                db.session.get(Household, world["household"]),
                specialist,
            )
        elif action == "follow_up":
            placement = db.session.get(Placement, placement_id)
            ops.record_follow_up(placement.follow_ups[0], specialist, "all_well", "gut")
        else:
            placement = db.session.get(Placement, placement_id)
            ops.take_step(placement, action, specialist, "specialist", **data)
        db.session.commit()
        return placement.id


def check_mail(mail: OutboxMessage, key: str, lang: str, placement_id: int) -> str:
    """The step's mail: its words, one greeting, the contact, the link; returns the link's
    path."""
    subject, happened, next_text = WORDS[key][lang]
    assert mail.subject.startswith(subject), (key, mail.subject)
    body = mail.body_text
    assert happened in body, (key, body)
    assert NEXT[lang] in body and next_text in body, (key, body)
    assert body.startswith(GREETING[lang]) and body.count(GREETING[lang].strip()) == 1, body
    assert CONTACT in body, body
    assert mail.topic == f"placement:{placement_id}"
    return re.search(r"http://localhost(/placements/\S+)", body).group(1)


def check_timeline(web, path: str, key: str, lang: str) -> None:
    """The landlord opens the mail's link: the timeline says the same, with what comes next."""
    web.goto(path)
    _subject, happened, next_text = WORDS[key][lang]
    history = web.page.locator("main ol.timeline")
    text = history.inner_text()
    assert happened in text, (key, text)
    last = history.locator("li").last.inner_text()
    assert NEXT[lang] in last and next_text in last, (key, last)


def journey(web, live_app, lang: str) -> None:
    landlord = register(web, live_app, lang)
    world = seed(live_app, lang, landlord)
    page = web.page
    before_proposal = len(mails_to(live_app, landlord))

    # The proposal: one mail, and on the page the one button to answer it.
    placement_id = step(live_app, world, None, "propose")
    (mail,) = mails_to(live_app, landlord)[before_proposal:]
    path = check_mail(mail, "propose", lang, placement_id)
    check_timeline(web, path, "propose", lang)
    assert "Accept or decline the proposal:" in mail.body_text or (
        "Vorschlag annehmen oder ablehnen:" in mail.body_text
    )
    page.get_by_role("button", name=ACCEPT_BUTTON[lang]).click()
    web.check()
    mail = mails_to(live_app, landlord)[-1]
    check_mail(mail, "accept", lang, placement_id)
    check_timeline(web, path, "accept", lang)

    today = clock.today()
    steps = [
        (
            Action.SCHEDULE_VIEWING,
            {
                # Just past, so that its outcome may be recorded next (a plausible date).
                "viewing_at": utcnow() - timedelta(minutes=1),
                "viewing_place": "Vor dem Haus",
                "viewing_companion_id": world["companion"],
            },
        ),
        (Action.RECORD_VIEWING, {"viewing_outcome": "gut gelaufen"}),
        (
            Action.SUBMIT_RENT_OFFER,
            {"rent_offer_on": today, "rent_offer_office": "Jobcenter Duisburg-Süd"},
        ),
        (Action.APPROVE_COSTS, {"costs_approved_on": today, "deposit_loan": True}),
        (Action.SIGN_LEASE, {"lease_signed_on": today, "rent_start_on": today}),
        (Action.MOVE_IN, {"keys_handed_over_on": today}),
        ("follow_up", {}),
    ]
    for action, data in steps:
        before = len(mails_to(live_app, landlord))
        step(live_app, world, placement_id, action, **data)
        mails = mails_to(live_app, landlord)
        assert len(mails) == before + 1, action  # one mail per step
        key = str(action)
        check_mail(mails[-1], key, lang, placement_id)
        check_timeline(web, path, key, lang)
        if action == Action.SCHEDULE_VIEWING:
            # The first invitation names the companion and the main tenant, with the calendar.
            assert mails[-1].attachment_name == "viewing.ics"
            assert TENANT in mails[-1].body_text
        if action == Action.SUBMIT_RENT_OFFER:
            page.get_by_role("link", name=CHECK_FLAT[lang]).click()
            web.check()
            assert "/flats/" in page.url
        assert "Duisburg-Süd" not in page.locator("main").inner_text()

    # The landlord chooses one summary a day: the next check sends no mail, the summary does.
    web.goto("/placements/")
    page.get_by_role("link", name=SETTINGS_LINK[lang]).click()
    web.check()
    page.get_by_label(DIGEST_LABEL[lang]).check()
    page.get_by_role("button", name=SAVE[lang]).click()
    web.check()
    before = len(mails_to(live_app, landlord))
    with live_app.test_request_context():
        specialist = db.session.get(User, world["specialist"])
        placement = db.session.get(Placement, placement_id)
        ops.record_follow_up(placement.follow_ups[1], specialist, "all_well", None)
        db.session.commit()
    assert len(mails_to(live_app, landlord)) == before
    with live_app.test_request_context():
        ops.send_digests(utcnow() + timedelta(seconds=1))
        db.session.commit()
    digest = mails_to(live_app, landlord)[-1]
    assert digest.topic.startswith("digest:")
    assert "(the check after 3 months)." in digest.body_text or (
        "(Kontakt nach 3 Monaten)." in digest.body_text
    )
    web.log_out()

    # Staff see on the placement which messages went out.
    web.log_in(f"steps-spec-{lang}@example.org", PASSWORD)
    web.goto(f"/backoffice/placements/{placement_id}")
    messages = page.locator("#mails").inner_text()
    for mail in mails_to(live_app, landlord)[before_proposal:]:
        assert mail.subject in messages
    assert "Waiting to be sent" in messages


def test_every_step_reaches_the_landlord_in_german(web, live_app):
    journey(web, live_app, "de")


@pytest.mark.english
def test_every_step_reaches_the_landlord_in_english(web, live_app):
    journey(web, live_app, "en")
