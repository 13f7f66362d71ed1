"""The stored paperwork of a placement: the handover record at move-in (Übergabeprotokoll) and
the landlord's confirmation of the move-in (Wohnungsgeberbestätigung, §19 (3) BMG) with the
household's registration at the Bürgeramt. One row of each per placement at most.

Meter readings, keys and rooms are short lists typed by staff; they are kept as JSON lists of
small dicts (``{"kind", "number", "reading"}``, ``{"kind", "count"}``, ``{"room",
"condition"}``), written only by ``paperwork.handover``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, TimestampMixin, UTCDateTime
from portal.placements.models import Placement


class HandoverRecord(TimestampMixin, Base):
    __tablename__ = "handover_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), unique=True
    )
    handed_over_on: Mapped[date] = mapped_column(Date)
    meters: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    keys: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rooms: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    landlord_signed_by: Mapped[str] = mapped_column(String(200))
    tenant_signed_by: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    placement: Mapped[Placement] = relationship()


class MoveInConfirmation(TimestampMixin, Base):
    """The Wohnungsgeberbestätigung: filled from the lease when first asked for; the owner
    fields only where the landlord is not the owner."""

    __tablename__ = "move_in_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), unique=True
    )
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_address: Mapped[str | None] = mapped_column(String(300))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    registered_on: Mapped[date | None] = mapped_column(Date)
    registration_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    placement: Mapped[Placement] = relationship()
