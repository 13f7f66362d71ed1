"""The money questions of a placement (DESIGN.md section 7): one-off cost items the cost bearer
is asked to pay (deposit, cooperative shares, moving costs, initial furnishing), each requested,
decided and paid with dates; and the direct payment of rent to the landlord (§22 (7) SGB II).

A deposit (Kaution, §551 BGB: at most three months' cold rent) may be paid in up to three parts:
each part is its own item, and together they stay within the cap. The landlord learns the
status of deposit and shares and whether rent is paid directly only where the household's valid
consent says so (``Consent.shares_payment_status``); nothing else of the household's benefits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, Select, String, or_, select
from sqlalchemy.orm import Mapped, contains_eager, mapped_column, relationship

from portal.core import audit, clock
from portal.core.db import Base, UTCDateTime, utcnow
from portal.core.pagination import first_and_total_statement, run_first_and_total
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db
from portal.households.labels import cost_bearer_label
from portal.households.models import Household
from portal.placements.labels import COST_KIND_LABELS as KIND_LABELS
from portal.placements.labels import COST_STATUS_LABELS as STATUS_LABELS
from portal.placements.models import CLOSED_STATES, Placement

if TYPE_CHECKING:
    from portal.accounts.models import User

DEPOSIT_MONTHS = 3  # §551 BGB
DEPOSIT_PARTS = 3
DUE_AFTER_DAYS = 14


class CostKind(StrEnum):
    DEPOSIT = "deposit"  # Kaution
    SHARES = "shares"  # Genossenschaftsanteile
    MOVING = "moving"  # Umzugskosten
    FURNISHING = "furnishing"  # Erstausstattung


class CostStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    PAID = "paid"


class Payee(StrEnum):
    LANDLORD = "landlord"
    HOUSEHOLD = "household"
    MOVING_COMPANY = "moving_company"
    COOPERATIVE = "cooperative"
    OTHER = "other"


# What concerns the landlord (DESIGN.md section 7): deposit and shares, nothing else.
LANDLORD_KINDS = (CostKind.DEPOSIT.value, CostKind.SHARES.value)


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class CostItem(Base):
    """One one-off cost the cost bearer is asked to pay for a placement."""

    __tablename__ = "placement_cost_items"
    __table_args__ = (
        CheckConstraint(_in("kind", list(CostKind)), name="kind"),
        CheckConstraint(_in("status", list(CostStatus)), name="status"),
        CheckConstraint("amount > 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default=CostStatus.REQUESTED.value)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    requested_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_to: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    placement: Mapped[Placement] = relationship()

    def decide(self, approved: bool, on: date, actor: User | None) -> None:
        """Approved or refused on ``on``; only a requested item, not before it was requested."""
        if self.status != CostStatus.REQUESTED.value:
            raise Refused("decided", _l("This cost item has already been decided."))
        _not_future(on)
        if on < self.requested_on:
            raise Refused(
                "decided_before_requested",
                _l("The decision cannot be dated before the request."),
                status=BAD_INPUT,
            )
        self.status = (CostStatus.APPROVED if approved else CostStatus.REFUSED).value
        self.decided_on = on
        self._audit("decided", actor)

    def pay(self, on: date, paid_to: str, actor: User | None) -> None:
        """Paid on ``on`` to ``paid_to``; only an approved item, not before its approval."""
        if self.status != CostStatus.APPROVED.value:
            raise Refused(
                "paid_before_approved", _l("Only an approved cost item can be marked as paid.")
            )
        if paid_to not in set(Payee):
            raise Refused("payee", _l("Please choose who was paid."), status=BAD_INPUT)
        _not_future(on)
        if self.decided_on is not None and on < self.decided_on:
            raise Refused(
                "paid_before_approved",
                _l("The payment cannot be dated before the approval."),
                status=BAD_INPUT,
            )
        self.status = CostStatus.PAID.value
        self.paid_on = on
        self.paid_to = paid_to
        self._audit("paid", actor)

    def is_due(self, today: date) -> bool:
        """Requested 14 days without decision, or approved 14 days without payment."""
        limit = today - timedelta(days=DUE_AFTER_DAYS)
        if self.status == CostStatus.REQUESTED.value:
            return self.requested_on <= limit
        if self.status == CostStatus.APPROVED.value:
            return self.decided_on is not None and self.decided_on <= limit
        return False

    def _audit(self, what: str, actor: User | None) -> None:
        db.session.flush()
        audit.record(
            f"placement.cost_{what}",
            actor=actor,
            obj=self,
            placement_id=self.placement_id,
            kind=self.kind,
            state=self.status,
        )


class DirectPayment(Base):
    """Rent paid by the cost bearer straight to the landlord (§22 (7) SGB II): one per
    placement, requested on, confirmed on, from which month."""

    __tablename__ = "placement_direct_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), unique=True
    )
    requested_on: Mapped[date] = mapped_column(Date)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    from_month: Mapped[date | None] = mapped_column(Date)  # the first day of the month

    placement: Mapped[Placement] = relationship()

    def confirm(self, on: date, from_month: date, actor: User | None) -> None:
        if self.confirmed_on is not None:
            raise Refused("confirmed", _l("The direct payment has already been confirmed."))
        _not_future(on)
        if on < self.requested_on:
            raise Refused(
                "decided_before_requested",
                _l("The confirmation cannot be dated before the request."),
                status=BAD_INPUT,
            )
        self.confirmed_on = on
        self.from_month = from_month.replace(day=1)
        db.session.flush()
        audit.record(
            "placement.direct_payment_confirmed",
            actor=actor,
            obj=self,
            placement_id=self.placement_id,
        )


def _not_future(on: date) -> None:
    if on > clock.today():
        raise Refused("future", _l("The date cannot be in the future."), status=BAD_INPUT)


# Operations -------------------------------------------------------------------------------------


def items_of(placement: Placement) -> list[CostItem]:
    return list(
        db.session.scalars(
            select(CostItem)
            .where(CostItem.placement_id == placement.id)
            .order_by(CostItem.requested_on, CostItem.id)
        )
    )


def direct_payment_of(placement: Placement) -> DirectPayment | None:
    return db.session.scalar(
        select(DirectPayment).where(DirectPayment.placement_id == placement.id)
    )


def request_cost(
    placement: Placement, actor: User | None, kind: str, amount: Decimal, requested_on: date
) -> CostItem:
    """A new cost item. A deposit stays within three months' cold rent, in up to three parts."""
    if kind not in set(CostKind):
        raise Refused("kind", _l("Please choose the kind of cost."), status=BAD_INPUT)
    if amount is None or amount <= 0:
        raise Refused("amount", _l("Please enter an amount above zero."), status=BAD_INPUT)
    _not_future(requested_on)
    if kind == CostKind.DEPOSIT.value:
        parts = [i for i in items_of(placement) if i.kind == kind and i.status != "refused"]
        if len(parts) >= DEPOSIT_PARTS:
            raise Refused(
                "deposit_parts", _l("A deposit may be paid in at most three parts."), status=409
            )
        cold_rent = placement.flat.cold_rent
        if cold_rent is None:
            raise Refused(
                "no_cold_rent",
                _l("The flat has no cold rent, so the deposit cap cannot be checked."),
            )
        cap = cold_rent * DEPOSIT_MONTHS
        if sum((i.amount for i in parts), Decimal(0)) + amount > cap:
            raise Refused(
                "deposit_cap",
                _l("A deposit may be at most three months' cold rent."),
                status=BAD_INPUT,
            )
    item = CostItem(placement_id=placement.id, kind=kind, amount=amount, requested_on=requested_on)
    db.session.add(item)
    item._audit("requested", actor)
    return item


def request_direct_payment(
    placement: Placement, actor: User | None, requested_on: date
) -> DirectPayment:
    if direct_payment_of(placement) is not None:
        raise Refused("requested", _l("The direct payment has already been requested."))
    _not_future(requested_on)
    payment = DirectPayment(placement_id=placement.id, requested_on=requested_on)
    db.session.add(payment)
    db.session.flush()
    audit.record(
        "placement.direct_payment_requested", actor=actor, obj=payment, placement_id=placement.id
    )
    return payment


def due_items(today: date | None = None, limit: int = 10) -> tuple[list[CostItem], int]:
    """The first ``limit`` cost items waiting too long for a decision or a payment, on open
    placements, and the number of all of them."""
    rows, total = run_first_and_total(_due_items_statement(today or clock.today(), limit), limit)
    return [item for (item,) in rows], total


@lru_cache(maxsize=8)
def _due_items_statement(today: date, limit: int) -> Select:
    """Built once per process and day (the staff home runs it on every request). Each item with
    its placement from the statement's own join and the household's code joined in, and the
    number of all: one statement, where loading them afterwards took two more."""
    cutoff = today - timedelta(days=DUE_AFTER_DAYS)
    return first_and_total_statement(
        select(CostItem)
        .join(Placement, Placement.id == CostItem.placement_id)
        .where(
            Placement.state.not_in([s.value for s in CLOSED_STATES]),
            or_(
                (CostItem.status == CostStatus.REQUESTED.value) & (CostItem.requested_on <= cutoff),
                (CostItem.status == CostStatus.APPROVED.value) & (CostItem.decided_on <= cutoff),
            ),
        )
        .options(
            contains_eager(CostItem.placement)
            .joinedload(Placement.household)
            .load_only(Household.code)
        )
        .order_by(CostItem.requested_on, CostItem.id),
        limit,
    )


# What the landlord may learn ---------------------------------------------------------------------


@dataclass(frozen=True)
class LandlordMoney:
    direct_from: date | None  # rent paid directly from this month
    cost_bearer: str  # the cost bearer's name (households/labels.py)
    items: list[tuple[str, str]]  # (kind label, status label), deposit and shares only


def landlord_view(placement: Placement) -> LandlordMoney | None:
    """Only with a valid consent that covers it; else None (the landlord page shows nothing)."""
    # The newest consent in force governs: a later form may grant or drop the permission.
    valid = [c for c in placement.household.consents if c.is_valid()]
    consent = max(valid, key=lambda c: (c.given_on, c.id), default=None)
    if consent is None or not consent.shares_payment_status:
        return None
    payment = direct_payment_of(placement)
    items = [
        (str(KIND_LABELS[i.kind]), str(STATUS_LABELS[i.status]))
        for i in items_of(placement)
        if i.kind in LANDLORD_KINDS
    ]
    direct_from = payment.from_month if payment and payment.confirmed_on else None
    if direct_from is None and not items:
        return None
    return LandlordMoney(direct_from, cost_bearer_label(placement.household.cost_bearer), items)
