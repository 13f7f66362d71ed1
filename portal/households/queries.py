"""Which households landlords may see (``visible_to_landlords``), the filters of their list
(parsed from the query string; the query is ``matching.landlords.landlord_households``), and
the staff caseload list.

Every landlord query starts from ``visible_to_organisation``: only vetted profiles with a valid
consent (``visible_to_landlords``), of a site where the landlord's organisation has a published
flat (``sites_with_published_flat``: a landlord is not tied to a site, DESIGN.md section 9),
whatever the filters say. Landlord requests are not filtered by ``portal.sites.scope``: this is
their site rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ColumnElement, Select, exists, false, func, or_, select
from sqlalchemy.orm import aliased, selectinload
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from portal.core import clock
from portal.core.fields import FilterForm, optional_int
from portal.core.pagination import first_rows_of
from portal.extensions import db
from portal.households.models import (
    Consent,
    Household,
    HouseholdIdentity,
    HouseholdStatus,
)
from portal.listings.models import District, Flat, FlatStatus
from portal.listings.rules import MAX_HOUSEHOLD_SIZE

WBS_CHOICES = ("yes", "no")


class HouseholdFilterForm(FilterForm):
    """The filters as a GET form, so that every field renders through ``field``
    (``core/form_markup.py``) with its label (in this order, by ``filter_form``). Lives here,
    beside the dataclass it fills, not in ``forms.py``."""

    size = SelectField(
        _l("Household size"), coerce=optional_int, validate_choice=False, id="filter-size"
    )
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
    fits = BooleanField(_l("Fits one of my flats"), id="filter-fits")
    step_free = BooleanField(_l("Needs step-free access"), id="filter-step-free")

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


def valid_consent_exists(today: date) -> ColumnElement[bool]:
    # Only the id is selected: every column the check reads is in ``ix_consents_valid``, so
    # the database answers from the index alone.
    return (
        select(Consent.id)
        .where(
            Consent.household_id == Household.id,
            Consent.withdrawn_on.is_(None),
            Consent.given_on <= today,
            Consent.expires_on >= today,
        )
        .exists()
    )


def visible_to_landlords(today: date) -> list[ColumnElement[bool]]:
    """Vetted with a valid consent, and off the market from a signed lease on (a column set by
    the placement workflow: ``Household.take_off_market``): withdrawal or expiry hides a profile
    at once, and so does a signed lease."""
    return [
        Household.status == HouseholdStatus.VETTED.value,
        Household.off_market_at.is_(None),
        valid_consent_exists(today),
    ]


def sites_with_published_flat(organisation_id: int) -> Select:
    """The sites where the organisation has a published flat, as a subquery (read from
    ``ix_flats_organisation_status``): the sites whose households it sees."""
    return select(Flat.site_id).where(
        Flat.organisation_id == organisation_id, Flat.status == FlatStatus.PUBLISHED.value
    )


def visible_to_organisation(organisation_id: int | None, today: date) -> list[ColumnElement[bool]]:
    """What landlords may see (``visible_to_landlords``), of the sites where this organisation
    has a published flat: an organisation without one sees no household at all. Part of the
    same statement, so a landlord's list stays one query."""
    if organisation_id is None:
        return [false()]
    return [
        *visible_to_landlords(today),
        Household.site_id.in_(sites_with_published_flat(organisation_id)),
    ]


def visible_household(
    household_id: int, organisation_id: int | None, today: date
) -> Household | None:
    """The household when the organisation's landlords may see it, else None (draft, paused,
    housed, withdrawn, off the market, consent expired or withdrawn, a site where the
    organisation has no published flat, or no such id: the caller answers 404 for all alike)."""
    household = db.session.scalar(
        select(Household)
        .where(Household.id == household_id, *visible_to_organisation(organisation_id, today))
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


# A household's consents: about two a year (one runs six months), for as long as it waits ------


def consents_of(household_id: int | ColumnElement[int]) -> Select:
    """A household's consents, newest first as its staff page shows them (the consent in force
    and the last ones first). ``household_id``: an id, or a bound parameter."""
    return (
        select(Consent)
        .where(Consent.household_id == household_id)
        .order_by(Consent.given_on.desc(), Consent.id.desc())
    )


# The newest consents of a household and the number of all (its staff page).
latest_consents = first_rows_of(consents_of, "household_id")


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


class CaseloadFilterForm(FilterForm):
    """The back-office household list's filters as a GET form (nothing changes, so no CSRF
    token); the field names are the query string's."""

    q = StringField(_l("Code or main tenant's name"), id="f-q")
    status = SelectField(_l("Status"), validate_choice=False, id="f-status")
    size = SelectField(_l("Household size"), validate_choice=False, id="f-size")
    consent = SelectField(_l("Consent"), validate_choice=False, id="f-consent")
    sort = SelectField(_l("Sort by"), validate_choice=False, default="waiting", id="f-sort")

    def set_choices(self, status_label: Callable[[str], str]) -> None:
        self.status.choices = [SelectChoice("", _l("all"))] + [
            SelectChoice(s.value, status_label(s.value)) for s in HouseholdStatus
        ]
        self.size.choices = [SelectChoice("", _l("any size"))] + [
            SelectChoice(str(n), ngettext("%(num)d person", "%(num)d persons", n))
            for n in range(1, MAX_HOUSEHOLD_SIZE + 1)
        ]
        self.consent.choices = [
            SelectChoice("", _l("all")),
            SelectChoice("valid", _l("valid")),
            SelectChoice("expiring", _l("expires within 14 days")),
            SelectChoice("none", _l("none valid")),
        ]
        self.sort.choices = [
            SelectChoice("waiting", _l("waiting longest first")),
            SelectChoice("newest", _l("newest first")),
            SelectChoice("code", _l("code")),
            SelectChoice("expiry", _l("consent expiry")),
        ]


@dataclass
class CaseloadFilter:
    text: str = ""
    status: str | None = None
    size: int | None = None
    consent: str | None = None
    sort: str = "waiting"

    @classmethod
    def from_form(cls, form: CaseloadFilterForm) -> CaseloadFilter:
        """What the form holds; a value that is no choice is no filter."""
        status = form.status.data or None
        consent = form.consent.data or None
        return cls(
            text=" ".join((form.q.data or "").split())[:100],
            status=status if status in {s.value for s in HouseholdStatus} else None,
            size=optional_int(form.size.data),
            consent=consent if consent in CONSENT_FILTERS else None,
            sort=form.sort.data if form.sort.data in SORTS else "waiting",
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
