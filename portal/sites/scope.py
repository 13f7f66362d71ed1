"""Staff see their own sites only: one filter on every ORM statement of a staff request.

``install`` adds a ``do_orm_execute`` listener to every session. In a request of a logged-in
staff member it adds ``with_loader_criteria(SiteOwned, site_id IN (the user's sites))`` to
every ORM select, update and delete, joins, relationship loads and ``session.get`` included,
so that a household, flat, placement, mediation or prevention case of another site is simply
not there (the views answer 404). Landlords, visitors, the CLI and jobs are not filtered: a
landlord sees flats of their own organisation in any site and profiles of the sites where it
lists (``households.queries``), a job works on every site.

``all_sites()`` lifts the filter for a block that must read across sites (the state report).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from flask import g, has_request_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.orm.util import LoaderCriteriaOption

from portal.sites.models import Site, SiteOwned, user_sites

ALL_SITES = "all_sites"  # execution option: this statement reads every site
_COMPUTING = object()
_UNSET = object()


def _compute() -> tuple[int, ...] | None:
    """The user's sites; and, on ``g.site_scope_whole``, whether they are every site there is
    (one statement)."""
    from flask_login import current_user

    from portal.extensions import db

    g.site_scope_whole = False
    user = current_user._get_current_object()  # loads the user: not filtered (no site_id)
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return None
    every_site = select(func.count(Site.id)).scalar_subquery()
    rows = db.session.execute(
        select(user_sites.c.site_id, every_site)
        .where(user_sites.c.user_id == user.id)
        .order_by(user_sites.c.site_id)
        .execution_options(**{ALL_SITES: True})
    ).all()
    site_ids = tuple(site_id for site_id, _count in rows)
    g.site_scope_whole = bool(rows) and len(site_ids) == rows[0][1]
    return site_ids


def current_site_ids() -> tuple[int, ...] | None:
    """The sites the current request may see, or None when it is not filtered."""
    if not has_request_context():
        return None
    scope = g.get("site_scope", _UNSET)
    if scope is _COMPUTING or g.get("reading_the_user"):
        return None  # the user's own row, read to know whose request it is
    if scope is _UNSET:
        g.site_scope = _COMPUTING
        try:
            scope = _compute()
        except BaseException:
            g.pop("site_scope", None)  # never left open: the next statement tries again
            raise
        g.site_scope = scope
    if getattr(g, "all_sites", False):
        return None
    return scope


def forget() -> None:
    """Work the scope out again (after a login or logout within the request)."""
    if has_request_context():
        g.pop("site_scope", None)
        g.pop("site_scope_whole", None)


@contextmanager
def reading_the_user() -> Iterator[None]:
    """The login manager reads the request's user (not site-owned): no filter, and no
    second read of the user to work the filter out."""
    g.reading_the_user = True
    try:
        yield
    finally:
        g.reading_the_user = False


@contextmanager
def all_sites() -> Iterator[None]:
    """Read every site within the block (the state-level report, a site's admin page)."""
    previous = g.get("all_sites", False) if has_request_context() else False
    if has_request_context():
        g.all_sites = True
    try:
        yield
    finally:
        if has_request_context():
            g.all_sites = previous


def _filter(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(ALL_SITES):
        return
    site_ids = current_site_ids()
    if site_ids is None or g.get("site_scope_whole"):
        # A staff member of every site (with one site: everyone) sees what the filter would
        # let through anyway: each row's site_id is one of the sites (NOT NULL, a foreign
        # key). Without it a staff page costs 10-25 % less.
        return
    state.statement = state.statement.options(_criteria(site_ids))


@lru_cache(maxsize=256)
def _criteria(site_ids: tuple[int, ...]) -> LoaderCriteriaOption:
    """The filter of one set of sites, built once per process (a staff page runs 10 to 40
    statements; building the option analyses its lambda every time)."""
    return with_loader_criteria(
        SiteOwned, lambda cls: cls.site_id.in_(site_ids), include_aliases=True
    )


def install() -> None:
    """Listen on every session (once per process)."""
    if not event.contains(Session, "do_orm_execute", _filter):
        event.listen(Session, "do_orm_execute", _filter)
