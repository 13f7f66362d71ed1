"""Handover record (Übergabeprotokoll) and Wohnungsgeberbestätigung (§19 (3) BMG) of a
placement, and the household's registration at the Bürgeramt (DESIGN.md section 7, issue 16).

- From the signed lease on (and never for a cancelled placement), staff record the handover:
  meter numbers and readings, keys by kind and count, the condition per room, who signed on
  each side and when. Recording again replaces the record (one per placement).
- The Wohnungsgeberbestätigung is filled from the lease: the landlord (the flat's
  organisation), the owner where the landlord is not the owner (typed by the landlord when
  confirming), the move-in date, the flat's address and the persons moving in (§19 (3) no. 4
  BMG names each of them): the adults by name, the main tenant first, under the same rule as
  the landlord's placement page (``Placement.identity_revealed``); the issue counts these names
  as tier 2 from the lease on, since the household cannot register without them. Children's
  names are not recorded in the portal: the sheet counts the children, and the PDF leaves a
  line per child for the household to fill in by hand.
- The landlord confirms once; staff then record the date the household registered.

Every change writes an audit event; a refusal (``Refused``, status 400 for bad input, 409 for
the wrong state) changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from portal.core import audit, clock
from portal.core.i18n import day
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db
from portal.placements.models import ORDER, Placement, State
from portal.placements.paperwork.models import HandoverRecord, MoveInConfirmation
from portal.placements.presenters import tenant_names_for

METER_KINDS = ("electricity", "gas", "district_heat", "water")


def _bad(code: str, message: str) -> Refused:
    return Refused(code, message, status=BAD_INPUT)


def lease_signed(placement: Placement) -> bool:
    """The paperwork of the move-in exists from the signed lease on, never when cancelled."""
    if placement.state == State.CANCELLED or placement.lease_signed_on is None:
        return False
    return ORDER.index(State(placement.state)) >= ORDER.index(State.LEASE_SIGNED)


def _check_lease(placement: Placement) -> None:
    if not lease_signed(placement):
        raise Refused(
            "no_lease",
            _("The handover and the move-in confirmation follow the signed lease."),
        )


# Handover record ----------------------------------------------------------------------------


def handover_of(placement: Placement) -> HandoverRecord | None:
    return db.session.scalar(
        select(HandoverRecord).where(HandoverRecord.placement_id == placement.id)
    )


def _check_handover_dates(placement: Placement, handed_over_on: date, signed_on: date) -> None:
    today = clock.today()
    for value in (handed_over_on, signed_on):
        if value > today:
            raise _bad(
                "handover_in_future",
                _(
                    "A handover cannot be recorded after today (%(today)s). Please check the date.",
                    today=day(today),
                ),
            )
    lease = placement.lease_signed_on
    if lease is not None and min(handed_over_on, signed_on) < lease:
        raise _bad(
            "handover_before_lease",
            _(
                "The handover cannot be before the lease signed on %(day)s. Please check the date.",
                day=day(lease),
            ),
        )


def _clean_rows(rows: list[dict[str, Any]], required: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows with every required value; rows left empty are dropped."""
    return [dict(row) for row in rows if all(row.get(key) not in (None, "") for key in required)]


def record_handover(
    placement: Placement,
    actor,
    *,
    handed_over_on: date,
    meters: list[dict[str, Any]],
    keys: list[dict[str, Any]],
    rooms: list[dict[str, Any]],
    landlord_signed_by: str,
    tenant_signed_by: str,
    signed_on: date,
) -> HandoverRecord:
    _check_lease(placement)
    _check_handover_dates(placement, handed_over_on, signed_on)
    meters = _clean_rows(meters, ("kind", "number", "reading"))
    keys = _clean_rows(keys, ("kind", "count"))
    rooms = _clean_rows(rooms, ("room", "condition"))
    for meter in meters:
        if meter["kind"] not in METER_KINDS:
            raise _bad("meter_kind", _("Please choose the kind of each meter."))
        if float(meter["reading"]) < 0:
            raise _bad("negative_reading", _("A meter reading cannot be negative."))
        meter["reading"] = str(meter["reading"])
    for key in keys:
        if int(key["count"]) < 1:
            raise _bad("key_count", _("Each kind of key needs a number of at least one."))
    record = handover_of(placement) or HandoverRecord(placement_id=placement.id)
    record.handed_over_on = handed_over_on
    record.meters = meters
    record.keys = keys
    record.rooms = rooms
    record.landlord_signed_by = landlord_signed_by.strip()
    record.tenant_signed_by = tenant_signed_by.strip()
    record.signed_on = signed_on
    record.recorded_by_id = actor.id if actor is not None else None
    db.session.add(record)
    db.session.flush()
    audit.record("paperwork.handover_recorded", actor=actor, obj=placement)
    return record


# Wohnungsgeberbestätigung -------------------------------------------------------------------


@dataclass(frozen=True)
class MoveInSheet:
    """What the Wohnungsgeberbestätigung says; the landlord's page and the PDF show this only."""

    landlord_name: str
    landlord_address: str
    owner_name: str | None
    owner_address: str | None
    move_in_on: date | None
    flat_address: str
    main_tenant: str | None
    persons: int
    confirmed_on: date | None
    registered_on: date | None
    adult_names: tuple[str, ...] = ()  # the main tenant first; empty while not revealed
    children: int = 0


def confirmation_of(placement: Placement) -> MoveInConfirmation | None:
    return db.session.scalar(
        select(MoveInConfirmation).where(MoveInConfirmation.placement_id == placement.id)
    )


def move_in_on(placement: Placement) -> date | None:
    """The move-in: the day the keys were handed over, else the rent start of the lease."""
    return placement.keys_handed_over_on or placement.rent_start_on


def sheet(placement: Placement) -> MoveInSheet:
    confirmation = confirmation_of(placement)
    organisation = placement.flat.organisation
    names = tenant_names_for([placement])
    main_tenant = names.get(placement.household_id)
    confirmed_at = confirmation.confirmed_at if confirmation else None
    return MoveInSheet(
        landlord_name=organisation.name,
        landlord_address=organisation.address or "",
        owner_name=confirmation.owner_name if confirmation else None,
        owner_address=confirmation.owner_address if confirmation else None,
        move_in_on=move_in_on(placement),
        flat_address=placement.flat.address_line,
        main_tenant=main_tenant,
        persons=placement.household.size,
        adult_names=_adults_moving_in(placement, main_tenant),
        children=placement.household.children,
        confirmed_on=confirmed_at.astimezone(clock.BERLIN).date() if confirmed_at else None,
        registered_on=confirmation.registered_on if confirmation else None,
    )


def _adults_moving_in(placement: Placement, main_tenant: str | None) -> tuple[str, ...]:
    """The adults' names for the Wohnungsgeberbestätigung: the main tenant first, then the other
    adults of the identity; nothing while the placement does not reveal the main tenant."""
    if main_tenant is None:
        return ()
    identity = placement.household.identity
    others = (identity.adult_names or "").splitlines() if identity is not None else []
    names = [main_tenant]
    for name in (" ".join(line.split()) for line in others):
        if name and name not in names:
            names.append(name)
    return tuple(names)


def confirm_move_in(
    placement: Placement, actor, *, owner_name: str = "", owner_address: str = ""
) -> MoveInConfirmation:
    """The landlord confirms the move-in (once). ``owner_*``: only where the landlord is not
    the owner; both or neither."""
    _check_lease(placement)
    owner_name, owner_address = owner_name.strip(), owner_address.strip()
    if bool(owner_name) != bool(owner_address):
        raise _bad(
            "owner_incomplete",
            _("Where you are not the owner, please give the owner's name and address."),
        )
    confirmation = confirmation_of(placement) or MoveInConfirmation(placement_id=placement.id)
    if confirmation.confirmed_at is not None:
        raise Refused("already_confirmed", _("The move-in is already confirmed."))
    confirmation.owner_name = owner_name or None
    confirmation.owner_address = owner_address or None
    confirmation.confirmed_at = clock.utcnow()
    confirmation.confirmed_by_id = actor.id if actor is not None else None
    db.session.add(confirmation)
    db.session.flush()
    audit.record("paperwork.move_in_confirmed", actor=actor, obj=placement)
    return confirmation


def record_registration(placement: Placement, actor, registered_on: date) -> MoveInConfirmation:
    """Staff record that the household registered at the Bürgeramt, on ``registered_on``."""
    confirmation = confirmation_of(placement)
    if confirmation is None or confirmation.confirmed_at is None:
        raise Refused(
            "not_confirmed",
            _("The registration follows the landlord's confirmation of the move-in."),
        )
    today = clock.today()
    if registered_on > today:
        raise _bad(
            "registration_in_future",
            _(
                "The registration cannot be recorded after today (%(today)s). Please check the "
                "date.",
                today=day(today),
            ),
        )
    moved_in = move_in_on(placement)
    if moved_in is not None and registered_on < moved_in:
        raise _bad(
            "registration_before_move_in",
            _(
                "The registration cannot be before the move-in on %(day)s. Please check the date.",
                day=day(moved_in),
            ),
        )
    confirmation.registered_on = registered_on
    confirmation.registration_recorded_by_id = actor.id if actor is not None else None
    db.session.flush()
    audit.record("paperwork.registration_recorded", actor=actor, obj=placement)
    return confirmation
