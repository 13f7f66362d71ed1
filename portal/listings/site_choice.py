"""Whose reference data a back-office page shows and changes: one site's (DESIGN.md §9). A staff
member of one site sees no chooser; with several, ``?site=<slug>`` picks one (the first by
default). Only a site the user works for may be shown or changed."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core.refusals import Refused
from portal.sites.models import Site
from portal.sites.queries import site_named

NOT_FOUND = 404


def chosen_site(user: User) -> Site:
    """The site named by ``?site=<slug>`` among the user's sites, else the first of them;
    404 for a slug of a site the user does not work for (ids and slugs leak nothing) and for a
    staff member without any site."""
    return site_named(list(user.sites), request.args.get("site"))


def site_arg(user: User, site: Site) -> dict[str, str]:
    """The query argument that keeps a page on ``site``: none for a staff member of one site,
    whose pages look as before sites."""
    return {"site": site.slug} if len(user.sites) > 1 else {}


def refuse_unless_member(user: User, site_id: int) -> None:
    """Refuses (404, as for an object of another site) a change to the reference data of a
    site the user does not work for."""
    if site_id not in {site.id for site in user.sites}:
        raise Refused(
            "other_site",
            _l("You do not work for this site."),
            status=NOT_FOUND,
            detail=str(site_id),
        )
