"""The household off the market (DESIGN.md section 7): from the signed lease on no landlord sees
it in any list and no matching list offers it. Its other business ends at that step: its open
placements elsewhere (proposals, a landlord's acceptance: nothing further can be open, the
database holds at most one placement past the viewing) are cancelled as "household housed
elsewhere", a flat one of them held is offered again, its open interests are closed. Each
landlord hears of it in neutral words in their language (``steps_text``: the reason is never
named to them), the staff in charge get one mail.

If the lease placement is cancelled later (an undone lease, a tenancy that never started), the
household is on the market again; what was closed stays closed (the landlords were told, and a
new proposal is a new decision for the team)."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.outbox import queue_mail
from portal.extensions import db
from portal.households.models import Household
from portal.listings.models import Flat, FlatStatus
from portal.placements.models import (
    FLAT_HOLDING,
    ORDER,
    SYSTEM,
    Action,
    Interest,
    InterestStatus,
    Placement,
    State,
)
from portal.placements.operations.closing import close_interest, tell_staff
from portal.placements.operations.notifications import tell_step

HOUSED_ELSEWHERE = "household_housed_elsewhere"
BEFORE_LEASE = tuple(s.value for s in ORDER[: ORDER.index(State.LEASE_SIGNED)])


def take_off_market(placement: Placement, household: Household, actor: User | None) -> None:
    """At ``lease_signed`` of ``placement``: the household leaves every landlord's list, its
    other open placements are cancelled and its open interests closed, the landlords and the
    staff in charge are told. Flushes, audits, queues mail; never commits."""
    household.take_off_market(actor, placement_id=placement.id)
    others = list(
        db.session.scalars(
            select(Placement)
            .where(
                Placement.household_id == household.id,
                Placement.id != placement.id,
                Placement.state.in_(BEFORE_LEASE),
            )
            .order_by(Placement.id)
        )
    )
    for other in others:
        held = State(other.state) in FLAT_HOLDING
        tell_step(
            other,
            other.advance(
                Action.CANCEL,
                actor,
                SYSTEM,
                cancel_reason=HOUSED_ELSEWHERE,
                note="the household signed a lease for another flat",
            ),
        )
        flat = db.session.get(Flat, other.flat_id)
        if held and flat is not None and flat.status == FlatStatus.RESERVED:
            flat.transition(FlatStatus.PUBLISHED, actor, SYSTEM, placement_id=other.id)
    interests = list(
        db.session.scalars(
            select(Interest)
            .where(
                Interest.household_id == household.id,
                Interest.status == InterestStatus.OPEN.value,
            )
            .order_by(Interest.id)
        )
    )
    for interest in interests:
        close_interest(interest, actor, HOUSED_ELSEWHERE)
        _tell_interested(interest, household)
    tell_staff(others, interests, HOUSED_ELSEWHERE, household.code)


def _tell_interested(interest: Interest, household: Household) -> None:
    """The landlord who suggested the household hears that the suggestion is not followed up,
    in the same neutral words as any declined suggestion."""
    recipient = db.session.get(User, interest.created_by_id or -1)
    if recipient is None or not recipient.is_active:
        return
    queue_mail(
        recipient.email,
        "interest_declined",
        recipient.locale,
        name=recipient.full_name,
        code=household.code,
        flat=interest.flat,
    )


def return_to_market(placement: Placement, household: Household, actor: User | None) -> None:
    """The placement that held the signed lease is cancelled: the household may be seen again
    (if its status and consent allow). What was closed at the lease stays closed."""
    household.return_to_market(actor, placement_id=placement.id)
