"""Security headers and cookie flags on every page of the URL map, requested by each role that
may open it (``rules.py``): tests/core/test_headers_and_errors.py checks a handful of public
pages; this extends the same promises to every route, logged in or not."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from portal.config import build_config
from portal.core.security import CONTENT_SECURITY_POLICY
from portal.reports.backoffice import CHART_POLICY
from tests import factories
from tests.security import rules
from tests.security.routes import ROUTES
from tests.security.rules import ANONYMOUS
from tests.security.world import (
    log_in,
    url_values_for,
)
from tests.services import TEST_PASSWORD

PORTAL_JS = re.compile(r'<script src="/static/js/portal\.js\?v=[0-9a-f]+" defer></script>')

GET_CASES = [
    pytest.param(endpoint, arguments, role, id=f"{endpoint}-{role}")
    for endpoint, method, arguments in ROUTES
    if method == "GET"
    for role in sorted(rules.allowed(endpoint, "GET"))
]


def session_cookies(response) -> list[str]:
    return [
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")
    ]


def assert_cookie_flags(header: str, secure: bool) -> None:
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert "httponly" in attributes, header
    assert "samesite=lax" in header.lower(), header
    assert ("secure" in attributes) is secure, header


@pytest.mark.parametrize(("endpoint", "arguments", "role"), GET_CASES)
def test_headers_on_every_page(app, client, world, endpoint, arguments, role):
    with app.test_request_context():
        path = url_for(endpoint, **url_values_for(world, endpoint, set(arguments)))
    if role != ANONYMOUS:
        log_in(client, world.users[role])
    response = client.get(path)
    headers = response.headers
    if endpoint == "reports_backoffice.chart":
        # An SVG image of our own: stricter than the pages (nothing may load or run), but its
        # inline styles must apply.
        assert headers["Content-Security-Policy"] == CHART_POLICY
    else:
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in CONTENT_SECURITY_POLICY  # default-src 'self' covers scripts
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    cache = headers.get("Cache-Control", "")
    if role != ANONYMOUS:
        # Personal data: no cache at all, except the access-checked photo files, which only
        # the user's own browser may keep, and only asking again before every use.
        if endpoint == "listings.photo_file":
            assert cache == "private, no-cache" and "Expires" not in headers
        else:
            assert cache == "no-store" and headers["Pragma"] == "no-cache"
    else:
        assert "public" not in cache
    for cookie in session_cookies(response):
        assert_cookie_flags(cookie, secure=app.config["SESSION_COOKIE_SECURE"])
    if response.mimetype == "text/html" and 'class="skip-link"' in response.text:
        # Every page of the layout loads the script (confirm dialogs, uploads) exactly once.
        assert len(PORTAL_JS.findall(response.text)) == 1


def test_login_cookie_flags_as_configured(app, browser):
    """The session cookie a real login sets: HttpOnly and SameSite=Lax always, Secure as the
    configuration says (on by default in production, see below)."""
    user = factories.UserFactory()
    response = browser.post(
        "/account/login",
        {"email": user.email, "password": TEST_PASSWORD},
        csrf_from_path="/account/login",
    )
    assert response.status_code == 302
    cookies = session_cookies(response)
    assert cookies
    for cookie in cookies:
        assert_cookie_flags(cookie, secure=app.config["SESSION_COOKIE_SECURE"])


def test_secure_cookie_when_configured(app, client, browser, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = client.get("/account/login", base_url="https://localhost")
    cookies = session_cookies(response)
    assert cookies, "the login page starts a session for its CSRF token"
    for cookie in cookies:
        assert_cookie_flags(cookie, secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_defaults_to_secure_cookies(tmp_path):
    from cryptography.fernet import Fernet

    config = build_config(
        str(tmp_path),
        {
            "PORTAL_ENV": "production",
            "SECRET_KEY": "k" * 40,
            "TOTP_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        },
    )
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
