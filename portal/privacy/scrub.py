"""Steps shared by erasure and the retention purge: removing a person's values from e-mails and
from free texts of other records."""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select

from portal.core.outbox import FAILED, PENDING, SENDING, OutboxMessage
from portal.extensions import db
from portal.households.models import Household, HouseholdIdentity
from portal.listings.models import Flat, FlatReview, Photo
from portal.mediation.models import CaseEntry, MediationCase
from portal.placements.messages import Message
from portal.placements.models import FollowUp, Interest, Placement, PlacementEvent

ERASED_TEXT = "[erased]"
# Values shorter than this are not searched for in the outbox (they would match anything).
MIN_SEARCH_LENGTH = 4


def scrub_outbox(values: list[str | None]) -> int:
    """Empty every queued or sent e-mail that contains one of ``values`` (compared without case):
    body, subject and attachment go; an address equal to a value is replaced. A message not sent
    yet is marked failed so that nothing empty is ever sent. Returns the number of messages."""
    needles = sorted(
        {v.strip().lower() for v in values if v and len(v.strip()) >= MIN_SEARCH_LENGTH}
    )
    if not needles:
        return 0
    columns = (
        OutboxMessage.to_address,
        OutboxMessage.subject,
        OutboxMessage.body_text,
        OutboxMessage.attachment_text,
    )
    conditions = [
        func.lower(column).contains(needle, autoescape=True)
        for needle in needles
        for column in columns
    ]
    messages = db.session.scalars(select(OutboxMessage).where(or_(*conditions))).all()
    for message in messages:
        if message.to_address.strip().lower() in needles:
            message.to_address = f"erased-message-{message.id}@invalid"
        message.subject = ERASED_TEXT
        message.body_text = ""
        message.attachment_name = message.attachment_type = message.attachment_text = None
        if message.status in (PENDING, SENDING):
            message.status = FAILED
            message.last_error = "erased"
    return len(messages)


# Every column that holds typed text in which a person may be named.
FREE_TEXT_COLUMNS = (
    Household.profile_text,
    Household.override_reason,
    HouseholdIdentity.case_notes,
    HouseholdIdentity.current_accommodation,
    Placement.viewing_place,
    Placement.viewing_outcome,
    Placement.cancel_note,
    PlacementEvent.note,
    FollowUp.note,
    Interest.message,
    Flat.description,
    Flat.review_comment,
    FlatReview.comment,
    Photo.caption,
    MediationCase.message,
    MediationCase.flat_address,
    CaseEntry.text,
    Message.body,
)


def scrub_free_texts(values: list[str | None]) -> int:
    """Replace each occurrence of one of ``values`` in any free text of the database (notes of
    other cases that mention the erased person) with ``[erased]``; the rest of the text stays.
    Returns the number of texts changed."""
    needles = sorted(
        {v.strip() for v in values if v and len(v.strip()) >= MIN_SEARCH_LENGTH},
        key=len,
        reverse=True,  # "Amira Haddad" before "Amira"
    )
    if not needles:
        return 0
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    changed = 0
    for column in FREE_TEXT_COLUMNS:
        model = column.class_
        matches = or_(*[func.lower(column).contains(n.lower(), autoescape=True) for n in needles])
        for obj in db.session.scalars(select(model).where(matches)):
            text = getattr(obj, column.key)
            if text:
                setattr(obj, column.key, pattern.sub(ERASED_TEXT, text))
                changed += 1
    return changed
