"""The record of every erasure, so that it can be applied again after a backup is restored,
and the record of every household export with its reason.

The table is one of two sources of truth: a restored backup brings back an older database
without the newest rows, so every erasure is also appended to a JSON-lines file outside the
database (``ERASURE_LOG``); ``flask privacy reapply-erasures`` reads both.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
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


# The typed explanation of a household export: long enough to say something.
EXPLANATION_MIN, EXPLANATION_MAX = 10, 500


class ExportPurpose(StrEnum):
    """Why a household's full data was exported: the fixed word goes into the audit trail."""

    ACCESS_REQUEST = "access_request"  # the household asked for its data (Art. 15 GDPR)
    PORTABILITY = "portability"  # the household asked for its data to take along (Art. 20)
    AUTHORITY = "authority"  # a request of an authority or a court
    DATA_PROTECTION_OFFICER = "data_protection_officer"  # a check by the data-protection officer
    OTHER = "other"


class HouseholdExport(Base):
    """One download of a household's export archive: who, when, why. The typed explanation
    lives here, not in the append-only audit trail, so that the household's erasure can remove
    it; the audit event carries the purpose word. Social workers see the list on the
    household's pages."""

    __tablename__ = "household_exports"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('access_request', 'portability', 'authority', "
            "'data_protection_officer', 'other')",
            name="purpose",
        ),
        Index("ix_household_exports_household", "household_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    purpose: Mapped[str] = mapped_column(String(30))
    explanation: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<HouseholdExport {self.household_id} {self.purpose}>"
