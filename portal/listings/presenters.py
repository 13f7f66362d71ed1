"""What a flat page shows beyond the stored fields: the derived money figures and the rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _

from portal.core.i18n import area, day, money, number
from portal.extensions import db
from portal.listings import changes
from portal.listings.affordability import affordability_sentence
from portal.listings.forms import FlatForm
from portal.listings.labels import (
    energy_carrier_label,
    energy_kind_label,
    next_step,
    status_label,
    warm_water_label,
)
from portal.listings.models import District, Flat, Photo
from portal.listings.rules import RentLimitTable, limits_in_force, size_range, suitable_sizes
from portal.sites.models import DEFAULT_SITE_ID


@dataclass(frozen=True)
class FlatFacts:
    gross_cold_rent: Decimal | None
    warm_rent: Decimal | None
    rent_per_m2: Decimal | None
    affordable: tuple[int, int] | None  # household sizes whose rent limit the flat keeps
    limits_valid_since: date | None
    area_suits: tuple[int, int] | None  # household sizes the floor area suits (WNB)

    @property
    def affordability(self) -> str | None:
        """The affordability in one plain sentence; None until the rent is entered."""
        if self.gross_cold_rent is None or self.limits_valid_since is None:
            return None
        first, last = self.affordable or (0, -1)
        return affordability_sentence(list(range(first, last + 1)))


def flat_facts(flat: Flat, table: RentLimitTable | None = None) -> FlatFacts:
    """The figures of the flat page, the rent measured by the table of the flat's site."""
    if table is None or table.site_id != flat.site_id:
        table = limits_in_force(site_id=flat.site_id or DEFAULT_SITE_ID)
    return FlatFacts(
        gross_cold_rent=flat.gross_cold_rent,
        warm_rent=flat.warm_rent,
        rent_per_m2=flat.rent_per_m2,
        affordable=size_range(table.affordable_sizes(flat.gross_cold_rent)),
        limits_valid_since=table.valid_since,
        # The WNB area binds only a flat that requires a WBS; for any other flat the rent
        # decides (product theory), so no size is named.
        area_suits=size_range(suitable_sizes(flat.rooms, flat.living_area))
        if flat.wbs_required
        else None,
    )


MONEY_FIELDS = frozenset({"cold_rent", "service_charges", "heating_costs", "deposit"})


@dataclass(frozen=True)
class PendingRow:
    label: str
    approved: str
    proposed: str


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "district_id":
        district = db.session.get(District, value)
        return district.name if district else "–"
    if name == "warm_water":
        return warm_water_label(value)
    if name in MONEY_FIELDS:
        return money(value)
    if name == "living_area":
        return area(value)
    if name in changes.DATE_FIELDS:
        return day(value)
    if name in changes.DECIMAL_FIELDS:
        return number(value)
    return str(value)


def field_label(name: str) -> str:
    """The flat form's label of a field, in the reader's language."""
    return str(getattr(FlatForm, name).args[0])


def shown_value(name: str, value) -> str:
    """A field's value as a reader sees it: money, areas, dates and numbers through Babel,
    choices by their label, "–" for nothing."""
    if value and name == "energy_kind":
        return energy_kind_label(value)
    if value and name == "energy_carrier":
        return energy_carrier_label(value)
    return _shown(name, value)


def pending_rows(flat: Flat) -> list[PendingRow]:
    """The flat's changes waiting for review, field by field: approved and proposed value."""
    rows = [
        PendingRow(
            str(getattr(FlatForm, name).args[0]),
            _shown(name, getattr(flat, name)),
            _shown(name, value),
        )
        for name, value in changes.pending_fields(flat).items()
    ]
    photos = {photo.id: photo for photo in flat.photos}
    for photo_id, caption in changes.pending_captions(flat).items():
        photo = photos.get(photo_id)
        if photo is not None:
            rows.append(
                PendingRow(
                    _("Caption of photo %(n)d", n=flat.photos.index(photo) + 1),
                    photo.caption or "–",
                    caption or "–",
                )
            )
    return rows


@dataclass(frozen=True)
class PhotoSource:
    """What an ``<img>`` of a photo needs: the address at the width shown, every width for
    ``srcset``, and the size the browser reserves."""

    src: str
    srcset: str
    width: int
    height: int


def photo_source(photo: Photo, default_width: int = 1024) -> PhotoSource:
    """The photo's addresses, built with one ``url_for`` (they differ only in the last part,
    ``<width>.<ext>``): a card list shows several photos with three or four widths each."""
    widths = photo.width_list
    shown = [w for w in widths if w <= default_width]
    src_width = shown[-1] if shown else widths[0]
    first = url_for(
        "listings.photo_file",
        flat_key=photo.flat.public_key,
        photo_key=photo.public_key,
        width=widths[0],
        ext=photo.extension,
    )
    stem = first.rsplit("/", 1)[0]
    urls = {w: f"{stem}/{w}.{photo.extension}" for w in widths}
    return PhotoSource(
        src=urls[src_width],
        srcset=", ".join(f"{urls[w]} {w}w" for w in widths),
        width=src_width,
        height=photo.height_for(src_width),
    )


TEMPLATE_HELPERS = {
    "flat_photo_source": photo_source,
    "flat_status_label": status_label,
    "flat_next_step": next_step,
    "warm_water_label": warm_water_label,
    "energy_kind_label": energy_kind_label,
    "energy_carrier_label": energy_carrier_label,
    "flat_pending_rows": pending_rows,
}
