"""Response headers for every page, and the check that keeps redirects on this site."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import BadSignature

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def is_safe_path(target: str | None) -> bool:
    """True for a path on this site (``/account/``), false for anything that could leave it.

    Refused: absolute URLs, scheme-relative ``//host``, backslash tricks browsers read as
    ``//``, and control characters.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def no_store(response: Response) -> Response:
    """Keep ``response`` out of every cache: it holds personal data or a secret."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Pages for logged-in users hold personal data: never keep them in any cache.
    # Views that serve access-checked files set a private, revalidated policy themselves.
    if (
        current_user
        and current_user.is_authenticated
        and not request.path.startswith("/static/")
        and "private" not in headers.get("Cache-Control", "")
    ):
        no_store(response)
    return response


def register_body_limits(app: Flask) -> None:
    """Let chosen endpoints accept larger bodies than ``MAX_CONTENT_LENGTH`` (photo uploads).

    Registered before CSRFProtect, whose check is the first to read the body.
    """
    app.config.setdefault("BODY_LIMITS", {})

    @app.before_request
    def _apply_body_limit() -> None:
        limit = app.config["BODY_LIMITS"].get(request.endpoint)
        if limit:
            request.max_content_length = limit


def register_input_checks(app: Flask) -> None:
    """Refuse NUL characters in form fields and query parameters with 400.

    No person types one, PostgreSQL cannot store one in a text column (the insert fails with a
    server error), and C-based tools cut strings at it. Registered after the body limits (which
    must come first) and before CSRFProtect, whose check reads the form.
    """

    @app.before_request
    def _refuse_nul() -> None:
        for values in (request.args, request.form):
            for key, value in values.items(multi=True):
                if "\x00" in key or "\x00" in value:
                    abort(400)


def allow_body(blueprint, endpoint: str, limit: int) -> None:
    """Declare that ``endpoint`` of ``blueprint`` may receive up to ``limit`` bytes."""
    blueprint.record_once(lambda state: state.app.config["BODY_LIMITS"].update({endpoint: limit}))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a permanent session's unchanged cookie is
    signed again (its lifetime starts again) at most once a minute, not on every request:
    signing, compressing and sending it cost a fifth of a millisecond per page. A session still
    ends ``PERMANENT_SESSION_LIFETIME`` after the last request that renewed it, so at most a
    minute earlier than before, never later; a changed session is sent at once as before."""

    refresh_after = 60  # seconds

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at >= self.refresh_after


def register_security_headers(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.after_request(_add_headers)
