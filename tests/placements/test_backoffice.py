"""The placements back office: each step through the placement page, refusals, the landlord's
answer recorded on their behalf, cancelling, notes and follow-ups, the list with its filters and
CSV, the home's pipeline, and proposing or deciding from the matching lists."""

from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from html import unescape
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from portal.core import clock
from portal.core.db import utcnow
from portal.core.outbox import OutboxMessage
from portal.extensions import db as _db
from portal.listings.models import District
from portal.placements import operations as ops
from portal.placements.models import (
    Action,
    FollowUp,
    Interest,
    Placement,
    PlacementEvent,
    State,
)
from portal.placements.queries import dashboard
from tests.builders import PLACEMENTS as BASE
from tests.builders import (
    SECRET_NOTE,
    TENANT,
    conversation,
    fresh,
    placement_in,
    post_follow_up,
    post_form,
    world,
)
from tests.builders import placement_page as page
from tests.conftest import counted_statements, outbox
from tests.factories import (
    HouseholdFactory,
    StaffFactory,
    UserFactory,
)

BERLIN = ZoneInfo("Europe/Berlin")


# Building placements ---------------------------------------------------------------------------


def post_step(browser, placement: Placement, action: str, data: dict | None = None):
    return post_form(browser, f"{BASE}/{placement.id}/steps/{action}", action, data)


def post_note(browser, placement: Placement, note: str):
    return post_form(browser, f"{BASE}/{placement.id}/notes", "note", {"note": note})


def event_count(placement: Placement) -> int:
    return _db.session.scalar(
        select(func.count(PlacementEvent.id)).where(PlacementEvent.placement_id == placement.id)
    )


def flashes(html: str) -> str:
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>(.*?)<', html, re.S))


# Every step through its form ---------------------------------------------------------------------


def test_every_step_through_the_page(app, browser, db):
    w = world()
    placement = placement_in(app, w)
    companion = StaffFactory(role="social_worker", full_name="Tobias Begleiter")
    browser.login(w.specialist)
    html = page(browser, placement)
    assert "Accept on the landlord's behalf" in unescape(html)
    assert 'name="accept-on_behalf"' in html and 'name="decline-on_behalf"' in html
    assert 'name="schedule_viewing-viewing_date"' not in html  # only this state's steps

    def go(action, data, state):
        response = post_step(browser, placement, action, data)
        assert response.status_code == 302, flashes(response.get_data(as_text=True))
        assert response.headers["Location"].endswith(f"{BASE}/{placement.id}")
        after = fresh(placement)
        assert after.state == state, action
        return after, browser.client.get(response.headers["Location"]).get_data(as_text=True)

    after, html = go("accept", {"on_behalf": "y", "note": "Anruf am Morgen"}, "landlord_accepted")
    assert "acceptance is recorded" in html
    assert after.flat.status == "reserved"
    assert 'name="schedule_viewing-viewing_date"' in html
    assert f'<option value="{companion.id}">Tobias Begleiter</option>' in html

    viewing_day = clock.today() + timedelta(days=3)
    after, html = go(
        "schedule_viewing",
        {
            "viewing_date": viewing_day.isoformat(),
            "viewing_time": "14:30",
            "viewing_place": "Vor dem Haus",
            "companion": str(companion.id),
        },
        "viewing_scheduled",
    )
    # 14:30 in Duisburg, stored as UTC.
    expected = datetime.combine(viewing_day, datetime.min.time()).replace(hour=14, minute=30)
    local = after.viewing_at.astimezone(BERLIN)
    assert after.viewing_at.tzinfo is not None and local.replace(tzinfo=None) == expected
    assert after.viewing_companion_id == companion.id
    assert "calendar invitation" in html
    assert outbox(w.landlord.email)[-1].attachment_text.startswith("BEGIN:VCALENDAR")

    # Before the viewing its outcome cannot be recorded: said at the field, the text kept.
    response = post_step(browser, placement, "record_viewing", {"viewing_outcome": "Zu früh."})
    refused = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and fresh(placement).state == "viewing_scheduled"
    assert "Its outcome can be recorded once it has taken place." in refused
    assert "Zu früh.</textarea>" in refused

    # The viewing took place earlier than planned (yesterday), and is moved there.
    viewing_day = clock.today() - timedelta(days=1)
    after, html = go(
        "reschedule_viewing",
        {
            "viewing_date": viewing_day.isoformat(),
            "viewing_time": "16:00",
            "viewing_place": "Hauseingang",
            "companion": str(w.specialist.id),
        },
        "viewing_scheduled",
    )
    assert after.viewing_place == "Hauseingang" and after.viewing_sequence == 1

    after, _ = go("record_viewing", {"viewing_outcome": "Beide wollen weiter."}, "viewing_done")
    assert after.viewing_outcome == "Beide wollen weiter."
    after, _ = go(
        "submit_rent_offer",
        {"rent_offer_on": clock.today().isoformat(), "rent_offer_office": "Jobcenter Mitte"},
        "rent_offer_submitted",
    )
    assert after.rent_offer_office == "Jobcenter Mitte"
    after, _ = go(
        "approve_costs",
        {"costs_approved_on": clock.today().isoformat(), "deposit_loan": "no"},
        "costs_approved",
    )
    assert after.deposit_loan is False
    start = clock.today() + timedelta(days=10)
    after, _ = go(
        "sign_lease",
        {"lease_signed_on": clock.today().isoformat(), "rent_start_on": start.isoformat()},
        "lease_signed",
    )
    assert after.rent_start_on == start
    after, html = go("move_in", {"keys_handed_over_on": clock.today().isoformat()}, "moved_in")
    assert after.flat.status == "let" and after.household.status == "housed"
    assert [f.months for f in after.follow_ups] == [1, 3, 6, 12]
    assert 'name="start_aftercare-csrf_token"' in html
    after, _ = go("start_aftercare", {}, "aftercare")
    after, html = go("complete", {}, "completed")
    assert "This placement is closed." in html
    assert [e.action for e in after.events] == [
        "propose",
        "accept",
        "schedule_viewing",
        "reschedule_viewing",
        "record_viewing",
        "submit_rent_offer",
        "approve_costs",
        "sign_lease",
        "move_in",
        "start_aftercare",
        "complete",
    ]


def test_missing_data_is_refused_with_the_input_kept(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.LANDLORD_ACCEPTED)
    browser.login(w.specialist)
    before = event_count(placement)
    response = post_step(
        browser,
        placement,
        "schedule_viewing",
        {"viewing_date": "", "viewing_time": "14:30", "viewing_place": "Am Tor", "companion": ""},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The step was not taken" in html
    assert "Please enter the date." in html and "Please choose who accompanies" in html
    assert 'value="Am Tor"' in html and 'aria-invalid="true"' in html
    assert fresh(placement).state == "landlord_accepted" and event_count(placement) == before


def test_a_stale_form_is_refused_with_the_current_state(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.VIEWING_DONE)
    browser.login(w.specialist)
    before = event_count(placement)
    response = post_step(
        browser,
        placement,
        "schedule_viewing",
        {
            "viewing_date": clock.today().isoformat(),
            "viewing_time": "10:00",
            "viewing_place": "Irgendwo",
            "companion": str(w.specialist.id),
        },
    )
    assert response.status_code == 302
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not possible while the placement is “Viewing done”" in html
    assert "Nothing was changed." in html
    after = fresh(placement)
    assert after.state == "viewing_done" and after.viewing_place == "Vor dem Haus"
    assert event_count(placement) == before


def test_unknown_step_is_404(app, browser, db):
    w = world()
    placement = placement_in(app, w)
    browser.login(w.specialist)
    assert post_step(browser, placement, "teleport").status_code == 404


def test_accept_on_behalf_needs_the_confirmation_and_is_recorded(app, browser, db):
    w = world()
    placement = placement_in(app, w)
    browser.login(w.specialist)
    refused = post_step(browser, placement, "accept", {"note": "Anruf"})
    assert refused.status_code == 200
    assert "Please confirm that the landlord gave this answer" in refused.get_data(as_text=True)
    assert fresh(placement).state == "proposed"
    response = post_step(browser, placement, "accept", {"on_behalf": "y", "note": "Anruf 9 Uhr"})
    assert response.status_code == 302
    accepted = fresh(placement).events[-1]
    assert accepted.action == "accept" and accepted.on_behalf_of == "landlord"
    assert accepted.role == "specialist" and accepted.actor_id == w.specialist.id
    assert accepted.note == "Anruf 9 Uhr"
    html = page(browser, placement)
    timeline = html.split('id="timeline-title"')[1]
    assert "Sabine Fach, on the landlord's behalf (phone)" in unescape(timeline)
    assert "Anruf 9 Uhr" in timeline


def test_decline_on_behalf_closes_the_placement(app, browser, db):
    w = world()
    placement = placement_in(app, w)
    browser.login(w.specialist)
    response = post_step(browser, placement, "decline", {"on_behalf": "y"})
    assert response.status_code == 302
    after = fresh(placement)
    assert after.state == "cancelled" and after.cancel_reason == "landlord_declined"
    assert after.events[-1].on_behalf_of == "landlord"
    assert after.flat.status == "published"


def test_cancel_requires_a_reason_and_a_note_and_releases_the_flat(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.VIEWING_DONE)
    browser.login(w.specialist)
    html = page(browser, placement)
    cancel = html.split('id="cancel-title"')[1]
    assert "The household found a flat elsewhere" in cancel and "data-confirm" in html
    before = event_count(placement)
    refused = post_step(browser, placement, "cancel", {"cancel_reason": "", "note": ""})
    assert refused.status_code == 200
    text = refused.get_data(as_text=True)
    assert "Please choose a reason." in text and "Please describe briefly" in text
    forged = post_step(browser, placement, "cancel", {"cancel_reason": "bored", "note": "x"})
    assert forged.status_code == 200
    assert fresh(placement).state == "viewing_done" and event_count(placement) == before
    assert fresh(placement).flat.status == "reserved"
    response = post_step(
        browser,
        placement,
        "cancel",
        {"cancel_reason": "viewing_negative", "note": "Wohnung zu klein für die Kinder."},
    )
    assert response.status_code == 302
    after = fresh(placement)
    assert after.state == "cancelled" and after.cancel_reason == "viewing_negative"
    assert after.flat.status == "published"
    assert after.events[-1].note == "Wohnung zu klein für die Kinder."
    assert "will not go ahead" in outbox(w.landlord.email)[-1].body_text
    html = page(browser, placement)
    assert "The viewing did not lead to a lease" in html
    assert 'id="cancel-title"' not in html


def test_a_flat_held_by_another_placement_is_refused(app, browser, db):
    w = world()
    first = placement_in(app, w)
    other = HouseholdFactory()
    with app.test_request_context():
        second = ops.propose(w.flat, other, w.specialist)
    browser.login(w.specialist)
    assert post_step(browser, first, "accept", {"on_behalf": "y"}).status_code == 302
    response = post_step(browser, second, "accept", {"on_behalf": "y"})
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already held by another placement" in html
    assert fresh(second).state == "proposed" and event_count(second) == 1


def test_a_withdrawn_profile_cannot_move_in(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.LEASE_SIGNED)
    w.household.status = "withdrawn"  # the social worker withdrew it meanwhile
    _db.session.flush()
    browser.login(w.specialist)
    response = post_step(
        browser, placement, "move_in", {"keys_handed_over_on": clock.today().isoformat()}
    )
    assert response.status_code == 302
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no longer in a status that allows this step" in html
    after = fresh(placement)
    assert after.state == "lease_signed" and after.flat.status == "reserved"
    assert after.follow_ups == []


# Who sees and does what on the page -------------------------------------------------------------


def test_specialist_sees_identity_but_no_case_notes(app, browser, db):
    w = world()
    placement = placement_in(app, w)
    browser.login("specialist")
    html = page(browser, placement)
    assert TENANT in html and "Jonas Beispiel" in html and w.household.code in html
    assert SECRET_NOTE not in html and "Case notes" not in html
    assert w.flat.organisation.name in html and w.landlord.email in html


def test_social_worker_reads_with_case_notes_records_follow_ups_but_takes_no_step(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.MOVED_IN)
    browser.login("social_worker")
    html = page(browser, placement)
    assert SECRET_NOTE in html
    assert 'name="cancel-csrf_token"' not in html and 'name="note-note"' not in html
    before = event_count(placement)
    refused = post_step(browser, placement, "cancel", {"cancel_reason": "other", "note": "x"})
    assert refused.status_code == 302
    text = browser.client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Your role may not take this step. Nothing was changed." in text
    assert fresh(placement).state == "moved_in" and event_count(placement) == before
    note = post_note(browser, placement, "Hallo")
    assert note.status_code == 403
    follow_up = fresh(placement).follow_ups[0]
    response = post_follow_up(
        browser, placement, follow_up.id, {"outcome": "rent_arrears", "note": "Miete März fehlt"}
    )
    assert response.status_code == 302
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The follow-up is recorded." in html
    assert "the team can open a mediation case" in html
    after = fresh(placement)
    assert after.state == "aftercare"
    assert after.follow_ups[0].outcome == "rent_arrears"
    assert after.follow_ups[0].done_on == clock.today()
    assert "A mediation case can be opened" in html.split('id="follow-ups-title"')[1]


def test_follow_ups_complete_the_placement(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.MOVED_IN)
    browser.login(w.specialist)
    for _ in range(4):
        follow_up = next(f for f in fresh(placement).follow_ups if f.done_on is None)
        response = post_follow_up(
            browser,
            placement,
            follow_up.id,
            {"outcome": "all_well", "done_on": clock.today().isoformat()},
        )
        assert response.status_code == 302
    assert fresh(placement).state == "completed"
    html = page(browser, placement)
    assert "mediation case can be opened" not in html


def test_follow_up_refusals(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.MOVED_IN)
    browser.login(w.specialist)
    follow_up_id = fresh(placement).follow_ups[0].id
    missing = post_follow_up(browser, placement, follow_up_id, {"note": "ohne Ergebnis"})
    assert missing.status_code == 200
    assert "Please choose the outcome." in missing.get_data(as_text=True)
    future = (clock.today() + timedelta(days=3)).isoformat()
    later = post_follow_up(
        browser, placement, follow_up_id, {"outcome": "all_well", "done_on": future}
    )
    assert "cannot be in the future" in later.get_data(as_text=True)
    assert fresh(placement).follow_ups[0].done_on is None
    post_follow_up(browser, placement, follow_up_id, {"outcome": "all_well"})
    again = post_follow_up(browser, placement, follow_up_id, {"outcome": "conflict"})
    html = browser.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "recorded already" in html
    assert fresh(placement).follow_ups[0].outcome == "all_well"
    other = placement_in(app, world(), State.MOVED_IN)
    foreign = post_follow_up(
        browser, placement, fresh(other).follow_ups[0].id, {"outcome": "all_well"}
    )
    assert foreign.status_code == 404


def test_notes_go_into_the_timeline(app, browser, db):
    w = world()
    placement = placement_in(app, w)
    browser.login(w.specialist)
    empty = post_note(browser, placement, "  ")
    assert empty.status_code == 200 and "Please write the note." in empty.get_data(as_text=True)
    response = post_note(browser, placement, "Vermieter ruft zurück")
    assert response.status_code == 302
    html = page(browser, placement)
    timeline = html.split('id="timeline-title"')[1]
    assert "Vermieter ruft zurück" in timeline and "Note" in timeline
    assert fresh(placement).state == "proposed"


def test_timeline_shows_step_data_in_local_time(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.VIEWING_SCHEDULED)
    placement.viewing_at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    _db.session.flush()
    browser.login(w.specialist)
    html = page(browser, placement)
    assert "Vor dem Haus" in html.split('id="timeline-title"')[1]
    assert "01/07/2026, 14:00" in html  # 12:00 UTC in summer, day-month-year in English


def test_unknown_placement_is_404(browser, db):
    browser.login("specialist")
    assert browser.client.get(f"{BASE}/999999").status_code == 404


def test_placement_page_loads_in_a_fixed_number_of_queries(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.MOVED_IN)
    browser.login(w.specialist)

    def statements() -> int:
        browser.client.get(f"{BASE}/{placement.id}")
        with counted_statements(_db.engine) as seen:
            assert browser.client.get(f"{BASE}/{placement.id}").status_code == 200
        return len(seen)

    with _app_request(app):
        for number in range(3):
            ops.add_note(placement, w.specialist, f"Notiz {number}")
    small = statements()
    with _app_request(app):
        for number in range(27):
            ops.add_note(placement, StaffFactory(), f"Notiz {number}")
    assert event_count(placement) > 30
    assert statements() == small
    # A daily summary to the landlord for a month: the page still shows ten, as cheaply.
    daily_summaries(w.landlord, placement, 30)
    assert statements() == small
    # A long conversation with the landlord: the newest ten, their authors joined in.
    conversation(30, landlord=w.landlord, staff=w.specialist, placement=placement)
    assert statements() == small
    # A housing company with many people: the first ten to call and the number of the others.
    for number in range(12):
        UserFactory(organisation=w.landlord.organisation, full_name=f"Ansprech {number:02d}")
    _db.session.flush()
    assert statements() == small
    landlord = page(browser, placement).split('id="flat-title"')[1].split("</section>")[0]
    assert landlord.count("Ansprech ") == 10 - 1  # the landlord's own account comes first
    assert "3 more members." in landlord


# The history and the messages to the landlord: the newest on the page, all a page further ---


def daily_summaries(landlord, placement: Placement, count: int, first: int = 0) -> None:
    """The landlord's daily summaries (the digest), a day apart since the placement began."""
    for number in range(first, first + count):
        _db.session.add(
            OutboxMessage(
                to_address=landlord.email,
                subject=f"Tageszusammenfassung {number:03d}",
                body_text="…",
                topic=f"digest:{landlord.id}",
                created_at=placement.created_at + timedelta(days=number + 1),
            )
        )
    _db.session.flush()


def section(html: str, section_id: str) -> str:
    return html.split(f'<section id="{section_id}"')[1].split("</section>")[0]


def test_the_page_shows_the_newest_history_and_the_history_page_all(app, browser, db):
    w = world()
    placement = placement_in(app, w)  # its first event: the proposal
    with _app_request(app):
        for number in range(30):
            ops.add_note(placement, w.specialist, f"Notiz {number:03d}")
    browser.login(w.specialist)
    timeline = section(page(browser, placement), "timeline")
    shown = re.findall(r"Notiz (\d{3})", timeline)
    assert shown == [f"{n:03d}" for n in range(20, 30)]  # the newest ten, oldest first
    assert "Proposed" not in timeline
    assert "21 earlier entries are not shown here." in timeline
    link = f'href="{BASE}/{placement.id}/history"'
    assert f"{link}>Show all 31 entries of the history</a>" in timeline
    assert 'name="note-note"' in timeline  # the note form stays

    first = browser.client.get(f"{BASE}/{placement.id}/history").get_data(as_text=True)
    assert "31 entries, oldest first" in first
    assert "Proposed" in first and "Sabine Fach" in first
    assert re.findall(r"Notiz (\d{3})", first) == [f"{n:03d}" for n in range(24)]
    assert f'href="{BASE}/{placement.id}/history?page=2" rel="next"' in first
    second = browser.client.get(f"{BASE}/{placement.id}/history?page=2").get_data(as_text=True)
    assert re.findall(r"Notiz (\d{3})", second) == [f"{n:03d}" for n in range(24, 30)]
    assert "Proposed" not in second


def test_a_short_history_shows_whole_without_a_link(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.VIEWING_SCHEDULED)  # proposed and two steps
    browser.login(w.specialist)
    timeline = section(page(browser, placement), "timeline")
    assert timeline.count("<li>") == 3
    assert "not shown here" not in timeline and "/history" not in timeline


def test_the_page_shows_the_newest_messages_to_the_landlord_and_the_mail_page_all(app, browser, db):
    w = world()
    colleague = UserFactory(organisation=w.landlord.organisation)  # another landlord's digest
    placement_in(app, world(), State.PROPOSED)
    placement = placement_in(app, w)
    own = [m for m in outbox(w.landlord.email) if m.topic == f"placement:{placement.id}"]
    assert own  # the proposal's mail, among the summaries
    _db.session.add(  # before the placement began: not about it
        OutboxMessage(
            to_address=w.landlord.email,
            subject="Tageszusammenfassung alt",
            body_text="…",
            topic=f"digest:{w.landlord.id}",
            created_at=placement.created_at - timedelta(days=1),
        )
    )
    daily_summaries(colleague, placement, 2, first=900)
    daily_summaries(w.landlord, placement, 30)
    total = len(own) + 30
    browser.login(w.specialist)
    mails = section(page(browser, placement), "mails")
    shown = re.findall(r"Tageszusammenfassung (\d{3})", mails)
    assert shown == [f"{n:03d}" for n in range(20, 30)]  # the newest ten, oldest first
    assert "alt" not in mails
    assert f"{total - 10} earlier messages are not shown here." in mails
    link = f'href="{BASE}/{placement.id}/mails"'
    assert f"{link}>Show all {total} messages to the landlord</a>" in mails

    first = browser.client.get(f"{BASE}/{placement.id}/mails").get_data(as_text=True)
    assert f"{total} messages, oldest first" in first
    assert all(m.subject in first for m in own)
    assert "Tageszusammenfassung alt" not in first and "Tageszusammenfassung 9" not in first
    on_first = re.findall(r"Tageszusammenfassung (\d{3})", first)
    assert on_first == [f"{n:03d}" for n in range(25 - len(own))]
    second = browser.client.get(f"{BASE}/{placement.id}/mails?page=2").get_data(as_text=True)
    on_second = re.findall(r"Tageszusammenfassung (\d{3})", second)
    assert on_first + on_second == [f"{n:03d}" for n in range(30)]
    assert f'href="{BASE}/{placement.id}/mails?page=1" rel="prev"' in second


def test_the_cut_lists_speak_german_with_plurals(app, browser, db):
    w = world()
    w.specialist.locale = "de"
    placement = placement_in(app, w)
    with _app_request(app):
        for number in range(10):
            ops.add_note(placement, w.specialist, f"Notiz {number:03d}")
    daily_summaries(w.landlord, placement, 12)
    own = [m for m in outbox(w.landlord.email) if m.topic == f"placement:{placement.id}"]
    browser.login(w.specialist)
    html = page(browser, placement)
    timeline = section(html, "timeline")
    assert "1 früherer Eintrag wird hier nicht angezeigt." in timeline
    assert "Alle 11 Einträge des Verlaufs anzeigen" in timeline
    more = 12 + len(own) - 10
    assert f"{more} frühere Nachrichten werden hier nicht angezeigt." in section(html, "mails")
    assert f"Alle {12 + len(own)} Nachrichten an die Vermieterseite anzeigen" in html
    history = browser.client.get(f"{BASE}/{placement.id}/history").get_data(as_text=True)
    assert "Verlauf: " in history and "11 Einträge, die ältesten zuerst" in history
    mails = browser.client.get(f"{BASE}/{placement.id}/mails").get_data(as_text=True)
    assert f"{12 + len(own)} Nachrichten, die ältesten zuerst" in mails


def test_the_list_pages_are_for_casework_staff_of_the_placement_site_only(app, browser, db):
    w = world()
    placement = placement_in(app, w)
    browser.login("landlord")
    for path in ("history", "mails"):
        assert browser.client.get(f"{BASE}/{placement.id}/{path}").status_code == 403
    browser.logout()
    browser.login("social_worker")
    for path in ("history", "mails"):
        assert browser.client.get(f"{BASE}/{placement.id}/{path}").status_code == 200
        assert browser.client.get(f"{BASE}/999999/{path}").status_code == 404


# The list and the CSV ---------------------------------------------------------------------------


def district(name: str) -> District:
    return _db.session.scalar(select(District).where(District.name == name))


def test_list_filters_and_pagination_keep_filters(app, browser, db):
    specialist = StaffFactory(role="specialist", full_name="Zoe Zuständig")
    hochfeld = district("Hochfeld")
    for number in range(27):
        w = world(district=hochfeld, street=f"Hochfeldstraße {number}")
        w.specialist = specialist
        placement_in(app, w)
    elsewhere = world(street="Anderswo")
    placement_in(app, elsewhere, State.LANDLORD_ACCEPTED)
    browser.login("specialist")
    html = browser.client.get(f"{BASE}/?district={hochfeld.id}").get_data(as_text=True)
    assert "27 placements" in html and "Anderswo" not in html
    assert html.count("<tr>") == 26  # header and 25
    assert f'href="{BASE}/?district={hochfeld.id}&amp;page=2"' in html
    second = browser.client.get(f"{BASE}/?district={hochfeld.id}&page=2").get_data(as_text=True)
    assert second.count("<tr>") == 3 and "Anderswo" not in second
    by_state = browser.client.get(f"{BASE}/?state=landlord_accepted").get_data(as_text=True)
    assert "1 placement" in by_state and "Anderswo" in by_state
    by_staff = browser.client.get(f"{BASE}/?staff={specialist.id}").get_data(as_text=True)
    assert "27 placements" in by_staff
    assert "Anderswo" not in by_staff
    open_ones = browser.client.get(f"{BASE}/?state=open").get_data(as_text=True)
    assert "28 placements" in open_ones
    assert "Last change from" in html and 'for="filter-district"' in html


def test_list_date_range_is_the_last_change_in_local_days(app, browser, db):
    old = placement_in(app, world(street="Altbauweg"))
    old.state_changed_at = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # 2 March in Duisburg
    placement_in(app, world(street="Neubauweg"))
    _db.session.flush()
    browser.login("specialist")

    def listed(query: str) -> str:
        return browser.client.get(f"{BASE}/?{query}").get_data(as_text=True)

    march = listed("changed_from=2026-03-02&changed_to=2026-03-02")
    assert "Altbauweg" in march and "Neubauweg" not in march
    assert "Altbauweg" not in listed("changed_from=2026-03-01&changed_to=2026-03-01")
    today = clock.today().isoformat()
    recent = listed(f"changed_from={today}")
    assert "Neubauweg" in recent and "Altbauweg" not in recent
    reversed_range = listed("changed_from=2026-03-05&changed_to=2026-03-01")
    assert "The end cannot be before the start." in reversed_range
    assert "Altbauweg" in reversed_range and "Neubauweg" in reversed_range  # no filter then


def test_csv_export(app, browser, db):
    w = world(street="Musterweg", district=district("Hochfeld"))
    placement = placement_in(app, w, State.VIEWING_SCHEDULED)
    placement.created_at = datetime(2026, 2, 3, 23, 30, tzinfo=UTC)  # 4 Feb in Duisburg
    w.flat.organisation.name = "=HYPERLINK(1)"
    other = placement_in(app, world(street="Anderswo"))
    _db.session.flush()
    browser.login("specialist")
    response = browser.client.get(f"{BASE}/export.csv?state=viewing_scheduled")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "ID",
        "Household code",
        "Flat address",
        "District",
        "Landlord organisation",
        "State",
        "Started",
        "Last change",
        "Staff member",
    ]
    assert len(rows) == 2
    row = rows[1]
    assert row[0] == str(placement.id) and row[1] == w.household.code
    assert row[2].startswith("Musterweg") and row[3] == "Hochfeld"
    assert row[4] == "'=HYPERLINK(1)"  # never a formula
    assert row[5] == "Viewing scheduled"
    assert row[6] == "04.02.2026"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", row[7])
    assert row[8] == "Sabine Fach"
    assert TENANT not in text and "Jonas" not in text and other.household.code not in text
    everything = browser.client.get(f"{BASE}/export.csv").get_data().decode("utf-8")
    assert other.household.code in everything and TENANT not in everything
    list_page = browser.client.get(f"{BASE}/?state=viewing_scheduled").get_data(as_text=True)
    assert f'href="{BASE}/export.csv?state=viewing_scheduled"' in list_page


# The back-office home ---------------------------------------------------------------------------


def home_section(html: str, title_id: str) -> str:
    return html.split(f'id="{title_id}"')[1].split("</section>")[0]


def test_home_pipeline_due_today_and_overdue(app, browser, db):
    proposed = placement_in(app, world())
    placement_in(app, world())
    stuck = placement_in(app, world(street="Stillstandweg"), State.VIEWING_DONE)
    stuck.state_changed_at = utcnow() - timedelta(days=20)
    recent = placement_in(app, world(street="Frischweg"), State.VIEWING_DONE)
    moved = placement_in(app, world(street="Einzugsweg"), State.MOVED_IN)  # keys 40 days ago
    viewing = placement_in(app, world(street="Besichtigungsweg"), State.VIEWING_SCHEDULED)
    local_today = clock.now().date()
    viewing.viewing_at = datetime.combine(local_today, time(12, 0), BERLIN)
    tomorrow = placement_in(app, world(street="Morgenweg"), State.VIEWING_SCHEDULED)
    tomorrow.viewing_at = datetime.combine(local_today + timedelta(days=1), time(0, 5), BERLIN)
    expiring = HouseholdFactory()
    expiring.consents[0].expires_on = clock.today() + timedelta(days=5)
    _db.session.flush()
    browser.login("specialist")
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    pipeline = home_section(html, "pipeline-title")
    assert re.search(r'state=proposed">\s*<span class="stat-number">2</span> Proposed', pipeline)
    assert re.search(r'<span class="stat-number">2</span> Viewing scheduled', pipeline)
    assert re.search(r'<span class="stat-number">2</span> Viewing done', pipeline)
    assert re.search(r'<span class="stat-number">0</span> Completed', pipeline)
    due = home_section(html, "due-title")
    assert f'href="{BASE}/{viewing.id}"' in due and "Besichtigungsweg" in due
    assert "Morgenweg" not in due
    overdue = home_section(html, "overdue-title")
    assert f'href="{BASE}/{stuck.id}"' in overdue and "Stillstandweg" in overdue
    assert "Frischweg" not in overdue and str(recent.household.code) not in overdue
    assert f'href="{BASE}/{proposed.id}"' not in overdue
    # Follow-ups and consents are the social worker's: on her home, not the specialist's.
    assert 'id="follow-ups-title"' not in html and 'id="expiring-title"' not in html
    browser.logout()
    browser.login("social_worker")
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    follow_ups = home_section(html, "follow-ups-title")
    assert f'href="{BASE}/{moved.id}#follow-ups"' in follow_ups
    assert "1-month follow-up" in follow_ups
    consents = home_section(html, "expiring-title")
    assert f'href="/backoffice/households/{expiring.id}#consents"' in consents
    assert 'id="pipeline-title"' not in html and 'id="due-title"' not in html


def test_home_shows_no_placements_to_admins(app, browser, db):
    placement = placement_in(app, world())
    browser.login("admin")
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    assert 'id="pipeline-title"' not in html and placement.household.code not in html
    assert f"{BASE}/" not in html


def test_home_loads_in_a_fixed_number_of_queries(app, browser, db):
    browser.login("specialist")

    def make(count: int) -> None:
        for number in range(count):
            state = [State.PROPOSED, State.VIEWING_DONE, State.MOVED_IN][number % 3]
            placement = placement_in(app, world(), state)
            if number % 2:
                placement.state_changed_at = utcnow() - timedelta(days=30)
            household = HouseholdFactory()
            household.consents[0].expires_on = clock.today() + timedelta(days=3)
        _db.session.flush()

    def statements() -> int:
        browser.client.get("/backoffice/")
        with counted_statements(_db.engine) as seen:
            assert browser.client.get("/backoffice/").status_code == 200
        return len(seen)

    make(3)
    small = statements()
    make(27)
    assert statements() == small


# Proposing and deciding interests ---------------------------------------------------------------


def test_propose_from_the_flat_review(app, browser, db):
    w = world()
    browser.login(w.specialist)
    review = f"/backoffice/flats/{w.flat.id}"
    html = browser.client.get(review).get_data(as_text=True)
    action = f"{BASE}/propose/{w.flat.id}/{w.household.id}"
    assert f'action="{action}"' in html
    response = browser.post(action, {"back": "flat"})
    assert response.status_code == 302
    placement = _db.session.scalars(select(Placement)).one()
    assert response.headers["Location"].endswith(f"{BASE}/{placement.id}")
    assert placement.state == "proposed" and placement.staff_id == w.specialist.id
    assert "proposed household" in outbox(w.landlord.email)[-1].body_text
    html = browser.client.get(review).get_data(as_text=True)
    assert f'action="{action}"' not in html and "Placement in progress" in html
    again = browser.post(action, {"back": "flat"})
    assert again.headers["Location"].endswith(review)
    assert "already proposed" in browser.client.get(review).get_data(as_text=True)
    assert _db.session.scalar(select(func.count(Placement.id))) == 1


def test_propose_from_the_household_page(app, browser, db):
    w = world()
    browser.login(w.specialist)
    detail = f"/backoffice/households/{w.household.id}"
    html = browser.client.get(detail).get_data(as_text=True)
    action = f"{BASE}/propose/{w.flat.id}/{w.household.id}"
    assert f'action="{action}"' in html
    assert browser.post(action, {"back": "household"}).status_code == 302
    assert _db.session.scalars(select(Placement)).one().household_id == w.household.id


def test_propose_is_refused_for_an_invisible_household(app, browser, db):
    w = world()
    hidden = HouseholdFactory(status="paused")
    browser.login(w.specialist)
    response = browser.post(f"{BASE}/propose/{w.flat.id}/{hidden.id}", {"back": "household"})
    assert response.headers["Location"].endswith(f"/backoffice/households/{hidden.id}")
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no longer in a status that allows this step (vetted, with a valid" in html
    assert _db.session.scalar(select(func.count(Placement.id))) == 0


def test_social_worker_sees_no_propose_buttons(app, browser, db):
    w = world()
    browser.login("social_worker")
    for path in (f"/backoffice/flats/{w.flat.id}", f"/backoffice/households/{w.household.id}"):
        html = browser.client.get(path).get_data(as_text=True)
        assert "/propose/" not in html


def interest(w: SimpleNamespace) -> Interest:
    item = Interest(
        flat=w.flat,
        household=w.household,
        organisation_id=w.flat.organisation_id,
        created_by_id=w.landlord.id,
        message="Passt gut",
    )
    _db.session.add(item)
    _db.session.flush()
    return item


def test_accept_interest(app, browser, db):
    w = world()
    item = interest(w)
    browser.login(w.specialist)
    html = browser.client.get(f"/backoffice/households/{w.household.id}").get_data(as_text=True)
    assert f'action="{BASE}/interests/{item.id}/accept"' in html
    response = browser.post(f"{BASE}/interests/{item.id}/accept")
    placement = _db.session.scalars(select(Placement)).one()
    assert response.headers["Location"].endswith(f"{BASE}/{placement.id}")
    assert placement.origin == "interest" and placement.interest_id == item.id
    _db.session.refresh(item)
    assert item.status == "accepted"
    again = browser.post(f"{BASE}/interests/{item.id}/accept")
    html = browser.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "decided already" in html
    assert _db.session.scalar(select(func.count(Placement.id))) == 1


def test_decline_interest_sends_a_polite_mail_without_household_data(app, browser, db):
    w = world()
    item = interest(w)
    browser.login(w.specialist)
    response = browser.post(f"{BASE}/interests/{item.id}/decline")
    assert response.headers["Location"].endswith(f"/backoffice/households/{w.household.id}")
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The interest is declined" in html
    _db.session.refresh(item)
    assert item.status == "declined"
    assert _db.session.scalar(select(func.count(Placement.id))) == 0
    mail = outbox(w.landlord.email)[-1]
    assert w.household.code in mail.subject + mail.body_text
    for marker in (
        TENANT,
        "Jonas Beispiel",
        SECRET_NOTE,
        "0176 1234567",
        "haddad@example.org",
        "Gemeinschaftsunterkunft",
    ):
        assert marker not in mail.subject and marker not in mail.body_text
    again = browser.post(f"{BASE}/interests/{item.id}/decline")
    assert "decided already" in browser.client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(outbox(w.landlord.email)) == 1


def test_unknown_interest_or_pair_is_404(app, browser, db):
    w = world()
    browser.login(w.specialist)
    assert browser.post(f"{BASE}/interests/999999/accept").status_code == 404
    assert browser.post(f"{BASE}/propose/{w.flat.id}/999999").status_code == 404


# Helpers ----------------------------------------------------------------------------------------


@contextmanager
def _app_request(app):
    with app.test_request_context():
        yield
    _db.session.flush()


def test_follow_up_rows_are_loaded_with_the_placement(app, db):
    """Guards the fixture: a moved-in placement has its four follow-ups."""
    placement = placement_in(app, world(), State.MOVED_IN)
    count = _db.session.scalar(
        select(func.count(FollowUp.id)).where(FollowUp.placement_id == placement.id)
    )
    assert count == 4


# The cron job and the demo data -----------------------------------------------------------------


def test_remind_command_counts_overdue_placements_and_due_follow_ups(app, runner, db):
    w = world()
    stuck = placement_in(app, w, State.VIEWING_DONE)
    stuck.state_changed_at = utcnow() - timedelta(days=20)
    placement_in(app, world(), State.MOVED_IN)  # first follow-up due 10 days ago
    ended = placement_in(app, world(), State.MOVED_IN)
    with app.test_request_context():
        ops.take_step(ended, Action.CANCEL, w.specialist, "specialist", cancel_reason="other")
    _db.session.flush()
    result = runner.invoke(args=["placements", "remind"])
    assert result.exit_code == 0, result.output
    # The cancelled placement's open follow-ups are not reminded: nobody can record them.
    assert result.output.strip() == "overdue 1, follow-ups due 1, mails 2"
    mail = outbox(w.specialist.email)[-1]
    assert f"/backoffice/placements/{stuck.id}" in mail.body_text


def test_demo_data_has_placements_in_several_states(app, runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    states = set(_db.session.scalars(select(Placement.state)))
    assert {"proposed", "viewing_scheduled", "moved_in", "cancelled"} <= states
    moved = _db.session.scalars(select(Placement).where(Placement.state == "moved_in")).one()
    assert moved.flat.status == "let" and moved.household.status == "housed"
    assert len(moved.follow_ups) == 4 and moved.follow_ups[0].due_on < clock.today()
    viewing = _db.session.scalars(
        select(Placement).where(Placement.state == "viewing_scheduled")
    ).one()
    assert viewing.viewing_at.astimezone(BERLIN).date() == clock.now().date()
    home = dashboard()
    assert home.overdue_count >= 1 and home.due_count >= 1 and home.viewings_today
