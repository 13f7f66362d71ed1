"""What every part of the listings operations shares: how they refuse, how the status moves,
how values are stored on a flat."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.refusals import Refused
from portal.extensions import db
from portal.listings.models import District, Flat, FlatStatus
from portal.sites.scope import ALL_SITES

# The words of a listings refusal that has none of its own.
NOT_POSSIBLE = _l("This is not possible in the flat's current state.")


def refused(code: str, message: Any = None) -> Refused:
    """A refusal of the listings domain: ``code`` says why in English, ``message`` (by default
    "not possible in the flat's current state") what the landlord or the team reads."""
    return Refused(code, NOT_POSSIBLE if message is None else message)


def move(flat: Flat, to: FlatStatus, actor, actor_kind: str, **details: Any) -> None:
    """The flat's status moves (Flat.transition); refused (``illegal``) if the flow forbids it."""
    try:
        flat.transition(to, actor, actor_kind, **details)
    except Refused as exc:
        raise refused("illegal") from exc


def set_values(flat: Flat, values: dict[str, Any]) -> list[str]:
    """Store ``values`` on the flat; the names of those that changed. A flat belongs to the
    site of its district (DESIGN.md §9): a district set or changed moves it there."""
    changed = []
    for name, value in values.items():
        if getattr(flat, name) != value:
            setattr(flat, name, value)
            changed.append(name)
    if "district_id" in changed and flat.district_id is not None:
        site_id = district_site_id(flat.district_id)
        if site_id is not None and flat.site_id != site_id:
            flat.site_id = site_id
    return changed


def district_site_id(district_id: int) -> int | None:
    """The site of a district (reference data of every site, read past the staff filter)."""
    return db.session.scalar(
        select(District.site_id)
        .where(District.id == district_id)
        .execution_options(**{ALL_SITES: True})
    )


def clear_changes(flat: Flat) -> None:
    flat.pending_changes = None
    flat.changes_submitted_at = None
    flat.changes_comment = None
