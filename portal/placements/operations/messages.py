"""The message thread of a placement: the landlord writes on the placement page, staff answer
on the back-office page; each side hears by e-mail that a message is waiting, never what it
says (the thread is about a household)."""

from __future__ import annotations

from flask import current_app

from portal.accounts.models import User
from portal.core.outbox import queue_mail
from portal.placements.messages import LANDLORD_SIDE, STAFF_SIDE, Message, add_message
from portal.placements.models import Placement
from portal.placements.operations.notifications import _landlord_of


def _team_address(placement: Placement) -> tuple[str, str]:
    """The specialist in charge, or the programme's address: (e-mail, locale)."""
    staff = placement.staff
    if staff is not None and staff.is_active:
        return staff.email, staff.locale or "de"
    return current_app.config["PROGRAMME_CONTACT_EMAIL"], "de"


def landlord_writes(placement: Placement, author: User, body: str | None) -> Message:
    """A message from the landlord's organisation to the team, while the placement is open.
    The team gets an e-mail with the link to the placement's back-office page."""
    message = add_message(
        author=author,
        side=LANDLORD_SIDE,
        body=body,
        organisation_id=placement.flat.organisation_id,
        is_open=placement.is_open,
        placement_id=placement.id,
    )
    address, locale = _team_address(placement)
    queue_mail(
        address,
        "thread_to_team",
        locale,
        organisation=placement.flat.organisation.name,
        code=placement.household.code,
        case_number=None,
        flat_address=placement.flat.address_line,
        url=current_app.config["PORTAL_BASE_URL"]
        + f"/backoffice/placements/{placement.id}#messages",
    )
    return message


def staff_writes(placement: Placement, author: User, body: str | None) -> Message:
    """A message from the team to the landlord's organisation, while the placement is open.
    The landlord gets an e-mail with the link to the placement page."""
    message = add_message(
        author=author,
        side=STAFF_SIDE,
        body=body,
        organisation_id=placement.flat.organisation_id,
        is_open=placement.is_open,
        placement_id=placement.id,
    )
    landlord = _landlord_of(placement)
    if landlord is not None:
        queue_mail(
            landlord.email,
            "thread_to_landlord",
            landlord.locale,
            name=landlord.full_name,
            flat_address=placement.flat.address_line,
            case_number=None,
            url=current_app.config["PORTAL_BASE_URL"]
            + f"/placements/{placement.public_key}#messages",
        )
    return message
