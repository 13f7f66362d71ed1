"""The rules of the placements domain (so far: a landlord's interest in a household)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.accounts.models import User
from portal.core import audit, clock
from portal.core.dates import add_months
from portal.core.db import utcnow
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db
from portal.households.models import ExitDestination, Household, HouseholdStatus
from portal.households.models import IllegalTransition as HouseholdMoveRefused
from portal.households.operations import landlord_may_register_interest
from portal.listings.models import Flat, FlatStatus
from portal.listings.models import IllegalTransition as FlatMoveRefused
from portal.placements.calendar import viewing_invitation
from portal.placements.models import (
    CANCEL_REASONS,
    CLOSED_STATES,
    ENDED_OUTCOMES,
    FLAT_HOLDING,
    FOLLOW_UP_MONTHS,
    FOLLOW_UP_OUTCOMES,
    LANDLORD,
    OPEN_STATES,
    STEPS,
    SYSTEM,
    Action,
    FollowUp,
    Interest,
    InterestStatus,
    Placement,
    PlacementEvent,
    State,
    StepRefused,
)


class InterestError(Refused):
    """Refused; ``code`` says why (not_allowed, not_visible, flat, duplicate)."""


def register_interest(
    user: User, household: Household, flat: Flat, message: str | None
) -> Interest:
    """ "This household could live in my flat": once per flat and household, for one of the
    landlord's own published flats and a profile the landlord may see. The landlord gets a
    confirmation, the team a notice; neither mail names anything of the household beyond its
    code."""
    if not landlord_may_register_interest(user):
        raise InterestError("not_allowed")
    if not household.is_visible_to_landlords(clock.today()):
        raise InterestError("not_visible")
    if flat.organisation_id != user.organisation_id or flat.status != FlatStatus.PUBLISHED:
        raise InterestError("flat")
    existing = db.session.scalar(
        select(Interest.id).where(
            Interest.flat_id == flat.id, Interest.household_id == household.id
        )
    )
    if existing is not None:
        raise InterestError("duplicate")
    interest = Interest(
        flat=flat,
        household=household,
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        message=(message or "").strip()[:2000] or None,
    )
    db.session.add(interest)
    db.session.flush()
    audit.record(
        "interest.registered", actor=user, obj=interest, household_id=household.id, flat_id=flat.id
    )
    base = current_app.config["PORTAL_BASE_URL"]
    queue_mail(
        user.email,
        "interest_confirmed",
        user.locale,
        name=user.full_name,
        code=household.code,
        flat=flat,
        url=f"{base}/households/{household.id}",
    )
    queue_mail(
        current_app.config["PROGRAMME_CONTACT_EMAIL"],
        "interest_new",
        "de",
        organisation=flat.organisation.name,
        code=household.code,
        flat=flat,
        url=f"{base}/backoffice/households/{household.id}",
    )
    return interest


# Placements ------------------------------------------------------------------------------------


class PlacementError(Refused):
    """Refused; ``code`` says why, ``message`` can be shown to the user."""


def _lock(model, object_id: int):
    """Re-read one row with a row lock on PostgreSQL (SQLite serialises writers anyway), so two
    people confirming at the same moment see each other's result."""
    return db.session.scalar(
        select(model)
        .where(model.id == object_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def propose(
    flat: Flat, household: Household, actor: User, interest: Interest | None = None
) -> Placement:
    """Start a placement (``proposed``): the specialist proposes a household for a published
    flat, or accepts a landlord's interest. The landlord is asked to accept or decline."""
    if flat.status != FlatStatus.PUBLISHED:
        raise PlacementError("flat_not_free")
    if not household.is_visible_to_landlords(clock.today()):
        raise PlacementError("not_visible")
    duplicate = db.session.scalar(
        select(Placement.id).where(
            Placement.flat_id == flat.id,
            Placement.household_id == household.id,
            Placement.state.not_in([s.value for s in CLOSED_STATES]),
        )
    )
    if duplicate is not None:
        raise PlacementError("duplicate")
    placement = Placement(
        flat=flat,
        household=household,
        origin="interest" if interest else "specialist",
        interest_id=interest.id if interest else None,
        state=State.PROPOSED.value,
        staff_id=actor.id,
    )
    placement.events.append(
        PlacementEvent(
            action="propose",
            from_state="",
            to_state="proposed",
            actor_id=actor.id,
            role=actor.role,
            data={},
        )
    )
    db.session.add(placement)
    db.session.flush()
    audit.record(
        "placement.proposed", actor=actor, obj=placement, flat_id=flat.id, household_id=household.id
    )
    _tell_landlord(placement, "placement_proposed")
    return placement


def accept_interest(interest: Interest, actor: User) -> Placement:
    """The specialist takes up a landlord's interest: it becomes a proposed placement."""
    if interest.status != InterestStatus.OPEN:
        raise PlacementError("decided")
    placement = propose(interest.flat, interest.household, actor, interest=interest)
    interest.status = InterestStatus.ACCEPTED.value
    interest.decided_at = utcnow()
    audit.record("interest.accepted", actor=actor, obj=interest, placement_id=placement.id)
    return placement


def decline_interest(interest: Interest, actor: User) -> None:
    """Decline politely: the landlord hears that the team will not follow this up now, and
    nothing about the household."""
    if interest.status != InterestStatus.OPEN:
        raise PlacementError("decided")
    interest.status = InterestStatus.DECLINED.value
    interest.decided_at = utcnow()
    audit.record("interest.declined", actor=actor, obj=interest)
    recipient = db.session.get(User, interest.created_by_id or -1)
    if recipient is not None and recipient.is_active:
        queue_mail(
            recipient.email,
            "interest_declined",
            recipient.locale,
            name=recipient.full_name,
            code=interest.household.code,
            flat=interest.flat,
        )


# Steps that bring the household closer to the landlord need its consent to be valid.
NEEDS_CONSENT = (Action.ACCEPT, Action.SCHEDULE_VIEWING, Action.RESCHEDULE_VIEWING)

REQUIRED_DATA = {
    Action.SCHEDULE_VIEWING: ("viewing_at", "viewing_place", "viewing_companion_id"),
    Action.RESCHEDULE_VIEWING: ("viewing_at", "viewing_place", "viewing_companion_id"),
    Action.RECORD_VIEWING: ("viewing_outcome",),
    Action.SUBMIT_RENT_OFFER: ("rent_offer_on", "rent_offer_office"),
    Action.APPROVE_COSTS: ("costs_approved_on", "deposit_loan"),
    Action.SIGN_LEASE: ("lease_signed_on", "rent_start_on"),
    Action.MOVE_IN: ("keys_handed_over_on",),
    Action.CANCEL: ("cancel_reason",),
}


def check_step(placement: Placement, action: Action, role: str) -> None:
    """Refuse (PlacementError ``state`` or ``role``) a step the workflow does not allow now or
    not for ``role``, read from STEPS in advance()'s order: so that a stale or foreign form is
    answered with the real reason before its fields are looked at."""
    sources, _target, roles = STEPS[action]
    if State(placement.state) not in sources:
        raise PlacementError("state")
    if role not in roles:
        raise PlacementError("role")


def take_step(
    placement: Placement,
    action: Action,
    actor: User | None,
    role: str,
    *,
    on_behalf_of: str | None = None,
    note: str | None = None,
    **data: Any,
) -> PlacementEvent:
    """Take one step with its data, and everything that follows from it, in one transaction:
    the flat is reserved from ``landlord_accepted`` and let at ``moved_in``; the household is
    housed at ``moved_in``; cancelling releases both; at ``lease_signed`` the flat's other
    proposals are cancelled ("flat let"). Refused steps raise PlacementError and change
    nothing; the database's unique indexes catch a second placement holding the same flat or
    household even when two requests race."""
    missing = [name for name in REQUIRED_DATA.get(action, ()) if data.get(name) in (None, "")]
    if missing:
        raise PlacementError("data", ",".join(missing))
    if action == Action.CANCEL and data["cancel_reason"] not in CANCEL_REASONS:
        raise PlacementError("data", "cancel_reason")
    flat = _lock(Flat, placement.flat_id)
    household = _lock(Household, placement.household_id)
    sources, _target, roles = STEPS[action]
    allowed = State(placement.state) in sources and role in roles  # else advance() says why
    if allowed and action in NEEDS_CONSENT and not household.is_visible_to_landlords(clock.today()):
        raise PlacementError("not_visible")
    try:
        with db.session.begin_nested():
            previous = State(placement.state)
            try:
                event = placement.advance(
                    action, actor, role, on_behalf_of=on_behalf_of, note=note, **data
                )
            except StepRefused as exc:
                raise PlacementError(exc.code) from exc
            try:
                _side_effects(placement, previous, action, actor, flat, household)
            except FlatMoveRefused as exc:
                raise PlacementError("flat_not_free") from exc
            except HouseholdMoveRefused as exc:
                raise PlacementError("not_visible") from exc
            db.session.flush()
    except IntegrityError as exc:
        taken = "flat_taken" if "flat" in str(exc.orig).lower() else "household_taken"
        raise PlacementError(taken) from exc
    except OperationalError as exc:  # SQLite: another writer at the same moment
        raise PlacementError("busy") from exc
    _notify(placement, action)
    return event


def _side_effects(
    placement: Placement,
    previous: State,
    action: Action,
    actor: User | None,
    flat: Flat,
    household: Household,
) -> None:
    state = State(placement.state)
    if action == Action.ACCEPT:
        if flat.status != FlatStatus.PUBLISHED:
            raise PlacementError("flat_taken")
        flat.transition(FlatStatus.RESERVED, actor, SYSTEM, placement_id=placement.id)
    elif action == Action.RESCHEDULE_VIEWING:
        placement.viewing_sequence += 1  # calendars update the event with the same UID
    elif action == Action.DECLINE:
        placement.cancel_reason = "landlord_declined"
    elif action == Action.SIGN_LEASE:
        others = db.session.scalars(
            select(Placement).where(
                Placement.flat_id == flat.id,
                Placement.id != placement.id,
                Placement.state == State.PROPOSED.value,
            )
        ).all()
        for other in others:
            other.advance(
                Action.CANCEL,
                actor,
                SYSTEM,
                cancel_reason="flat_let",
                note="flat let to another household",
            )
    elif action == Action.MOVE_IN:
        flat.transition(FlatStatus.LET, actor, SYSTEM, placement_id=placement.id)
        household.transition(HouseholdStatus.HOUSED, actor, SYSTEM, placement_id=placement.id)
        moved = placement.keys_handed_over_on
        if household.exit_on is None:  # for the reports: the household leaves the programme
            household.exit_on = max(moved, household.intake_on or moved)
            household.exit_destination = ExitDestination.OWN_TENANCY_PROGRAMME.value
        for months in FOLLOW_UP_MONTHS:
            placement.follow_ups.append(FollowUp(months=months, due_on=add_months(moved, months)))
        # The household has its home: its other open placements end, and a flat one of them
        # held is offered again.
        others = db.session.scalars(
            select(Placement).where(
                Placement.household_id == household.id,
                Placement.id != placement.id,
                Placement.state.in_([State.PROPOSED.value, State.LANDLORD_ACCEPTED.value]),
            )
        ).all()
        for other in others:
            held = other.state == State.LANDLORD_ACCEPTED
            other.advance(
                Action.CANCEL,
                actor,
                SYSTEM,
                cancel_reason="household_housed_elsewhere",
                note="household moved into another flat",
            )
            other_flat = db.session.get(Flat, other.flat_id)
            if held and other_flat is not None and other_flat.status == FlatStatus.RESERVED:
                other_flat.transition(FlatStatus.PUBLISHED, actor, SYSTEM, placement_id=other.id)
    elif state == State.CANCELLED:
        if previous in FLAT_HOLDING and flat.status == FlatStatus.RESERVED:
            flat.transition(FlatStatus.PUBLISHED, actor, SYSTEM, placement_id=placement.id)
        # Only the placement that housed the household releases it, not a stale proposal.
        housed_here = previous in (State.MOVED_IN, State.AFTERCARE)
        if housed_here and household.status == HouseholdStatus.HOUSED:
            to = (
                HouseholdStatus.VETTED
                if household.valid_consent() is not None
                else HouseholdStatus.PAUSED
            )
            household.transition(to, actor, SYSTEM, placement_id=placement.id)
            if household.exit_destination == ExitDestination.OWN_TENANCY_PROGRAMME:
                household.exit_on = household.exit_destination = None  # back in the programme


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


def record_follow_up(
    follow_up: FollowUp,
    actor: User,
    outcome: str,
    note: str | None,
    done_on: date | None = None,
    outcome_on: date | None = None,
) -> None:
    """Record an aftercare check. The first moves the placement into aftercare; the last
    completes it. An ended tenancy (``tenancy_ended``, ``returned_to_shelter``) needs the day
    it ended (not before the move-in); the checks still open are then closed without outcome
    and the placement completes."""
    if outcome not in FOLLOW_UP_OUTCOMES:
        raise PlacementError("data", "outcome")
    ended = outcome in ENDED_OUTCOMES
    placement = follow_up.placement
    moved = placement.keys_handed_over_on
    if ended != (outcome_on is not None) or (
        outcome_on is not None and moved is not None and outcome_on < moved
    ):
        raise PlacementError("data", "outcome_on")
    if follow_up.done_on is not None:
        raise PlacementError("done")
    if placement.state not in (State.MOVED_IN, State.AFTERCARE):
        raise PlacementError("state")
    follow_up.done_on = done_on or clock.today()
    follow_up.outcome = outcome
    follow_up.outcome_on = outcome_on
    follow_up.note = (note or "").strip() or None
    follow_up.recorded_by_id = actor.id
    audit.record(
        "follow_up.recorded", actor=actor, obj=follow_up, placement_id=placement.id, outcome=outcome
    )
    if ended:
        for other in placement.follow_ups:
            if other.done_on is None and other is not follow_up:
                other.done_on = follow_up.done_on
                other.note = "not needed: the tenancy has ended"
                other.recorded_by_id = actor.id
    if placement.state == State.MOVED_IN:
        placement.advance(Action.START_AFTERCARE, actor, SYSTEM)
    if all(f.done_on is not None for f in placement.follow_ups):
        placement.advance(Action.COMPLETE, actor, SYSTEM)


def add_note(placement: Placement, actor: User, note: str) -> PlacementEvent:
    """A note in the timeline; the state stays."""
    text = (note or "").strip()
    if not text:
        raise PlacementError("data", "note")
    event = PlacementEvent(
        placement=placement,
        action="note",
        from_state=placement.state,
        to_state=placement.state,
        actor_id=actor.id,
        role=actor.role,
        note=text[:4000],
        data={},
    )
    db.session.add(event)
    audit.record("placement.note", actor=actor, obj=placement)
    return event


def propose_viewing_slots(placement: Placement, landlord: User, slots: str) -> PlacementEvent:
    """The landlord suggests times for the viewing; the team is told."""
    if placement.flat.organisation_id != landlord.organisation_id:
        raise PlacementError("role")
    if placement.state not in (State.PROPOSED, State.LANDLORD_ACCEPTED, State.VIEWING_SCHEDULED):
        raise PlacementError("state")
    text = (slots or "").strip()
    if not text:
        raise PlacementError("data", "slots")
    event = PlacementEvent(
        placement=placement,
        action="viewing_slots",
        from_state=placement.state,
        to_state=placement.state,
        actor_id=landlord.id,
        role=LANDLORD,
        note=text[:2000],
        data={},
    )
    db.session.add(event)
    audit.record("placement.viewing_slots", actor=landlord, obj=placement)
    queue_mail(
        current_app.config["PROGRAMME_CONTACT_EMAIL"],
        "viewing_slots",
        "de",
        code=placement.household.code,
        flat=placement.flat,
        slots=text[:2000],
        url=current_app.config["PORTAL_BASE_URL"] + f"/backoffice/placements/{placement.id}",
    )
    return event


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
