"""Creating and editing flats: the landlord's values as stored, a draft's changes at once, a
published flat's material changes waiting for the team's review."""

from __future__ import annotations

from typing import Any

from portal.accounts.models import User
from portal.core import audit, storage
from portal.core.db import utcnow
from portal.extensions import db
from portal.listings import changes
from portal.listings.models import IMMEDIATE_FIELDS, MATERIAL_FIELDS, Flat, FlatStatus
from portal.listings.operations.base import clear_changes, refused, set_values
from portal.listings.operations.notices import notify_team_of_submission
from portal.listings.rules import ENERGY_FIELDS, address_problem

# Fields of the flat form that are stored on the flat as they are: each one either waits for
# review on a published flat or applies at once (listings/models.py), never neither.
FLAT_FIELDS = MATERIAL_FIELDS + IMMEDIATE_FIELDS


def _clean(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if name != "description":
            value = " ".join(value.split())
        return value or None
    return value


def clean_values(data: dict[str, Any]) -> dict[str, Any]:
    """The flat fields in ``data`` as they would be stored."""
    values = {}
    for name in FLAT_FIELDS:
        if name not in data:
            continue
        value = _clean(name, data[name])
        if name == "wbs_persons" and "wbs_required" in data and not data.get("wbs_required"):
            value = None
        if (
            name in ENERGY_FIELDS
            and "energy_certificate_pending" in data
            and data.get("energy_certificate_pending")
        ):
            value = None
        values[name] = value
    return values


def check_address(postcode: str | None, district_id: int | None) -> None:
    """Postcode and district must agree (listings.rules: the postcode is one of an active
    site's, the district one that the postcode reaches); refused (``address``) if not."""
    if address_problem(postcode, district_id):
        raise refused("address")


def form_values(flat: Flat) -> dict[str, Any]:
    """What the landlord's form shows: the flat with its pending (proposed) values."""
    return changes.proposed_values(flat, FLAT_FIELDS)


def create_flat(user: User, data: dict[str, Any]) -> Flat:
    """A new draft flat of the user's organisation, with whatever of ``data`` is given (the
    first step of the flat form may leave everything empty)."""
    values = clean_values(data)
    check_address(values.get("postcode"), values.get("district_id"))
    flat = Flat(
        organisation_id=user.organisation_id, created_by_id=user.id, status=FlatStatus.DRAFT.value
    )
    set_values(flat, values)
    db.session.add(flat)
    db.session.flush()
    audit.record("flat.created", actor=user, obj=flat)
    return flat


def update_flat(flat: Flat, user: User, data: dict[str, Any]) -> list[str]:
    """Save changes (only the fields in ``data``: one step of the form changes only its own);
    returns the changed field names. A draft (or a flat in review or sent back) changes at
    once. On a published flat only the IMMEDIATE_FIELDS change at once; the material ones wait
    for the team's review (``pending_changes``) while the flat stays offered as approved, and
    the team is told. Postcode and district must agree."""
    if not flat.can_edit(user):
        raise refused("not editable")
    values = clean_values(data)
    if flat.status != FlatStatus.PUBLISHED:
        check_address(
            values.get("postcode", flat.postcode), values.get("district_id", flat.district_id)
        )
        changed = set_values(flat, values)
        if changed:
            audit.record("flat.updated", actor=user, obj=flat, fields=",".join(changed))
        return changed
    proposed = changes.proposed_values(flat, MATERIAL_FIELDS)
    proposed.update((name, value) for name, value in values.items() if name in MATERIAL_FIELDS)
    check_address(proposed["postcode"], proposed["district_id"])
    changed = set_values(flat, {n: v for n, v in values.items() if n in IMMEDIATE_FIELDS})
    if changed:
        audit.record("flat.updated", actor=user, obj=flat, fields=",".join(changed))
    before = changes.pending_fields(flat)
    pending = {n: v for n, v in proposed.items() if getattr(flat, n) != v}
    changes.store(flat, pending, changes.pending_captions(flat))
    if pending != before or (pending and not flat.changes_in_review):
        changes_to_review(flat, user, sorted(set(pending) | set(before)))
    elif not changes.has_anything(flat):
        clear_changes(flat)
    return changed + [n for n in pending if before.get(n, getattr(flat, n)) != pending[n]]


def changes_to_review(flat: Flat, user: User, fields: list[str]) -> None:
    """The flat's pending changes (again) wait for the team, who are told; with nothing left
    pending (the landlord went back to the approved values) the review ends."""
    if not changes.has_anything(flat):
        if flat.changes_in_review:
            audit.record("flat.changes_withdrawn", actor=user, obj=flat)
        clear_changes(flat)
        return
    flat.changes_submitted_at = utcnow()
    flat.changes_comment = None
    audit.record("flat.changes_submitted", actor=user, obj=flat, fields=",".join(fields))
    notify_team_of_submission(flat, user, resubmitted=True)


def duplicate_flat(flat: Flat, user: User) -> Flat:
    """A new draft with the same details (without photos: they show one particular flat)."""
    data = {name: getattr(flat, name) for name in FLAT_FIELDS}
    data["available_from"] = None
    copy = create_flat(user, data)
    audit.record("flat.duplicated", actor=user, obj=copy, source_flat_id=flat.id)
    return copy


def delete_flat(flat: Flat, user: User) -> None:
    """Delete a draft that was never submitted, with its photo files."""
    if flat.status != FlatStatus.DRAFT or flat.submitted_at is not None:
        raise refused("only drafts")
    files = [photo.file_name(w) for photo in flat.photos for w in photo.width_list]
    audit.record("flat.deleted", actor=user, obj=flat)
    db.session.delete(flat)
    db.session.flush()
    storage.delete_after_commit(files)
