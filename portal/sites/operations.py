"""Creating and changing sites and their staff (DESIGN.md §9): the rules for the command line
(``flask sites ...``) and the admin page alike.

Each operation checks what it is given, changes the rows, writes an audit event (the site's id
and slug, the staff member's id: never a name, an address or a text) and flushes; the caller
commits. A refusal (``Refused``, with words for the admin page, BAD_INPUT for wrong input)
changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from portal.accounts.models import Role, User
from portal.core import audit
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db
from portal.sites import texts
from portal.sites.models import Site, SiteStatus, user_sites

SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
AGS_RE = re.compile(r"[0-9]{8}")  # Amtlicher Gemeindeschlüssel
PREFIX_RE = re.compile(r"[A-Z]{1,6}")
TEXT_FIELDS = ("contact_text", "funding_text", "imprint_text")
MAX_NAME = 100
MAX_TEXT = 2000


def _bad(code: str, message: Any) -> Refused:
    return Refused(code, message, status=BAD_INPUT)


def _clean_text(value: str | None) -> str | None:
    """A site text as stored: trimmed; empty means "use the configuration" (None)."""
    value = (value or "").strip().replace("\r\n", "\n")
    if len(value) > MAX_TEXT:
        raise _bad("text_too_long", _l("A text may have at most 2000 characters."))
    return value or None


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise _bad("name", _l("Please enter the site's name (at most 100 characters)."))
    return name


def _check_status(status: str) -> str:
    if status not in {s.value for s in SiteStatus}:
        raise _bad("status", _l("Please choose a status: in preparation, active or archived."))
    return status


def check_new_site(slug: str, municipality_key: str, code_prefix: str) -> dict[str, str]:
    """Slug, municipality key and code prefix checked and normalised: a slug of lower-case
    letters, digits and hyphens, an AGS of 8 digits, a prefix of 1 to 6 capital letters, slug
    and prefix not taken by another site. Refused (BAD_INPUT) with the first problem found."""
    slug, key, prefix = (slug or "").strip(), (municipality_key or "").strip(), code_prefix or ""
    prefix = prefix.strip()
    if not SLUG_RE.fullmatch(slug):
        raise _bad(
            "slug",
            _l(
                "The short name may contain only lower-case letters, digits and hyphens "
                "(at most 40), e.g. essen or kreis-wesel."
            ),
        )
    if not AGS_RE.fullmatch(key):
        raise _bad(
            "municipality_key",
            _l("The municipality key (AGS) has exactly 8 digits, e.g. 05113000 for Essen."),
        )
    if not PREFIX_RE.fullmatch(prefix):
        raise _bad(
            "code_prefix",
            _l("The code prefix has 1 to 6 capital letters (A–Z), e.g. E or WES."),
        )
    if db.session.scalar(select(Site.id).where(Site.slug == slug)) is not None:
        raise _bad("slug_taken", _l("Another site has this short name already."))
    if db.session.scalar(select(Site.id).where(Site.code_prefix == prefix)) is not None:
        raise _bad("prefix_taken", _l("Another site uses this code prefix already."))
    return {"slug": slug, "municipality_key": key, "code_prefix": prefix}


def create_site(
    slug: str,
    name: str,
    municipality_key: str,
    code_prefix: str,
    status: str = SiteStatus.PREPARING.value,
    actor: User | None = None,
) -> Site:
    """A new site, checked (``check_new_site``, a name, a known status). A staff ``actor`` (the
    admin who creates it on the admin page) becomes its first member; the command line names
    no actor. Audited as ``site.created``."""
    values = check_new_site(slug, municipality_key, code_prefix)
    site = Site(name=_check_name(name), status=_check_status(status), **values)
    db.session.add(site)
    db.session.flush()
    audit.record("site.created", actor=actor, obj=site, sites=site.slug, status=site.status)
    if actor is not None and actor.is_staff:
        add_member(site, actor, actor)
    return site


MAX_PROJECT_ID = 40


def _check_project_id(value: str | None) -> str | None:
    """The ESF+ project number as the funding body writes it (letters, digits, - / . and
    spaces), or None for the deployment's ``ESF_PROJECT_ID``."""
    value = " ".join((value or "").split())
    if not value:
        return None
    if len(value) > MAX_PROJECT_ID or not all(c.isalnum() or c in "-/. " for c in value):
        raise _bad(
            "esf_project_id",
            _l("The project number may hold letters, digits, - / . and spaces (40 at most)."),
        )
    return value


def update_site(site: Site, actor: User | None, data: dict[str, Any]) -> list[str]:
    """Change the site's name, status and texts (only the keys in ``data``); an empty text
    means the deployment's configuration again. Returns the changed field names, audited as
    ``site.updated`` (names and the new status, never the texts)."""
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = _check_name(data["name"])
    if "status" in data:
        values["status"] = _check_status(data["status"])
    for field in TEXT_FIELDS:
        if field in data:
            values[field] = _clean_text(data[field])
    if "esf_project_id" in data:
        values["esf_project_id"] = _check_project_id(data["esf_project_id"])
    changed = [name for name, value in values.items() if getattr(site, name) != value]
    for name in changed:
        setattr(site, name, values[name])
    if changed:
        db.session.flush()
        details: dict[str, Any] = {"fields": ",".join(changed)}
        if "status" in changed:
            details["status"] = site.status
        audit.record("site.updated", actor=actor, obj=site, **details)
        texts.forget(site.id)  # the pages show the new texts at once (in this process)
    return changed


def members(site: Site) -> Select[tuple[User]]:
    """The statement of the site's staff, by name: a statement, for the page to read a page
    of it."""
    return (
        select(User)
        .join(user_sites, user_sites.c.user_id == User.id)
        .where(user_sites.c.site_id == site.id)
        .order_by(User.full_name, User.email)
    )


def staff_counts(sites: list[Site]) -> dict[int, int]:
    """How many staff each of ``sites`` has (one query)."""
    rows = db.session.execute(
        select(user_sites.c.site_id, func.count())
        .where(user_sites.c.site_id.in_([site.id for site in sites]))
        .group_by(user_sites.c.site_id)
    )
    return {site_id: count for site_id, count in rows}


def is_member(site: Site, user: User) -> bool:
    return any(s.id == site.id for s in user.sites)


def add_member(site: Site, user: User, actor: User | None = None) -> None:
    """``user`` (a staff account) works for ``site`` from now on and sees its records.
    Refused for a landlord or state-level account and for a member. Audited as
    ``site.staff_added``."""
    if not user.is_staff:
        raise _bad("not_staff", _l("Only staff accounts can work for a site."))
    if is_member(site, user):
        raise _bad("member", _l("%(name)s works for this site already.", name=user.full_name))
    user.sites.append(site)
    db.session.flush()
    audit.record("site.staff_added", actor=actor, obj=user, site_id=site.id, role=str(user.role))


def remove_member(site: Site, user: User, actor: User | None = None) -> None:
    """``user`` no longer works for ``site`` (and no longer sees its records). Refused when
    they are not a member, when they are the site's last admin (nobody could manage it then)
    and when an admin would take themselves out of their last site. Audited as
    ``site.staff_removed``."""
    if not is_member(site, user):
        raise _bad("not_member", _l("%(name)s does not work for this site.", name=user.full_name))
    if user.role == Role.ADMIN:
        admins = db.session.scalar(
            select(func.count())
            .select_from(user_sites.join(User, User.id == user_sites.c.user_id))
            .where(user_sites.c.site_id == site.id, User.role == Role.ADMIN.value)
        )
        if admins <= 1:
            raise Refused(
                "last_admin",
                _l(
                    "%(name)s is the last administrator of this site: add another "
                    "administrator first.",
                    name=user.full_name,
                ),
            )
    if actor is not None and actor.id == user.id and len(user.sites) <= 1:
        raise Refused(
            "own_last_site",
            _l("You cannot take yourself out of your last site."),
        )
    user.sites = [s for s in user.sites if s.id != site.id]
    db.session.flush()
    audit.record("site.staff_removed", actor=actor, obj=user, site_id=site.id, role=str(user.role))


def find_site(slug: str) -> Site | None:
    return db.session.scalar(select(Site).where(Site.slug == slug))
