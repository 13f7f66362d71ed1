"""Placements: for now the landlord's interest in a household for one of their flats, which the
specialist turns into a placement (next step of the workflow)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, TimestampMixin, UTCDateTime
from portal.households.models import Household
from portal.listings.models import Flat


class InterestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Interest(TimestampMixin, Base):
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
