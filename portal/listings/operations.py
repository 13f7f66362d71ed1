"""The rules of the listings domain: creating, editing, submitting, reviewing and withdrawing
flats, and their photos. Operations flush, audit and queue mail; they never commit and never
read the request."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, BinaryIO

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core import audit, storage
from portal.core.db import utcnow
from portal.core.hooks import Hook, Veto
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db
from portal.listings import changes
from portal.listings.models import (
    IMMEDIATE_FIELDS,
    LANDLORD,
    MATERIAL_FIELDS,
    SPECIALIST,
    District,
    Flat,
    FlatStatus,
    IllegalTransition,
    Photo,
)
from portal.listings.photos import PhotoRejected, process_photo
from portal.listings.rules import ENERGY_FIELDS, address_problem, missing_for_submission

log = logging.getLogger(__name__)

MAX_PHOTOS = 20
# Fields of the flat form that are stored on the flat as they are: each one either waits for
# review on a published flat or applies at once (listings/models.py), never neither.
FLAT_FIELDS = MATERIAL_FIELDS + IMMEDIATE_FIELDS


class ListingError(Refused):
    """An operation of the listings domain refused; ``code`` says why."""

    default_message = _l("This is not possible in the flat's current state.")


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
        if name == "wbs_persons" and not data.get("wbs_required"):
            value = None
        if name in ENERGY_FIELDS and data.get("energy_certificate_pending"):
            value = None
        values[name] = value
    return values


def _set(flat: Flat, values: dict[str, Any]) -> list[str]:
    """Store ``values`` on the flat; the names of those that changed."""
    changed = []
    for name, value in values.items():
        if getattr(flat, name) != value:
            setattr(flat, name, value)
            changed.append(name)
    return changed


def check_address(postcode: str | None, district_id: int | None) -> None:
    """Postcode and district must agree (listings.rules); ListingError ``address`` if not."""
    district = db.session.get(District, district_id) if district_id else None
    if address_problem(postcode, district.name if district else None):
        raise ListingError("address")


def form_values(flat: Flat) -> dict[str, Any]:
    """What the landlord's form shows: the flat with its pending (proposed) values."""
    return changes.proposed_values(flat, FLAT_FIELDS)


def create_flat(user: User, data: dict[str, Any]) -> Flat:
    """A new draft flat of the user's organisation."""
    values = clean_values(data)
    check_address(values.get("postcode"), values.get("district_id"))
    flat = Flat(
        organisation_id=user.organisation_id, created_by_id=user.id, status=FlatStatus.DRAFT.value
    )
    _set(flat, values)
    db.session.add(flat)
    db.session.flush()
    audit.record("flat.created", actor=user, obj=flat)
    return flat


def update_flat(flat: Flat, user: User, data: dict[str, Any]) -> list[str]:
    """Save changes; returns the changed field names. A draft (or a flat in review or sent
    back) changes at once. On a published flat only the IMMEDIATE_FIELDS change at once; the
    material ones wait for the team's review (``pending_changes``) while the flat stays
    offered as approved, and the team is told. Postcode and district must agree."""
    if not flat.can_edit(user):
        raise ListingError("not editable")
    values = clean_values(data)
    if flat.status != FlatStatus.PUBLISHED:
        check_address(
            values.get("postcode", flat.postcode), values.get("district_id", flat.district_id)
        )
        changed = _set(flat, values)
        if changed:
            audit.record("flat.updated", actor=user, obj=flat, fields=",".join(changed))
        return changed
    proposed = changes.proposed_values(flat, MATERIAL_FIELDS)
    proposed.update((name, value) for name, value in values.items() if name in MATERIAL_FIELDS)
    check_address(proposed["postcode"], proposed["district_id"])
    changed = _set(flat, {n: v for n, v in values.items() if n in IMMEDIATE_FIELDS})
    if changed:
        audit.record("flat.updated", actor=user, obj=flat, fields=",".join(changed))
    before = changes.pending_fields(flat)
    pending = {n: v for n, v in proposed.items() if getattr(flat, n) != v}
    changes.store(flat, pending, changes.pending_captions(flat))
    if pending != before or (pending and not flat.changes_in_review):
        _changes_to_review(flat, user, sorted(set(pending) | set(before)))
    elif not changes.has_anything(flat):
        _clear_changes(flat)
    return changed + [n for n in pending if before.get(n, getattr(flat, n)) != pending[n]]


def _changes_to_review(flat: Flat, user: User, fields: list[str]) -> None:
    """The flat's pending changes (again) wait for the team, who are told; with nothing left
    pending (the landlord went back to the approved values) the review ends."""
    if not changes.has_anything(flat):
        if flat.changes_in_review:
            audit.record("flat.changes_withdrawn", actor=user, obj=flat)
        _clear_changes(flat)
        return
    flat.changes_submitted_at = utcnow()
    flat.changes_comment = None
    audit.record("flat.changes_submitted", actor=user, obj=flat, fields=",".join(fields))
    _notify_team_of_submission(flat, user, resubmitted=True)


def _clear_changes(flat: Flat) -> None:
    flat.pending_changes = None
    flat.changes_submitted_at = None
    flat.changes_comment = None


def approve_changes(flat: Flat, reviewer: User) -> list[str]:
    """The team approves a published flat's pending changes: the proposed values become the
    flat's, new photos are shown, new captions applied; the landlord is told. Returns the
    changed field names."""
    if not flat.changes_in_review:
        raise ListingError("nothing to review")
    pending = changes.pending_fields(flat)
    check_address(
        pending.get("postcode", flat.postcode), pending.get("district_id", flat.district_id)
    )
    changed = _set(flat, pending)
    captions = changes.pending_captions(flat)
    for photo in flat.photos:
        if photo.id in captions:
            photo.caption = captions[photo.id]
        if not photo.is_approved:
            photo.is_approved = True
            changed.append("photos")
    if captions:
        changed.append("captions")
    _clear_changes(flat)
    audit.record(
        "flat.changes_approved", actor=reviewer, obj=flat, fields=",".join(dict.fromkeys(changed))
    )
    _tell_landlord(flat, "flat_changes_approved")
    return changed


def return_changes(flat: Flat, reviewer: User, comment: str) -> None:
    """The team sends a published flat's pending changes back with a comment the landlord sees
    and receives by e-mail. The flat stays offered as approved; the proposed values stay with
    the landlord to correct (or to set back)."""
    comment = (comment or "").strip()
    if not comment:
        raise ListingError("comment required")
    if not flat.changes_in_review:
        raise ListingError("nothing to review")
    flat.changes_submitted_at = None
    flat.changes_comment = comment  # on the flat, not in the append-only audit trail
    audit.record("flat.changes_returned", actor=reviewer, obj=flat)
    _tell_landlord(flat, "flat_changes_returned", comment=comment)


def _move(flat: Flat, to: FlatStatus, actor: User, actor_kind: str, **details: Any) -> None:
    try:
        flat.transition(to, actor, actor_kind, **details)
    except IllegalTransition as exc:
        raise ListingError("illegal") from exc


def submit_flat(flat: Flat, user: User) -> None:
    """Send the flat to the team for review: the user's e-mail must be verified and the flat
    complete (listings.rules.missing_for_submission, with its proposed values)."""
    if not user.is_verified:
        raise ListingError("unverified")
    if missing_for_submission(form_values(flat)):
        raise ListingError("incomplete")
    if flat.status in (FlatStatus.SUBMITTED, FlatStatus.PUBLISHED):
        return  # a published flat's changes go to review when saved
    _move(flat, FlatStatus.SUBMITTED, user, LANDLORD)
    flat.review_comment = None
    _notify_team_of_submission(flat, user)


def _notify_team_of_submission(flat: Flat, user: User, resubmitted: bool = False) -> None:
    queue_mail(
        current_app.config["PROGRAMME_CONTACT_EMAIL"],
        "flat_submitted",
        "de",
        flat=flat,
        organisation=flat.organisation.name,
        resubmitted=resubmitted,
        url=current_app.config["PORTAL_BASE_URL"]
        + url_for("listings_backoffice.review", flat_id=flat.id),
    )


def _tell_landlord(flat: Flat, template: str, **context: Any) -> None:
    """Mail the user who submitted the flat (or another active member of its organisation)."""
    recipient = db.session.get(User, flat.submitted_by_id or flat.created_by_id or -1)
    if recipient is None or not recipient.is_active:
        recipient = next((m for m in flat.organisation.members if m.is_active), None)
    if recipient is None:
        return
    url = current_app.config["PORTAL_BASE_URL"] + url_for("listings.show", flat_key=flat.public_key)
    queue_mail(
        recipient.email,
        template,
        recipient.locale,
        name=recipient.full_name,
        flat=flat,
        url=url,
        **context,
    )


def publish_flat(flat: Flat, reviewer: User) -> None:
    """Approve a submitted flat, all its photos with it; the landlord is told by e-mail."""
    _move(flat, FlatStatus.PUBLISHED, reviewer, SPECIALIST)
    flat.review_comment = None
    for photo in flat.photos:
        photo.is_approved = True
    _clear_changes(flat)
    _tell_landlord(flat, "flat_published")


def request_changes(flat: Flat, reviewer: User, comment: str) -> None:
    """Send a submitted flat back with a comment the landlord sees and receives by e-mail."""
    comment = (comment or "").strip()
    if not comment:
        raise ListingError("comment required")
    # The comment stays on the flat, not in the append-only audit trail: it is free text.
    _move(flat, FlatStatus.CHANGES_REQUESTED, reviewer, SPECIALIST)
    flat.review_comment = comment
    _tell_landlord(flat, "flat_changes_requested", comment=comment)


WITHDRAWABLE = frozenset(
    {
        FlatStatus.DRAFT,
        FlatStatus.SUBMITTED,
        FlatStatus.CHANGES_REQUESTED,
        FlatStatus.PUBLISHED,
        FlatStatus.RESERVED,
    }
)


# A flat leaves the portal: placements let go of it first (``placements.release``), or veto.
FLAT_LEAVES = Hook("a flat leaves the portal")


def withdraw_flat(flat: Flat, user: User) -> None:
    """The landlord takes an unlet flat off the portal (archived). Its open placements are
    cancelled ("flat withdrawn"), its open interests closed, the staff told, the households
    free again (``placements.release``); a reserved flat is withdrawn the same way. Refused
    (ListingError ``lease_signed``, nothing changed) once a lease for it is signed, and
    (``illegal``) for a let or archived flat."""
    if flat.status not in WITHDRAWABLE:
        raise ListingError("illegal")
    try:
        FLAT_LEAVES(flat, user)
    except Veto as exc:
        raise ListingError(
            "lease_signed",
            _l(
                "A lease for this flat has been signed, so it cannot be withdrawn. Please "
                "contact the Kümmerer team."
            ),
        ) from exc
    _move(flat, FlatStatus.ARCHIVED, user, LANDLORD)
    _clear_changes(flat)  # listed again, the whole flat is reviewed


def relist_flat(flat: Flat, user: User) -> None:
    """An archived flat becomes a draft again."""
    _move(flat, FlatStatus.DRAFT, user, LANDLORD)


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
        raise ListingError("only drafts")
    files = [photo.file_name(w) for photo in flat.photos for w in photo.width_list]
    audit.record("flat.deleted", actor=user, obj=flat)
    db.session.delete(flat)
    db.session.flush()
    storage.delete_after_commit(files)


# Photos -----------------------------------------------------------------------------------------


def add_photos(
    flat: Flat, user: User, uploads: list[tuple[str, BinaryIO]]
) -> tuple[list[Photo], list[tuple[str, str]]]:
    """Process and store each upload on its own: good ones become photos, bad ones are
    reported as (file name, message) and change nothing. Files are written before the rows;
    if the transaction later rolls back, the orphaned files are removed."""
    if not flat.can_edit(user):
        raise ListingError("not editable")
    count = db.session.scalar(select(func.count(Photo.id)).where(Photo.flat_id == flat.id)) or 0
    position = db.session.scalar(
        select(func.coalesce(func.max(Photo.position), -1)).where(Photo.flat_id == flat.id)
    )
    added: list[Photo] = []
    refused: list[tuple[str, str]] = []
    for filename, stream in uploads:
        if count + len(added) >= MAX_PHOTOS:
            refused.append((filename, "limit"))
            continue
        try:
            processed = process_photo(stream)
        except PhotoRejected as exc:
            refused.append((filename, str(exc.message)))
            continue
        key = storage.new_key()
        widths = [variant.width for variant in processed.variants]
        photo = Photo(
            flat=flat,
            storage_key=key,
            widths=",".join(map(str, widths)),
            extension=processed.extension,
            height_ratio=Decimal(processed.variants[-1].height)
            / Decimal(processed.variants[-1].width),
            position=position + 1 + len(added),
            is_cover=(count == 0 and not added),
            is_approved=flat.status != FlatStatus.PUBLISHED,
        )
        for variant in processed.variants:
            storage.save(photo.file_name(variant.width), variant.data)
        storage.delete_after_rollback([photo.file_name(w) for w in widths])
        db.session.add(photo)
        added.append(photo)
    db.session.flush()
    for photo in added:
        audit.record("photo.added", actor=user, obj=photo, flat_id=flat.id)
    if added and flat.status == FlatStatus.PUBLISHED:
        _changes_to_review(flat, user, ["photos"])
    return added, refused


def update_photo(photo: Photo, user: User, caption: str | None) -> None:
    """A new caption; on a published flat's approved photo it waits for review."""
    caption = " ".join((caption or "").split()) or None
    flat = photo.flat
    if flat.status == FlatStatus.PUBLISHED and photo.is_approved:
        captions = changes.pending_captions(flat)
        if caption == photo.caption:
            captions.pop(photo.id, None)
        else:
            captions[photo.id] = caption
        changes.store(flat, changes.pending_fields(flat), captions)
        audit.record("photo.updated", actor=user, obj=photo, flat_id=photo.flat_id)
        _changes_to_review(flat, user, ["captions"])
        return
    photo.caption = caption
    audit.record("photo.updated", actor=user, obj=photo, flat_id=photo.flat_id)


def set_cover(photo: Photo, user: User) -> None:
    for other in photo.flat.photos:
        other.is_cover = other.id == photo.id
    audit.record("photo.cover", actor=user, obj=photo, flat_id=photo.flat_id)


def move_photo(photo: Photo, user: User, offset: int) -> None:
    """Move a photo one place earlier (-1) or later (+1)."""
    photos = list(photo.flat.photos)
    index = photos.index(photo)
    target = index + offset
    if not 0 <= target < len(photos):
        return
    photos[index], photos[target] = photos[target], photos[index]
    for position, item in enumerate(photos):
        item.position = position
    audit.record("photo.moved", actor=user, obj=photo, flat_id=photo.flat_id, position=target)


def delete_photo(photo: Photo, user: User) -> None:
    flat = photo.flat
    files = [photo.file_name(w) for w in photo.width_list]
    was_cover = photo.is_cover
    audit.record("photo.deleted", actor=user, obj=photo, flat_id=flat.id)
    flat.photos.remove(photo)
    db.session.flush()
    if was_cover and flat.photos:
        flat.photos[0].is_cover = True
    if flat.status == FlatStatus.PUBLISHED:
        # Removing a photo applies at once; what was waiting for review may be gone with it.
        captions = changes.pending_captions(flat)
        captions.pop(photo.id, None)
        changes.store(flat, changes.pending_fields(flat), captions)
        if flat.changes_in_review and not changes.has_anything(flat):
            audit.record("flat.changes_withdrawn", actor=user, obj=flat)
            _clear_changes(flat)
    storage.delete_after_commit(files)
