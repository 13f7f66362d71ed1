"""The record of every erasure, so that it can be applied again after a backup is restored.

The table is one of two sources of truth: a restored backup brings back an older database
without the newest rows, so every erasure is also appended to a JSON-lines file outside the
database (``ERASURE_LOG``); ``flask privacy reapply-erasures`` reads both.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, utcnow


class ErasureKind(StrEnum):
    HOUSEHOLD = "household"
    LANDLORD = "landlord"  # a landlord user account (and its organisation when it was the last)


class Erasure(Base):
    __tablename__ = "erasures"
    __table_args__ = (
        CheckConstraint("kind IN ('household', 'landlord')", name="kind"),
        UniqueConstraint("kind", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    object_id: Mapped[int]
    # When the erased object was created: after a restore an id may have been given to a new
    # object; reapplying checks this so that it never erases the wrong one.
    object_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Erasure {self.kind}:{self.object_id}>"
