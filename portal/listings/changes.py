"""The pending changes of a published flat: proposed values kept beside the approved columns
(``Flat.pending_changes``) until the team approves them. Plain helpers; the workflow (audit,
mail) is in operations.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from portal.listings.models import Flat

DECIMAL_FIELDS = frozenset(
    {
        "rooms",
        "living_area",
        "cold_rent",
        "service_charges",
        "heating_costs",
        "deposit",
        "energy_value",
    }
)
DATE_FIELDS = frozenset({"available_from", "energy_valid_until"})


def dump(value: Any) -> Any:
    """A value as JSON keeps it: Decimal and date as text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def load(name: str, raw: Any) -> Any:
    if raw is None:
        return None
    if name in DECIMAL_FIELDS:
        return Decimal(raw)
    if name in DATE_FIELDS:
        return date.fromisoformat(raw)
    return raw


def pending_fields(flat: Flat) -> dict[str, Any]:
    """The proposed values, typed, by field name."""
    raw = (flat.pending_changes or {}).get("fields", {})
    return {name: load(name, value) for name, value in raw.items()}


def pending_captions(flat: Flat) -> dict[int, str | None]:
    raw = (flat.pending_changes or {}).get("captions", {})
    return {int(photo_id): caption for photo_id, caption in raw.items()}


def store(flat: Flat, fields: dict[str, Any], captions: dict[int, str | None]) -> None:
    """Replace the pending changes (a new dict, so the JSON column is seen as changed)."""
    if not fields and not captions:
        flat.pending_changes = None
        return
    flat.pending_changes = {
        "fields": {name: dump(value) for name, value in sorted(fields.items())},
        "captions": {str(photo_id): caption for photo_id, caption in sorted(captions.items())},
    }


def has_anything(flat: Flat) -> bool:
    return bool(pending_fields(flat) or pending_captions(flat) or flat.pending_photos)


def proposed_values(flat: Flat, names: tuple[str, ...]) -> dict[str, Any]:
    """What the landlord's form shows: the approved values with the pending ones over them."""
    values = {name: getattr(flat, name) for name in names}
    values.update(pending_fields(flat))
    return values
