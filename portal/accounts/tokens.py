"""Signed, expiring tokens for e-mail links (verification, password reset, invitation)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.core.refusals import Refused

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"  # noqa: S105 - a token purpose, not a password
INVITATION = "invitation"


class TokenError(Refused):
    """The token is broken, forged, expired or was used already."""

    status = 400

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError(expired=True) from exc
    except BadSignature as exc:
        raise TokenError() from exc
    if not isinstance(data, dict):
        raise TokenError()
    return data


def fingerprint(value: str) -> str:
    """A short digest of state that changes when a token has been used (e.g. the password
    hash), so that a reset link works exactly once."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]
