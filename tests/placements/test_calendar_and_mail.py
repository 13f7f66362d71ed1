"""The viewing invitation: its calendar file (local Berlin time, updates that calendars
recognise), the e-mail that carries it, and its way out through the outbox."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from icalendar import Calendar

from portal.core.db import utcnow
from portal.core.outbox import OutboxMessage, build_email, deliver_pending
from portal.core.refusals import Refused
from portal.placements import operations as ops
from portal.placements.calendar import VIEWING_LENGTH
from portal.placements.models import Action, State
from tests.conftest import outbox
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory, UserFactory

WINTER = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # CET, UTC+1
SUMMER = datetime(2027, 7, 1, 13, 0, tzinfo=UTC)  # CEST, UTC+2
SENDER = "Endlich ein ZUHAUSE <noreply@zuhause.example>"


@pytest.fixture
def accepted(app, db):
    """A placement the landlord has accepted, committed (to the test's savepoint)."""
    landlord = UserFactory()
    flat = FlatFactory(
        organisation=landlord.organisation, status="published", created_by_id=landlord.id
    )
    specialist = StaffFactory(role="specialist")
    with app.test_request_context():
        placement = ops.propose(flat, HouseholdFactory(), specialist)
        ops.take_step(placement, Action.ACCEPT, landlord, "landlord")
    db.session.commit()
    return placement, landlord, specialist


def schedule(app, placement, specialist, when=WINTER, place="Vor dem Haus", action=None):
    with app.test_request_context():
        ops.take_step(
            placement,
            action or Action.SCHEDULE_VIEWING,
            specialist,
            "specialist",
            viewing_at=when,
            viewing_place=place,
            viewing_companion_id=specialist.id,
        )


def invitations(landlord) -> list[OutboxMessage]:
    return [m for m in outbox(landlord.email) if m.attachment_text is not None]


def event_of(ics: str):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


@pytest.mark.parametrize(
    ("when", "local_hour", "offset"), [(WINTER, 14, 1), (SUMMER, 15, 2)], ids=["winter", "summer"]
)
def test_invitation_is_a_request_in_berlin_time(app, db, accepted, when, local_hour, offset):
    placement, landlord, specialist = accepted
    schedule(app, placement, specialist, when=when)

    (message,) = invitations(landlord)
    assert message.attachment_name == "viewing.ics"
    assert message.attachment_type == "text/calendar; method=REQUEST; charset=utf-8"
    calendar, event = event_of(message.attachment_text)
    assert calendar["METHOD"] == "REQUEST"
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    assert zone.walk("STANDARD") and zone.walk("DAYLIGHT")  # both offsets, so any date reads
    start, end = event["DTSTART"], event["DTEND"]
    assert start.params["TZID"] == "Europe/Berlin"
    assert (start.dt.hour, start.dt.minute) == (local_hour, 0)
    assert start.dt.utcoffset() == timedelta(hours=offset)
    assert start.dt == when  # the same moment
    assert f"DTSTART;TZID=Europe/Berlin:{when:%Y%m%d}T{local_hour}0000" in message.attachment_text
    assert end.dt - start.dt == VIEWING_LENGTH == timedelta(minutes=45)
    assert str(event["LOCATION"]) == "Vor dem Haus"
    assert event["SEQUENCE"] == 0
    assert str(event["UID"]).startswith(f"placement-{placement.id}-viewing@")


def test_reschedule_keeps_the_uid_and_raises_the_sequence(app, db, accepted):
    placement, landlord, specialist = accepted
    schedule(app, placement, specialist)
    later = WINTER + timedelta(days=1, hours=2)
    schedule(
        app, placement, specialist, when=later, place="Im Büro", action=Action.RESCHEDULE_VIEWING
    )
    assert placement.viewing_sequence == 1
    schedule(
        app, placement, specialist, when=later, place="Im Büro", action=Action.RESCHEDULE_VIEWING
    )
    assert placement.viewing_sequence == 2
    assert placement.state == State.VIEWING_SCHEDULED

    first, second, third = (event_of(m.attachment_text)[1] for m in invitations(landlord))
    assert first["UID"] == second["UID"] == third["UID"]
    assert [e["SEQUENCE"] for e in (first, second, third)] == [0, 1, 2]
    assert second["DTSTART"].dt == later and str(second["LOCATION"]) == "Im Büro"
    assert invitations(landlord)[1].subject.startswith("New time for the viewing")


def test_email_carries_the_invitation_as_a_calendar_request(app, db, accepted):
    placement, landlord, specialist = accepted
    schedule(app, placement, specialist)
    (message,) = invitations(landlord)

    built = build_email(message, SENDER)
    (attachment,) = built.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_param("charset") == "utf-8"  # the address has an ß
    assert attachment.get_filename() == "viewing.ics"
    assert attachment.get_content() == message.attachment_text
    assert built.get_body(("plain",)).get_content().startswith("Hello")


def test_invitation_is_queued_in_the_steps_transaction(app, db, accepted):
    placement, landlord, specialist = accepted
    # Refused (no viewing to move yet): nothing queued.
    with pytest.raises(Refused):
        schedule(app, placement, specialist, action=Action.RESCHEDULE_VIEWING)
    assert invitations(landlord) == []
    # Taken, then rolled back (the request failed later): the mail goes with the step.
    schedule(app, placement, specialist)
    assert len(invitations(landlord)) == 1
    db.session.rollback()
    assert invitations(landlord) == []
    assert placement.state == State.LANDLORD_ACCEPTED
    # Taken and committed: the mail stays.
    schedule(app, placement, specialist)
    db.session.commit()
    assert len(invitations(landlord)) == 1


def test_invitation_survives_an_smtp_outage_and_arrives_once(app, db, accepted, smtp):
    controller, collector = smtp
    placement, landlord, specialist = accepted
    schedule(app, placement, specialist)
    db.session.commit()
    (message,) = invitations(landlord)
    queued = len(outbox())  # the proposal's mail too

    # Nobody listens: every message stays pending, with a later attempt.
    assert deliver_pending() == {"sent": 0, "retry": queued, "failed": 0}
    db.session.refresh(message)
    assert message.status == "pending" and message.attempts == 1 and not collector.messages

    controller.start()
    later = utcnow() + timedelta(hours=1)
    assert deliver_pending(now=later)["sent"] == queued
    assert deliver_pending(now=later + timedelta(hours=1))["sent"] == 0
    db.session.refresh(message)
    assert message.status == "sent"

    received = [
        email.message_from_bytes(content, policy=policy.default)
        for _, rcpt, content in collector.messages
        if rcpt == [landlord.email]
    ]
    assert len(collector.messages) == queued
    (mail,) = [m for m in received if any(True for _ in m.iter_attachments())]
    (attachment,) = mail.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_content() == message.attachment_text  # byte for byte, umlauts too
    calendar, event = event_of(attachment.get_content())
    assert calendar["METHOD"] == "REQUEST"
    assert event["DTSTART"].dt == WINTER
