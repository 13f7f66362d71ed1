"""Aftercare: the follow-up checks after the move-in, which complete the placement."""

from __future__ import annotations

from datetime import date

from portal.accounts.models import User
from portal.core import audit, clock
from portal.extensions import db
from portal.placements.models import (
    ENDED_OUTCOMES,
    FOLLOW_UP_OUTCOMES,
    SYSTEM,
    Action,
    FollowUp,
    Placement,
    PlacementEvent,
    State,
)
from portal.placements.operations.notifications import tell_step
from portal.placements.refusals import refused


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
        raise refused("data", detail="outcome")
    ended = outcome in ENDED_OUTCOMES
    placement = follow_up.placement
    moved = placement.keys_handed_over_on
    if ended != (outcome_on is not None) or (
        outcome_on is not None and moved is not None and outcome_on < moved
    ):
        raise refused("data", detail="outcome_on")
    if follow_up.done_on is not None:
        raise refused("done")
    if placement.state not in (State.MOVED_IN, State.AFTERCARE):
        raise refused("state", state=placement.state)
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
    # The check in the timeline (no outcome: that concerns the household), and its e-mail.
    contact = PlacementEvent(
        placement_id=placement.id,
        action="follow_up",
        from_state=placement.state,
        to_state=placement.state,
        actor_id=actor.id,
        role=actor.role,
        data={"months": follow_up.months},
    )
    db.session.add(contact)
    db.session.flush()
    tell_step(placement, contact)
    if placement.state == State.MOVED_IN:
        placement.advance(Action.START_AFTERCARE, actor, SYSTEM)
    if all(f.done_on is not None for f in placement.follow_ups):
        tell_step(placement, placement.advance(Action.COMPLETE, actor, SYSTEM))


RENT_ARREARS = "rent_arrears"


def arrears_check(placement: Placement) -> FollowUp | None:
    """The latest recorded check when it found rent arrears (and the placement was not
    cancelled): the staff page then proposes the direct payment of rent (if none was requested)
    and a mediation case (if none is open for the placement). A later check with another
    outcome ends the proposal."""
    if placement.state == State.CANCELLED:
        return None
    recorded = [f for f in placement.follow_ups if f.done_on is not None and f.outcome]
    if not recorded:
        return None
    latest = max(recorded, key=lambda f: (f.done_on, f.months, f.id))
    return latest if latest.outcome == RENT_ARREARS else None
