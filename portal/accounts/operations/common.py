"""Small helpers the operations of the accounts domain share."""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy import select

from portal.accounts import passwords
from portal.accounts.models import User, normalise_email, utcnow
from portal.core.refusals import Refused
from portal.extensions import db


def one_line(value: str | None) -> str:
    """Collapse whitespace, line breaks included: names end up in e-mails and must stay one line."""
    return " ".join((value or "").split())


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def external(endpoint: str, **values: object) -> str:
    """The full address of ``endpoint`` for a link in an e-mail."""
    base = current_app.config["PORTAL_BASE_URL"]
    return base + url_for(endpoint, **values)


def set_password(user: User, password: str) -> None:
    """Set ``password`` (refused with ``weak_password`` and the reasons when it is too weak);
    every session of ``user`` ends."""
    problems = passwords.password_problems(password, user.email)
    if problems:
        raise Refused("weak_password", " ".join(problems))
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.end_all_sessions()
