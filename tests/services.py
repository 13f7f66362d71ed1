"""Access to the real services the suite uses, and the rule for when one is missing."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

from portal.config import normalise_database_url

TEST_PASSWORD = "correct horse battery staple"
REQUIRE_SERVICES = os.environ.get("PORTAL_TEST_REQUIRE_SERVICES") == "1"


def missing(what: str) -> None:
    """Skip locally, fail in CI: nothing may be skipped there for want of a service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (PORTAL_TEST_REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} is not available")


def database_url_under_test() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else None


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_POSTGRES_ADMIN_URL")
    if url:
        return normalise_database_url(url)
    test_url = database_url_under_test()
    if test_url and test_url.startswith("postgresql"):
        parts = urlsplit(test_url)
        return urlunsplit(parts._replace(path="/postgres"))
    return "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def fresh_postgres_database(prefix: str = "portal_t"):
    """An empty PostgreSQL database for one test, dropped afterwards; its URL is yielded."""
    import psycopg

    admin = postgres_admin_url()
    parts = urlsplit(admin)
    if not _port_open(parts.hostname or "127.0.0.1", parts.port or 5432):
        missing("PostgreSQL")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    plain = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    parts = urlsplit(url)
    if not _port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        missing("Redis")
    return url


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        missing("Chromium")
    return path  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
