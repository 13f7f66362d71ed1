"""The placements' e-mails: what the landlord hears of a step, and the reminders for the team."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.core import clock
from portal.core.outbox import queue_mail
from portal.extensions import db
from portal.placements.calendar import viewing_invitation
from portal.placements.models import OPEN_STATES, Action, FollowUp, Placement, State


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
        name=landlord.full_name,
        flat=placement.flat,
        code=placement.household.code,
        url=url,
        **context,
    )


def _notify(placement: Placement, action: Action) -> None:
    """The e-mails of a step, queued in the step's transaction."""
    if action in (Action.SCHEDULE_VIEWING, Action.RESCHEDULE_VIEWING):
        landlord = _landlord_of(placement)
        if landlord is None:
            return
        with force_locale(landlord.locale):
            summary = _("Viewing: %(address)s", address=placement.flat.address_line)
            description = _(
                "Viewing with household %(code)s, accompanied by the Kümmerer team.",
                code=placement.household.code,
            )
        ics = viewing_invitation(
            placement, summary, description, current_app.config["PROGRAMME_CONTACT_EMAIL"]
        )
        url = current_app.config["PORTAL_BASE_URL"] + f"/placements/{placement.public_key}"
        queue_mail(
            landlord.email,
            "viewing_invitation",
            landlord.locale,
            # The charset is named: the text holds umlauts (address, team name), and a text/*
            # part without one is read as US-ASCII by mail libraries (Python's among them).
            attachment=("viewing.ics", "text/calendar; method=REQUEST; charset=utf-8", ics),
            name=landlord.full_name,
            flat=placement.flat,
            placement=placement,
            rescheduled=action == Action.RESCHEDULE_VIEWING,
            url=url,
            tenant=(
                placement.household.identity.main_tenant_name
                if placement.household.identity
                else None
            ),
            companion=placement.viewing_companion.full_name
            if placement.viewing_companion
            else None,
        )
    elif action == Action.CANCEL:
        # A landlord who declined needs no letter about it; a cancellation by the team does.
        _tell_landlord(placement, "placement_cancelled")


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
        select(User).where(User.role == "specialist", User.is_active.is_(True))
    ).all()
    per_person: dict[int, tuple[User, list[Placement], list[FollowUp]]] = {}
    for placement in stuck:
        for person in (
            [placement.staff] if placement.staff and placement.staff.is_active else specialists
        ):
            per_person.setdefault(person.id, (person, [], []))[1].append(placement)
    for follow_up in due:
        staff = follow_up.placement.staff
        for person in [staff] if staff and staff.is_active else specialists:
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
