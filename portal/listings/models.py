"""Flats, their photos, and the reference data they are checked against (districts, rent
limits)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import audit
from portal.core.db import Base, PublicKeyMixin, TimestampMixin, UTCDateTime, utcnow
from portal.core.refusals import Refused
from portal.sites.models import DEFAULT_SITE_ID, SiteOwned
from portal.sites.texts import site_name

if TYPE_CHECKING:
    from portal.accounts.models import Organisation, User

Money = Numeric(10, 2)


class District(SiteOwned, Base):
    """A district (Ortsteil) of a site in its borough (Stadtbezirk); reference data."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    borough: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<District {self.name}>"


class DistrictPostcode(Base):
    """A postcode reaching into a district: a flat's postcode and district must agree
    (``listings.rules.address_problem``); the postcodes of a site's districts are its area."""

    __tablename__ = "district_postcodes"

    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True
    )
    postcode: Mapped[str] = mapped_column(String(5), primary_key=True, index=True)


class RentLimit(SiteOwned, TimestampMixin, Base):
    """Maximum gross cold rent (Bruttokaltmiete) the Jobcenter accepts for a household size
    (Kosten der Unterkunft), from a date on. A newer row for the same size replaces an older
    one from its ``valid_from``."""

    __tablename__ = "rent_limits"
    __table_args__ = (
        UniqueConstraint("site_id", "household_size", "valid_from"),
        CheckConstraint("household_size BETWEEN 1 AND 12", name="household_size"),
        CheckConstraint("max_gross_cold_rent > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_size: Mapped[int]
    max_gross_cold_rent: Mapped[Decimal] = mapped_column(Money)
    valid_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RentLimitExtraPerson(SiteOwned, TimestampMixin, Base):
    """The amount the limit grows by for each person beyond the largest household size of the
    rent-limit table (households of six and more), from a date on. A newer row replaces an older
    one from its ``valid_from``; it is entered with a table, by form or CSV."""

    __tablename__ = "rent_limit_extra_persons"
    __table_args__ = (
        UniqueConstraint("site_id", "valid_from"),
        CheckConstraint("amount > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    valid_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class FlatStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    RESERVED = "reserved"
    LET = "let"
    ARCHIVED = "archived"


class WarmWater(StrEnum):
    CENTRAL = "central"  # from the heating system, paid with the heating costs
    ELECTRIC = "electric"  # boiler or instantaneous heater, paid with the tenant's electricity
    OTHER = "other"


class EnergyCertificateKind(StrEnum):
    DEMAND = "demand"  # Bedarfsausweis
    CONSUMPTION = "consumption"  # Verbrauchsausweis


ENERGY_CARRIERS = (
    "gas",
    "oil",
    "district_heating",
    "electricity",
    "heat_pump",
    "wood_pellets",
    "other",
)
ENERGY_CLASSES = ("A+", "A", "B", "C", "D", "E", "F", "G", "H")

# Who may move a flat from one status to another. "system" is the placement workflow.
LANDLORD, SPECIALIST, SYSTEM = "landlord", "specialist", "system"
TRANSITIONS: dict[tuple[FlatStatus, FlatStatus], frozenset[str]] = {
    (FlatStatus.DRAFT, FlatStatus.SUBMITTED): frozenset({LANDLORD}),
    (FlatStatus.CHANGES_REQUESTED, FlatStatus.SUBMITTED): frozenset({LANDLORD}),
    (FlatStatus.SUBMITTED, FlatStatus.PUBLISHED): frozenset({SPECIALIST}),
    (FlatStatus.SUBMITTED, FlatStatus.CHANGES_REQUESTED): frozenset({SPECIALIST}),
    (FlatStatus.PUBLISHED, FlatStatus.RESERVED): frozenset({SYSTEM}),
    (FlatStatus.RESERVED, FlatStatus.PUBLISHED): frozenset({SYSTEM}),
    (FlatStatus.RESERVED, FlatStatus.LET): frozenset({SYSTEM}),
    (FlatStatus.LET, FlatStatus.ARCHIVED): frozenset({SPECIALIST}),
    (FlatStatus.DRAFT, FlatStatus.ARCHIVED): frozenset({LANDLORD}),
    (FlatStatus.SUBMITTED, FlatStatus.ARCHIVED): frozenset({LANDLORD}),
    (FlatStatus.CHANGES_REQUESTED, FlatStatus.ARCHIVED): frozenset({LANDLORD}),
    (FlatStatus.PUBLISHED, FlatStatus.ARCHIVED): frozenset({LANDLORD}),
    (FlatStatus.ARCHIVED, FlatStatus.DRAFT): frozenset({LANDLORD}),  # list it again
}
EDITABLE = frozenset(
    {FlatStatus.DRAFT, FlatStatus.CHANGES_REQUESTED, FlatStatus.SUBMITTED, FlatStatus.PUBLISHED}
)
# Editing a published flat (listings/operations/editing.py, update_flat): changes to these
# fields wait for the team's review in ``Flat.pending_changes`` while the columns keep the
# approved version.
# They are what matching, the rent check and the household rely on: address, size, money, WBS,
# access, pets, the date, the description (and new photos, see Photo.is_approved).
MATERIAL_FIELDS = (
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
    "pets_allowed",
    "description",
    "available_from",
)
# Fields that apply at once on a published flat: a balcony, and the energy certificate's
# details (a legal disclosure the landlord must keep correct; matching does not use them).
IMMEDIATE_FIELDS = (
    "has_balcony",
    "energy_certificate_pending",
    "energy_kind",
    "energy_value",
    "energy_carrier",
    "building_year",
    "energy_class",
    "energy_valid_until",
)
# Statuses in which the team reviews the whole flat (so every photo is shown to the reviewer).
WHOLE_REVIEW = frozenset({FlatStatus.DRAFT, FlatStatus.SUBMITTED, FlatStatus.CHANGES_REQUESTED})


# The code of a refused status change of a flat (Flat.transition).
ILLEGAL_MOVE = "flat_move"


class Flat(SiteOwned, PublicKeyMixin, TimestampMixin, Base):
    __tablename__ = "flats"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'submitted', 'changes_requested', 'published', 'reserved', "
            "'let', 'archived')",
            name="status",
        ),
        CheckConstraint("rooms IS NULL OR (rooms >= 1 AND rooms <= 10)", name="rooms"),
        CheckConstraint(
            "living_area IS NULL OR (living_area >= 10 AND living_area <= 300)", name="living_area"
        ),
        CheckConstraint("cold_rent IS NULL OR cold_rent >= 0", name="cold_rent"),
        CheckConstraint("service_charges IS NULL OR service_charges >= 0", name="service_charges"),
        CheckConstraint("heating_costs IS NULL OR heating_costs >= 0", name="heating_costs"),
        CheckConstraint("deposit IS NULL OR deposit >= 0", name="deposit"),
        Index("ix_flats_status_submitted", "status", "submitted_at"),
        # Published flats with changes waiting for review, found and counted from the index.
        Index("ix_flats_status_changes", "status", "changes_submitted_at"),
        Index("ix_flats_organisation_status", "organisation_id", "status"),
        Index("ix_flats_created_at", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=FlatStatus.DRAFT.value)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    review_comment: Mapped[str | None] = mapped_column(Text)

    # Address
    street: Mapped[str | None] = mapped_column(String(120))
    house_number: Mapped[str | None] = mapped_column(String(12))
    postcode: Mapped[str | None] = mapped_column(String(5))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    # Size and layout
    floor: Mapped[int | None]
    rooms: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    living_area: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # Costs
    cold_rent: Mapped[Decimal | None] = mapped_column(Money)  # Nettokaltmiete
    service_charges: Mapped[Decimal | None] = mapped_column(Money)  # Betriebskosten
    heating_costs: Mapped[Decimal | None] = mapped_column(Money)  # Heizkosten
    warm_water: Mapped[str | None] = mapped_column(String(12))
    deposit: Mapped[Decimal | None] = mapped_column(Money)  # Kaution
    # Equipment and access
    wbs_required: Mapped[bool] = mapped_column(default=False)  # Wohnberechtigungsschein
    wbs_persons: Mapped[int | None]
    is_step_free: Mapped[bool] = mapped_column(default=False)
    is_wheelchair_accessible: Mapped[bool] = mapped_column(default=False)
    has_lift: Mapped[bool] = mapped_column(default=False)
    has_balcony: Mapped[bool] = mapped_column(default=False)
    pets_allowed: Mapped[bool] = mapped_column(default=False)
    # Energy certificate (GEG §87)
    energy_certificate_pending: Mapped[bool] = mapped_column(default=False)
    energy_kind: Mapped[str | None] = mapped_column(String(12))
    energy_value: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))  # kWh/(m²·a)
    energy_carrier: Mapped[str | None] = mapped_column(String(20))
    building_year: Mapped[int | None]
    energy_class: Mapped[str | None] = mapped_column(String(3))
    energy_valid_until: Mapped[date | None] = mapped_column(Date)
    # Description and availability
    description: Mapped[str | None] = mapped_column(Text)
    available_from: Mapped[date | None] = mapped_column(Date)
    # Changes to a published flat waiting for review: {"fields": {name: JSON value},
    # "captions": {photo id: caption}}. The columns above keep the last approved version,
    # which is all that staff, matching and households see until the team approves.
    pending_changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changes_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # in review
    changes_comment: Mapped[str | None] = mapped_column(Text)  # the team sent them back

    organisation: Mapped[Organisation] = relationship()
    district: Mapped[District | None] = relationship()
    photos: Mapped[list[Photo]] = relationship(
        back_populates="flat", order_by="Photo.position", cascade="all, delete-orphan"
    )

    # Derived figures --------------------------------------------------------------------------
    @property
    def gross_cold_rent(self) -> Decimal | None:
        """Bruttokaltmiete: cold rent plus service charges, the figure the Jobcenter compares."""
        if self.cold_rent is None or self.service_charges is None:
            return None
        return self.cold_rent + self.service_charges

    @property
    def warm_rent(self) -> Decimal | None:
        gross = self.gross_cold_rent
        if gross is None or self.heating_costs is None:
            return None
        return gross + self.heating_costs

    @property
    def rent_per_m2(self) -> Decimal | None:
        if self.cold_rent is None or not self.living_area:
            return None
        return (self.cold_rent / self.living_area).quantize(Decimal("0.01"))

    @property
    def cover(self) -> Photo | None:
        for photo in self.photos:
            if photo.is_cover:
                return photo
        return self.photos[0] if self.photos else None

    @property
    def shown_photos(self) -> list[Photo]:
        """The photos staff see beside the approved facts: all of them while the whole flat is
        reviewed, otherwise only the approved ones (a new photo of a published flat waits)."""
        if self.status in WHOLE_REVIEW:
            return list(self.photos)
        return [photo for photo in self.photos if photo.is_approved]

    @property
    def pending_photos(self) -> list[Photo]:
        if self.status in WHOLE_REVIEW:
            return []
        return [photo for photo in self.photos if not photo.is_approved]

    @property
    def changes_in_review(self) -> bool:
        return self.changes_submitted_at is not None

    @property
    def address_line(self) -> str:
        parts = " ".join(p for p in (self.street, self.house_number) if p)
        # The site's name: "47057 Duisburg", "45143 Essen" (DESIGN.md §9).
        place = " ".join(
            p for p in (self.postcode, site_name(self.site_id or DEFAULT_SITE_ID)) if p
        )
        return ", ".join(p for p in (parts, place) if p)

    # Rules --------------------------------------------------------------------------------------
    def belongs_to(self, user: User) -> bool:
        return user.organisation_id is not None and user.organisation_id == self.organisation_id

    def can_view(self, user: User) -> bool:
        return self.belongs_to(user) or user.role in ("specialist", "social_worker")

    def can_edit(self, user: User) -> bool:
        return self.belongs_to(user) and self.status in EDITABLE

    def can_move(self, to: FlatStatus, actor_kind: str) -> bool:
        return actor_kind in TRANSITIONS.get((FlatStatus(self.status), to), frozenset())

    def transition(self, to: FlatStatus, actor: User | None, actor_kind: str, **details) -> None:
        """The one place that changes ``status``: refuses moves the flow does not allow for this
        kind of actor (nothing changes then) and writes the audit event."""
        if not self.can_move(to, actor_kind):
            raise Refused(
                ILLEGAL_MOVE,
                _l("This is not possible in the flat's current state."),
            )
        previous = self.status
        now = utcnow()
        self.status = to.value
        self.status_changed_at = now
        if to == FlatStatus.SUBMITTED:
            self.submitted_at = now
            self.submitted_by_id = actor.id if actor is not None else None
        elif to == FlatStatus.PUBLISHED:
            self.published_at = self.published_at or now
        audit.record(f"flat.{to.value}", actor=actor, obj=self, previous=previous, **details)

    def __repr__(self) -> str:
        return f"<Flat {self.id} {self.status}>"


class Photo(PublicKeyMixin, TimestampMixin, Base):
    """A photo of a flat, stored re-encoded in width variants under a server-made name."""

    __tablename__ = "photos"
    __table_args__ = (UniqueConstraint("storage_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flat_id: Mapped[int] = mapped_column(ForeignKey("flats.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(40))
    widths: Mapped[str] = mapped_column(String(40))  # "320,1024,2048"
    height_ratio: Mapped[Decimal] = mapped_column(Numeric(8, 5))  # height / width
    extension: Mapped[str] = mapped_column(String(5), default="webp")
    position: Mapped[int] = mapped_column(default=0)
    is_cover: Mapped[bool] = mapped_column(default=False)
    # False for a photo added to a published flat until the team approves the flat's changes.
    is_approved: Mapped[bool] = mapped_column(default=True, server_default=true())
    caption: Mapped[str | None] = mapped_column(String(200))

    flat: Mapped[Flat] = relationship(back_populates="photos")

    @property
    def width_list(self) -> list[int]:
        return [int(w) for w in self.widths.split(",") if w]

    def file_name(self, width: int) -> str:
        return f"photos/{self.storage_key}-{width}.{self.extension}"

    def height_for(self, width: int) -> int:
        return max(1, round(width * self.height_ratio))


class ReviewDecision(StrEnum):
    PUBLISHED = "published"
    CHANGES_REQUESTED = "changes_requested"
    CHANGES_APPROVED = "changes_approved"
    CHANGES_RETURNED = "changes_returned"


class FlatReview(Base):
    """One decision of the team on a flat (listings/review.py): who decided what and when, the
    comment to the landlord, and the values the team looked at (``snapshot``: field name to
    JSON value, listings/changes.dump), so the next review shows what the landlord changed
    since. Free text and the flat's address live here, not in the append-only audit trail, so
    an erasure can empty them (privacy/operations.py)."""

    __tablename__ = "flat_reviews"
    __table_args__ = (
        CheckConstraint(
            "decision IN ('published', 'changes_requested', 'changes_approved', "
            "'changes_returned')",
            name="decision",
        ),
        Index("ix_flat_reviews_flat", "flat_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flat_id: Mapped[int] = mapped_column(ForeignKey("flats.id", ondelete="CASCADE"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<FlatReview {self.flat_id} {self.decision}>"


class HeatingThreshold(SiteOwned, TimestampMixin, Base):
    """The highest column ("zu hoch") of the nationwide heating-cost guide (Heizspiegel) for one
    heating kind, in € per m² and year, from a date on: heating costs above it times the
    appropriate floor area are not appropriate for the Jobcenter (§22 (1) SGB II). The kinds
    are the flat's ``energy_carrier`` values (listings/heating.py). A newer row for the same
    kind replaces an older one from its ``valid_from``, as with RentLimit."""

    __tablename__ = "heating_thresholds"
    __table_args__ = (
        UniqueConstraint("site_id", "heating_kind", "valid_from"),
        CheckConstraint("max_per_m2_year > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    heating_kind: Mapped[str] = mapped_column(String(20))
    max_per_m2_year: Mapped[Decimal] = mapped_column(Money)
    valid_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
