"""A landlord's choice how to hear of placement steps (one e-mail per step or one summary a
day), and the daily summary that ``flask placements digest`` sends."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import User
from portal.core import audit
from portal.core.db import utcnow
from portal.core.outbox import queue_mail
from portal.extensions import db
from portal.listings.models import Flat
from portal.placements.models import LANDLORD, Action, Placement, PlacementEvent
from portal.placements.operations.notifications import DIGEST, _landlord_of, texts_for
from portal.placements.refusals import refused
from portal.placements.steps_text import NO_MAIL

EACH = "each"
STEP_MAIL_CHOICES = (EACH, DIGEST)


def choose_step_mails(user: User, choice: str) -> None:
    """The landlord's own choice, for their account (not the whole organisation)."""
    if choice not in STEP_MAIL_CHOICES:
        raise refused("data", detail="step_mails")
    if user.step_mails == choice:
        return
    user.step_mails = choice
    if choice == DIGEST and user.digest_sent_at is None:
        user.digest_sent_at = utcnow()  # the first summary starts from now
    audit.record("placements.step_mails", actor=user, obj=user, kind=choice)


def digest_topic(user: User) -> str:
    return f"digest:{user.id}"


def _steps_for(user: User, since: datetime, until: datetime) -> list[tuple[Placement, list]]:
    events = db.session.scalars(
        select(PlacementEvent)
        .join(Placement, PlacementEvent.placement_id == Placement.id)
        .join(Flat, Placement.flat_id == Flat.id)
        .where(
            Flat.organisation_id == user.organisation_id,
            PlacementEvent.created_at > since,
            PlacementEvent.created_at <= until,
        )
        .order_by(PlacementEvent.id)
    ).all()
    grouped: dict[int, tuple[Placement, list]] = {}
    for event in events:
        if event.action in NO_MAIL or (event.role == LANDLORD and event.action == Action.DECLINE):
            continue  # the landlord's own steps in the portal
        placement = event.placement
        recipient = _landlord_of(placement)
        if recipient is None or recipient.id != user.id:
            continue
        text = texts_for(placement, event, user.locale)
        if text is not None:
            grouped.setdefault(placement.id, (placement, []))[1].append((event.created_at, text))
    return list(grouped.values())


def send_digests(now: datetime | None = None) -> dict[str, int]:
    """For cron, once a day: one summary to each landlord who chose it, of the steps since their
    last summary (none when nothing happened)."""
    now = now or utcnow()
    users = db.session.scalars(
        select(User).where(
            User.role == "landlord", User.is_active.is_(True), User.step_mails == DIGEST
        )
    ).all()
    base = current_app.config["PORTAL_BASE_URL"]
    mails = 0
    for user in users:
        since = user.digest_sent_at or now - timedelta(days=1)
        placements = _steps_for(user, since, now)
        user.digest_sent_at = now
        if not placements:
            continue
        queue_mail(
            user.email,
            "placements_digest",
            user.locale,
            topic=digest_topic(user),
            name=user.full_name,
            placements=[
                (placement, f"{base}/placements/{placement.public_key}", steps)
                for placement, steps in placements
            ],
        )
        mails += 1
    return {"landlords": len(users), "mails": mails}
