"""``flask backup compare``: the check of a restore drill. A database restored to a point in time
after a nightly backup is compared with that backup's manifest, table by table (PostgreSQL in the
suite's PostgreSQL pass, SQLite otherwise)."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, insert

from portal.core.audit import AuditEvent
from portal.core.outbox import OutboxMessage
from portal.extensions import db as _db
from tests.own_database import app_on_own_database
from tests.services import database_url_under_test, fresh_postgres_database, missing


@pytest.fixture(autouse=True)
def db():
    """The backup reads a database that really commits; no per-test rollback here."""
    yield _db


@pytest.fixture
def own_app(tmp_path):
    under_test = database_url_under_test()
    on_postgres = bool(under_test and under_test.startswith("postgresql"))
    if on_postgres and shutil.which("pg_dump") is None:
        missing("pg_dump")
    database = (
        fresh_postgres_database("portal_compare")
        if on_postgres
        else contextlib.nullcontext(f"sqlite:///{tmp_path / 'live.db'}")
    )
    backups = str(tmp_path / "backups")
    with database as url, app_on_own_database(tmp_path, url, BACKUP_DIR=backups) as app:
        with app.app_context():
            _db.session.execute(insert(AuditEvent), [{"action": "seed", "details": {}}] * 5)
            _db.session.commit()
        yield app


def test_compare_reports_each_table_against_the_backup(own_app):
    runner = own_app.test_cli_runner()
    created = runner.invoke(args=["backup", "create"])
    assert created.exit_code == 0, created.output
    backup = Path(created.output.splitlines()[0])

    same = runner.invoke(args=["backup", "compare", str(backup)])
    assert same.exit_code == 0, same.output
    assert "audit_events" in same.output and "FEWER" not in same.output
    # Later work (as a restore to a later minute brings back): more rows, still fine.
    with own_app.app_context():
        _db.session.execute(insert(AuditEvent), [{"action": "later", "details": {}}] * 3)
        _db.session.execute(
            insert(OutboxMessage),
            [{"to_address": "a@example.org", "subject": "s", "body_text": "b"}],
        )
        _db.session.commit()
    later = runner.invoke(args=["backup", "compare", str(backup)])
    assert later.exit_code == 0, later.output
    line = next(x for x in later.output.splitlines() if x.startswith("audit_events"))
    # The backup's own audit event ("backup.created") came after the snapshot.
    assert line.split()[1:] == ["5", "9", "more"], line
    assert "newest audit event 20" in later.output
    # An audit trail with fewer rows than the backup: the restore went wrong.
    with own_app.app_context():
        _db.session.execute(delete(AuditEvent).where(AuditEvent.action == "seed"))
        _db.session.commit()
    wrong = runner.invoke(args=["backup", "compare", str(backup)])
    assert wrong.exit_code == 1
    assert "fewer audit events than in the backup: audit_events" in wrong.output
