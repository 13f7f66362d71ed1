"""Login, logout, and passwords: changing one, and the reset link."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.accounts import passwords, tokens
from portal.accounts.models import User, normalise_email, utcnow
from portal.accounts.operations.common import external, find_user, set_password
from portal.accounts.operations.registration import confirmed
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None; both outcomes are audited.
    For an account with a second factor the login is not complete yet (see
    ``complete_login``)."""
    user = find_user(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        audit.record(
            "auth.login_failed",
            object_type="users",
            object_id=user.id if user else None,
            reason="inactive" if ok and user is not None else "credentials",
        )
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.two_factor_required:
        # Half way: the login completes with ``complete_login`` once the code is accepted.
        audit.record("auth.password_accepted", actor=user, obj=user)
        return user
    complete_login(user)
    return user


def complete_login(user: User, second_factor: str | None = None) -> None:
    """Record a completed login (after the password, and the code where one is needed)."""
    user.last_login_at = utcnow()
    if second_factor:
        audit.record("auth.login", actor=user, obj=user, second_factor=second_factor)
    else:
        audit.record("auth.login", actor=user, obj=user)


def logout(user: User) -> None:
    """End every session of ``user``: cookies captured before now stop working."""
    user.end_all_sessions()
    audit.record("auth.logout", actor=user, obj=user)


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; every other session ends. Refuses
    a wrong current password (``current``; the attempt is audited) and a weak new one
    (``weak_password``)."""
    if not passwords.verify_password(user.password_hash, current):
        audit.record("account.password_change_failed", actor=user, obj=user)
        raise Refused("current", _l("The current password is not correct."))
    set_password(user, new)
    audit.record("account.password_changed", actor=user, obj=user)


def request_password_reset(email: str, locale: str = "de") -> None:
    """Queue a one-hour, single-use reset link if the address belongs to an active account.
    Any other address gets a mail saying it has no (active) account: the same page, one queued
    mail and one audit event either way, so neither the answer nor its time tells whether the
    address has an account. ``locale`` is the language of the mail to an unknown address."""
    user = find_user(email)
    if user is None or not user.is_active:
        queue_mail(
            normalise_email(email),
            "reset_unknown",
            locale,
            register_url=external("accounts.register"),
            reset_url=external("accounts.reset_request"),
        )
        audit.record("account.password_reset_unknown")
        return
    token = tokens.make_token(
        tokens.RESET_PASSWORD, {"uid": user.id, "fp": tokens.fingerprint(user.password_hash)}
    )
    queue_mail(
        user.email,
        "reset_password",
        user.locale,
        name=user.full_name,
        url=external("accounts.reset_password", token=token),
    )
    audit.record("account.password_reset_requested", obj=user)


def user_for_reset(token: str) -> User:
    """The user a reset link is for. Refused (``invalid``, ``expired``) once it expired or was
    used (the password hash it was made for has changed)."""
    data = tokens.read_token(
        tokens.RESET_PASSWORD, token, current_app.config["PASSWORD_RESET_MAX_AGE"]
    )
    user = db.session.get(User, data.get("uid"))
    if (
        user is None
        or not user.is_active
        or tokens.fingerprint(user.password_hash) != data.get("fp")
    ):
        raise tokens.refused()
    return user


def reset_password(token: str, new: str) -> User:
    """Set a new password through a reset link; the link and every session end."""
    user = user_for_reset(token)
    set_password(user, new)
    confirmed(user)  # the link proved the address
    audit.record("account.password_reset", actor=user, obj=user)
    return user
