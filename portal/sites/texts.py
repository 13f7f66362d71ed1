"""A site's own texts (programme contact, funding line, imprint), falling back to the
deployment's configuration (PROGRAMME_CONTACT_EMAIL/PHONE, PROGRAMME_FUNDING_LINE).

``site_text(site, "contact")`` is the one rule: the site's own text when it has one, else the
configuration. Pages that belong to no site (the landing page, the imprint, every page's
footer) show the default site's texts: a deployment with one site shows its texts, and one
whose default site has none looks exactly as before sites.

Those pages are many and the footer is rendered once per process (``core.fragments``), so
the default site's texts are not read on every request: each process keeps them for
``CACHE_SECONDS``. A change on the admin page shows at once in the process that made it and
within a minute everywhere else.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app
from jinja2 import pass_context
from sqlalchemy.exc import SQLAlchemyError

from portal.core.audit import site_of
from portal.core.db import Base
from portal.sites.models import DEFAULT_SITE_ID, Site

KINDS = ("contact", "funding", "imprint")
CACHE_SECONDS = 60
_EXTENSION = "site_texts"


def own_text(site: Site, kind: str) -> str | None:
    """The site's own text of ``kind``, or None when it uses the configuration."""
    if kind not in KINDS:
        raise ValueError(f"unknown site text {kind!r}")
    value = (getattr(site, f"{kind}_text") or "").strip()
    return value or None


def config_text(kind: str) -> str:
    """What the configuration says for ``kind`` (no imprint: the template's default)."""
    config = current_app.config
    if kind == "contact":
        return f"{config['PROGRAMME_CONTACT_EMAIL']} · {config['PROGRAMME_CONTACT_PHONE']}"
    if kind == "funding":
        return config["PROGRAMME_FUNDING_LINE"]
    if kind == "imprint":
        return ""
    raise ValueError(f"unknown site text {kind!r}")


def _cache() -> dict[int, tuple[float, dict[str, str | None]]]:
    return current_app.extensions.setdefault(_EXTENSION, {})


def own_texts(site_id: int) -> dict[str, str | None]:
    """The own texts of the site with ``site_id`` (kept per process, see above)."""
    from portal.extensions import db

    cache = _cache()
    now = time.monotonic()
    entry = cache.get(site_id)
    if entry is None or now - entry[0] > CACHE_SECONDS:
        try:
            site = db.session.get(Site, site_id)
        except SQLAlchemyError:
            # The database is out of reach (an error page is being drawn): the configuration's
            # texts, read again next time.
            db.session.rollback()
            return {**dict.fromkeys(KINDS), "name": None}
        values = {kind: own_text(site, kind) if site else None for kind in KINDS}
        values["name"] = site.name if site else None
        entry = (now, values)
        cache[site_id] = entry
    return entry[1]


def site_name(site_id: int) -> str:
    """The name of the site with ``site_id`` (a flat's address line, "any district of Essen"),
    kept per process like the texts."""
    return own_texts(site_id)["name"] or ""


def forget(site_id: int | None = None) -> None:
    """Read the texts again at their next use (of one site, or of all)."""
    cache = _cache()
    if site_id is None:
        cache.clear()
    else:
        cache.pop(site_id, None)


def site_text(site: Site | int | None, kind: str) -> str:
    """The text of ``kind`` for ``site`` (a Site, its id, or None for the default site): its
    own text when set, else the configuration's."""
    if isinstance(site, Site):
        own = own_text(site, kind)
    else:
        own = own_texts(DEFAULT_SITE_ID if site is None else site)[kind]
    return own if own is not None else config_text(kind)


class ProgrammeTexts:
    """The template global ``programme``: the contact and funding line of pages that belong to
    no site (the default site's texts, else the configuration). ``contact``/``imprint`` are the
    site's own texts or None: templates then show the configured e-mail and phone, or the
    default imprint."""

    @property
    def email(self) -> str:
        return current_app.config["PROGRAMME_CONTACT_EMAIL"]

    @property
    def phone(self) -> str:
        return current_app.config["PROGRAMME_CONTACT_PHONE"]

    @property
    def funding_line(self) -> str:
        return site_text(None, "funding")

    @property
    def contact(self) -> str | None:
        return own_texts(DEFAULT_SITE_ID)["contact"]

    @property
    def imprint(self) -> str | None:
        return own_texts(DEFAULT_SITE_ID)["imprint"]


def _site_of(context: Any) -> Site | int | None:
    """The site a mail is about: ``site`` in its context, else the site of the first row the
    template was given that belongs to a site (``core.audit.site_of``: a flat, placement,
    household, mediation case, or a row of one of them)."""
    site = context.get("site")
    if isinstance(site, Site):
        return site
    for value in context.values():
        if isinstance(value, Base) and (site_id := site_of(value)):
            return site_id
    return None


@pass_context
def contact_line(context: Any) -> str:
    """For mails: the contact of the site the mail is about (``_site_of``)."""
    return site_text(_site_of(context), "contact")


def init_texts(app: Flask) -> None:
    app.jinja_env.globals["programme"] = ProgrammeTexts()
    app.jinja_env.globals["contact_line"] = contact_line
    app.jinja_env.globals["site_text"] = site_text
