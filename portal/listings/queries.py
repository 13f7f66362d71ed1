"""Queries for the back-office lists of flats: filters and sort orders in SQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from portal.accounts.models import Organisation
from portal.core.fields import FilterForm, optional_int
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
    # Published flats whose changes wait for review, the longest waiting first (the queue's
    # order); flats without changes after them, on every database.
    "changes": (
        Flat.changes_submitted_at.is_(None),
        Flat.changes_submitted_at.asc(),
        Flat.id.asc(),
    ),
}


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", ".")) if value not in (None, "") else None
    except InvalidOperation:
        return None


class FlatFilterForm(FilterForm):
    """The back-office flat list's filters as a GET form (nothing changes, so no CSRF token);
    the field names are the query string's. Lives here, beside the dataclass it fills."""

    status = SelectField(_l("Status"), validate_choice=False, id="f-status")
    district = SelectField(_l("District"), validate_choice=False, id="f-district")
    min_rooms = StringField(_l("Rooms at least"), render_kw={"inputmode": "decimal"}, id="f-rooms")
    max_rent = StringField(
        _l("Gross cold rent at most (€)"), render_kw={"inputmode": "decimal"}, id="f-rent"
    )
    affordable_for = SelectField(
        _l("Affordable for household of"), validate_choice=False, id="f-size"
    )
    wbs = SelectField(_l("WBS"), validate_choice=False, id="f-wbs")
    step_free = BooleanField(_l("Step-free access"), render_kw={"value": "1"}, id="f-stepfree")
    sort = SelectField(_l("Sort by"), validate_choice=False, default="newest", id="f-sort")

    def set_choices(
        self,
        districts: Sequence[District],
        table: RentLimitTable | Sequence[RentLimitTable],
        status_label: Callable[[str], str],
    ) -> None:
        """``table``: the rent-limit table of each site the list shows (or the one)."""
        sizes = {n for one in _tables(table) for n in one.limits}
        self.status.choices = [
            SelectChoice("", _l("all except drafts")),
            *(SelectChoice(s.value, status_label(s.value)) for s in FlatStatus),
            SelectChoice(CHANGES, _l("changes waiting for review")),
        ]
        self.district.choices = [SelectChoice("", _l("all"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]
        self.affordable_for.choices = [SelectChoice("", _l("any size"))] + [
            SelectChoice(str(n), ngettext("%(num)d person", "%(num)d persons", n))
            for n in sorted(sizes)
        ]
        self.wbs.choices = [
            SelectChoice("", _l("all")),
            SelectChoice("required", _l("required")),
            SelectChoice("not_required", _l("not required")),
        ]
        self.sort.choices = [
            SelectChoice("newest", _l("newest first")),
            SelectChoice("oldest", _l("oldest first")),
            SelectChoice("rent", _l("gross cold rent")),
            SelectChoice("rooms", _l("rooms")),
            SelectChoice("area", _l("living area")),
            SelectChoice("available", _l("available from")),
            SelectChoice("changes", _l("changes waiting longest first")),
        ]


# The status filter's one choice that is no status: published (or reserved) flats whose
# landlord's changes wait for review.
CHANGES = "changes"


@dataclass
class FlatFilter:
    status: str | None = None  # a status, or CHANGES
    district_id: int | None = None
    min_rooms: Decimal | None = None
    max_gross_rent: Decimal | None = None
    affordable_for: int | None = None
    wbs: str | None = None  # "required" | "not_required"
    step_free: bool = False
    sort: str = "newest"

    @classmethod
    def from_form(cls, form: FlatFilterForm) -> FlatFilter:
        """What the form holds; a value that does not parse or is no choice is no filter."""
        status = form.status.data or None
        wbs = form.wbs.data
        return cls(
            status=status if status == CHANGES or status in {s.value for s in FlatStatus} else None,
            district_id=optional_int(form.district.data),
            min_rooms=_decimal(form.min_rooms.data),
            max_gross_rent=_decimal(form.max_rent.data),
            affordable_for=optional_int(form.affordable_for.data),
            wbs=wbs if wbs in ("required", "not_required") else None,
            step_free=(form.step_free.raw_data or [])[:1] == ["1"],
            sort=form.sort.data if form.sort.data in SORTS else "newest",
        )


def _tables(table: RentLimitTable | Sequence[RentLimitTable]) -> list[RentLimitTable]:
    return [table] if isinstance(table, RentLimitTable) else list(table)


def _affordable(gross: Any, persons: int, tables: list[RentLimitTable]) -> Any:
    """The flat's rent within the limit of its own site's table for ``persons``."""
    limits = [(t.site_id, t.limit_for(persons)) for t in tables]
    within = [and_(Flat.site_id == site_id, gross <= lim) for site_id, lim in limits if lim]
    return or_(*within) if within else false()


def filtered_flats(
    criteria: FlatFilter, table: RentLimitTable | Sequence[RentLimitTable]
) -> Select:
    """All flats matching ``criteria``, with what the list shows loaded in a fixed number of
    queries; "affordable for" measured by the table of each flat's site (``table``: one per
    site the list shows)."""
    gross = Flat.cold_rent + Flat.service_charges
    query = select(Flat).options(
        selectinload(Flat.district),
        selectinload(Flat.organisation).load_only(Organisation.name, Organisation.kind),
    )
    if criteria.status == CHANGES:
        query = query.where(*_with_changes())
    elif criteria.status:
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
        query = query.where(_affordable(gross, criteria.affordable_for, _tables(table)))
    if criteria.wbs == "required":
        query = query.where(Flat.wbs_required.is_(True))
    elif criteria.wbs == "not_required":
        query = query.where(Flat.wbs_required.is_(False))
    if criteria.step_free:
        query = query.where(Flat.is_step_free.is_(True))
    return query.order_by(*SORTS[criteria.sort])


# A housing company's own flats as a table (the landlord dashboard): sort orders in SQL.
STATUS_ORDER = {status.value: position for position, status in enumerate(FlatStatus)}
OWN_SORTS = {
    "changed": (Flat.updated_at.desc(), Flat.id.desc()),
    "status": (case(STATUS_ORDER, value=Flat.status), Flat.updated_at.desc(), Flat.id.desc()),
    "rent": ((Flat.cold_rent + Flat.service_charges).asc(), Flat.id.asc()),
    "district": (District.name.asc(), Flat.street.asc(), Flat.id.asc()),
    "address": (Flat.street.asc(), Flat.house_number.asc(), Flat.id.asc()),
}


class OwnFlatFilterForm(FilterForm):
    """The filters of a housing company's table of its own flats (a GET form, no CSRF)."""

    status = SelectField(_l("Status"), validate_choice=False, id="own-status")
    district = SelectField(_l("District"), validate_choice=False, id="own-district")
    sort = SelectField(_l("Sort by"), validate_choice=False, default="changed", id="own-sort")

    def set_choices(
        self, districts: Sequence[District], status_label: Callable[[str], str]
    ) -> None:
        self.status.choices = [SelectChoice("", _l("all"))] + [
            SelectChoice(s.value, status_label(s.value)) for s in FlatStatus
        ]
        self.district.choices = [SelectChoice("", _l("all"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]
        self.sort.choices = [
            SelectChoice("changed", _l("last change")),
            SelectChoice("status", _l("status")),
            SelectChoice("rent", _l("gross cold rent")),
            SelectChoice("district", _l("district")),
            SelectChoice("address", _l("address")),
        ]

    def query(self, organisation_id: int) -> Select:
        """The organisation's flats as filtered and sorted (a value that is no choice: none)."""
        status = self.status.data if self.status.data in STATUS_ORDER else None
        district_id = optional_int(self.district.data)
        sort = self.sort.data if self.sort.data in OWN_SORTS else "changed"
        query = (
            select(Flat)
            .outerjoin(District, District.id == Flat.district_id)
            .where(Flat.organisation_id == organisation_id)
            .options(selectinload(Flat.district))
        )
        if status:
            query = query.where(Flat.status == status)
        if district_id:
            query = query.where(Flat.district_id == district_id)
        return query.order_by(*OWN_SORTS[sort])


def review_queue(limit: int = 10) -> list[Flat]:
    """The first ``limit`` submitted flats, the longest waiting first."""
    return list(db.session.scalars(_review_queue_statement(limit)))


@lru_cache(maxsize=8)
def _review_queue_statement(limit: int) -> Select:
    """Built once per process, as the other statements of the staff home."""
    return (
        select(Flat)
        .where(Flat.status == FlatStatus.SUBMITTED.value)
        .options(*_with_district_and_organisation())
        .order_by(Flat.submitted_at.asc(), Flat.id.asc())
        .limit(limit)
    )


def _with_district_and_organisation():
    # Both many-to-one: joined into the list's own statement instead of one query each.
    return joinedload(Flat.district), joinedload(Flat.organisation)


def _with_changes():
    return (
        Flat.changes_submitted_at.is_not(None),
        Flat.status.in_([FlatStatus.PUBLISHED.value, FlatStatus.RESERVED.value]),
    )


def changes_queue(limit: int = 10) -> list[Flat]:
    """The first ``limit`` published (or reserved) flats whose landlord's changes wait for
    review, the longest waiting first (all of them: the flat list's status filter)."""
    return list(db.session.scalars(_changes_queue_statement(limit)))


@lru_cache(maxsize=8)
def _changes_queue_statement(limit: int) -> Select:
    return (
        select(Flat)
        .where(*_with_changes())
        .options(*_with_district_and_organisation())
        .order_by(Flat.changes_submitted_at.asc(), Flat.id.asc())
        .limit(limit)
    )


def review_figures() -> tuple[int, int]:
    """How many submitted flats wait for review, and how many published flats' changes, in
    one statement."""
    waiting, changes = db.session.execute(_review_figures_statement()).one()
    return waiting or 0, changes or 0


@cache
def _review_figures_statement() -> Select:
    return select(
        select(func.count(Flat.id))
        .where(Flat.status == FlatStatus.SUBMITTED.value)
        .scalar_subquery(),
        select(func.count(Flat.id)).where(*_with_changes()).scalar_subquery(),
    )


__all__ = ["District", "FlatFilter", "SORTS", "filtered_flats", "review_queue"]
