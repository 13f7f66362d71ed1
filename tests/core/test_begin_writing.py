"""A GET that reads and then writes a row of its own (a profile view, the audit event of a look)
begins its writing with ``core.db.begin_writing``: on SQLite many such requests at once wait for
each other instead of failing with "database is locked" (SQLite refuses to turn a read
transaction into a write one while another connection writes; every_page saw half of the
profile views under 8 connections answered with the 503 page)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.core import audit
from portal.core.audit import AuditEvent
from portal.core.db import begin_writing
from portal.extensions import db as _db
from portal.sites.models import Site
from tests.own_database import app_on_own_database, at_once

pytestmark = pytest.mark.own_database

CONNECTIONS = 8


@pytest.fixture(autouse=True)
def db():
    """The threads commit for real (no per-test rollback): the app below has its own file."""
    yield _db


@pytest.fixture
def file_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'writes.db'}"
    options = {"pool_size": CONNECTIONS + 2, "max_overflow": 0}
    with app_on_own_database(tmp_path, url, SQLALCHEMY_ENGINE_OPTIONS=options) as app:
        yield app


def _read_then_write(app, apart: bool) -> list[str]:
    """Each connection reads, waits for the others, then writes an audit event and commits:
    "ok", or "locked" where SQLite refused."""
    barrier = threading.Barrier(CONNECTIONS)

    def work() -> str:
        _db.session.scalar(select(func.count(Site.id)))  # the request's reading
        barrier.wait(timeout=30)
        if apart:
            begin_writing(_db.session)
        audit.record("test.written")
        try:
            _db.session.commit()
        except OperationalError as exc:
            _db.session.rollback()
            return "locked" if "locked" in str(exc) else str(exc)
        return "ok"

    return [
        result if isinstance(result, str) else f"{type(result).__name__}: {result}"
        for result in at_once(app, CONNECTIONS, work)
    ]


def test_writes_after_reading_wait_for_each_other_instead_of_failing(file_app):
    assert _read_then_write(file_app, apart=True) == ["ok"] * CONNECTIONS
    with file_app.app_context():
        assert _db.session.scalar(select(func.count(AuditEvent.id))) == CONNECTIONS


def test_without_it_sqlite_refuses_all_but_one(file_app):
    """What the test above guards against: the same work without ``begin_writing``."""
    results = _read_then_write(file_app, apart=False)
    assert results.count("ok") == 1
    assert set(results) == {"ok", "locked"}


def test_what_was_read_stays_loaded(file_app):
    """The commit that ends the reading expires nothing: the write reads nothing again."""
    from tests.conftest import counted_statements

    with file_app.app_context():
        site = _db.session.scalars(select(Site)).first()
        with counted_statements(_db.engine) as statements:
            begin_writing(_db.session)
            assert site.name
            audit.record("test.written", obj=site)
            _db.session.commit()
        # (COMMIT goes through the driver's commit(), not a statement.)
        assert len(statements) == 2, statements
        assert statements[0] == "BEGIN IMMEDIATE"
        assert statements[1].startswith("INSERT INTO audit_events")
