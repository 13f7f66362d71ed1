"""Queries for the back-office lists of flats: filters and sort orders in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Organisation
from portal.core.fields import optional_int
from portal.extensions import db
from portal.listings.models import District, Flat, FlatStatus
from portal.listings.rules import RentLimitTable

SORTS = {
    "newest": (Flat.created_at.desc(), Flat.id.desc()),
    "oldest": (Flat.created_at.asc(), Flat.id.asc()),
    "rent": ((Flat.cold_rent + Flat.service_charges).asc(), Flat.id.asc()),
    "rooms": (Flat.rooms.desc(), Flat.id.asc()),
    "area": (Flat.living_area.desc(), Flat.id.asc()),
    "available": (Flat.available_from.asc(), Flat.id.asc()),
}


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", ".")) if value not in (None, "") else None
    except InvalidOperation:
        return None


@dataclass
class FlatFilter:
    status: str | None = None
    district_id: int | None = None
    min_rooms: Decimal | None = None
    max_gross_rent: Decimal | None = None
    affordable_for: int | None = None
    wbs: str | None = None  # "required" | "not_required"
    step_free: bool = False
    sort: str = "newest"

    @classmethod
    def from_args(cls, args) -> FlatFilter:
        status = args.get("status") or None
        return cls(
            status=status if status in {s.value for s in FlatStatus} else None,
            district_id=optional_int(args.get("district")),
            min_rooms=_decimal(args.get("min_rooms")),
            max_gross_rent=_decimal(args.get("max_rent")),
            affordable_for=optional_int(args.get("affordable_for")),
            wbs=args.get("wbs") if args.get("wbs") in ("required", "not_required") else None,
            step_free=args.get("step_free") == "1",
            sort=args.get("sort") if args.get("sort") in SORTS else "newest",
        )


def filtered_flats(criteria: FlatFilter, table: RentLimitTable) -> Select:
    """All flats matching ``criteria``, with what the list shows loaded in a fixed number of
    queries."""
    gross = Flat.cold_rent + Flat.service_charges
    query = select(Flat).options(
        selectinload(Flat.district),
        selectinload(Flat.organisation).load_only(Organisation.name, Organisation.kind),
    )
    if criteria.status:
        query = query.where(Flat.status == criteria.status)
    else:
        query = query.where(Flat.status != FlatStatus.DRAFT.value)
    if criteria.district_id:
        query = query.where(Flat.district_id == criteria.district_id)
    if criteria.min_rooms is not None:
        query = query.where(Flat.rooms >= criteria.min_rooms)
    if criteria.max_gross_rent is not None:
        query = query.where(gross <= criteria.max_gross_rent)
    if criteria.affordable_for:
        limit = table.limit_for(criteria.affordable_for)
        query = query.where(gross <= limit) if limit is not None else query.where(False)
    if criteria.wbs == "required":
        query = query.where(Flat.wbs_required.is_(True))
    elif criteria.wbs == "not_required":
        query = query.where(Flat.wbs_required.is_(False))
    if criteria.step_free:
        query = query.where(Flat.is_step_free.is_(True))
    return query.order_by(*SORTS[criteria.sort])


def review_queue(limit: int = 10) -> list[Flat]:
    """The first ``limit`` submitted flats, the longest waiting first."""
    return list(
        db.session.scalars(
            select(Flat)
            .where(Flat.status == FlatStatus.SUBMITTED.value)
            .options(selectinload(Flat.district), selectinload(Flat.organisation))
            .order_by(Flat.submitted_at.asc(), Flat.id.asc())
            .limit(limit)
        )
    )


def changes_queue() -> list[Flat]:
    """Published (or reserved) flats whose landlord's changes wait for review, oldest first."""
    return list(
        db.session.scalars(
            select(Flat)
            .where(
                Flat.changes_submitted_at.is_not(None),
                Flat.status.in_([FlatStatus.PUBLISHED.value, FlatStatus.RESERVED.value]),
            )
            .options(selectinload(Flat.district), selectinload(Flat.organisation))
            .order_by(Flat.changes_submitted_at.asc(), Flat.id.asc())
        )
    )


def waiting_for_review() -> int:
    return (
        db.session.scalar(
            select(func.count(Flat.id)).where(Flat.status == FlatStatus.SUBMITTED.value)
        )
        or 0
    )


__all__ = ["District", "FlatFilter", "SORTS", "filtered_flats", "review_queue"]
