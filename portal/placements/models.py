"""Placements: one flat and one household moving through the contract steps, with an event per
step; the landlord's interest that can start one; aftercare follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from portal.core import audit
from portal.core.db import Base, PublicKeyMixin, TimestampMixin, UTCDateTime, utcnow
from portal.core.refusals import Refused
from portal.households.models import Household
from portal.listings.models import Flat
from portal.sites.models import SiteOwned

if TYPE_CHECKING:
    from portal.accounts.models import User


class InterestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Interest(SiteOwned, TimestampMixin, Base):
    """ "This household could live in my flat": one per flat and household."""

    __tablename__ = "interests"
    __table_args__ = (
        UniqueConstraint("flat_id", "household_id"),
        CheckConstraint("status IN ('open', 'accepted', 'declined')", name="status"),
        Index("ix_interests_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flat_id: Mapped[int] = mapped_column(ForeignKey("flats.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=InterestStatus.OPEN.value)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    flat: Mapped[Flat] = relationship()
    household: Mapped[Household] = relationship()


class State(StrEnum):
    PROPOSED = "proposed"
    LANDLORD_ACCEPTED = "landlord_accepted"
    VIEWING_SCHEDULED = "viewing_scheduled"
    VIEWING_DONE = "viewing_done"
    RENT_OFFER_SUBMITTED = "rent_offer_submitted"
    COSTS_APPROVED = "costs_approved"
    LEASE_SIGNED = "lease_signed"
    MOVED_IN = "moved_in"
    AFTERCARE = "aftercare"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


ORDER = [
    State.PROPOSED,
    State.LANDLORD_ACCEPTED,
    State.VIEWING_SCHEDULED,
    State.VIEWING_DONE,
    State.RENT_OFFER_SUBMITTED,
    State.COSTS_APPROVED,
    State.LEASE_SIGNED,
    State.MOVED_IN,
    State.AFTERCARE,
    State.COMPLETED,
]
OPEN_STATES = tuple(s for s in ORDER if s != State.COMPLETED)
CLOSED_STATES = (State.COMPLETED, State.CANCELLED)
# The invariants the database holds (partial unique indexes below): a flat has at most one open
# placement from landlord_accepted on; a household at most one from viewing_scheduled on.
FLAT_HOLDING = ORDER[ORDER.index(State.LANDLORD_ACCEPTED) : ORDER.index(State.COMPLETED)]
# When the landlord may suggest viewing times (operations.check_viewing_slots holds the rule).
SUGGEST_TIMES_STATES = (State.PROPOSED, State.LANDLORD_ACCEPTED, State.VIEWING_SCHEDULED)
HOUSEHOLD_HOLDING = ORDER[ORDER.index(State.VIEWING_SCHEDULED) : ORDER.index(State.COMPLETED)]
# Open states in which the lease is signed (or the household moved in): the placement binds the
# flat and keeps the household off the market (a completed one keeps it too, but can no longer
# be cancelled).
BINDING_STATES = ORDER[ORDER.index(State.LEASE_SIGNED) : ORDER.index(State.COMPLETED)]


def _in(states) -> str:
    return "state IN (" + ", ".join(f"'{s.value}'" for s in states) + ")"


CANCEL_REASONS = (
    "landlord_declined",
    "household_declined",
    "viewing_negative",
    "costs_refused",
    "flat_let",
    "household_housed_elsewhere",
    "no_contact",
    "flat_withdrawn",  # the landlord withdrew the flat (placements/release.py)
    "household_unavailable",  # the household was paused or withdrawn; says nothing why
    "other",
)
FOLLOW_UP_MONTHS = (1, 3, 6, 12)
# Outcomes of an aftercare check: the tenancy runs (first four), or it has ended, on the date
# in ``FollowUp.outcome_on``.
RUNNING_OUTCOMES = ("all_well", "needs_support", "rent_arrears", "conflict")
ENDED_OUTCOMES = ("tenancy_ended", "returned_to_shelter")
FOLLOW_UP_OUTCOMES = RUNNING_OUTCOMES + ENDED_OUTCOMES

LANDLORD, SPECIALIST, SOCIAL_WORKER, SYSTEM = "landlord", "specialist", "social_worker", "system"


class Action(StrEnum):
    ACCEPT = "accept"  # the landlord agrees to meet the household
    DECLINE = "decline"  # the landlord does not (the placement is cancelled)
    SCHEDULE_VIEWING = "schedule_viewing"
    RESCHEDULE_VIEWING = "reschedule_viewing"
    RECORD_VIEWING = "record_viewing"
    SUBMIT_RENT_OFFER = "submit_rent_offer"
    APPROVE_COSTS = "approve_costs"
    SIGN_LEASE = "sign_lease"
    MOVE_IN = "move_in"
    START_AFTERCARE = "start_aftercare"
    COMPLETE = "complete"
    CANCEL = "cancel"


# action -> (states it starts from, state it leads to (None: stays), roles that may take it)
STEPS: dict[Action, tuple[tuple[State, ...], State | None, frozenset[str]]] = {
    Action.ACCEPT: ((State.PROPOSED,), State.LANDLORD_ACCEPTED, frozenset({LANDLORD, SPECIALIST})),
    Action.DECLINE: ((State.PROPOSED,), State.CANCELLED, frozenset({LANDLORD, SPECIALIST})),
    Action.SCHEDULE_VIEWING: (
        (State.LANDLORD_ACCEPTED,),
        State.VIEWING_SCHEDULED,
        frozenset({SPECIALIST}),
    ),
    Action.RESCHEDULE_VIEWING: ((State.VIEWING_SCHEDULED,), None, frozenset({SPECIALIST})),
    Action.RECORD_VIEWING: (
        (State.VIEWING_SCHEDULED,),
        State.VIEWING_DONE,
        frozenset({SPECIALIST}),
    ),
    Action.SUBMIT_RENT_OFFER: (
        (State.VIEWING_DONE,),
        State.RENT_OFFER_SUBMITTED,
        frozenset({SPECIALIST}),
    ),
    Action.APPROVE_COSTS: (
        (State.RENT_OFFER_SUBMITTED,),
        State.COSTS_APPROVED,
        frozenset({SPECIALIST}),
    ),
    Action.SIGN_LEASE: ((State.COSTS_APPROVED,), State.LEASE_SIGNED, frozenset({SPECIALIST})),
    Action.MOVE_IN: ((State.LEASE_SIGNED,), State.MOVED_IN, frozenset({SPECIALIST})),
    Action.START_AFTERCARE: (
        (State.MOVED_IN,),
        State.AFTERCARE,
        frozenset({SPECIALIST, SOCIAL_WORKER, SYSTEM}),
    ),
    Action.COMPLETE: (
        (State.AFTERCARE,),
        State.COMPLETED,
        frozenset({SPECIALIST, SOCIAL_WORKER, SYSTEM}),
    ),
    Action.CANCEL: (OPEN_STATES, State.CANCELLED, frozenset({SPECIALIST, SYSTEM})),
}


class Placement(SiteOwned, PublicKeyMixin, TimestampMixin, Base):
    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint(_in(list(State)), name="state"),
        Index(
            "uq_placements_flat_holding",
            "flat_id",
            unique=True,
            sqlite_where=text(_in(FLAT_HOLDING)),
            postgresql_where=text(_in(FLAT_HOLDING)),
        ),
        Index(
            "uq_placements_household_holding",
            "household_id",
            unique=True,
            sqlite_where=text(_in(HOUSEHOLD_HOLDING)),
            postgresql_where=text(_in(HOUSEHOLD_HOLDING)),
        ),
        Index("ix_placements_state_changed", "state", "state_changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flat_id: Mapped[int] = mapped_column(ForeignKey("flats.id", ondelete="RESTRICT"), index=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="RESTRICT"), index=True
    )
    interest_id: Mapped[int | None] = mapped_column(ForeignKey("interests.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(12))  # "specialist" | "interest"
    state: Mapped[str] = mapped_column(String(24), default=State.PROPOSED.value)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )  # the specialist in charge
    # Step data
    viewing_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    viewing_place: Mapped[str | None] = mapped_column(String(200))
    viewing_companion_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    viewing_sequence: Mapped[int] = mapped_column(default=0)  # ICS SEQUENCE
    viewing_outcome: Mapped[str | None] = mapped_column(Text)
    rent_offer_on: Mapped[date | None] = mapped_column(Date)
    rent_offer_office: Mapped[str | None] = mapped_column(String(120))
    costs_approved_on: Mapped[date | None] = mapped_column(Date)
    deposit_loan: Mapped[bool | None]
    lease_signed_on: Mapped[date | None] = mapped_column(Date)
    rent_start_on: Mapped[date | None] = mapped_column(Date)
    keys_handed_over_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(String(30))
    cancel_note: Mapped[str | None] = mapped_column(Text)

    flat: Mapped[Flat] = relationship()
    household: Mapped[Household] = relationship()
    staff: Mapped[User | None] = relationship(foreign_keys=[staff_id])
    viewing_companion: Mapped[User | None] = relationship(foreign_keys=[viewing_companion_id])
    events: Mapped[list[PlacementEvent]] = relationship(
        back_populates="placement", order_by="PlacementEvent.id", cascade="all, delete-orphan"
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="placement", order_by="FollowUp.due_on", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES

    @property
    def identity_revealed(self) -> bool:
        """Tier 2 (main tenant's name, the accompanying staff member) reaches the landlord from
        the scheduled viewing on, only while the placement goes on or has completed, and only
        while the household's consent is valid."""
        if self.state == State.CANCELLED:
            return False
        if ORDER.index(State(self.state)) < ORDER.index(State.VIEWING_SCHEDULED):
            return False
        # The consent's scope includes the name at a viewing; withdrawn or expired, no name.
        return self.household.valid_consent() is not None

    def allowed_actions(self, role: str) -> list[Action]:
        return [
            action
            for action, (sources, _to, roles) in STEPS.items()
            if State(self.state) in sources and role in roles
        ]

    def advance(
        self,
        action: Action,
        actor: User | None,
        role: str,
        *,
        on_behalf_of: str | None = None,
        note: str | None = None,
        **data: Any,
    ) -> PlacementEvent:
        """The one method that changes ``state``. Refuses (``Refused`` ``state``, ``role`` or
        ``data``, nothing changed) a step the workflow does not allow from the current state, or
        not for ``role``; otherwise stores the step's data, writes a PlacementEvent and an
        AuditEvent. Side effects on flat and household, and the database's invariants, are
        handled by the caller's operation (placements/operations/workflow.py) in the same
        transaction."""
        sources, target, roles = STEPS[action]
        if State(self.state) not in sources:
            raise Refused("state", detail=f"{action} from {self.state}")
        if role not in roles:
            raise Refused("role", detail=f"{action} by {role}")
        previous = self.state
        for name, value in data.items():
            if not hasattr(type(self), name):
                raise Refused("data", detail=name)
            setattr(self, name, value)
        if target is not None:
            self.state = target.value
        self.state_changed_at = utcnow()
        event = PlacementEvent(
            placement=self,
            action=action.value,
            from_state=previous,
            to_state=self.state,
            actor_id=actor.id if actor is not None else None,
            role=role,
            on_behalf_of=on_behalf_of,
            note=(note or "").strip() or None,
            data={
                k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in data.items()
                if not isinstance(v, (bytes, bytearray))
            },
        )
        # Added through the session, not the collection: appending to a collection that was
        # loaded before a savepoint showed the event twice in memory.
        event.placement_id = self.id
        session = object_session(self)
        assert session is not None, "advance() needs a persisted placement"  # noqa: S101 - programming error, not input
        session.add(event)
        session.flush()
        session.expire(self, ["events"])
        audit.record(
            f"placement.{action.value}",
            actor=actor,
            obj=self,
            previous=previous,
            state=self.state,
            on_behalf_of=on_behalf_of or "",
        )
        return event

    def __repr__(self) -> str:
        return f"<Placement {self.id} {self.state}>"


class PlacementEvent(Base):
    """One step (or note) in a placement's history."""

    __tablename__ = "placement_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(20))
    on_behalf_of: Mapped[str | None] = mapped_column(String(20))  # "landlord": by phone
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    placement: Mapped[Placement] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class FollowUp(Base):
    """An aftercare check after moving in (1, 3, 6, 12 months). An outcome of
    ``tenancy_ended`` or ``returned_to_shelter`` carries the date it happened in
    ``outcome_on``; the checks still open after it are closed without outcome."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint(
            "outcome IS NULL OR outcome IN ("
            + ", ".join(f"'{o}'" for o in FOLLOW_UP_OUTCOMES)
            + ")",
            name="outcome",
        ),
        CheckConstraint(
            "(outcome IN ('tenancy_ended', 'returned_to_shelter') AND outcome_on IS NOT NULL)"
            " OR (outcome_on IS NULL AND (outcome IS NULL"
            " OR outcome NOT IN ('tenancy_ended', 'returned_to_shelter')))",
            name="outcome_on_for_ended",
        ),
        Index("ix_follow_ups_outcome_on", "outcome_on"),
        # The placement too: due follow-ups of placements in aftercare counted from the index.
        Index("ix_follow_ups_open_due", "done_on", "due_on", "placement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), index=True
    )
    months: Mapped[int]
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_on: Mapped[date | None] = mapped_column(Date)  # when the tenancy ended
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    placement: Mapped[Placement] = relationship(back_populates="follow_ups")


# The paperwork's models live with their operations (placements/paperwork/); imported here so
# that the metadata knows their tables.
from portal.placements.paperwork import rent_certificate as _rent_certificate  # noqa: E402, F401
