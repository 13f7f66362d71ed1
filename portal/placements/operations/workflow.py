"""A placement's steps: proposing a household for a flat, each step with its data and what
follows from it, notes and the landlord's viewing slots."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.accounts.models import User
from portal.core import audit, clock
from portal.core.dates import add_months
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db
from portal.households.models import ExitDestination, Household, HouseholdStatus
from portal.listings.models import ILLEGAL_MOVE as FLAT_MOVE_REFUSED
from portal.listings.models import Flat, FlatStatus
from portal.placements.models import (
    BINDING_STATES,
    CANCEL_REASONS,
    CLOSED_STATES,
    FLAT_HOLDING,
    FOLLOW_UP_MONTHS,
    LANDLORD,
    STEPS,
    SUGGEST_TIMES_STATES,
    SYSTEM,
    Action,
    FollowUp,
    Interest,
    Placement,
    PlacementEvent,
    State,
)
from portal.placements.operations import market
from portal.placements.operations.notifications import _notify, tell_step
from portal.placements.paperwork import rent_certificate
from portal.placements.plausibility import check_dates
from portal.placements.refusals import refused


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
    flat, or accepts a landlord's interest. The landlord is asked to accept or decline. Flat and
    household are of one site, the placement's (``site``: refused otherwise)."""
    if flat.status != FlatStatus.PUBLISHED:
        raise refused("flat_not_free")
    if flat.site_id != household.site_id:
        raise refused("site")
    if not household.is_visible_to_landlords(clock.today()):
        raise refused("not_visible")
    duplicate = db.session.scalar(
        select(Placement.id).where(
            Placement.flat_id == flat.id,
            Placement.household_id == household.id,
            Placement.state.not_in([s.value for s in CLOSED_STATES]),
        )
    )
    if duplicate is not None:
        raise refused("duplicate")
    placement = Placement(
        flat=flat,
        household=household,
        site_id=household.site_id,
        origin="interest" if interest else "specialist",
        interest_id=interest.id if interest else None,
        state=State.PROPOSED.value,
        staff_id=actor.id,
    )
    proposed = PlacementEvent(
        action="propose",
        from_state="",
        to_state="proposed",
        actor_id=actor.id,
        role=actor.role,
        data={},
    )
    placement.events.append(proposed)
    db.session.add(placement)
    db.session.flush()
    audit.record(
        "placement.proposed", actor=actor, obj=placement, flat_id=flat.id, household_id=household.id
    )
    tell_step(placement, proposed)
    return placement


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
    """Refuse (``state`` or ``role``) a step the workflow does not allow now or not for
    ``role``, read from STEPS in advance()'s order: so that a stale or foreign form is answered
    with the real reason before its fields are looked at."""
    sources, _target, roles = STEPS[action]
    if State(placement.state) not in sources:
        raise refused("state", landlord=role == LANDLORD, state=placement.state)
    if role not in roles:
        raise refused("role", landlord=role == LANDLORD, state=placement.state)


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
    proposals are cancelled ("flat let") and the household goes off the market (its other
    placements and interests end: ``operations.market``), back on it if that placement is
    cancelled. A refused step raises ``Refused`` in the words of
    ``role`` (the landlord's or the staff's) and changes nothing; the database's unique indexes
    catch a second placement holding the same flat or household even when two requests race."""
    asked = {"landlord": role == LANDLORD, "state": placement.state}
    missing = [name for name in REQUIRED_DATA.get(action, ()) if data.get(name) in (None, "")]
    if missing:
        raise refused("data", detail=",".join(missing), **asked)
    if action == Action.CANCEL and data["cancel_reason"] not in CANCEL_REASONS:
        raise refused("data", detail="cancel_reason", **asked)
    check_dates(placement, action, data)
    flat = _lock(Flat, placement.flat_id)
    household = _lock(Household, placement.household_id)
    sources, _target, roles = STEPS[action]
    allowed = State(placement.state) in sources and role in roles  # else advance() says why
    if allowed and action in NEEDS_CONSENT and not household.is_visible_to_landlords(clock.today()):
        raise refused("not_visible", **asked)
    try:
        with db.session.begin_nested():
            previous = State(placement.state)
            event = placement.advance(
                action, actor, role, on_behalf_of=on_behalf_of, note=note, **data
            )
            try:
                _side_effects(placement, previous, action, actor, flat, household)
            except Refused as exc:
                if exc.code != FLAT_MOVE_REFUSED:
                    raise
                raise Refused("flat_not_free", detail=exc.code) from exc
            db.session.flush()
    except IntegrityError as exc:
        taken = "flat_taken" if "flat" in str(exc.orig).lower() else "household_taken"
        raise refused(taken, **asked) from exc
    except OperationalError as exc:  # SQLite: another writer at the same moment
        raise refused("busy", **asked) from exc
    except Refused as exc:  # the step's own refusal (advance, side effects): in role's words
        raise refused(exc.code, detail=exc.detail, **asked) from exc
    _notify(placement, action, event)
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
            raise Refused("flat_taken")
        flat.transition(FlatStatus.RESERVED, actor, SYSTEM, placement_id=placement.id)
    elif action == Action.RESCHEDULE_VIEWING:
        placement.viewing_sequence += 1  # calendars update the event with the same UID
    elif action == Action.DECLINE:
        placement.cancel_reason = "landlord_declined"
    elif action == Action.SUBMIT_RENT_OFFER:
        rent_certificate.prepare(placement, actor)
    elif action == Action.SIGN_LEASE:
        others = db.session.scalars(
            select(Placement).where(
                Placement.flat_id == flat.id,
                Placement.id != placement.id,
                Placement.state == State.PROPOSED.value,
            )
        ).all()
        for other in others:
            tell_step(
                other,
                other.advance(
                    Action.CANCEL,
                    actor,
                    SYSTEM,
                    cancel_reason="flat_let",
                    note="flat let to another household",
                ),
            )
        market.take_off_market(placement, household, actor)
    elif action == Action.MOVE_IN:
        flat.transition(FlatStatus.LET, actor, SYSTEM, placement_id=placement.id)
        _move_household(household, HouseholdStatus.HOUSED, actor, placement)
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
            cancelled = other.advance(
                Action.CANCEL,
                actor,
                SYSTEM,
                cancel_reason="household_housed_elsewhere",
                note="household moved into another flat",
            )
            tell_step(other, cancelled)
            other_flat = db.session.get(Flat, other.flat_id)
            if held and other_flat is not None and other_flat.status == FlatStatus.RESERVED:
                other_flat.transition(FlatStatus.PUBLISHED, actor, SYSTEM, placement_id=other.id)
    elif state == State.CANCELLED:
        if previous in FLAT_HOLDING and flat.status == FlatStatus.RESERVED:
            flat.transition(FlatStatus.PUBLISHED, actor, SYSTEM, placement_id=placement.id)
        if previous in BINDING_STATES:
            market.return_to_market(placement, household, actor)
        # Only the placement that housed the household releases it, not a stale proposal.
        housed_here = previous in (State.MOVED_IN, State.AFTERCARE)
        if housed_here and household.status == HouseholdStatus.HOUSED:
            to = (
                HouseholdStatus.VETTED
                if household.valid_consent() is not None
                else HouseholdStatus.PAUSED
            )
            _move_household(household, to, actor, placement)
            if household.exit_destination == ExitDestination.OWN_TENANCY_PROGRAMME:
                household.exit_on = household.exit_destination = None  # back in the programme


def _move_household(
    household: Household, to: HouseholdStatus, actor: User | None, placement: Placement
) -> None:
    """The household's status follows the placement; a move its rules refuse (no valid consent
    any more, a status changed meanwhile) refuses the step as ``not_visible``."""
    try:
        household.transition(to, actor, SYSTEM, placement_id=placement.id)
    except Refused as exc:
        raise Refused("not_visible", detail=exc.code) from exc


def add_note(placement: Placement, actor: User, note: str) -> PlacementEvent:
    """A note in the timeline; the state stays."""
    text = (note or "").strip()
    if not text:
        raise refused("data", detail="note")
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


def check_viewing_slots(placement: Placement, landlord: User) -> None:
    """Refuse (``role``, ``state``) viewing times the landlord may not suggest: not their flat,
    or the placement is past the viewing (or ended)."""
    if placement.flat.organisation_id != landlord.organisation_id:
        raise refused("role", landlord=True)
    if placement.state not in SUGGEST_TIMES_STATES:
        raise refused("state", landlord=True)


def propose_viewing_slots(placement: Placement, landlord: User, slots: str) -> PlacementEvent:
    """The landlord suggests times for the viewing; the team is told."""
    check_viewing_slots(placement, landlord)
    text = (slots or "").strip()
    if not text:
        raise refused("data", detail="slots", landlord=True)
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
