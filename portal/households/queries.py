"""The landlord's list of households: its filters (parsed from the query string) and the query.

Every query here starts from ``matching.visible_to_landlords``: only vetted profiles with a
valid consent, whatever the filters say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy import Select, exists, func, not_, or_, select
from sqlalchemy.orm import aliased, selectinload
from wtforms import BooleanField, DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from portal.core import clock
from portal.core.fields import optional_int
from portal.extensions import db
from portal.households.models import (
    Consent,
    Household,
    HouseholdIdentity,
    HouseholdStatus,
    household_districts,
)
from portal.listings.models import District, Flat
from portal.listings.rules import MAX_HOUSEHOLD_SIZE
from portal.placements.matching import fits_any_of, visible_to_landlords

PER_PAGE = 20
WBS_CHOICES = ("yes", "no")


class HouseholdFilterForm(FlaskForm):
    """The filters as a GET form, so that every field renders through the ``field`` macro with
    its label. Lives here, beside the dataclass it fills, not in ``forms.py``."""

    class Meta:
        csrf = False  # a search changes nothing

    size = SelectField(
        _l("Household size"), coerce=optional_int, validate_choice=False, id="filter-size"
    )
    fits = BooleanField(_l("Fits one of my flats"), id="filter-fits")
    move_in_by = DateField(
        _l("Can move in on or before"), validators=[Optional()], id="filter-move-in"
    )
    district = SelectField(
        _l("Would like to live in"),
        coerce=optional_int,
        validate_choice=False,
        description=_l("Households that named this district, or no district at all."),
        id="filter-district",
    )
    step_free = BooleanField(_l("Needs step-free access"), id="filter-step-free")
    wbs = SelectField(
        _l("WBS"),
        choices=[
            SelectChoice("", _l("any")),
            SelectChoice("yes", _l("has a WBS")),
            SelectChoice("no", _l("has no WBS")),
        ],
        validate_choice=False,
        id="filter-wbs",
    )

    def set_choices(self, districts: Sequence[District]) -> None:
        self.size.choices = [SelectChoice("", _l("any size"))] + [
            SelectChoice(str(n), ngettext("%(num)d person", "%(num)d persons", n))
            for n in range(1, MAX_HOUSEHOLD_SIZE + 1)
        ]
        self.district.choices = [SelectChoice("", _l("any district"))] + [
            SelectChoice(str(d.id), d.name, optgroup=d.borough) for d in districts
        ]


@dataclass(frozen=True)
class HouseholdFilter:
    size: int | None = None
    fits_my_flats: bool = False
    move_in_by: date | None = None  # earliest move-in on or before this day
    district_id: int | None = None
    step_free: bool = False  # households that need step-free (or wheelchair) access
    wbs: str | None = None  # "yes" | "no"

    @classmethod
    def from_form(cls, form: HouseholdFilterForm) -> HouseholdFilter:
        """What the form holds; a value that does not parse is no filter (the form shows the
        error next to the field)."""
        size = form.size.data
        wbs = form.wbs.data
        return cls(
            size=size if size and 1 <= size <= MAX_HOUSEHOLD_SIZE else None,
            fits_my_flats=bool(form.fits.data),
            move_in_by=form.move_in_by.data if not form.move_in_by.errors else None,
            district_id=form.district.data or None,
            step_free=bool(form.step_free.data),
            wbs=wbs if wbs in WBS_CHOICES else None,
        )

    @classmethod
    def from_args(cls, args) -> tuple[HouseholdFilter, HouseholdFilterForm]:
        form = HouseholdFilterForm(formdata=args)
        form.validate()
        return cls.from_form(form), form

    @property
    def is_active(self) -> bool:
        return self != HouseholdFilter()

    def to_args(self) -> dict[str, str]:
        """The query string for this filter (pagination links keep it)."""
        args: dict[str, str] = {}
        if self.size:
            args["size"] = str(self.size)
        if self.fits_my_flats:
            args["fits"] = "y"
        if self.move_in_by:
            args["move_in_by"] = self.move_in_by.isoformat()
        if self.district_id:
            args["district"] = str(self.district_id)
        if self.step_free:
            args["step_free"] = "y"
        if self.wbs:
            args["wbs"] = self.wbs
        return args


def landlord_households(criteria: HouseholdFilter, my_flats: list[Flat], today: date) -> Select:
    """Visible households matching ``criteria``, those waiting longest first; what a card shows
    is loaded in a fixed number of queries whatever the number of rows."""
    query = (
        select(Household)
        .where(*visible_to_landlords(today))
        .options(
            selectinload(Household.preferred_districts),
            selectinload(Household.consents),  # PublicProfile re-checks visibility
        )
    )
    if criteria.size:
        query = query.where(Household.adults + Household.children == criteria.size)
    if criteria.fits_my_flats:
        query = query.where(fits_any_of(my_flats, today))
    if criteria.move_in_by:
        query = query.where(Household.earliest_move_in <= criteria.move_in_by)
    if criteria.district_id:
        names_it = exists().where(
            household_districts.c.household_id == Household.id,
            household_districts.c.district_id == criteria.district_id,
        )
        names_none = not_(exists().where(household_districts.c.household_id == Household.id))
        query = query.where(or_(names_it, names_none))
    if criteria.step_free:
        query = query.where(
            or_(Household.needs_step_free.is_(True), Household.needs_wheelchair.is_(True))
        )
    if criteria.wbs == "yes":
        query = query.where(Household.has_wbs.is_(True))
    elif criteria.wbs == "no":
        query = query.where(Household.has_wbs.is_(False))
    return query.order_by(Household.waiting_since.asc(), Household.id.asc())


def visible_household(household_id: int, today: date) -> Household | None:
    """The household when landlords may see it, else None (draft, paused, housed, withdrawn,
    consent expired or withdrawn, or no such id: the caller answers 404 for all alike)."""
    household = db.session.scalar(
        select(Household)
        .where(Household.id == household_id, *visible_to_landlords(today))
        .options(selectinload(Household.preferred_districts), selectinload(Household.consents))
    )
    if household is None or not household.is_visible_to_landlords(today):
        return None
    return household


# The staff caseload list ------------------------------------------------------------------------

EXPIRY_WARNING_DAYS = 14


def consent_state(consent: Consent, today: date | None = None) -> str:
    """valid | expired | withdrawn | future."""
    today = today or clock.today()
    if consent.withdrawn_on is not None:
        return "withdrawn"
    if consent.expires_on < today:
        return "expired"
    return "valid" if consent.given_on <= today else "future"


def valid_until(household: Household, today: date) -> date | None:
    """The last day on which the household has a valid consent (from the loaded consents)."""
    days = [c.expires_on for c in household.consents if c.is_valid(today)]
    return max(days) if days else None


SORTS = ("waiting", "newest", "code", "expiry")
CONSENT_FILTERS = ("valid", "expiring", "none")


def _valid_until_column(today: date):
    return (
        select(func.max(Consent.expires_on))
        .where(
            Consent.household_id == Household.id,
            Consent.withdrawn_on.is_(None),
            Consent.given_on <= today,
            Consent.expires_on >= today,
        )
        .correlate(Household)
        .scalar_subquery()
    )


@dataclass
class CaseloadFilter:
    text: str = ""
    status: str | None = None
    size: int | None = None
    consent: str | None = None
    sort: str = "waiting"

    @classmethod
    def from_args(cls, args) -> CaseloadFilter:
        status = args.get("status") or None
        consent = args.get("consent") or None
        return cls(
            text=" ".join((args.get("q") or "").split())[:100],
            status=status if status in {s.value for s in HouseholdStatus} else None,
            size=optional_int(args.get("size")),
            consent=consent if consent in CONSENT_FILTERS else None,
            sort=args.get("sort") if args.get("sort") in SORTS else "waiting",
        )

    def query(self, today: date) -> Select:
        """The matching households, with what the list shows loaded in a fixed number of
        queries."""
        until = _valid_until_column(today)
        query = select(Household).options(
            selectinload(Household.consents),
            selectinload(Household.identity).load_only(HouseholdIdentity.main_tenant_name),
        )
        if self.text:
            needle = self.text.lower()
            query = query.where(
                or_(
                    func.lower(Household.code).contains(needle, autoescape=True),
                    Household.identity.has(
                        func.lower(HouseholdIdentity.main_tenant_name).contains(
                            needle, autoescape=True
                        )
                    ),
                )
            )
        if self.status:
            query = query.where(Household.status == self.status)
        if self.size:
            query = query.where(Household.adults + Household.children == self.size)
        if self.consent == "valid":
            query = query.where(until.is_not(None))
        elif self.consent == "expiring":
            query = query.where(Household.id.in_(expiring_household_ids(today)))
        elif self.consent == "none":
            query = query.where(until.is_(None))
        order = {
            "waiting": (Household.waiting_since.asc(), Household.id.asc()),
            "newest": (Household.created_at.desc(), Household.id.desc()),
            "code": (Household.code.asc(),),
            "expiry": (until.is_(None), until.asc(), Household.id.asc()),
        }[self.sort]
        return query.order_by(*order)


def expiring_household_ids(today: date) -> Select:
    """Households whose last valid consent ends within the warning period. Starts from the
    few consents that end soon (index on ``expires_on``), not from every household."""
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    later = aliased(Consent)
    return select(Consent.household_id).where(
        Consent.withdrawn_on.is_(None),
        Consent.given_on <= today,
        Consent.expires_on >= today,
        Consent.expires_on <= soon,
        ~exists().where(
            later.household_id == Consent.household_id,
            later.withdrawn_on.is_(None),
            later.given_on <= today,
            later.expires_on > soon,
        ),
    )


def expiring_count(today: date) -> int:
    """How many households' last valid consent ends within the warning period."""
    return db.session.scalar(
        select(func.count(func.distinct(Household.id))).where(
            Household.id.in_(expiring_household_ids(today))
        )
    )
