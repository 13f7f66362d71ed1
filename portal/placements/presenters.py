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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.core.i18n import day, moment
from portal.extensions import db
from portal.households.models import Household, HouseholdIdentity
from portal.listings.models import Flat
from portal.placements.labels import CANCEL_TEXTS, landlord_state_label, next_step
from portal.placements.models import (
    LANDLORD,
    SUGGEST_TIMES_STATES,
    Action,
    Placement,
    PlacementEvent,
    State,
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # when the step was taken (UTC; templates show it with ``moment``)
    text: str
    detail: str | None = None  # the landlord's own words (viewing times they suggested)


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
    profile_id: int | None  # link to the tier-1 profile, only while landlords may see it
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

    @classmethod
    def of(
        cls,
        placement: Placement,
        tenant_names: Mapping[int, str | None],
        today: date | None = None,
    ) -> LandlordPlacement:
        """``tenant_names``: household id -> main tenant's name, as loaded by
        ``tenant_names_for``; used only when the placement reveals the identity."""
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
            profile_id=household.id if household.is_visible_to_landlords(today) else None,
            state=placement.state,
            state_label=landlord_state_label(placement.state),
            next_step=next_step(placement.state),
            is_open=placement.is_open,
            specialist=placement.staff.full_name if placement.staff is not None else None,
            viewing_at=viewing[0],
            viewing_place=viewing[1],
            main_tenant=main_tenant,
            companion=companion,
            timeline=tuple(_timeline(placement, main_tenant, companion)),
            can_decide=Action.ACCEPT in actions and Action.DECLINE in actions,
            can_suggest_times=placement.state in SUGGEST_TIMES_STATES,
        )

    @property
    def viewing_upcoming(self) -> bool:
        return self.state == State.VIEWING_SCHEDULED and self.viewing_at is not None


# The timeline -----------------------------------------------------------------------------------


def _when(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _on(data: Mapping[str, Any], key: str) -> date | None:
    value = data.get(key)
    try:
        return date.fromisoformat(value[:10]) if value else None
    except (TypeError, ValueError):
        return None


def _viewing_text(event: PlacementEvent, placement: Placement) -> str:
    when = _when(event.data, "viewing_at") or placement.viewing_at
    place = event.data.get("viewing_place") or placement.viewing_place
    if event.action == Action.RESCHEDULE_VIEWING:
        if place:
            return _(
                "The viewing was moved to %(when)s, %(place)s.", when=moment(when), place=place
            )
        return _("The viewing was moved to %(when)s.", when=moment(when))
    if place:
        return _("Viewing on %(when)s, %(place)s.", when=moment(when), place=place)
    return _("Viewing on %(when)s.", when=moment(when))


def landlord_step_text(event: PlacementEvent, placement: Placement) -> str | None:
    """The sentence for one step, built from its kind and dates only; None: not for landlords
    (the team's notes, and steps that concern only the household)."""
    data = event.data or {}
    by_landlord = event.role == LANDLORD or event.on_behalf_of == LANDLORD
    match event.action:
        case "propose":
            if placement.origin == "interest":
                return _(
                    "The Kümmerer team took up your suggestion and proposed household "
                    "%(code)s for this flat.",
                    code=placement.household.code,
                )
            return _(
                "The Kümmerer team proposed household %(code)s for this flat.",
                code=placement.household.code,
            )
        case Action.ACCEPT:
            if by_landlord:
                return _("You agreed to meet the household.")
            return _("The Kümmerer team noted that you would like to meet the household.")
        case Action.DECLINE:
            return _("You declined the proposal.")
        case Action.SCHEDULE_VIEWING | Action.RESCHEDULE_VIEWING:
            return _viewing_text(event, placement)
        case Action.RECORD_VIEWING:
            return _("The viewing took place.")
        case Action.SUBMIT_RENT_OFFER:
            on = _on(data, "rent_offer_on")
            if on:
                return _(
                    "On %(date)s the rent offer (Mietangebot) went to the Jobcenter or Sozialamt.",
                    date=day(on),
                )
            return _("The rent offer (Mietangebot) went to the Jobcenter or Sozialamt.")
        case Action.APPROVE_COSTS:
            return _("The Jobcenter or Sozialamt approved the costs (Zusicherung).")
        case Action.SIGN_LEASE:
            signed, start = _on(data, "lease_signed_on"), _on(data, "rent_start_on")
            if signed and start:
                return _(
                    "The lease was signed on %(signed)s; the rent starts on %(start)s.",
                    signed=day(signed),
                    start=day(start),
                )
            return _("The lease was signed.")
        case Action.MOVE_IN:
            on = _on(data, "keys_handed_over_on")
            if on:
                return _("Keys handed over on %(date)s: the household has moved in.", date=day(on))
            return _("The household has moved in.")
        case Action.START_AFTERCARE:
            return _("Aftercare began: the Kümmerer team stays in touch with the household.")
        case Action.COMPLETE:
            return _("The placement is complete.")
        case Action.CANCEL:
            reason = data.get("cancel_reason")
            if reason in CANCEL_TEXTS:
                return str(CANCEL_TEXTS[reason])
            return _("The placement will not go ahead.")
        case "viewing_slots":
            return _("You suggested times for the viewing:")
    return None


def _timeline(
    placement: Placement, main_tenant: str | None, companion: str | None
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    viewing_events = [
        e
        for e in placement.events
        if e.action in (Action.SCHEDULE_VIEWING, Action.RESCHEDULE_VIEWING)
    ]
    latest_viewing = viewing_events[-1] if viewing_events else None
    for event in placement.events:
        text = landlord_step_text(event, placement)
        if text is None:
            continue
        detail = event.note if event.action == "viewing_slots" else None
        if event is latest_viewing:
            # The names belong to the current viewing; both are None unless revealed.
            extra = []
            if main_tenant:
                extra.append(_("You meet %(tenant)s, the main tenant.", tenant=main_tenant))
            if companion:
                extra.append(
                    _("%(companion)s from the Kümmerer team comes along.", companion=companion)
                )
            text = " ".join([text, *extra])
        entries.append(TimelineEntry(at=event.created_at, text=text, detail=detail))
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


def tenant_names_for(placements: Iterable[Placement]) -> dict[int, str | None]:
    """The main tenant's name (one column of the identity, nothing else) of the households
    whose placement reveals it; one query whatever the number of placements."""
    ids = [p.household_id for p in placements if p.identity_revealed]
    rows = db.session.execute(
        select(HouseholdIdentity.household_id, HouseholdIdentity.main_tenant_name).where(
            HouseholdIdentity.household_id.in_(ids)
        )
    )
    return {household_id: name for household_id, name in rows}


def present(placements: list[Placement], today: date | None = None) -> list[LandlordPlacement]:
    names = tenant_names_for(placements) if placements else {}
    return [LandlordPlacement.of(p, names, today) for p in placements]


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
    return present(placements_of(organisation_id, flat_id))
