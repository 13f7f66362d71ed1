"""The site, its staff memberships and the mixin of every row that belongs to one site."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, TimestampMixin
from portal.sites.labels import STATUS_LABELS

# The site every existing row was put into by migration 0026, and the one a row gets when the
# code that creates it names none: a deployment with one site works exactly as before sites.
DEFAULT_SITE_ID = 1


class SiteStatus(StrEnum):
    PREPARING = "preparing"  # staff and reference data being set up; landlords do not see it
    ACTIVE = "active"
    ARCHIVED = "archived"  # the project ended: records kept for the ESF retention, no new work


class Site(TimestampMixin, Base):
    """One Kümmerer project: a city or district with its own tandem."""

    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("slug"),
        UniqueConstraint("code_prefix"),
        CheckConstraint("status IN ('preparing', 'active', 'archived')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    # The Amtlicher Gemeindeschlüssel (8 digits; a Kreis ends in 000), for the reports.
    municipality_key: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default=SiteStatus.ACTIVE.value)
    # The start of its households' pseudonymous codes: DU-2026-0042, E-2026-0007.
    code_prefix: Mapped[str] = mapped_column(String(6))
    # The site's own texts; None means the deployment's configuration (PROGRAMME_CONTACT, ...).
    contact_text: Mapped[str | None] = mapped_column(Text)
    funding_text: Mapped[str | None] = mapped_column(Text)
    imprint_text: Mapped[str | None] = mapped_column(Text)
    # The site's project number with the ESF+ funding body (each Kümmerer project is funded on
    # its own); None means the deployment's ESF_PROJECT_ID.
    esf_project_id: Mapped[str | None] = mapped_column(String(40))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_active(self) -> bool:
        return self.status == SiteStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Site {self.slug}>"


# Staff of a site: a staff member belongs to one or more sites and sees only those.
user_sites = Table(
    "user_sites",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SiteOwned:
    """A row that belongs to exactly one site. Staff queries are filtered on ``site_id`` for
    every class with this mixin (``portal.sites.scope``)."""

    # No index of its own: with few sites it is rarely selective, and SQLite (without table
    # statistics) would prefer it to the indexes a query needs; the composite indexes that
    # matter (the matching index) hold it.
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="RESTRICT"), default=DEFAULT_SITE_ID
    )
