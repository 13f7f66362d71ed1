"""deploy/postgres-grants.sql on a real PostgreSQL: the runtime role may INSERT and SELECT on
audit_events but not UPDATE, DELETE or TRUNCATE it, and the application still works, erasure
included (it never updates the audit trail).

PostgreSQL only: runs when TEST_POSTGRES_ADMIN_URL is set; without it the test is skipped
locally and fails under PORTAL_TEST_REQUIRE_SERVICES=1."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import flask_migrate
import pytest
from sqlalchemy import select

from portal import create_app
from portal.extensions import db as _db
from tests.conftest import APP_SESSION, base_config
from tests.services import fresh_postgres_database, missing, postgres_admin_url

pytestmark = pytest.mark.own_database

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = str(ROOT / "migrations")
GRANTS = ROOT / "deploy" / "postgres-grants.sql"


@pytest.fixture
def admin_url() -> str:
    if not os.environ.get("TEST_POSTGRES_ADMIN_URL"):
        missing("PostgreSQL (TEST_POSTGRES_ADMIN_URL)")
    return postgres_admin_url()


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_runtime_role_cannot_rewrite_the_audit_trail(admin_url, tmp_path, monkeypatch):
    import psycopg
    from psycopg import errors

    role = f"portal_t_role_{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    with psycopg.connect(_plain(admin_url), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    monkeypatch.setattr(_db, "session", APP_SESSION)  # this test's own databases
    try:
        with fresh_postgres_database("portal_grants") as owner_url:
            owner_app = create_app(base_config(tmp_path, DATABASE_URL=owner_url))
            with owner_app.app_context():
                flask_migrate.upgrade(directory=MIGRATIONS)
                _db.session.remove()
                _db.engine.dispose()
            sql = GRANTS.read_text().replace("portal_app", role)
            with psycopg.connect(_plain(owner_url), autocommit=True) as conn:
                conn.execute(sql)
                conn.execute(sql)  # idempotent: a second run after a migration is harmless
            parts = urlsplit(owner_url)
            role_url = urlunsplit(
                parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port or 5432}")
            )

            with psycopg.connect(_plain(role_url), autocommit=True) as conn:
                conn.execute(
                    "INSERT INTO audit_events (occurred_at, action, details) "
                    "VALUES (now(), 'test.insert', '{}')"
                )
                assert conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 1
                for statement in (
                    "UPDATE audit_events SET action = 'test.rewritten'",
                    "UPDATE audit_events SET details = '{}'",
                    "DELETE FROM audit_events",
                    "TRUNCATE audit_events",
                ):
                    with pytest.raises(errors.InsufficientPrivilege):
                        conn.execute(statement)
                with pytest.raises(errors.InsufficientPrivilege):
                    conn.execute("DELETE FROM alembic_version")
                # A submitted report is frozen (issue 17): read, written once, never changed.
                conn.execute("SELECT count(*) FROM submitted_reports")
                for statement in (
                    "UPDATE submitted_reports SET recipient = 'x'",
                    "DELETE FROM submitted_reports",
                    "TRUNCATE submitted_reports",
                ):
                    with pytest.raises(errors.InsufficientPrivilege):
                        conn.execute(statement)
                # The one allowed change: an IP address goes (retention), never comes or changes.
                conn.execute(
                    "INSERT INTO audit_events (occurred_at, action, ip_address, details) "
                    "VALUES (now(), 'test.with_ip', '192.0.2.1', '{}')"
                )
                conn.execute("UPDATE audit_events SET ip_address = NULL")
                assert (
                    conn.execute(
                        "SELECT count(*) FROM audit_events WHERE ip_address IS NULL"
                    ).fetchone()[0]
                    == 2
                )
                with pytest.raises(errors.InsufficientPrivilege):
                    conn.execute("UPDATE audit_events SET ip_address = '192.0.2.9'")
                with pytest.raises(errors.InsufficientPrivilege):
                    conn.execute("UPDATE audit_events SET ip_address = NULL, action = 'x'")

            _exercise_the_application(role_url, tmp_path)
    finally:
        with psycopg.connect(_plain(admin_url), autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def _exercise_the_application(role_url: str, tmp_path: Path) -> None:
    """Normal work as the runtime role: users, audit events, an erasure, a purge (which now
    also removes old IP addresses)."""
    from portal.accounts.models import User
    from portal.core import audit
    from portal.core.audit import AuditEvent
    from portal.core.db import utcnow
    from portal.listings.reference import ensure_reference_data
    from portal.privacy import operations as ops
    from portal.privacy import retention
    from tests.factories import HouseholdFactory, IdentityFactory, StaffFactory, UserFactory

    app = create_app(
        base_config(tmp_path, DATABASE_URL=role_url, ERASURE_LOG=str(tmp_path / "erasures.jsonl"))
    )
    with app.app_context():
        ensure_reference_data()
        admin = StaffFactory(role="admin")
        landlord = UserFactory()
        audit.record("auth.login", actor=landlord, obj=landlord)
        household = IdentityFactory(household=HouseholdFactory()).household
        _db.session.commit()

        ops.erase_landlord(landlord, admin, landlord.email)
        ops.erase_household(household, admin, household.code)
        _db.session.commit()
        assert _db.session.get(User, landlord.id).email.startswith("erased-")
        old = audit.record("auth.login", actor=admin, obj=admin)
        old.ip_address, old.occurred_at = "192.0.2.7", utcnow() - timedelta(days=400)
        _db.session.commit()
        assert retention.purge().ip_addresses == 1
        _db.session.commit()
        _db.session.expire_all()
        assert _db.session.get(AuditEvent, old.id).ip_address is None
        # Deleting a user who acted keeps working: the foreign key's SET NULL runs as owner.
        unverified = UserFactory(email_verified_at=None)
        audit.record("auth.login", actor=unverified, obj=unverified)
        _db.session.commit()
        _db.session.delete(unverified)
        _db.session.commit()
        actions = _db.session.scalars(select(AuditEvent.action)).all()
        assert "privacy.erased" in actions and "test.insert" in actions
        _db.session.remove()
        _db.engine.dispose()
