"""Who may do what: role decorators for views, and the 404 rule for other people's objects.

Role checks happen before a view runs; object checks (``get_owned_or_404``, by the object's
public key) before anything of the object is read or changed. Another organisation's object
answers 404, never 403, so that ids leak nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import STAFF_ROLES, Role
from portal.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")

# The only pages behind a login that an account whose e-mail address is not confirmed yet may
# use (issue 13.1): the page that asks to confirm, sending the link again and correcting the
# address. Confirming itself (the link) and logging out need no login. Every other route that
# needs a login sends such an account to ``accounts.confirm_first``: whoever registered
# somebody else's address can do nothing as that account before the owner confirms.
UNCONFIRMED_ALLOWED = frozenset(
    {"accounts.confirm_first", "accounts.resend_verification", "accounts.change_email"}
)


def _unconfirmed_stop():
    """The redirect to the confirm-first page for a logged-in account whose address is not
    confirmed, unless the route is one of ``UNCONFIRMED_ALLOWED``; else None."""
    if current_user.is_verified or request.endpoint in UNCONFIRMED_ALLOWED:
        return None
    return redirect(url_for("accounts.confirm_first"))


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return _unconfirmed_stop() or view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def landlord_required(view: F) -> F:
    """Only landlords with a confirmed address; staff get 403 (they know the page exists, and
    it is not theirs); an unconfirmed landlord goes to the page that asks to confirm."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role != Role.LANDLORD:
            abort(403)
        return _unconfirmed_stop() or view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def staff_required(*roles: Role) -> Callable[[F], F]:
    """Only staff holding one of ``roles`` (all staff roles when none are given)."""
    allowed = set(roles or STAFF_ROLES)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return _unconfirmed_stop() or view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def verified_required(view: F) -> F:
    """Only accounts with a confirmed address (``login_required`` and the role decorators hold
    this already; kept for views that need no other check)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_verified:
            return redirect(url_for("accounts.confirm_first"))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def get_by_key(model: type[M], key: str) -> M | None:
    """The object of ``model`` whose public key (core/db.py ``PublicKeyMixin``) is ``key``."""
    return db.session.scalar(select(model).where(model.public_key == key))  # type: ignore[attr-defined]


def get_owned_or_404(model: type[M], key: str, user: Any) -> M:
    """Load ``model`` by its public key for ``user``'s organisation, or answer 404 (also for
    staff-free landlord routes): existence of other organisations' objects is never revealed,
    and landlord URLs carry no sequential id to count."""
    obj = get_by_key(model, key) if user.organisation_id is not None else None
    if obj is None or getattr(obj, "organisation_id", None) != user.organisation_id:
        abort(404)
    return obj
