"""What a landlord sees of the matching: the list of households (only profiles landlords may
see, of the sites where the landlord's organisation has a published flat, optionally those that
fit one of its published flats) and, on a profile, how each of the landlord's flats in the
household's site fits it (``FlatFit``, built from the tier-1 profile only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, not_, or_, select
from sqlalchemy.orm import load_only, selectinload

from portal.households.models import Consent, Household, household_districts
from portal.households.queries import HouseholdFilter, visible_to_organisation
from portal.listings.models import District, Flat
from portal.listings.rules import RentLimitTable, limits_in_force
from portal.matching.rules import explain, fits_any_of

LIST_COLUMNS = (
    Household.code,
    Household.status,
    Household.off_market_at,
    Household.adults,
    Household.children,
    Household.needed_rooms,
    Household.needed_area,
    Household.earliest_move_in,
    Household.cost_bearer,
    Household.has_wbs,
    Household.wbs_persons,
    Household.has_pets,
    Household.needs_step_free,
    Household.needs_wheelchair,
    Household.profile_text,
    Household.vetted_at,
    Household.site_id,  # "any district of <site>"
)


@cache
def _list_options() -> tuple:
    """Made once (loader options are immutable; building them on every request costs as much
    as a tenth of the page)."""
    return (
        # Only what a card shows (``PublicProfile``) and what its visibility check reads.
        load_only(*LIST_COLUMNS),
        selectinload(Household.preferred_districts).load_only(District.name),
        # PublicProfile re-checks visibility.
        selectinload(Household.consents).load_only(
            Consent.given_on, Consent.expires_on, Consent.withdrawn_on
        ),
    )


def landlord_households(
    criteria: HouseholdFilter, organisation_id: int | None, my_flats: list[Flat], today: date
) -> Select:
    """Households the organisation may see (``visible_to_organisation``) matching ``criteria``,
    those waiting longest first; what a card shows is loaded in a fixed number of queries
    whatever the number of rows. ``my_flats``: the organisation's published flats."""
    query = (
        select(Household)
        .where(*visible_to_organisation(organisation_id, today))
        .options(*_list_options())
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


@dataclass(frozen=True)
class FlatFit:
    """How one of the landlord's own flats fits a household, in sentences built from the
    tier-1 profile (rooms, area, rent limit, WBS, access, move-in date) only."""

    flat_key: str  # the flat's public key: landlord pages carry no flat ids
    flat_label: str
    fits: bool
    summary: str  # one plain sentence; the reasons below are the details
    met: tuple[str, ...]  # the hard rules the pair meets
    unmet: tuple[str, ...]  # the hard rules it does not
    notes: tuple[str, ...]  # district preference, pets: worth knowing, not required

    @classmethod
    def of(
        cls,
        flat: Flat,
        household: Household,
        today: date | None = None,
        table: RentLimitTable | None = None,
    ) -> FlatFit:
        # The landlord's words: whether the rent is within the limit, never the household's
        # own limit, override or reason.
        match = explain(flat, household, today, table, for_landlord=True)
        hard = [r for r in match.reasons if r.hard]
        return cls(
            flat_key=flat.public_key,
            flat_label=flat.address_line or str(_l("Flat without address")),
            fits=match.fits,
            summary=match.summary,
            met=tuple(r.text for r in hard if r.met),
            unmet=tuple(r.text for r in hard if not r.met),
            notes=tuple(r.text for r in match.reasons if not r.hard),
        )


def flats_in_site_of(flats: list[Flat], household: Household) -> list[Flat]:
    """Those of ``flats`` in the household's site: a household is offered flats of its own
    site only (matching within a site, DESIGN.md section 9)."""
    return [flat for flat in flats if flat.site_id == household.site_id]


def fits_for(flats: list[Flat], household: Household, today: date | None = None) -> list[FlatFit]:
    """Each of ``flats`` in the household's site measured against ``household``: those that
    fit first."""
    # Once for all the flats: a fixed number of queries.
    table = limits_in_force(today, site_id=household.site_id)
    in_site = flats_in_site_of(flats, household)
    fits = [FlatFit.of(flat, household, today, table) for flat in in_site]
    return sorted(fits, key=lambda fit: not fit.fits)
