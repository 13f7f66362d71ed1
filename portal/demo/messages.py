"""The demo placements' e-mails to the landlords, dated like their steps.

The operations queue each step's e-mail (through the outbox, linked to the placement) when the
demo takes the step, today; the demo then dates the steps back (``dating``). Here each queued
message gets the day of the step it tells of, and is marked sent a few minutes later, as the
mail worker would have done; one message stays failed, so the back office shows what a failed
delivery looks like."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core.outbox import FAILED, SENT, OutboxMessage
from portal.extensions import db
from portal.placements import operations as ops
from portal.placements.models import Placement


def date_messages(placement: Placement, failed: bool = False) -> int:
    """Give the placement's messages the times of their steps (matched in order by the
    subject each step's text gives); ``failed``: the latest one failed. Returns the count."""
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.topic == ops.placement_topic(placement))
        .order_by(OutboxMessage.id)
    ).all()
    landlord = ops._landlord_of(placement)
    if not messages or landlord is None:
        return 0
    events = list(placement.events)
    position = 0
    for message in messages:
        for index in range(position, len(events)):
            text = ops.texts_for(placement, events[index], landlord.locale)
            if text is not None and text.subject == message.subject:
                position = index + 1
                message.created_at = events[index].created_at + timedelta(minutes=1)
                break
        message.next_attempt_at = message.created_at
        message.status, message.attempts = SENT, 1
        message.sent_at = message.created_at + timedelta(minutes=2)
    if failed:
        last = messages[-1]
        last.status, last.sent_at, last.attempts = FAILED, None, 5
        last.last_error = "SMTPRecipientsRefused: 550 mailbox unavailable"
    return len(messages)
