"""When a flat or a household leaves the portal: its open placements are cancelled and its open
interests closed, the staff in charge are told, and the other side is set free. From
``lease_signed`` on a placement binds both sides: then nothing changes and the caller refuses.

Called by ``listings.operations.withdraw_flat`` and ``households.operations.change_status``
through their hooks (``FLAT_LEAVES``, ``HOUSEHOLD_LEAVES``: they stand on lower floors);
like every operation it flushes, audits and queues mail, and never commits."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.hooks import Veto
from portal.core.outbox import queue_mail
from portal.extensions import db
from portal.households.models import Household
from portal.households.operations import HOUSEHOLD_LEAVES
from portal.listings.models import Flat, FlatStatus
from portal.listings.operations import FLAT_LEAVES
from portal.placements import operations as placement_ops
from portal.placements.models import (
    BINDING_STATES,
    FLAT_HOLDING,
    OPEN_STATES,
    SYSTEM,
    Action,
    Interest,
    InterestStatus,
    Placement,
    State,
)
from portal.placements.operations.closing import close_interest as _close_interest
from portal.placements.operations.closing import tell_staff as _tell_staff

FLAT_WITHDRAWN = "flat_withdrawn"
HOUSEHOLD_UNAVAILABLE = "household_unavailable"
CANCELLABLE_STATES = tuple(s for s in OPEN_STATES if s not in BINDING_STATES)


def _open_placements(column, object_id: int) -> list[Placement]:
    return list(
        db.session.scalars(
            select(Placement)
            .where(column == object_id, Placement.state.in_([s.value for s in OPEN_STATES]))
            .order_by(Placement.id)
        )
    )


def _open_interests(column, object_id: int) -> list[Interest]:
    return list(
        db.session.scalars(
            select(Interest)
            .where(column == object_id, Interest.status == InterestStatus.OPEN.value)
            .order_by(Interest.id)
        )
    )


def _check_not_bound(placements: list[Placement]) -> None:
    """A placement at or past ``lease_signed`` binds the flat or household: veto (the caller
    words it), nothing changed."""
    if any(State(p.state) in BINDING_STATES for p in placements):
        raise Veto("lease_signed")


def _cancel(placement: Placement, actor: User | None, reason: str, note: str) -> None:
    """Cancel through the model (PlacementEvent and AuditEvent); a flat the placement held is
    offered again (it may be archived right after by the caller)."""
    held = State(placement.state) in FLAT_HOLDING
    placement.advance(Action.CANCEL, actor, SYSTEM, cancel_reason=reason, note=note)
    flat = placement.flat
    if held and flat.status == FlatStatus.RESERVED:
        flat.transition(FlatStatus.PUBLISHED, actor, SYSTEM, placement_id=placement.id)


@FLAT_LEAVES.connect
def close_for_flat(flat: Flat, actor: User | None) -> None:
    """The flat is withdrawn: refuse (``Veto``, nothing changed) when a placement of it
    is at or past ``lease_signed``; otherwise cancel every open placement ("flat withdrawn"),
    close every open interest, and tell the staff in charge. The households are free again:
    a cancelled placement no longer holds them."""
    placements = _open_placements(Placement.flat_id, flat.id)
    _check_not_bound(placements)
    interests = _open_interests(Interest.flat_id, flat.id)
    for placement in placements:
        _cancel(placement, actor, FLAT_WITHDRAWN, "flat withdrawn by the landlord")
    for interest in interests:
        _close_interest(interest, actor, FLAT_WITHDRAWN)
    _tell_staff(placements, interests, FLAT_WITHDRAWN, flat.address_line)


@HOUSEHOLD_LEAVES.connect
def close_for_household(household: Household, actor: User | None) -> None:
    """The household is paused or withdrawn: refuse (``Veto``, nothing changed) when a
    placement of it is at or past ``lease_signed``; otherwise cancel every open placement
    ("household no longer available"), releasing a flat one of them held; close every open
    interest in it. The landlords hear in neutral words that the placement or suggestion will
    not go ahead (nothing about why); the staff in charge are told."""
    placements = _open_placements(Placement.household_id, household.id)
    _check_not_bound(placements)
    interests = _open_interests(Interest.household_id, household.id)
    for placement in placements:
        _cancel(placement, actor, HOUSEHOLD_UNAVAILABLE, "household no longer available")
        placement_ops._notify(placement, Action.CANCEL)
    for interest in interests:
        _close_interest(interest, actor, HOUSEHOLD_UNAVAILABLE)
        recipient = db.session.get(User, interest.created_by_id or -1)
        if recipient is not None and recipient.is_active:
            queue_mail(
                recipient.email,
                "interest_declined",
                recipient.locale,
                name=recipient.full_name,
                code=household.code,
                flat=interest.flat,
            )
    _tell_staff(placements, interests, HOUSEHOLD_UNAVAILABLE, household.code)
