"""Which sites there are and which a user works for."""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, select, true

from portal.extensions import db
from portal.sites.models import DEFAULT_SITE_ID, Site, SiteStatus, user_sites
from portal.sites.scope import current_site_ids


def active_sites() -> list[Site]:
    """The sites taking new work (landlords list flats there, visitors ask for mediation)."""
    return list(
        db.session.scalars(select(Site).where(Site.status == SiteStatus.ACTIVE).order_by(Site.id))
    )


def working_sites(user: Any) -> list[Site]:
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


def colleagues_of(user_id: Any, site_ids: tuple[int, ...] | list[int]) -> ColumnElement[bool]:
    """``user_id`` (a users.id column) is a staff member of one of ``site_ids``."""
    return user_id.in_(select(user_sites.c.user_id).where(user_sites.c.site_id.in_(site_ids)))


def colleagues(user_id: Any) -> ColumnElement[bool]:
    """In a staff request: ``user_id`` is staff of the user's own sites (whom a case can be
    assigned to); elsewhere every user."""
    site_ids = current_site_ids()
    return true() if site_ids is None else colleagues_of(user_id, site_ids)


def site_named(sites: list[Site], slug: str | None) -> Site:
    """The site with ``slug`` (``?site=``) among ``sites``, else the first of them; 404 for a
    slug of a site not among them (another site's objects answer 404 too), and for no sites."""
    slug = (slug or "").strip()
    site = next((s for s in sites if s.slug == slug), None) if slug else next(iter(sites), None)
    if site is None:
        abort(404)
    return site
