"""What a landlord sees of the matching: the list of households (only profiles landlords may
see, of the sites where the landlord's organisation has a published flat, optionally those that
fit one of its published flats) and, on a profile, how the landlord's flats in the
household's site fit it (``FlatFit``, built from the tier-1 profile only): every flat for a
small organisation, the best that fit for a large one (``own_flats_for``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, not_, or_, select
from sqlalchemy.orm import load_only, selectinload

from portal.core.pagination import HOME_ROWS, first_and_total
from portal.households.models import Consent, Household, household_districts
from portal.households.queries import HouseholdFilter, visible_to_organisation
from portal.listings.models import District, Flat, FlatStatus
from portal.listings.rules import RentLimitTable, limits_in_force
from portal.matching.rules import explain, fits_any_of, ranked_flats

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
    criteria: HouseholdFilter, organisation_id: int | None, today: date
) -> Select:
    """Households the organisation may see (``visible_to_organisation``) matching ``criteria``,
    those waiting longest first; what a card shows is loaded in a fixed number of queries
    whatever the number of rows, and the statement is the same size whatever the number of the
    organisation's flats."""
    query = (
        select(Household)
        .where(*visible_to_organisation(organisation_id, today))
        .options(*_list_options())
    )
    if criteria.size:
        query = query.where(Household.adults + Household.children == criteria.size)
    if criteria.fits_my_flats:
        query = query.where(fits_any_of(organisation_id, today))
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


@dataclass(frozen=True)
class OwnFlats:
    """The organisation's published flats in a household's site as its profile shows them.
    An organisation with at most ``HOME_ROWS`` of them (a private landlord) sees every one,
    fitting or not, with reasons (``every_flat``); a larger one the ``HOME_ROWS`` that fit best,
    ranked by the database as ``rank_flats`` ranks them, and the numbers of the rest. ``flats``
    (for the interest form's choices, never for a template): the flats of ``fits`` and the
    suggestion."""

    fits: list[FlatFit]
    flats: list[Flat]
    in_site: int  # the organisation's published flats in the household's site
    fitting: int  # how many of them fit
    suggestion: Flat | None  # the best fitting flat not yet suggested, pre-selected in the form

    @property
    def every_flat(self) -> bool:
        return self.in_site <= HOME_ROWS


def own_flats_for(
    household: Household, organisation_id: int | None, today: date, suggested: set[str]
) -> OwnFlats:
    """What the profile shows of the organisation's published flats in the household's site,
    in a fixed number of queries whatever the number of flats; ``suggested``: the public keys
    of the flats the organisation has already suggested the household for."""
    table = limits_in_force(today, site_id=household.site_id)  # once for all the flats
    in_site = (
        select(Flat)
        .where(
            Flat.organisation_id == organisation_id,
            Flat.status == FlatStatus.PUBLISHED.value,
            # A household is offered flats of its own site only (DESIGN.md section 9).
            Flat.site_id == household.site_id,
        )
        .order_by(Flat.id)
    )
    rows, total = first_and_total(in_site, HOME_ROWS)
    if total <= HOME_ROWS:
        # Few flats: each one, those that fit first, so a landlord learns why one does not.
        flats = [row[0] for row in rows]
        fits = sorted(
            (FlatFit.of(flat, household, today, table) for flat in flats),
            key=lambda fit: not fit.fits,
        )
        by_key = {flat.public_key: flat for flat in flats}
        suggestion = next(
            (by_key[f.flat_key] for f in fits if f.fits and f.flat_key not in suggested), None
        )
        return OwnFlats(fits, flats, total, sum(f.fits for f in fits), suggestion)
    # Many flats: the database finds those that fit and ranks them; as many rows more as there
    # are suggested flats are read, so that the best flat not yet suggested is among them.
    ranked = ranked_flats(household, table, Flat.organisation_id == organisation_id)
    rows, fitting = first_and_total(
        ranked.with_only_columns(Flat), HOME_ROWS + len(suggested), key=Flat.id
    )
    best = [row[0] for row in rows]
    shown = best[:HOME_ROWS]
    suggestion = next((flat for flat in best if flat.public_key not in suggested), None)
    flats = shown + ([suggestion] if suggestion is not None and suggestion not in shown else [])
    fits = [FlatFit.of(flat, household, today, table) for flat in shown]
    return OwnFlats(fits, flats, total, fitting, suggestion)
