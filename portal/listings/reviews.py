"""The team's decisions on a flat and their history: each decision (publish, ask for changes,
approve or send back a published flat's changes) goes through ``decide``, which keeps a
``FlatReview`` with the values the team looked at; the review page then shows the earlier
decisions with their comments, who decided when, and what the landlord changed since the last
decision, field by field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.accounts.models import User
from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.extensions import db
from portal.listings import changes
from portal.listings import operations as ops
from portal.listings.models import (
    IMMEDIATE_FIELDS,
    MATERIAL_FIELDS,
    Flat,
    FlatReview,
    ReviewDecision,
)
from portal.listings.presenters import PendingRow, field_label, shown_value

REVIEWED_FIELDS = MATERIAL_FIELDS + IMMEDIATE_FIELDS
# The audit events the history shows: the landlord's submissions and the team's decisions.
HISTORY_ACTIONS = (
    "flat.submitted",
    "flat.changes_submitted",
    "flat.changes_withdrawn",
    "flat.published",
    "flat.changes_requested",
    "flat.changes_approved",
    "flat.changes_returned",
    "flat.archived",
)
HISTORY_ROWS = 50
ADDRESS_DISAGREES = _l(
    "The changes cannot be approved: postcode and district do not agree. "
    "Please send them back with a comment."
)


def snapshot(flat: Flat) -> dict[str, Any]:
    """What the team reviews: the approved values with the proposed ones over them, as JSON."""
    return {
        name: changes.dump(value)
        for name, value in changes.proposed_values(flat, REVIEWED_FIELDS).items()
    }


def decide(
    flat: Flat, reviewer: User, *, approve: bool, comment: str | None, changes_only: bool
) -> ReviewDecision:
    """The reviewer's decision on a submitted flat (publish or ask for changes) or, with
    ``changes_only``, on a published flat's pending changes (approve or send back), through the
    listings operations (which refuse with Refused, nothing changed). The decision is kept
    with the values the reviewer saw and the comment."""
    seen = snapshot(flat)
    if changes_only and approve:
        try:
            ops.approve_changes(flat, reviewer)
        except Refused as refusal:
            if refusal.code != "address":
                raise
            raise Refused("address", ADDRESS_DISAGREES) from refusal
        decision = ReviewDecision.CHANGES_APPROVED
    elif changes_only:
        ops.return_changes(flat, reviewer, comment or "")
        decision = ReviewDecision.CHANGES_RETURNED
    elif approve:
        ops.publish_flat(flat, reviewer)
        decision = ReviewDecision.PUBLISHED
    else:
        ops.request_changes(flat, reviewer, comment or "")
        decision = ReviewDecision.CHANGES_REQUESTED
    db.session.add(
        FlatReview(
            flat_id=flat.id,
            decided_by_id=reviewer.id,
            decision=decision.value,
            comment=None if approve else (comment or "").strip(),
            snapshot=seen,
        )
    )
    db.session.flush()
    return decision


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str  # the audit action, e.g. "flat.changes_requested"
    actor: str | None  # the name of who did it (None: unknown or the system)
    is_staff: bool


@dataclass(frozen=True)
class History:
    entries: list[HistoryEntry]  # newest first
    reviews: list[FlatReview]  # newest first, each with its comment
    reviewers: dict[int, str]  # review id to the name of who decided
    last_review: FlatReview | None
    changed_since: list[PendingRow]  # field, value at the last decision, value now

    @property
    def change_requests(self) -> list[FlatReview]:
        asked = (ReviewDecision.CHANGES_REQUESTED.value, ReviewDecision.CHANGES_RETURNED.value)
        return [review for review in self.reviews if review.decision in asked]


def changed_since(flat: Flat, review: FlatReview | None) -> list[PendingRow]:
    """Field by field, what differs between the values of ``review`` and the flat now (with
    its proposed values): label, the value then, the value now, formatted for the reader."""
    if review is None or not review.snapshot:
        return []
    now = changes.proposed_values(flat, REVIEWED_FIELDS)
    rows = []
    for name in REVIEWED_FIELDS:
        if name not in review.snapshot:
            continue
        before = changes.load(name, review.snapshot[name])
        if before != now[name]:
            rows.append(
                PendingRow(
                    field_label(name), shown_value(name, before), shown_value(name, now[name])
                )
            )
    return rows


def history(flat: Flat) -> History:
    """The flat's review history in two queries (three with a diff), whatever its length."""
    events = db.session.execute(
        select(AuditEvent, User.full_name, User.role)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.object_type == Flat.__tablename__,
            AuditEvent.object_id == flat.id,
            AuditEvent.action.in_(HISTORY_ACTIONS),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(HISTORY_ROWS)
    ).all()
    entries = [
        HistoryEntry(event.occurred_at, event.action, name, role not in (None, "landlord"))
        for event, name, role in events
    ]
    rows = db.session.execute(
        select(FlatReview, User.full_name)
        .outerjoin(User, User.id == FlatReview.decided_by_id)
        .where(FlatReview.flat_id == flat.id)
        .order_by(FlatReview.decided_at.desc(), FlatReview.id.desc())
        .limit(HISTORY_ROWS)
    ).all()
    reviews = [review for review, _name in rows]
    reviewers = {review.id: name for review, name in rows if name}
    last = reviews[0] if reviews else None
    return History(entries, reviews, reviewers, last, changed_since(flat, last))
