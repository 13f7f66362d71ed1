"""Which sites there are and which a user works for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort
from sqlalchemy import ColumnElement, select, true

from portal.extensions import db
from portal.sites.models import DEFAULT_SITE_ID, Site, SiteStatus, user_sites
from portal.sites.scope import current_site_ids

if TYPE_CHECKING:
    from portal.accounts.models import User


def active_sites() -> list[Site]:
    """The sites taking new work (landlords list flats there, visitors ask for mediation)."""
    return list(
        db.session.scalars(select(Site).where(Site.status == SiteStatus.ACTIVE).order_by(Site.id))
    )


def working_sites(user: User) -> list[Site]:
    """The sites a staff member can start new work in (theirs, not archived)."""
    return [site for site in user.sites if site.status != SiteStatus.ARCHIVED]


def default_site() -> Site:
    site = db.session.get(Site, DEFAULT_SITE_ID)
    if site is None:  # pragma: no cover - migration 0026 and ensure_reference_data make it
        raise LookupError("the default site is missing")
    return site


def chosen_site(sites: list[Site], site_id: int | None) -> Site:
    """The site of ``site_id`` among ``sites`` (the one there is, when only one); 404 for a
    site the user may not choose."""
    if len(sites) == 1 and site_id is None:
        return sites[0]
    site = next((s for s in sites if s.id == site_id), None)
    if site is None:
        abort(404)
    return site


def colleagues_of(site_ids: tuple[int, ...] | list[int]) -> ColumnElement[bool]:
    """``User`` rows of staff who work for one of ``site_ids``."""
    from portal.accounts.models import User

    return User.id.in_(select(user_sites.c.user_id).where(user_sites.c.site_id.in_(site_ids)))


def colleagues() -> ColumnElement[bool]:
    """In a staff request: staff of the user's own sites (whom a case can be assigned to);
    elsewhere every user."""
    site_ids = current_site_ids()
    return true() if site_ids is None else colleagues_of(site_ids)
