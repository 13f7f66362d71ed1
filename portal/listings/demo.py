"""Demo flats for ``make run``: every status a landlord and the specialist meet, with photos."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import select

from portal.accounts.models import User
from portal.core import clock, storage
from portal.core.db import utcnow
from portal.extensions import db
from portal.listings.models import District, Flat, FlatStatus, Photo
from portal.listings.photos import process_photo

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


def _add_photo(flat: Flat, seed: int, caption: str, position: int) -> None:
    processed = process_photo(io.BytesIO(_picture(seed, caption)))
    photo = Photo(
        flat=flat,
        storage_key=storage.new_key(),
        widths=",".join(str(v.width) for v in processed.variants),
        height_ratio=Decimal(processed.variants[-1].height) / processed.variants[-1].width,
        extension=processed.extension,
        position=position,
        is_cover=position == 0,
        caption=caption,
    )
    for variant in processed.variants:
        storage.save(photo.file_name(variant.width), variant.data)
    db.session.add(photo)


def seed(users: dict[str, User], echo: Callable[[str], None]) -> list[Flat]:
    districts = {d.name: d for d in db.session.scalars(select(District))}
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
        user = users[owner]
        flat = Flat(
            organisation_id=user.organisation_id,
            created_by_id=user.id,
            status=status.value,
            street=street,
            house_number=number,
            postcode=postcode,
            district=districts[district],
            floor=index % 4,
            rooms=Decimal(rooms),
            living_area=Decimal(area) if area else None,
            cold_rent=Decimal(cold),
            service_charges=Decimal(service) if service else None,
            heating_costs=Decimal(heating) if heating else None,
            warm_water="central",
            deposit=Decimal(cold) * 2,
            energy_certificate_pending=True,
            description=DESCRIPTION,
            available_from=clock.today() + timedelta(days=14 + index * 7),
            **extra,
        )
        if status != FlatStatus.DRAFT:
            flat.submitted_by_id = user.id
        if status == FlatStatus.CHANGES_REQUESTED:
            flat.review_comment = (
                "Bitte ergänzen Sie ein Foto vom Bad und den Energieausweis, sobald er vorliegt."
            )
        db.session.add(flat)
        flats.append(flat)
    db.session.flush()
    now = utcnow()
    for offset, flat in enumerate(flats):
        flat.status_changed_at = now - timedelta(days=10 - offset)
        if flat.status != FlatStatus.DRAFT.value:
            flat.submitted_at = now - timedelta(days=10 - offset)
        if flat.status == FlatStatus.PUBLISHED.value:
            flat.published_at = now - timedelta(days=8 - offset)
    for seed_no, (flat, captions) in enumerate(
        [
            (flats[0], ["Wohnzimmer mit Balkontür", "Küche"]),
            (flats[2], ["Wohnzimmer", "Schlafzimmer", "Bad mit Dusche"]),
            (flats[3], ["Wohnzimmer"]),
            (flats[5], ["Zimmer mit Kochnische"]),
        ]
    ):
        for position, caption in enumerate(captions):
            _add_photo(flat, seed_no + position, caption, position)
    db.session.flush()
    echo(f"  {len(flats)} demo flats with photos")
    return flats
