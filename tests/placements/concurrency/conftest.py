"""Races against a real database that commits: each test gets an app with its own database
(a temporary SQLite file, or a fresh PostgreSQL database), so many threads can each open their
own connection and commit, which the per-test rollback of ``tests/conftest.py`` cannot allow."""

from __future__ import annotations

import contextlib

import pytest

from portal.extensions import db as _db
from tests.own_database import app_on_own_database
from tests.services import fresh_postgres_database

THREADS = 20


@pytest.fixture(autouse=True)
def db():
    """Threads commit for real here; no per-test rollback (see ``race_app``)."""
    yield _db


@pytest.fixture(params=["sqlite", "postgresql"])
def race_app(request, tmp_path):
    """An app on its own, empty database with the reference data, disposed afterwards.

    The pool holds a connection for every racing thread: a thread waiting for a connection would
    never reach the barrier."""
    database = (
        fresh_postgres_database("portal_race")
        if request.param == "postgresql"
        else contextlib.nullcontext(f"sqlite:///{tmp_path / 'race.db'}")
    )
    options = {"pool_pre_ping": True, "pool_size": THREADS + 2, "max_overflow": 0}
    options["pool_timeout"] = 60
    with (
        database as url,
        app_on_own_database(tmp_path, url, SQLALCHEMY_ENGINE_OPTIONS=options) as app,
    ):
        yield app
