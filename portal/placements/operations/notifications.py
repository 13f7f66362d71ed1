"""The placements' e-mails: what the landlord hears of a step, and the reminders for the team."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.core import clock
from portal.core.outbox import OutboxMessage, queue_mail
from portal.core.pagination import first_and_total_statement, run_newest
from portal.extensions import db
from portal.placements.calendar import viewing_invitation
from portal.placements.models import (
    LANDLORD,
    OPEN_STATES,
    Action,
    FollowUp,
    Placement,
    PlacementEvent,
    State,
)
from portal.placements.steps_text import NO_MAIL, StepText, step_text

DIGEST = "digest"
VIEWING_ACTIONS = (Action.SCHEDULE_VIEWING.value, Action.RESCHEDULE_VIEWING.value)


def _landlord_of(placement: Placement) -> User | None:
    flat = placement.flat
    user = db.session.get(User, flat.submitted_by_id or flat.created_by_id or -1)
    if user is None or not user.is_active:
        user = next((m for m in flat.organisation.members if m.is_active), None)
    return user


def _tell_landlord(placement: Placement, template: str, **context: Any) -> None:
    landlord = _landlord_of(placement)
    if landlord is None:
        return
    url = current_app.config["PORTAL_BASE_URL"] + f"/placements/{placement.public_key}"
    queue_mail(
        landlord.email,
        template,
        landlord.locale,
        topic=placement_topic(placement),
        name=landlord.full_name,
        flat=placement.flat,
        code=placement.household.code,
        url=url,
        **context,
    )


def placement_topic(placement: Placement) -> str:
    """The outbox topic of a placement's messages (the back office lists them by it)."""
    return f"placement:{placement.id}"


def viewing_names(placement: Placement) -> tuple[str | None, str | None]:
    """The main tenant's and the companion's names, only while the placement reveals them. Read
    by id: right after a step the relationship may still hold the previous companion."""
    if not placement.identity_revealed:
        return None, None
    identity = placement.household.identity
    companion = db.session.get(User, placement.viewing_companion_id or -1)
    return (
        identity.main_tenant_name if identity is not None else None,
        companion.full_name if companion is not None else None,
    )


def texts_for(
    placement: Placement, event: PlacementEvent, locale: str | None = None
) -> StepText | None:
    """The landlord's words for a step, in ``locale``; names of the viewing only where the
    placement reveals them."""
    tenant = companion = None
    if event.action in VIEWING_ACTIONS:
        tenant, companion = viewing_names(placement)
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return step_text(event, placement, tenant, companion)


def tell_step(placement: Placement, event: PlacementEvent) -> None:
    """The landlord's e-mail about one step, queued in the step's transaction; none for a
    landlord who chose the daily digest (``send_digests`` collects the steps then), none for a
    step the landlord just took in the portal themselves."""
    if event.action in NO_MAIL:
        return
    if event.role == LANDLORD and event.action in (Action.DECLINE, "viewing_slots"):
        return  # the page has just told them
    landlord = _landlord_of(placement)
    if landlord is None or landlord.step_mails == DIGEST:
        return
    text = texts_for(placement, event, landlord.locale)
    if text is None:
        return
    attachment = None
    if event.action in VIEWING_ACTIONS:
        attachment = _calendar(placement, landlord)
    queue_mail(
        landlord.email,
        "placement_step",
        landlord.locale,
        attachment=attachment,
        topic=placement_topic(placement),
        name=landlord.full_name,
        code=placement.household.code,
        address=placement.flat.address_line,
        step=text,
        url=current_app.config["PORTAL_BASE_URL"] + f"/placements/{placement.public_key}",
    )


def _calendar(placement: Placement, landlord: User) -> tuple[str, str, str]:
    with force_locale(landlord.locale):
        summary = _("Viewing: %(address)s", address=placement.flat.address_line)
        description = _(
            "Viewing with household %(code)s, accompanied by the Kümmerer team.",
            code=placement.household.code,
        )
    ics = viewing_invitation(
        placement, summary, description, current_app.config["PROGRAMME_CONTACT_EMAIL"]
    )
    # The charset is named: the text holds umlauts (address, team name), and a text/* part
    # without one is read as US-ASCII by mail libraries (Python's among them).
    return ("viewing.ics", "text/calendar; method=REQUEST; charset=utf-8", ics)


def _notify(
    placement: Placement, action: Action | str, event: PlacementEvent | None = None
) -> None:
    """The e-mails of a step, queued in the step's transaction."""
    if event is None:
        events = [e for e in placement.events if e.action == action]
        if not events:
            return
        event = events[-1]
    tell_step(placement, event)


OVERDUE_DAYS = 14


def remind(today: date | None = None) -> dict[str, int]:
    """For cron: tell the specialist in charge (or every specialist) about placements with no
    progress for 14 days and about follow-ups due within the coming week."""
    today = today or clock.today()
    limit = datetime.combine(today - timedelta(days=OVERDUE_DAYS), datetime.min.time(), UTC)
    stuck = db.session.scalars(
        select(Placement).where(
            Placement.state.in_(
                [s.value for s in OPEN_STATES if s not in (State.MOVED_IN, State.AFTERCARE)]
            ),
            Placement.state_changed_at < limit,
        )
    ).all()
    due = db.session.scalars(
        select(FollowUp).where(
            FollowUp.done_on.is_(None),
            FollowUp.due_on <= today + timedelta(days=7),
            # A cancelled placement's open follow-ups can never be recorded: no reminders.
            FollowUp.placement_id.in_(
                select(Placement.id).where(
                    Placement.state.in_([State.MOVED_IN.value, State.AFTERCARE.value])
                )
            ),
        )
    ).all()
    specialists = db.session.scalars(
        select(User)
        .where(User.role == "specialist", User.is_active.is_(True))
        .options(selectinload(User.sites))
    ).all()

    def in_charge(placement: Placement) -> list[User]:
        """The specialist in charge, else every specialist of the placement's site."""
        if placement.staff and placement.staff.is_active:
            return [placement.staff]
        return [u for u in specialists if placement.site_id in {s.id for s in u.sites}]

    per_person: dict[int, tuple[User, list[Placement], list[FollowUp]]] = {}
    for placement in stuck:
        for person in in_charge(placement):
            per_person.setdefault(person.id, (person, [], []))[1].append(placement)
    for follow_up in due:
        for person in in_charge(follow_up.placement):
            per_person.setdefault(person.id, (person, [], []))[2].append(follow_up)
    base = current_app.config["PORTAL_BASE_URL"]
    for person, placements, follow_ups in per_person.values():
        queue_mail(
            person.email,
            "placements_reminder",
            person.locale,
            name=person.full_name,
            placements=placements,
            follow_ups=follow_ups,
            base=base,
            today=today,
        )
    return {"overdue": len(stuck), "follow_ups": len(due), "mails": len(per_person)}


def messages_of(placement: Placement) -> Select:
    """What went out to the landlord about this placement, oldest first: its own messages and
    the landlord's daily summaries since the placement began (a summary may cover others). A
    statement, for a page at a time (``db.paginate``): a long placement has hundreds."""
    return _messages_query(OutboxMessage.id).params(_message_params(placement))


def latest_messages_of(placement: Placement, limit: int) -> tuple[list[OutboxMessage], int]:
    """The newest ``limit`` of ``messages_of``, oldest first as the whole list reads, and the
    number of all of them, in one statement (a summary a day: hundreds in a long placement)."""
    rows, total = run_newest(_latest_messages_statement(limit), limit, _message_params(placement))
    return [message for (message,) in rows], total


def _message_params(placement: Placement) -> dict[str, Any]:
    landlord = _landlord_of(placement)
    return {
        "placement_topic": placement_topic(placement),
        # No landlord: no summaries (a NULL in the IN list matches no row).
        "digest_topic": f"digest:{landlord.id}" if landlord is not None else None,
        "since": placement.created_at,
    }


def _messages_query(order: Any) -> Select:
    return (
        select(OutboxMessage)
        .where(
            OutboxMessage.topic.in_([bindparam("placement_topic"), bindparam("digest_topic")]),
            OutboxMessage.created_at >= bindparam("since"),
        )
        .order_by(order)
    )


@lru_cache(maxsize=8)
def _latest_messages_statement(limit: int) -> Select:
    """Built once per process (the placement page runs it on every request); the placement
    and its landlord are parameters."""
    return first_and_total_statement(_messages_query(OutboxMessage.id.desc()), limit)
