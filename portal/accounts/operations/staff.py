"""Staff accounts (made on the command line only) and (de)activation of an account."""

from __future__ import annotations

import secrets

from portal.accounts import passwords
from portal.accounts.models import Role, User, normalise_email, utcnow
from portal.accounts.operations.common import find_user
from portal.core import audit
from portal.core.refusals import Refused
from portal.extensions import db
from portal.sites.models import DEFAULT_SITE_ID, Site


def create_staff(
    email: str, role: Role, full_name: str, sites: list[Site] | None = None
) -> tuple[User, str]:
    """Create a staff account with a one-time password that must be changed at first login,
    working for ``sites`` (default: the default site, DESIGN.md §9); or a state-level reader
    (``Role.STATE_READER``: the reports of every site, suppressed, and nothing else), who
    belongs to no site.
    Returns the user and that password (shown once, never stored in clear). Refused (English
    words: the command line speaks English) for a role that is no staff role and an address
    that has an account."""
    if role not in (Role.SPECIALIST, Role.SOCIAL_WORKER, Role.ADMIN, Role.STATE_READER):
        raise Refused("not_staff", f"{role} is not a staff role")
    if role == Role.STATE_READER and sites:
        raise Refused("reader_sites", "a state-level reader belongs to no site")
    if find_user(email) is not None:
        raise Refused("taken", f"an account for {normalise_email(email)} exists already")
    one_time = secrets.token_urlsafe(12)
    user = User(
        email=email,
        full_name=full_name,
        password_hash=passwords.hash_password(one_time),
        role=role,
        must_change_password=True,
        email_verified_at=utcnow(),
    )
    if role == Role.STATE_READER:
        user.sites = []
    else:
        user.sites = list(sites or [db.session.get(Site, DEFAULT_SITE_ID)])
    db.session.add(user)
    db.session.flush()
    audit.record(
        "account.staff_created",
        obj=user,
        role=str(role),
        sites=",".join(site.slug for site in user.sites),
    )
    return user, one_time


def set_active(user: User, active: bool, actor: User | None = None) -> None:
    """(De)activate an account; a deactivated user is logged out at their next request."""
    user.is_active = active
    user.end_all_sessions()
    audit.record("account.activated" if active else "account.deactivated", actor=actor, obj=user)
