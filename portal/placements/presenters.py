"""What a landlord may see of a placement: an explicit allow-list, like households/public.py.

Landlord templates receive ``LandlordPlacement`` objects only, never a ``Placement``: through
``placement.household`` a template could reach the identity, the consents and the case notes;
through ``placement.events`` the team's internal notes. A field reaches a landlord's page only
when it is copied here, by name:

- always: the public keys of the placement and its flat (for links; never their ids), the
  flat's address, the household's pseudonymous code (and the link to its public profile while
  landlords may see that), the state, what happens next, the specialist in
  charge, the viewing's date, time and place, and a timeline written from the steps' kinds and
  dates (never from the team's free-text notes);
- tier 2, only while ``Placement.identity_revealed`` (DESIGN.md section 2 and 4): the main
  tenant's name and the name of the staff member who accompanies the viewing;
- tier 3: nothing, ever.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Row, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.extensions import db
from portal.households.models import Consent, Household, HouseholdIdentity
from portal.households.queries import sites_with_published_flat
from portal.listings.models import Flat
from portal.placements.labels import landlord_state_label, next_step
from portal.placements.models import (
    CLOSED_STATES,
    LANDLORD,
    SUGGEST_TIMES_STATES,
    Action,
    Placement,
    PlacementEvent,
    State,
)
from portal.placements.steps_text import step_text


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # when the step was taken (UTC; templates show it with ``moment``)
    text: str
    detail: str | None = None  # the landlord's own words (viewing times they suggested)
    next: str | None = None  # what happens next and who does it (shown with the latest step)


@dataclass(frozen=True)
class LandlordPlacement:
    """A placement as its landlord may see it; built only through ``of``. Pages and links use
    ``key`` and ``flat_key`` (public keys); the ids are for the privacy export only."""

    id: int
    key: str
    flat_id: int
    flat_key: str
    flat_label: str
    household_code: str
    # Link to the tier-1 profile, only while the landlord may see it: visible to landlords, in
    # a site where the organisation has a published flat (``visible_to_organisation``).
    profile_id: int | None
    state: str
    state_label: str
    next_step: str
    is_open: bool
    specialist: str | None  # the specialist in charge (a staff name may be shown)
    viewing_at: datetime | None
    viewing_place: str | None
    # Tier 2: None unless the placement has reached the viewing and is not cancelled.
    main_tenant: str | None
    companion: str | None
    timeline: tuple[TimelineEntry, ...]
    can_decide: bool  # accept or decline
    can_suggest_times: bool
    check_flat: bool  # the rent offer is with the office: the landlord checks the flat's figures

    @classmethod
    def of(
        cls,
        placement: Placement,
        tenant_names: Mapping[int, str | None],
        today: date | None = None,
        steps: Sequence[PlacementEvent | Row] | None = None,
        profile_sites: Collection[int] = (),
    ) -> LandlordPlacement:
        """``tenant_names``: household id -> main tenant's name, as loaded by
        ``tenant_names_for``; used only when the placement reveals the identity. ``steps``:
        the placement's steps as ``steps_of`` reads them for a list, else ``placement.events``.
        ``profile_sites``: the sites whose profiles the organisation sees (no profile link
        outside them)."""
        flat, household = placement.flat, placement.household
        revealed = placement.identity_revealed
        main_tenant = tenant_names.get(household.id) if revealed else None
        companion = None
        if revealed and placement.viewing_companion is not None:
            companion = placement.viewing_companion.full_name
        cancelled = placement.state == State.CANCELLED
        viewing = (placement.viewing_at, placement.viewing_place) if not cancelled else (None, None)
        actions = placement.allowed_actions(LANDLORD)
        return cls(
            id=placement.id,
            key=placement.public_key,
            flat_id=flat.id,
            flat_key=flat.public_key,
            flat_label=flat.address_line or _("Flat without address"),
            household_code=household.code,
            # ``profile_sites`` first: a list (``present_list``) links no profile and loads
            # neither the household's site nor its consents for it.
            profile_id=household.id
            if profile_sites
            and household.site_id in profile_sites
            and household.is_visible_to_landlords(today)
            else None,
            state=placement.state,
            state_label=landlord_state_label(placement.state),
            next_step=next_step(placement.state),
            is_open=placement.is_open,
            specialist=placement.staff.full_name if placement.staff is not None else None,
            viewing_at=viewing[0],
            viewing_place=viewing[1],
            main_tenant=main_tenant,
            companion=companion,
            timeline=tuple(
                _timeline(
                    placement,
                    placement.events if steps is None else steps,
                    main_tenant,
                    companion,
                )
            ),
            can_decide=Action.ACCEPT in actions and Action.DECLINE in actions,
            can_suggest_times=placement.state in SUGGEST_TIMES_STATES,
            check_flat=placement.state == State.RENT_OFFER_SUBMITTED,
        )

    @property
    def viewing_upcoming(self) -> bool:
        return self.state == State.VIEWING_SCHEDULED and self.viewing_at is not None


# The timeline -----------------------------------------------------------------------------------


def landlord_step_text(event: PlacementEvent, placement: Placement) -> str | None:
    """The sentence for one step, built from its kind and dates only; None: not for landlords
    (the team's notes, and steps that concern only the household)."""
    text = step_text(event, placement)
    return text.happened if text is not None else None


def _timeline(
    placement: Placement,
    steps: Sequence[PlacementEvent | Row],
    main_tenant: str | None,
    companion: str | None,
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    viewing_events = [
        e for e in steps if e.action in (Action.SCHEDULE_VIEWING, Action.RESCHEDULE_VIEWING)
    ]
    latest_viewing = viewing_events[-1] if viewing_events else None
    for event in steps:
        # The names belong to the current viewing; both are None unless revealed.
        names = (main_tenant, companion) if event is latest_viewing else (None, None)
        text = step_text(event, placement, *names)
        if text is None:
            continue
        detail = event.note if event.action == "viewing_slots" else None
        entries.append(
            TimelineEntry(at=event.created_at, text=text.happened, detail=detail, next=text.next)
        )
    return entries


# Loading ----------------------------------------------------------------------------------------


def _query(organisation_id: int):
    return (
        select(Placement)
        .join(Flat, Placement.flat_id == Flat.id)
        .where(Flat.organisation_id == organisation_id)
        .options(
            joinedload(Placement.flat),
            joinedload(Placement.household).selectinload(Household.consents),
            joinedload(Placement.staff),
            joinedload(Placement.viewing_companion),
            selectinload(Placement.events),
        )
    )


@cache
def _list_options() -> tuple:
    """The loader options of ``_list_query``, made once (they are immutable; building them
    costs as much as running the query's statement from SQLAlchemy's cache)."""
    return (
        joinedload(Placement.flat).load_only(
            Flat.public_key, Flat.street, Flat.house_number, Flat.postcode, Flat.site_id
        ),
        joinedload(Placement.household)
        .load_only(Household.code, Household.status, Household.off_market_at)
        .selectinload(Household.consents)
        .load_only(Consent.given_on, Consent.expires_on, Consent.withdrawn_on),
        joinedload(Placement.staff).load_only(User.full_name),
        joinedload(Placement.viewing_companion).load_only(User.full_name),
    )


def _list_query(organisation_id: int):
    """``_query`` for the cards of a list: of the flat, the household and the staff only the
    columns ``LandlordPlacement.of`` reads (a page that needs more loads it on access); the
    steps come from ``steps_of``."""
    return (
        select(Placement)
        .join(Flat, Placement.flat_id == Flat.id)
        .where(Flat.organisation_id == organisation_id)
        .options(*_list_options())
    )


# What the timeline reads of a step (``step_text``), read as plain rows for a list: a list's
# fifty steps as model objects cost more than the rest of the loading.
_STEP_COLUMNS = (
    PlacementEvent.placement_id,
    PlacementEvent.action,
    PlacementEvent.role,
    PlacementEvent.on_behalf_of,
    PlacementEvent.note,
    PlacementEvent.data,
    PlacementEvent.created_at,
)


def steps_of(placements: Iterable[Placement]) -> dict[int, list[Row]]:
    """The steps of ``placements`` (placement id -> its steps in order), in one query."""
    ids = [p.id for p in placements]
    steps: dict[int, list[Row]] = {}
    if not ids:
        return steps
    rows = db.session.execute(
        select(*_STEP_COLUMNS)
        .where(PlacementEvent.placement_id.in_(ids))
        .order_by(PlacementEvent.id)
    )
    for row in rows:
        steps.setdefault(row.placement_id, []).append(row)
    return steps


def tenant_names_for(placements: Iterable[Placement]) -> dict[int, str | None]:
    """The main tenant's name (one column of the identity, nothing else) of the households
    whose placement reveals it; one query whatever the number of placements."""
    ids = [p.household_id for p in placements if p.identity_revealed]
    if not ids:
        return {}
    rows = db.session.execute(
        select(HouseholdIdentity.household_id, HouseholdIdentity.main_tenant_name).where(
            HouseholdIdentity.household_id.in_(ids)
        )
    )
    return {household_id: name for household_id, name in rows}


def present(placements: list[Placement], today: date | None = None) -> list[LandlordPlacement]:
    names = tenant_names_for(placements) if placements else {}
    sites = _profile_sites(placements, today)
    return [LandlordPlacement.of(p, names, today, profile_sites=sites) for p in placements]


def _profile_sites(placements: list[Placement], today: date | None) -> frozenset[int]:
    """The sites whose profiles the placements' organisation sees; read only when a profile
    could be linked at all."""
    if not any(p.household.is_visible_to_landlords(today) for p in placements):
        return frozenset()
    organisation_id = placements[0].flat.organisation_id
    return frozenset(db.session.scalars(sites_with_published_flat(organisation_id)))


def present_list(placements: list[Placement]) -> list[LandlordPlacement]:
    """``present`` for the cards of a list loaded with ``_list_query``: the steps read as rows
    (``steps_of``)."""
    if not placements:
        return []
    names, steps = tenant_names_for(placements), steps_of(placements)
    return [LandlordPlacement.of(p, names, steps=steps.get(p.id, ())) for p in placements]


def _order(placements: Iterable[Placement]) -> list[Placement]:
    # Open placements first, the most recently changed on top.
    return sorted(placements, key=lambda p: (not p.is_open, -p.state_changed_at.timestamp(), -p.id))


def placements_of(organisation_id: int | None, flat_id: int | None = None) -> list[Placement]:
    """The organisation's placements (of one of its flats, when given), in a fixed number of
    queries."""
    if organisation_id is None:
        return []
    query = _query(organisation_id)
    if flat_id is not None:
        query = query.where(Placement.flat_id == flat_id)
    return _order(db.session.scalars(query).unique().all())


def placement_ids(organisation_id: int):
    """The ids of the organisation's placements in the list's order (``_order``'s, as a query
    for one page of the list, whose rows ``listed_placements`` loads): the open ones first, the
    most recently changed on top, then the earlier ones (completed or cancelled), the most
    recently ended first."""
    closed = Placement.state.in_([s.value for s in CLOSED_STATES])
    return (
        select(Placement.id)
        .join(Flat, Placement.flat_id == Flat.id)
        .where(Flat.organisation_id == organisation_id)
        .order_by(closed, Placement.state_changed_at.desc(), Placement.id.desc())
    )


def listed_placements(organisation_id: int | None, ids: list[int]) -> list[Placement]:
    """The placements of one page of the list (``ids``, in their order) in one load, with the
    columns a card reads."""
    if organisation_id is None or not ids:
        return []
    loaded = db.session.scalars(_list_query(organisation_id).where(Placement.id.in_(ids)))
    by_id = {p.id: p for p in loaded.unique()}
    return [by_id[i] for i in ids if i in by_id]


def own_placement(organisation_id: int | None, key: str) -> Placement | None:
    """The placement with this public key if it concerns one of the organisation's flats, else
    None (the caller answers 404). Landlords name placements by key, never by id."""
    if organisation_id is None:
        return None
    return (
        db.session.scalars(_query(organisation_id).where(Placement.public_key == key))
        .unique()
        .one_or_none()
    )


def landlord_placements(
    organisation_id: int | None, flat_id: int | None = None
) -> list[LandlordPlacement]:
    if organisation_id is None:
        return []
    query = _list_query(organisation_id)
    if flat_id is not None:
        query = query.where(Placement.flat_id == flat_id)
    return present_list(_order(db.session.scalars(query).unique().all()))
