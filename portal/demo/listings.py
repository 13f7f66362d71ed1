"""Demo flats for ``make run``: every status a landlord and the specialist meet, with photos.

Each flat goes the landlord's and the team's way (``create_flat``, ``add_photos``,
``submit_flat``, then the demo specialist's decision through ``listings.reviews.decide``); its
times are then dated back a few days (``portal.demo.dating``)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import select

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.demo.dating import today
from portal.extensions import db
from portal.listings import operations as ops
from portal.listings import reviews
from portal.listings.models import District, Flat, FlatStatus

FLATS = [
    # (owner, status, street, no, postcode, district, rooms, area, cold, service, heating, extra)
    (
        "vermieterin",
        FlatStatus.PUBLISHED,
        "Mülheimer Straße",
        "12",
        "47057",
        "Neudorf-Nord",
        "3",
        "72",
        "480.00",
        "160.00",
        "90.00",
        {"has_balcony": True},
    ),
    (
        "vermieterin",
        FlatStatus.DRAFT,
        "Sternbuschweg",
        "3",
        "47057",
        "Neudorf-Süd",
        "2",
        None,
        "390.00",
        None,
        None,
        {},
    ),
    (
        "wohnungsbau",
        FlatStatus.SUBMITTED,
        "Hochfelder Markt",
        "5",
        "47053",
        "Hochfeld",
        "2.5",
        "61.5",
        "395.00",
        "120.00",
        "75.00",
        {"is_step_free": True, "has_lift": True},
    ),
    (
        "wohnungsbau",
        FlatStatus.SUBMITTED,
        "Hochfelder Markt",
        "7",
        "47053",
        "Hochfeld",
        "2.5",
        "61.5",
        "395.00",
        "120.00",
        "75.00",
        {"is_step_free": True, "has_lift": True},
    ),
    (
        "wohnungsbau",
        FlatStatus.CHANGES_REQUESTED,
        "Kaiser-Wilhelm-Straße",
        "210",
        "47169",
        "Marxloh",
        "4",
        "88",
        "520.00",
        "170.00",
        "110.00",
        {"wbs_required": True, "wbs_persons": 4},
    ),
    (
        "wohnungsbau",
        FlatStatus.PUBLISHED,
        "Friedrich-Ebert-Straße",
        "40",
        "47226",
        "Rheinhausen-Mitte",
        "1",
        "38",
        "290.00",
        "85.00",
        "55.00",
        {"pets_allowed": True},
    ),
    (
        "neu",
        FlatStatus.DRAFT,
        "Rheinstraße",
        "1",
        "47198",
        "Alt-Homberg",
        "3",
        "70",
        "450.00",
        "150.00",
        "95.00",
        {},
    ),
]

REVIEW_COMMENT = "Bitte ergänzen Sie ein Foto vom Bad und den Energieausweis, sobald er vorliegt."
DESCRIPTION = (
    "Helle Wohnung in ruhiger Seitenstraße, frisch renoviert.\n"
    "Laminat in allen Zimmern, Bad mit Fenster und Wanne.\n"
    "Straßenbahn und Einkauf in fünf Minuten zu Fuß."
)


def _picture(seed: int, label: str) -> bytes:
    """A simple drawn room: wall, floor, window; enough to see photos work."""
    image = Image.new("RGB", (1600, 1067), (236 - seed * 9, 228 - seed * 5, 214 + seed * 3))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 760, 1600, 1067), fill=(170 - seed * 6, 128, 88))
    draw.rectangle(
        (520 + seed * 40, 180, 1080 + seed * 40, 600),
        fill=(186, 214, 235),
        outline=(250, 250, 250),
        width=24,
    )
    draw.line((800 + seed * 40, 180, 800 + seed * 40, 600), fill=(250, 250, 250), width=16)
    draw.text((60, 60), label, fill=(60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    buffer.seek(0)
    return buffer.getvalue()


def offer_flat(
    owner: User,
    reviewer: User,
    data: dict[str, Any],
    status: FlatStatus = FlatStatus.PUBLISHED,
    photos: Sequence[str] = (),
    comment: str = REVIEW_COMMENT,
    placed: Callable[[Flat], None] | None = None,
) -> Flat:
    """A flat taken through the landlord's and the team's steps up to ``status`` (draft,
    submitted, changes requested or published): created by ``owner`` with ``photos`` (their
    captions), submitted, and reviewed by ``reviewer``. ``placed`` is called right after the
    flat is created (the demo's second site, ``portal.demo.sites``)."""
    flat = ops.create_flat(owner, data)
    if placed is not None:
        placed(flat)
    if photos:
        seed_no = flat.id % 5
        uploads = [
            (f"demo-{position}.jpg", io.BytesIO(_picture(seed_no + position, caption)))
            for position, caption in enumerate(photos)
        ]
        added, refused = ops.add_photos(flat, owner, uploads)
        assert not refused, refused  # noqa: S101 - the demo's own pictures
        for photo, caption in zip(added, photos, strict=True):
            ops.update_photo(photo, owner, caption)
    if status == FlatStatus.DRAFT:
        return flat
    ops.submit_flat(flat, owner)
    if status == FlatStatus.PUBLISHED:
        reviews.decide(flat, reviewer, approve=True, comment=None, changes_only=False)
    elif status == FlatStatus.CHANGES_REQUESTED:
        reviews.decide(flat, reviewer, approve=False, comment=comment, changes_only=False)
    return flat


def resubmit_after_changes(flat: Flat, owner: User, reviewer: User) -> None:
    """A submitted flat's history as the review page shows it: the team asked for changes
    once, the landlord lowered the rent and named the floor, and submitted again."""
    reviews.decide(
        flat,
        reviewer,
        approve=False,
        comment="Die Kaltmiete liegt über der Angemessenheitsgrenze. Bitte prüfen Sie sie.",
        changes_only=False,
    )
    lower = (flat.cold_rent - Decimal("20.00")).quantize(Decimal("0.01"))
    ops.update_flat(flat, owner, {"cold_rent": lower, "floor": (flat.floor or 0) + 1})
    ops.submit_flat(flat, owner)


PHOTOS = {
    0: ["Wohnzimmer mit Balkontür", "Küche"],
    # The draft halfway through the flat form's steps (no area, service or heating costs yet)
    # already has its photo: photos may come first (issue 15).
    1: ["Blick aus dem Wohnzimmer"],
    2: ["Wohnzimmer", "Schlafzimmer", "Bad mit Dusche"],
    3: ["Wohnzimmer"],
    5: ["Zimmer mit Kochnische"],
}


def seed(users: dict[str, User], echo: Callable[[str], None]) -> list[Flat]:
    """The demo landlords' flats, each taken through the steps to its status, then dated back
    (a few days between them)."""
    districts = {d.name: d for d in db.session.scalars(select(District))}
    reviewer = users["immobilien"]
    flats = []
    for index, (
        owner,
        status,
        street,
        number,
        postcode,
        district,
        rooms,
        area,
        cold,
        service,
        heating,
        extra,
    ) in enumerate(FLATS):
        data = {
            "street": street,
            "house_number": number,
            "postcode": postcode,
            "district_id": districts[district].id,
            "floor": index % 4,
            "rooms": Decimal(rooms),
            "living_area": Decimal(area) if area else None,
            "cold_rent": Decimal(cold),
            "service_charges": Decimal(service) if service else None,
            "heating_costs": Decimal(heating) if heating else None,
            "warm_water": "central",
            "deposit": Decimal(cold) * 2,
            "energy_certificate_pending": True,
            "description": DESCRIPTION,
            "available_from": today() + timedelta(days=14 + index * 7),
            **extra,
        }
        flats.append(offer_flat(users[owner], reviewer, data, status, PHOTOS.get(index, [])))
    # The first flat in review was sent back once: its review page shows the history.
    waiting = next(f for f in flats if f.status == FlatStatus.SUBMITTED.value)
    resubmit_after_changes(waiting, db.session.get(User, waiting.created_by_id), reviewer)
    db.session.flush()
    now = utcnow()
    for offset, flat in enumerate(flats):
        flat.created_at = now - timedelta(days=10 - offset, hours=1)
        flat.status_changed_at = now - timedelta(days=10 - offset)
        if flat.status != FlatStatus.DRAFT.value:
            flat.submitted_at = now - timedelta(days=10 - offset)
        if flat.status == FlatStatus.PUBLISHED.value:
            flat.published_at = now - timedelta(days=8 - offset)
    db.session.flush()
    echo(f"  {len(flats)} demo flats with photos")
    return flats
