"""Signed, expiring tokens for e-mail links (verification, password reset, invitation, change of
address). A link that does not work is refused with ``refused()``: a ``Refused`` with the code
``expired`` or ``invalid`` and status 400."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.core.refusals import BAD_INPUT, Refused

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"  # noqa: S105 - a token purpose, not a password
INVITATION = "invitation"
CHANGE_EMAIL = "change-email"


def refused(expired: bool = False) -> Refused:
    """The refusal of a broken, forged, expired or used link (``expired`` or ``invalid``)."""
    if expired:
        refusal = Refused(
            "expired",
            _l(
                "The link has expired. For your security, links in our e-mails only work for a "
                "limited time."
            ),
        )
    else:
        refusal = Refused(
            "invalid", _l("The link is not valid or was used already. Each link works only once.")
        )
    refusal.status = BAD_INPUT
    return refusal


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise refused(expired=True) from exc
    except BadSignature as exc:
        raise refused() from exc
    if not isinstance(data, dict):
        raise refused()
    return data


def fingerprint(value: str) -> str:
    """A short digest of state that changes when a token has been used (e.g. the password
    hash), so that a reset link works exactly once."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]
