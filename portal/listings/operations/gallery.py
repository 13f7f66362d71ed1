"""A flat's photos: added one by one (a bad file changes nothing), captioned, ordered; on a
published flat new photos and captions wait for the team's review."""

from __future__ import annotations

from decimal import Decimal
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core import audit, storage
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db
from portal.listings import changes
from portal.listings.models import Flat, FlatStatus, Photo
from portal.listings.operations.base import clear_changes, refused
from portal.listings.operations.editing import changes_to_review
from portal.listings.photos import process_photo

MAX_PHOTOS = 20
TOO_MANY = _l("A flat can have at most 20 photos.")


def add_photos(
    flat: Flat, user: User, uploads: list[tuple[str, BinaryIO]]
) -> tuple[list[Photo], list[tuple[str, Refused]]]:
    """Process and store each upload on its own: good ones become photos, bad ones are
    reported as (file name, refusal: ``limit`` past MAX_PHOTOS, or why the file is no photo)
    and change nothing. Files are written before the rows;
    if the transaction later rolls back, the orphaned files are removed."""
    if not flat.can_edit(user):
        raise refused("not editable")
    count = db.session.scalar(select(func.count(Photo.id)).where(Photo.flat_id == flat.id)) or 0
    position = db.session.scalar(
        select(func.coalesce(func.max(Photo.position), -1)).where(Photo.flat_id == flat.id)
    )
    added: list[Photo] = []
    rejected: list[tuple[str, Refused]] = []
    for filename, stream in uploads:
        if count + len(added) >= MAX_PHOTOS:
            rejected.append((filename, Refused("limit", TOO_MANY, status=BAD_INPUT)))
            continue
        try:
            processed = process_photo(stream)
        except Refused as exc:
            rejected.append((filename, exc))
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
        changes_to_review(flat, user, ["photos"])
    return added, rejected


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
        changes_to_review(flat, user, ["captions"])
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
            clear_changes(flat)
    storage.delete_after_commit(files)
