"""The login session, in two stages when an account has a second factor.

Stage one (password accepted): nobody is logged in. The session holds only ``PENDING_KEY``: the
user's id, their current session token and the time. Flask-Login knows nothing of it, so
``current_user`` stays anonymous and every page that needs a login (all staff pages, the
landlord's pages, the profile) answers exactly as for a stranger: no route, decorator or template
can forget to check the second factor, because there is no logged-in user to check.

Stage two (code accepted): ``start_session`` clears the session and calls ``login_user``. It is
the only place that logs anyone in, and it refuses a user who needs a second factor unless the
caller says it was given.

The pending state ends after ``TWOFACTOR_PENDING_SECONDS``, at logout, and whenever the user's
session token changes (logout elsewhere, password change, an admin's reset).
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, session, url_for
from flask_login import login_user

from portal.accounts.models import Role, User
from portal.extensions import db

PENDING_KEY = "second_factor_pending"


def home_for(user: User) -> str:
    if not user.is_verified:
        return url_for("accounts.confirm_first")  # nothing else opens before (issue 13.1)
    if user.is_staff:
        return url_for("backoffice.home")
    if user.role == Role.STATE_READER:  # the state-level report is all this role sees
        return url_for("reports_backoffice.state_index")
    return url_for("listings.dashboard")


def fresh_session() -> None:
    """An empty session that keeps only the chosen language (no session fixation)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def start_session(user: User, *, second_factor_done: bool = False) -> None:
    """Log ``user`` in with a fresh session. A user whose account needs a second factor is only
    logged in when ``second_factor_done`` says the code was checked (or the session that calls
    this was itself made with it)."""
    if user.two_factor_required and not second_factor_done:
        raise RuntimeError("this account needs its second factor before a session starts")
    fresh_session()
    session.permanent = True
    login_user(user)


def begin_second_factor(user: User, next_path: str | None) -> None:
    """Stage one: remember who gave the right password; nobody is logged in yet."""
    fresh_session()
    session.permanent = True
    session[PENDING_KEY] = {
        "uid": user.id,
        "token": user.session_token,
        "at": int(time.time()),
        "next": next_path,
        "locale": user.locale,  # the code page speaks the user's language (core/i18n.py)
    }


def _pending() -> dict[str, Any] | None:
    data = session.get(PENDING_KEY)
    return data if isinstance(data, dict) else None


def pending_user_id() -> int | None:
    data = _pending()
    uid = data.get("uid") if data else None
    return uid if isinstance(uid, int) else None


def pending_user() -> User | None:
    """The user between password and code, while that state is still valid; else None."""
    data = _pending()
    if data is None:
        return None
    started = data.get("at")
    if (
        not isinstance(started, int)
        or time.time() - started > current_app.config["TWOFACTOR_PENDING_SECONDS"]
    ):
        return None
    uid, token = data.get("uid"), data.get("token")
    if not isinstance(uid, int) or not isinstance(token, str):
        return None
    user = db.session.get(User, uid)
    if user is None or not user.is_active or not user.matches_session(token):
        return None
    return user


def pending_next() -> str | None:
    data = _pending()
    return data.get("next") if data else None


def drop_pending() -> None:
    session.pop(PENDING_KEY, None)
