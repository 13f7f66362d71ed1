"""Fixtures shared by the whole suite: app, client, db (per-test rollback), auth, factories,
and access to real services (PostgreSQL, Redis, SMTP, Chromium).

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. With
PORTAL_TEST_REQUIRE_SERVICES=1 (set by .ci/run) a missing service fails the test instead of
skipping it.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import pyotp
import pytest
from aiosmtpd.controller import Controller

os.environ["PORTAL_ENV"] = "testing"
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from flask.globals import _cv_app  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from itsdangerous import BadSignature  # noqa: E402
from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.orm import scoped_session, sessionmaker  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts import twofactor  # noqa: E402
from portal.core import clock, storage  # noqa: E402
from portal.core.outbox import OutboxMessage  # noqa: E402
from portal.extensions import db as _db  # noqa: E402
from portal.extensions import limiter  # noqa: E402
from portal.listings.reference import ensure_reference_data  # noqa: E402
from portal.sites import texts as site_texts  # noqa: E402
from tests import factories  # noqa: E402
from tests.builders import Collector  # noqa: E402
from tests.services import (  # noqa: E402
    TEST_PASSWORD,
    database_url_under_test,
    free_port,
    missing,
)

ROOT = Path(__file__).resolve().parents[1]
# Flask-SQLAlchemy's own scoped session; the ``db`` fixture swaps in a per-test one.
APP_SESSION = _db.session

# PORTAL_TEST_NOW=2026-12-31T23:30+01:00 runs the whole suite at that moment: the portal's clock
# (portal.core.clock) starts there for every test and ticks on in real seconds. Real time
# (time.time: TOTP, signed tokens, throttles) is left alone.
TEST_NOW = os.environ.get("PORTAL_TEST_NOW") or None
# PORTAL_TEST_STORAGE=s3 runs the suite with uploads in buckets of moto's S3 server (the app's
# own and each ``uploads`` fixture's); the default keeps them in folders. tests/core/
# test_storage.py runs against both backends either way.
TEST_STORAGE = os.environ.get("PORTAL_TEST_STORAGE", "local")
_suite_clock = ExitStack()


def pytest_configure(config):
    if TEST_NOW:
        _suite_clock.enter_context(clock.frozen(TEST_NOW, ticking=True))  # for collection


def pytest_unconfigure(config):
    _suite_clock.close()


def pytest_report_header(config):
    return f"portal clock: {TEST_NOW}" if TEST_NOW else None


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, leave out the tests marked ``own_database``: they make their own databases
    (SQLite and PostgreSQL alike) and would run exactly as in the SQLite run of the suite, which
    CI makes beside this one (.ci/run)."""
    under_test = database_url_under_test()
    if not (under_test and under_test.startswith("postgresql")):
        return
    once = [item for item in items if item.get_closest_marker("own_database")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.get_closest_marker("own_database")]


@pytest.fixture(autouse=True)
def _test_now():
    """Each test starts at PORTAL_TEST_NOW when it is set."""
    if not TEST_NOW:
        yield
        return
    with clock.frozen(TEST_NOW, ticking=True):
        yield


@pytest.fixture
def today(_test_now) -> date:
    """Berlin's day when the test starts. Read the day here or inside the test, never at import
    (a module constant, a parametrize argument, a default value): collection may fall before
    midnight and the test after it (guarded in tests/core/test_clock.py)."""
    return clock.today()


@pytest.fixture
def frozen_clock():
    """The portal's clock standing still at the test's moment; ``frozen_clock.move_to(
    "2027-03-28T03:30+02:00")`` and ``frozen_clock.advance(days=1)`` move it."""
    with clock.frozen(clock.utcnow()) as frozen:
        yield frozen


def base_config(tmp: Path, **extra: object) -> dict[str, object]:
    """Settings for an app under test: fast argon2, real SMTP backend, no inline delivery."""
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,
        "MAIL_DELIVER_AFTER_REQUEST": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "SITE_TEMPLATES_DIR": str(tmp / "site-templates"),
        "PORTAL_BASE_URL": "http://localhost",
    }
    config.update(extra)
    return config


class IsolatedClient(FlaskClient):
    """The test app context stays pushed for the whole test (factories need it), which would
    share ``g`` (Flask-Login's user, Flask-WTF's token) between requests. Each request gets a
    fresh ``g``; the test's own work is committed (to the savepoint) before the request, and
    whatever the request left uncommitted is rolled back after it, as in production."""

    def open(self, *args, **kwargs):
        ctx = _cv_app.get(None)
        if ctx is None:
            return super().open(*args, **kwargs)
        _db.session.commit()
        saved = ctx.g
        ctx.g = ctx.app.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            _db.session.rollback()
            ctx.g = saved


@pytest.fixture(scope="session")
def app(tmp_path_factory, request):
    tmp = tmp_path_factory.mktemp("app")
    url = database_url_under_test() or f"sqlite:///{tmp / 'test.db'}"
    app = create_app(base_config(tmp, DATABASE_URL=url))
    app.test_client_class = IsolatedClient
    if TEST_STORAGE == "s3":
        app.config.update(_s3_settings(request.getfixturevalue("s3_server")))
        storage.backend_for(app.config).client.create_bucket(Bucket=app.config["S3_BUCKET"])
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        ensure_reference_data()
        _db.session.commit()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def db(app):
    """Each test runs inside one outer transaction that is rolled back afterwards; the code's
    own commits only release savepoints."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        original = _db.session
        _db.session = session
        limiter.reset()
        try:
            yield _db
        finally:
            session.remove()
            outer.rollback()
            connection.close()
            _db.session = original
            site_texts.forget()  # kept per process: what the test wrote is rolled back


@pytest.fixture
def client(app):
    client = app.test_client()
    # Assertions read the English texts; German (the default) has tests of its own.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """The test client with the few things every test needs: forms with CSRF, logging in.

    The CSRF token is read from a page once per session: Flask-WTF signs one secret kept in the
    session (valid as long as the session: ``WTF_CSRF_TIME_LIMIT`` is None), so a token read
    before stays good while that secret does. Login and logout start a fresh session with a new
    secret. The session is the signed cookie itself, so the secret read from the client's cookie
    is the one the server checks against: tokens are kept by it, and a new secret (or no session
    yet) means one GET of a page, as a browser would have done."""

    def __init__(self, client) -> None:
        self.client = client
        self._tokens: dict[str, str] = {}  # the session's CSRF secret -> a token for it

    def _csrf_secret(self) -> str | None:
        """The CSRF secret in the client's session cookie, or None (no cookie or no secret)."""
        app = self.client.application
        cookie = self.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        serializer = app.session_interface.get_signing_serializer(app)
        if cookie is None or serializer is None:
            return None
        try:
            session = serializer.loads(cookie.value)
        except BadSignature:
            return None
        secret = session.get(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        return secret if isinstance(secret, str) else None

    def csrf(self, path: str = "/") -> str:
        """A CSRF token for the current session: the one read before for it, else one read from
        the page at ``path``."""
        token = self._tokens.get(self._csrf_secret() or "")
        if token is None:
            html = self.client.get(path, follow_redirects=True).get_data(as_text=True)
            if not CSRF_RE.search(html):
                # A public text has no form with a token (its language switch has none, so
                # that reading it starts no session): the login page has one.
                html = self.client.get("/account/login", follow_redirects=True).get_data(
                    as_text=True
                )
            token = csrf_from(html)
            secret = self._csrf_secret()
            if secret:
                self._tokens[secret] = token
        return token

    def post(self, path: str, data: dict | None = None, *, csrf_from_path: str = "/", **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(csrf_from_path))
        return self.client.post(path, data=data, **kw)

    def login(self, user_or_role="landlord", password: str = TEST_PASSWORD, **kw):
        """Log in with the password and, where the account has one, the second factor (a
        code made from the user's secret, as their authenticator app would)."""
        user = user_or_role
        if isinstance(user_or_role, str):
            user = factories.user_for_role(user_or_role, **kw)
        response = self.post("/account/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"] == "/account/login/code":
            response = self.post(
                "/account/login/code",
                {"code": totp_code_for(user)},
                csrf_from_path="/account/login/code",
            )
            assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def logout(self):
        return self.post("/account/logout")


def totp_code_for(user) -> str:
    """A code the server accepts for ``user`` now: the current time step's, or the next one's
    (within the allowed drift) when the current step was used by an earlier login. When both
    are used, the record of the last step is cleared: a stand-in for waiting 30 seconds."""
    user = _db.session.get(type(user), user.id)
    _db.session.refresh(user)
    secret = twofactor.secret_of(user)
    assert secret, f"{user.email} has no authenticator enrolled"
    now = twofactor.current_step()
    last = user.totp_last_step
    for step in (now, now + 1):
        if last is None or step > last:
            return pyotp.TOTP(secret).generate_otp(step)
    user.totp_last_step = None
    _db.session.commit()
    return pyotp.TOTP(secret).generate_otp(now)


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)


@pytest.fixture
def auth(browser) -> Browser:
    """``auth.login("specialist")`` logs in as a new user of that role and returns it."""
    return browser


def outbox(to: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.to_address == to.lower())
    return list(_db.session.scalars(query))


LINK_RE = re.compile(r"http://localhost(/\S+)")


def link_in(message: OutboxMessage) -> str:
    """The path of the first portal link in a queued e-mail."""
    match = LINK_RE.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


@pytest.fixture
def uploads(app, tmp_path, monkeypatch, request) -> Path:
    """A fresh, empty upload folder for this test (``UPLOAD_DIR`` points there until its end);
    with PORTAL_TEST_STORAGE=s3 a fresh, empty bucket as well, which the app then uses."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    if TEST_STORAGE == "s3":
        request.getfixturevalue("s3_uploads")
    return folder


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's standalone S3 server on 127.0.0.1 and a free port, for the whole session: a real
    S3-protocol server the app reaches over HTTP with boto3, nothing patched. Yields its URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        missing("moto's S3 server (pip install -e '.[test]')")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _s3_settings(endpoint: str) -> dict[str, str]:
    """The settings of a new bucket (not created yet) on the S3 test server."""
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": f"portal-test-{uuid.uuid4().hex[:12]}",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test-access-key",
        "S3_SECRET_ACCESS_KEY": "test-secret-key",
        "S3_PREFIX": "uploads",
    }


@pytest.fixture
def s3_uploads(app, s3_server, monkeypatch):
    """The app stores uploads in a fresh, empty bucket of the S3 test server until the test's
    end (``STORAGE_BACKEND=s3``); yields the backend."""
    settings = _s3_settings(s3_server)
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    backend = storage.backend_for(app.config)
    backend.client.create_bucket(Bucket=settings["S3_BUCKET"])
    return backend


@pytest.fixture(params=["local", "s3"])
def any_storage(request, app, monkeypatch):
    """Each test using it runs twice: uploads in a fresh folder, and in a fresh bucket of the S3
    test server. Yields the backend the app uses."""
    if request.param == "s3":
        return request.getfixturevalue("s3_uploads")
    request.getfixturevalue("uploads")
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "local")
    return storage.backend_for(app.config)


@pytest.fixture
def smtp(app, monkeypatch):
    """An SMTP server on a free port that the app sends to, not started: a test starts it
    (``controller.start()``), after an outage if it wants one. Yields (controller, collector)."""
    port = free_port()
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    yield controller, collector
    with contextlib.suppress(AssertionError, RuntimeError):  # never started by the test
        controller.stop()


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


@contextmanager
def counted_statements(engine):
    """A list that receives every SQL statement run on ``engine`` inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
