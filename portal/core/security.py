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


def from_this_site() -> bool:
    """False for a request a browser sent from another site (a forged form), true otherwise:
    the CSRF defence of the one form that carries no token (the language switch, so that
    reading the public pages needs no session and sets no cookie).

    As Go's ``net/http.CrossOriginProtection``: a browser names the request's origin in
    ``Sec-Fetch-Site`` (every current one) or, before that header, in ``Origin`` on every
    POST; a request with neither comes from this site in an old browser or from no browser
    at all, where there is no victim's session to misuse.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")  # "none": typed or a bookmark
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    parts = urlsplit(origin)  # "null" (a sandboxed frame, a data: page) has neither part
    return parts.scheme == request.scheme and parts.netloc == request.host


def no_store(response: Response) -> Response:
    """Keep ``response`` out of every cache: it holds personal data or a secret."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


# The headers every answer carries (``_add_headers``) where the view did not set its own.
_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _add_headers(response: Response) -> Response:
    """The security headers where the view did not set its own, and ``no-store`` on every
    page of a logged-in user. Runs after every request: the names the response already has
    are read once (``Headers.setdefault`` searched them again for each header), the user
    once (each use of the ``current_user`` proxy looks it up again)."""
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    wanted = _HEADERS + (_HSTS,) if request.is_secure else _HEADERS
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    # Pages for logged-in users hold personal data: never keep them in any cache.
    # Views that serve access-checked files set a private, revalidated policy themselves.
    if request.path.startswith("/static/"):
        return response  # before the user: an asset needs no user loaded from the database
    user = current_user._get_current_object()
    if (
        user is not None
        and user.is_authenticated
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

    def get_signing_serializer(self, app):
        """Flask's serializer for the keys in force, made once per key set instead of twice a
        request (making one serializes an empty session to test the serializer: 12 µs)."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self.__dict__.get("_signing")
        if cached is None or cached[0] != keys:
            cached = self._signing = (keys, super().get_signing_serializer(app))
        return cached[1]

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
