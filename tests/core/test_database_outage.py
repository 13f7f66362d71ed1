"""When the database goes away (issue 13, item 17): a calm 503 with ``Retry-After`` instead of a
500, one log line instead of a stack trace per request; pooled connections checked before use,
so that the first request after a restart succeeds; errors in what was asked of the database
stay 500s with their stack trace.

The PostgreSQL test runs against a database of its own (whatever TEST_DATABASE_URL says, so in
both runs of the suite): it kills the app's connections as a restart would, then refuses
connections as a stopped server would; the server itself is never stopped. Locally without
PostgreSQL it is skipped; under PORTAL_TEST_REQUIRE_SERVICES=1 it fails instead.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from portal import create_app
from portal.core.errors import RETRY_AFTER_SECONDS, outage_log
from portal.extensions import db as _db
from portal.listings.reference import ensure_reference_data
from tests.conftest import APP_SESSION, base_config
from tests.factories import UserFactory
from tests.security.world import log_in
from tests.services import fresh_postgres_database, postgres_admin_url

pytestmark = pytest.mark.own_database

CALM = "The portal cannot reach its database at the moment."


@pytest.fixture
def own_session(monkeypatch):
    """Flask-SQLAlchemy's own session for apps on their own databases (the suite's ``db``
    fixture swapped in one bound to the test app's connection)."""
    monkeypatch.setattr(_db, "session", APP_SESSION)
    outage_log.reset()
    yield
    outage_log.reset()


def _app(tmp_path: Path, url: str, **extra):
    app = create_app(base_config(tmp_path, DATABASE_URL=url, **extra))
    app.test_client_class = FlaskClient
    return app


def _landlord_client(app) -> FlaskClient:
    with app.app_context():
        _db.create_all()
        ensure_reference_data()
        login_id = UserFactory().get_id()
        _db.session.commit()
        _db.session.remove()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(client, login_id)
    return client


def _assert_calm_503(response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:500]
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Temporarily unavailable" in body and CALM in body
    assert "Traceback" not in body and "psycopg" not in body and "sqlite" not in body.lower()


def _outage_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "portal.core.errors"]


def _admin(sql: str) -> None:
    import psycopg

    admin = postgres_admin_url().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def _kill_connections(name: str) -> None:
    where = f"datname = '{name}' AND pid <> pg_backend_pid()"
    _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {where}")  # noqa: S608


def test_postgres_restart_and_outage(tmp_path, own_session, caplog):
    with fresh_postgres_database("portal_outage") as url:
        name = urlsplit(url).path.lstrip("/")
        app = _app(tmp_path, url)
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
        client = _landlord_client(app)
        try:
            assert client.get("/flats/").status_code == 200

            # A restart: every pooled connection is dead. Checked before use and replaced,
            # so the very first request afterwards succeeds.
            _kill_connections(name)
            assert client.get("/flats/").status_code == 200

            # The server refuses connections (as while it is stopped): a calm 503 each time,
            # and one line in the log for all of them, without a stack trace.
            _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            _kill_connections(name)
            caplog.clear()
            with caplog.at_level(logging.INFO):
                for path in ("/flats/", "/flats/", "/account/", "/flats/new"):
                    _assert_calm_503(client.get(path))
            records = _outage_records(caplog)
            assert len(records) == 1, [r.getMessage() for r in records]
            assert records[0].levelno == logging.ERROR and records[0].exc_info is None
            assert "Database unavailable" in records[0].getMessage()
            assert not [r for r in caplog.records if r.exc_info], "a stack trace was logged"

            # Back again: the next request works.
            _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            assert client.get("/flats/").status_code == 200
        finally:
            _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            with app.app_context():
                _db.engine.dispose()


def test_connection_lost_during_a_request_is_503_not_500(tmp_path, own_session, caplog):
    """Without the check before use (as for a request whose connection dies while it runs),
    the dead connection answers 503, and the pool recovers for the next request."""
    with fresh_postgres_database("portal_outage") as url:
        name = urlsplit(url).path.lstrip("/")
        app = _app(tmp_path, url, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
        client = _landlord_client(app)
        try:
            assert client.get("/flats/").status_code == 200
            _kill_connections(name)
            with caplog.at_level(logging.INFO):
                _assert_calm_503(client.get("/flats/"))
            assert len(_outage_records(caplog)) == 1
            assert client.get("/flats/").status_code == 200
        finally:
            with app.app_context():
                _db.engine.dispose()


def test_sqlite_file_out_of_reach_is_503_and_back_after(tmp_path, own_session, caplog):
    """SQLite's outage: the database file cannot be opened (its directory is missing)."""
    folder = tmp_path / "gone"
    app = _app(tmp_path, f"sqlite:///{folder / 'portal.db'}")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(client, "1:token")  # the user loader is the first to need the database
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            _assert_calm_503(client.get("/account/"))
    assert len(_outage_records(caplog)) == 1
    folder.mkdir()
    with app.app_context():
        client = _landlord_client(app)
        assert client.get("/flats/").status_code == 200
        _db.engine.dispose()


def test_german_page_and_mistakes_in_queries_stay_500(tmp_path, own_session, caplog):
    """A database that answers but refuses the statement (here: the tables are missing) is a
    mistake of ours: a 500 with its stack trace, not an outage."""
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
    client = app.test_client()
    log_in(client, "1:token")
    with caplog.at_level(logging.INFO):
        response = client.get("/account/")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert [r for r in caplog.records if r.exc_info], "the stack trace belongs in the log"
    with app.app_context():
        _db.engine.dispose()

    outage = _app(tmp_path, f"sqlite:///{tmp_path / 'missing' / 'portal.db'}")
    german = outage.test_client()
    german.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    log_in(german, "1:token")
    response = german.get("/account/")
    assert response.status_code == 503
    assert "Vorübergehend nicht erreichbar" in response.get_data(as_text=True)
