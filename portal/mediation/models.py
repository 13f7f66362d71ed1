"""Mediation: the contact form's requests and how the team works them through to the end."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import audit
from portal.core.db import Base, PublicKeyMixin, TimestampMixin, UTCDateTime, utcnow
from portal.sites.models import SiteOwned

if TYPE_CHECKING:
    from portal.accounts.models import User


class CaseStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # waiting for a reply
    RESOLVED = "resolved"
    CLOSED = "closed"


SENDER_KINDS = ("landlord", "tenant", "other")
TOPICS = ("rent_arrears", "neighbourhood", "damage", "communication", "other")
CONTACT_BY = ("email", "phone")
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)


class MediationCase(SiteOwned, PublicKeyMixin, TimestampMixin, Base):
    __tablename__ = "mediation_cases"
    __table_args__ = (
        UniqueConstraint("number"),
        CheckConstraint(
            "status IN ('new', 'in_progress', 'waiting', 'resolved', 'closed')", name="status"
        ),
        CheckConstraint("sender_kind IN ('landlord', 'tenant', 'other')", name="sender_kind"),
        CheckConstraint(
            "topic IN ('rent_arrears', 'neighbourhood', 'damage', 'communication', 'other')",
            name="topic",
        ),
        Index("ix_mediation_cases_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))  # M-2026-0007
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.NEW.value)
    sender_kind: Mapped[str] = mapped_column(String(10))
    # The sender's contact data; removed by the retention purge.
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    contact_by: Mapped[str] = mapped_column(String(6), default="email")
    topic: Mapped[str] = mapped_column(String(16))
    flat_address: Mapped[str | None] = mapped_column(String(300))
    flat_id: Mapped[int | None] = mapped_column(ForeignKey("flats.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5), default="de")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    placement_id: Mapped[int | None] = mapped_column(
        ForeignKey("placements.id", ondelete="SET NULL")
    )
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    entries: Mapped[list[CaseEntry]] = relationship(
        back_populates="case", order_by="CaseEntry.id", cascade="all, delete-orphan"
    )
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def set_status(self, to: CaseStatus, actor: User | None) -> None:
        """The one place that changes ``status``; writes the audit event."""
        if self.status == to:
            return
        previous = self.status
        self.status = to.value
        if to in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and self.resolved_at is None:
            self.resolved_at = utcnow()
        if to in OPEN_STATUSES:
            self.resolved_at = None
        audit.record("mediation.status", actor=actor, obj=self, previous=previous, status=to.value)


class CaseEntry(Base):
    """An internal note (staff only) or a reply sent to the sender by e-mail."""

    __tablename__ = "mediation_entries"
    __table_args__ = (CheckConstraint("kind IN ('note', 'reply')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(6))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[MediationCase] = relationship(back_populates="entries")
    author: Mapped[User | None] = relationship()
