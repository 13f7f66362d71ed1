"""The rules of the listings domain: creating, editing, submitting, reviewing and withdrawing
flats, and their photos. Operations flush, audit and queue mail; they never commit and never
read the request."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, BinaryIO

from flask import current_app, url_for
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core import audit, storage
from portal.core.outbox import queue_mail
from portal.extensions import db
from portal.listings.models import (
    LANDLORD,
    MATERIAL_FIELDS,
    SPECIALIST,
    Flat,
    FlatStatus,
    IllegalTransition,
    Photo,
)
from portal.listings.photos import PhotoRejected, process_photo

log = logging.getLogger(__name__)

MAX_PHOTOS = 20
# Fields of the flat form that are stored on the flat as they are.
FLAT_FIELDS = (
    "street",
    "house_number",
    "postcode",
    "district_id",
    "floor",
    "rooms",
    "living_area",
    "cold_rent",
    "service_charges",
    "heating_costs",
    "warm_water",
    "deposit",
    "wbs_required",
    "wbs_persons",
    "is_step_free",
    "is_wheelchair_accessible",
    "has_lift",
    "has_balcony",
    "pets_allowed",
    "energy_certificate_pending",
    "energy_kind",
    "energy_value",
    "energy_carrier",
    "building_year",
    "energy_class",
    "energy_valid_until",
    "description",
    "available_from",
)
ENERGY_FIELDS = (
    "energy_kind",
    "energy_value",
    "energy_carrier",
    "building_year",
    "energy_class",
    "energy_valid_until",
)


class ListingError(Exception):
    """An operation refused; ``message`` can be shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _clean(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if name != "description":
            value = " ".join(value.split())
        return value or None
    return value


def apply_fields(flat: Flat, data: dict[str, Any]) -> list[str]:
    """Copy form data onto ``flat``; returns the names of the fields whose value changed."""
    changed = []
    for name in FLAT_FIELDS:
        if name not in data:
            continue
        value = _clean(name, data[name])
        if name == "wbs_persons" and not data.get("wbs_required"):
            value = None
        if name in ENERGY_FIELDS and data.get("energy_certificate_pending"):
            value = None
        current = getattr(flat, name)
        if isinstance(current, Decimal) and isinstance(value, Decimal):
            same = current == value
        else:
            same = current == value
        if not same:
            setattr(flat, name, value)
            changed.append(name)
    return changed


def create_flat(user: User, data: dict[str, Any]) -> Flat:
    """A new draft flat of the user's organisation."""
    flat = Flat(
        organisation_id=user.organisation_id, created_by_id=user.id, status=FlatStatus.DRAFT.value
    )
    apply_fields(flat, data)
    db.session.add(flat)
    db.session.flush()
    audit.record("flat.created", actor=user, obj=flat)
    return flat


def update_flat(flat: Flat, user: User, data: dict[str, Any]) -> list[str]:
    """Save changes. A published flat whose rent, size or address changed goes back to review
    (and the team is told). Returns the changed field names."""
    if not flat.can_edit(user):
        raise ListingError("not editable")
    changed = apply_fields(flat, data)
    if changed:
        audit.record("flat.updated", actor=user, obj=flat, fields=",".join(changed))
    material = [name for name in changed if name in MATERIAL_FIELDS]
    if flat.status == FlatStatus.PUBLISHED and material:
        flat.transition(
            FlatStatus.SUBMITTED,
            user,
            LANDLORD,
            reason="material change",
            fields=",".join(material),
        )
        _notify_team_of_submission(flat, user, resubmitted=True)
    return changed


def _move(flat: Flat, to: FlatStatus, actor: User, actor_kind: str, **details: Any) -> None:
    try:
        flat.transition(to, actor, actor_kind, **details)
    except IllegalTransition as exc:
        raise ListingError("illegal") from exc


def submit_flat(flat: Flat, user: User) -> None:
    """Send the flat to the team for review. The caller has checked completeness; the user's
    e-mail must be verified."""
    if not user.is_verified:
        raise ListingError("unverified")
    if flat.status == FlatStatus.SUBMITTED:
        return
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
    """Approve a submitted flat; the landlord is told by e-mail."""
    _move(flat, FlatStatus.PUBLISHED, reviewer, SPECIALIST)
    flat.review_comment = None
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


def withdraw_flat(flat: Flat, user: User) -> None:
    """The landlord takes an unlet flat off the portal (archived)."""
    _move(flat, FlatStatus.ARCHIVED, user, LANDLORD)


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
        )
        for variant in processed.variants:
            storage.save(photo.file_name(variant.width), variant.data)
        storage.delete_after_rollback([photo.file_name(w) for w in widths])
        db.session.add(photo)
        added.append(photo)
    db.session.flush()
    for photo in added:
        audit.record("photo.added", actor=user, obj=photo, flat_id=flat.id)
    return added, refused


def update_photo(photo: Photo, user: User, caption: str | None) -> None:
    photo.caption = " ".join((caption or "").split()) or None
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
    storage.delete_after_commit(files)
