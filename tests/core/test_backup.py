"""``flask backup create|verify|restore`` on SQLite and PostgreSQL: a backup taken while another
thread keeps committing restores into a new, empty database as exactly one instant of the live
database, and the refusals (non-empty database, tampered backup, non-empty upload folder) change
nothing."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, func, insert, inspect, select, table, text

from portal import create_app
from portal.config import build_config
from portal.core import backup as backup_ops
from portal.core import backup_manifest, storage
from portal.core.audit import AuditEvent
from portal.core.outbox import OutboxMessage
from portal.extensions import db as _db
from tests.conftest import base_config
from tests.services import fresh_postgres_database, missing

pytestmark = pytest.mark.own_database

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
HEAD = ScriptDirectory(MIGRATIONS).get_current_head()
SEED_EVENTS = 3000


@pytest.fixture(autouse=True)
def db():
    """Backups read databases that really commit; no per-test rollback here."""
    yield _db


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    if request.param == "postgresql":
        for program in ("pg_dump", "pg_restore"):
            if shutil.which(program) is None:
                missing(program)
    return request.param


def _dispose(app: Flask) -> None:
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def new_app(backend, tmp_path) -> Iterator[Callable[[str], Flask]]:
    """``new_app(label)``: an app on a new, empty database of the backend under test (a SQLite
    file in tmp_path or a fresh PostgreSQL database) with its own empty upload folder. Engines
    are disposed and PostgreSQL databases dropped afterwards."""
    with contextlib.ExitStack() as stack:

        def make(label: str) -> Flask:
            if backend == "postgresql":
                url = stack.enter_context(fresh_postgres_database("portal_backup"))
            else:
                url = f"sqlite:///{tmp_path / label}.db"
            app = create_app(
                base_config(
                    tmp_path,
                    DATABASE_URL=url,
                    UPLOAD_DIR=str(tmp_path / label / "uploads"),
                    BACKUP_DIR=str(tmp_path / "backups"),
                )
            )
            stack.callback(_dispose, app)  # runs before the database is dropped
            return app

        yield make


def _migrated(app: Flask) -> Flask:
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
    return app


def _seed(app: Flask) -> dict[str, bytes]:
    """Audit events enough for the backup to take a while, and a few uploaded files (returned
    by their path in the upload folder)."""
    files = {
        f"photos/{storage.new_key()}_640.webp": os.urandom(200_000),
        f"photos/{storage.new_key()}_1280.webp": os.urandom(50_000),
        f"consents/{storage.new_key()}": b"%PDF-1.4 consent \x00\xff",
        "empty-file": b"",
    }
    with app.app_context():
        _db.session.execute(
            insert(AuditEvent),
            [
                {"action": "seed", "object_type": "flats", "object_id": n, "details": {"n": n}}
                for n in range(SEED_EVENTS)
            ],
        )
        _db.session.commit()
        for relative, data in files.items():
            storage.save(relative, data)
    return files


def _create(app: Flask, *args: str) -> Path:
    result = app.test_cli_runner().invoke(args=["backup", "create", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return Path(result.output.splitlines()[0])


def _restore(app: Flask, path: Path, *args: str):
    return app.test_cli_runner().invoke(args=["backup", "restore", str(path), *args])


def _tables(app: Flask) -> list[str]:
    with app.app_context():
        return inspect(_db.engine).get_table_names()


def _upload_files(app: Flask) -> dict[str, bytes]:
    root = Path(app.config["UPLOAD_DIR"])
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


class Writer(threading.Thread):
    """Commits, as fast as it can until stopped, one transaction after another, each writing an
    outbox message and an audit event that names it: a snapshot holds both rows or neither."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = create_engine(url)
        self.committed = 0
        self.error: BaseException | None = None
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                n = self.committed + 1
                with self.engine.begin() as connection:
                    message = connection.execute(
                        insert(OutboxMessage).values(
                            to_address=f"load{n}@example.org", subject=f"load {n}", body_text="x"
                        )
                    )
                    connection.execute(
                        insert(AuditEvent).values(
                            action="load.write",
                            object_type="outbox_messages",
                            object_id=message.inserted_primary_key[0],
                            details={"n": n},
                        )
                    )
                self.committed = n
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.engine.dispose()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while self.committed < count and self.error is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert self.error is None, self.error
        assert self.committed >= count, "the writer made no progress"

    def stop(self) -> None:
        self.stopping.set()
        self.join(60)


def _load_rows(app: Flask) -> list[tuple]:
    with app.app_context():
        rows = _db.session.execute(
            select(OutboxMessage.id, OutboxMessage.subject, OutboxMessage.to_address).order_by(
                OutboxMessage.id
            )
        )
        return [tuple(row) for row in rows]


@pytest.mark.parametrize("archive", [False, True], ids=["directory", "tar"])
def test_backup_under_write_load_restores_exactly_the_snapshot(new_app, backend, archive, tmp_path):
    source = _migrated(new_app("source"))
    files = _seed(source)
    writer = Writer(source.config["SQLALCHEMY_DATABASE_URI"])
    writer.start()
    try:
        writer.wait_for(20)
        before = writer.committed
        path = _create(source, "--to", str(tmp_path / "out"), *(["--tar"] if archive else []))
        after = writer.committed
        writer.wait_for(after + 20)
    finally:
        writer.stop()
    assert writer.error is None, writer.error
    assert path.parent == tmp_path / "out" and path.name.endswith(".tar") == archive

    manifest = backup_manifest.verify_backup(path)
    tables = manifest["database"]["tables"]
    assert manifest["database"]["kind"] == backend
    assert manifest["database"]["alembic_revision"] == HEAD
    assert datetime.fromisoformat(manifest["created_at"]).tzinfo == UTC
    assert {f"uploads/{relative}" for relative in files} <= set(manifest["files"])
    assert manifest["files"][manifest["database"]["file"]]["sha256"]

    # The load really ran while the backup did, and went on after it.
    snapshot_pairs = tables["outbox_messages"]["rows"]
    assert after > before
    # The counter follows each commit, so it may lag the snapshot by one.
    assert before <= snapshot_pairs <= after + 1
    assert snapshot_pairs < writer.committed
    # Both rows of each load transaction, or neither: the counts describe one snapshot.
    assert tables["audit_events"]["rows"] == SEED_EVENTS + snapshot_pairs

    live = _load_rows(source)
    with source.app_context():
        audited = _db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "backup.created")
        ).all()
    assert [event.details["backup"] for event in audited] == [path.name]

    target = new_app("target")
    result = _restore(target, path)
    assert result.exit_code == 0, (result.output, result.exception)

    with target.app_context():
        last = _db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.action == "backup.restored" and last.details["backup"] == manifest["name"]
        # Without the restore's own audit event the database is the snapshot, row for row.
        _db.session.delete(last)
        _db.session.commit()
        with _db.engine.connect() as connection:
            assert backup_manifest.table_digests(connection) == tables
            counts = {
                name: connection.scalar(select(func.count()).select_from(table(name)))
                for name in tables
            }
            dangling = connection.execute(
                text(
                    "SELECT count(*) FROM audit_events WHERE action = 'load.write' "
                    "AND object_id NOT IN (SELECT id FROM outbox_messages)"
                )
            ).scalar_one()
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == HEAD
    assert counts == {name: table["rows"] for name, table in tables.items()}
    assert dangling == 0
    # The live database as it was at one instant: exactly the first load rows, no gap.
    assert _load_rows(target) == live[:snapshot_pairs]
    assert _upload_files(target) == files


def test_restore_refuses_a_database_that_is_not_empty(new_app, tmp_path):
    source = _migrated(new_app("source"))
    _seed(source)
    path = _create(source)
    assert path.parent == tmp_path / "backups"  # BACKUP_DIR when no --to is given
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [path.name]  # no leftovers

    with source.app_context():
        events = _db.session.scalar(select(func.count()).select_from(AuditEvent))
    result = _restore(source, path)
    assert result.exit_code != 0
    assert "not empty" in result.output and "new, empty database" in result.output
    with source.app_context():
        assert _db.session.scalar(select(func.count()).select_from(AuditEvent)) == events

    # Tables without a single row are refused too: pg_restore would collide with them.
    target = new_app("target")
    with target.app_context():
        _db.create_all()
    result = _restore(target, path)
    assert result.exit_code != 0 and "not empty" in result.output
    with target.app_context():
        assert _db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert _upload_files(target) == {}


def test_restore_refuses_a_tampered_backup(new_app, backend):
    source = _migrated(new_app("source"))
    files = _seed(source)
    path = _create(source)
    target = new_app("target")
    runner = target.test_cli_runner()
    photo = path / "uploads" / next(iter(files))
    database = path / backup_manifest.DATABASE_FILES[backend]

    original = photo.read_bytes()
    photo.write_bytes(bytes([original[0] ^ 1]) + original[1:])
    for command in (["verify"], ["restore"]):
        result = runner.invoke(args=["backup", *command, str(path)])
        assert result.exit_code != 0
        assert f"checksum mismatch: uploads/{next(iter(files))}" in result.output
    photo.write_bytes(original)
    assert runner.invoke(args=["backup", "verify", str(path)]).exit_code == 0

    with database.open("ab") as fh:
        fh.write(b"\x00")
    result = _restore(target, path)
    assert result.exit_code != 0 and f"checksum mismatch: {database.name}" in result.output

    database.write_bytes(database.read_bytes()[:-1])
    (path / "uploads" / "smuggled").write_bytes(b"#!/bin/sh")
    result = _restore(target, path)
    assert result.exit_code != 0 and "not in the manifest: uploads/smuggled" in result.output

    assert _tables(target) == []
    assert _upload_files(target) == {}


def test_restore_into_a_non_empty_upload_folder_needs_force_uploads(new_app):
    source = _migrated(new_app("source"))
    files = _seed(source)
    path = _create(source, "--tar")
    target = new_app("target")
    kept = Path(target.config["UPLOAD_DIR"]) / "photos" / "kept.webp"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"already here")

    result = _restore(target, path)
    assert result.exit_code != 0 and "--force-uploads" in result.output
    assert _tables(target) == []

    result = _restore(target, path, "--force-uploads")
    assert result.exit_code == 0, (result.output, result.exception)
    assert _upload_files(target) == {**files, "photos/kept.webp": b"already here"}


def _in_new_bucket(app: Flask, s3_server: str) -> storage.Storage:
    """Point ``app``'s uploads at a new, empty bucket on the S3 test server."""
    from tests.conftest import _s3_settings

    app.config.update(_s3_settings(s3_server))
    backend = storage.backend_for(app.config)
    backend.client.create_bucket(Bucket=app.config["S3_BUCKET"])
    return backend


@pytest.mark.parametrize(
    ("source_storage", "target_storage"), [("s3", "s3"), ("local", "s3"), ("s3", "local")]
)
def test_uploads_in_a_bucket_are_backed_up_and_restored(
    new_app, s3_server, source_storage, target_storage
):
    """With STORAGE_BACKEND=s3 the backup copies the bucket's objects into the archive and the
    restore writes them back, into a bucket or a folder: also the way from one to the other."""
    source = _migrated(new_app("source"))
    if source_storage == "s3":
        source_bucket = _in_new_bucket(source, s3_server)
        foreign = "other-deployment/photos/not-ours"
        source_bucket.client.put_object(Bucket=source.config["S3_BUCKET"], Key=foreign, Body=b"")
    files = _seed(source)
    path = _create(source, "--tar")
    manifest = backup_manifest.verify_backup(path)
    assert manifest["uploads"]["files"] == len(files)

    target = new_app("target")
    if target_storage == "s3":
        target_bucket = _in_new_bucket(target, s3_server)
        target_bucket.save("photos/kept.webp", b"already here")
        result = _restore(target, path)
        assert result.exit_code != 0 and "the bucket s3://" in result.output
        assert "--force-uploads" in result.output and _tables(target) == []
        target_bucket.delete("photos/kept.webp")
    result = _restore(target, path)
    assert result.exit_code == 0, (result.output, result.exception)
    restored = storage.backend_for(target.config)
    assert {key: restored.read(key) for key in restored.list_keys()} == files


def test_a_failed_backup_leaves_nothing_behind(new_app, monkeypatch, tmp_path):
    source = _migrated(new_app("source"))

    def broken(engine, target):
        target.write_bytes(b"half a database")
        raise backup_manifest.BackupError("disk full")

    monkeypatch.setattr(backup_ops, "_snapshot_sqlite", broken)
    monkeypatch.setattr(backup_ops, "_snapshot_postgres", broken)
    result = source.test_cli_runner().invoke(args=["backup", "create", "--tar"])
    assert result.exit_code != 0 and "disk full" in result.output
    assert list((tmp_path / "backups").iterdir()) == []
    with source.app_context():
        assert _db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_backup_dir_setting(tmp_path):
    assert build_config(str(tmp_path), {})["BACKUP_DIR"] == str(tmp_path / "backups")
    assert build_config(str(tmp_path), {"BACKUP_DIR": "/srv/b"})["BACKUP_DIR"] == "/srv/b"
