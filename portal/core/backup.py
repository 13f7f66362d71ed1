"""Backups of the database and the upload folder, made while the portal runs, and their restore.

A backup is one directory, or one ``.tar`` archive holding that directory, named
``portal-backup-<UTC time>``::

    manifest.json       what the backup holds; a sha256 for every other file in it
    database.sqlite3    SQLite: a copy made through SQLite's online backup API
    database.dump       PostgreSQL: ``pg_dump --format=custom`` (for pg_restore)
    uploads/...         the uploaded files, by key (portal.core.storage: the folder UPLOAD_DIR
                        or, with STORAGE_BACKEND=s3, the objects of the bucket)

Consistency under load: the database copy is one snapshot. SQLite copies the whole file in a
single backup step under one read lock; PostgreSQL opens a read-only REPEATABLE READ transaction,
exports its snapshot and runs ``pg_dump --snapshot`` on it. The manifest's row counts and table
checksums are computed from that same snapshot (SQLite: from the copy; PostgreSQL: inside the
exporting transaction), never from the live database, so they describe exactly what was saved.

Uploads are written once under random names, saved before the row that names them commits and
removed only after the row's removal commits (``portal.core.storage``). The storage is therefore
copied once before the snapshot and once after it (only keys not copied yet), so every file a
row of the snapshot names is in the backup, short of a file that is created, named, committed,
unnamed and deleted again while the first pass runs. Both storage backends are read through the
same interface, so a backup is the same whichever holds the files, and restores into either:
a backup of a folder restored with STORAGE_BACKEND=s3 moves the files into the bucket.

A restore goes only into an empty database, after every checksum has been checked; it then
checks the restored tables against the manifest before it touches the upload folder.

The manifest and the checks of a backup against it live in ``portal.core.backup_manifest``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool

from portal.core import audit, clock, storage
from portal.core.backup_manifest import (
    DATABASE_FILES,
    UPLOADS,
    BackupError,
    TableDigests,
    alembic_revision,
    check_backup,
    differing_tables,
    files_under,
    opened,
    table_digests,
    write_manifest,
)

NAME_PREFIX = "portal-backup-"


@dataclass(frozen=True)
class Backup:
    """A finished backup: where it lies and its manifest."""

    path: Path
    manifest: dict[str, Any]


# --- uploads ----------------------------------------------------------------------------------


def _copy_uploads(source: storage.Storage, target: Path, copied: set[str]) -> None:
    """Copy the files of ``source`` not in ``copied`` yet, streamed; files that vanish meanwhile
    are skipped (their removal was committed). ``list_keys`` lists complete files only, and only
    valid keys, so none lands outside ``target``."""
    for key in source.list_keys():
        if key in copied:
            continue
        destination = target / key
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            with source.open(key) as stream, destination.open("wb") as copy:
                shutil.copyfileobj(stream, copy, storage.CHUNK)
        except FileNotFoundError:
            destination.unlink(missing_ok=True)
            continue
        copied.add(key)


# --- create -----------------------------------------------------------------------------------


def database_kind(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``; any other database is refused."""
    kind = engine.dialect.name
    if kind not in DATABASE_FILES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {kind}")
    return kind


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"cannot back up or restore the SQLite database {database!r}")
    return Path(database)


def _snapshot_sqlite(engine: Engine, target: Path) -> tuple[TableDigests, str | None]:
    source_path = _sqlite_path(engine)
    if not source_path.is_file():
        raise BackupError(f"the SQLite database {source_path} does not exist")
    source = sqlite3.connect(source_path, timeout=60)
    copy = sqlite3.connect(target)
    try:
        # pages=-1: the whole database in one step, under one read lock: one snapshot.
        source.backup(copy, pages=-1)
    finally:
        copy.close()
        source.close()
    copy_engine = create_engine(f"sqlite:///{target}", poolclass=NullPool)
    try:
        with copy_engine.connect() as connection:
            check = connection.exec_driver_sql("PRAGMA quick_check").scalar()
            if check != "ok":
                raise BackupError(f"the copy of the SQLite database is damaged: {check}")
            return table_digests(connection), alembic_revision(connection)
    finally:
        copy_engine.dispose()


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The connection URL for pg_dump/pg_restore without the password, and an environment
    that carries the password instead (argv is visible to every user of the machine)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(program: str, arguments: list[str], env: dict[str, str]) -> None:
    executable = shutil.which(program, path=env.get("PATH"))
    if executable is None:
        raise BackupError(f"{program} is not installed or not on PATH")
    # A fixed argument list, no shell; the password travels in env, never in argv.
    result = subprocess.run(  # noqa: S603
        [executable, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed ({result.returncode}): {result.stderr.strip()}")


def _snapshot_postgres(engine: Engine, target: Path) -> tuple[TableDigests, str | None]:
    conninfo, env = _libpq(engine.url)
    with engine.connect() as connection:
        snapshot = connection.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        with snapshot.begin():
            snapshot_id = snapshot.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            _run(
                "pg_dump",
                [
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                    f"--dbname={conninfo}",
                ],
                env,
            )
            # Same transaction, same snapshot as the dump.
            return table_digests(snapshot), alembic_revision(snapshot)


def _unused_name(destination: Path, now: datetime) -> str:
    base = f"{NAME_PREFIX}{now:%Y%m%dT%H%M%SZ}"
    name, number = base, 1
    while (destination / name).exists() or (destination / f"{name}.tar").exists():
        number += 1
        name = f"{base}-{number}"
    return name


def _lock_down(root: Path) -> None:
    """Backups hold personal data: owner-only access."""
    for dirpath, _dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o700)
        for name in filenames:
            os.chmod(Path(dirpath) / name, 0o600)


def _archive(work: Path, destination: Path, name: str) -> Path:
    """Pack ``work`` into ``<name>.tar``, which appears under that name only once complete."""
    final = destination / f"{name}.tar"
    partial = destination / f".tmp-{name}.tar"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            with tarfile.open(fileobj=fh, mode="w") as tar:
                tar.add(work, arcname=name)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return final


def create_backup(
    config: Mapping[str, Any],
    engine: Engine,
    destination: Path | None = None,
    *,
    archive: bool = False,
) -> Backup:
    """Back up the database of ``engine`` and the uploaded files (``config``'s storage backend)
    into ``destination``
    (default ``config["BACKUP_DIR"]``) while the portal keeps running.

    Guarantees: the database part is one transactionally consistent snapshot; the manifest's
    row counts and table checksums describe that snapshot; the manifest holds the sha256 of
    every other file; the backup appears under its final name only once complete (built in a
    hidden temporary directory, then renamed), with owner-only permissions. On failure nothing
    is left behind. Adds a ``backup.created`` audit event to ``db.session``; the caller commits.
    """
    kind = database_kind(engine)
    destination = Path(destination or config["BACKUP_DIR"])
    destination.mkdir(parents=True, exist_ok=True, mode=0o700)
    uploads = storage.backend_for(config)
    now = clock.utcnow()
    name = _unused_name(destination, now)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=destination))
    try:
        copied: set[str] = set()
        _copy_uploads(uploads, work / UPLOADS, copied)  # before the snapshot ...
        database_file = work / DATABASE_FILES[kind]
        snapshot = _snapshot_sqlite if kind == "sqlite" else _snapshot_postgres
        tables, revision = snapshot(engine, database_file)
        _copy_uploads(uploads, work / UPLOADS, copied)  # ... and after it: see module docstring
        manifest = write_manifest(
            work,
            name=name,
            created_at=now,
            kind=kind,
            alembic_revision=revision,
            tables=tables,
            upload_files=len(copied),
        )
        _lock_down(work)
        if archive:
            final = _archive(work, destination, name)
            shutil.rmtree(work)
        else:
            final = destination / name
            os.rename(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    audit.record(
        "backup.created",
        object_type="backup",
        backup=final.name,
        kind=kind,
        alembic_revision=revision,
        rows=sum(table["rows"] for table in tables.values()),
        upload_files=len(copied),
    )
    return Backup(final, manifest)


# --- restore ----------------------------------------------------------------------------------


def _refuse_non_empty_database(engine: Engine) -> None:
    with engine.connect() as connection:
        tables = sorted(inspect(connection).get_table_names())
    if tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise BackupError(
            f"the target database is not empty (it has {len(tables)} tables: {shown}); "
            "a backup is restored only into a new, empty database"
        )


def _refuse_non_empty_uploads(uploads: storage.Storage) -> None:
    if next(iter(uploads.list_keys()), None) is not None:
        raise BackupError(
            f"{uploads.describe()} is not empty; empty it, point UPLOAD_DIR (or S3_BUCKET, "
            "S3_PREFIX) to an empty one, or pass --force-uploads to write the backup's files "
            "over it"
        )


def _restore_sqlite(engine: Engine, copy: Path) -> None:
    target_path = _sqlite_path(engine)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    engine.dispose()  # no pooled connection may hold the file open in a transaction
    source = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=60)
    try:
        source.backup(target, pages=-1)
    finally:
        target.close()
        source.close()


def _restore_postgres(engine: Engine, dump: Path) -> None:
    conninfo, env = _libpq(engine.url)
    engine.dispose()
    _run(
        "pg_restore",
        [
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
    )


def restore_backup(
    config: Mapping[str, Any], engine: Engine, path: Path, *, force_uploads: bool = False
) -> dict[str, Any]:
    """Restore the backup at ``path`` (directory or .tar) into the empty database of ``engine``
    and into ``config``'s storage backend; return its manifest.

    Refuses, changing nothing, when a checksum does not match the manifest, when the backup is
    of another database kind, when the database holds any table, or when the upload folder holds
    a file (unless ``force_uploads``: then the backup's files replace files of the same name and
    other files stay). After the database is restored its tables are checked against the
    manifest's row counts and checksums before the uploads are written. Adds a
    ``backup.restored`` audit event to ``db.session`` (so to the restored database); the caller
    commits.
    """
    uploads = storage.backend_for(config)
    with opened(path) as directory:
        manifest = check_backup(directory)
        kind = manifest["database"]["kind"]
        if kind != database_kind(engine):
            raise BackupError(f"this is a {kind} backup; the portal uses {engine.dialect.name}")
        _refuse_non_empty_database(engine)
        if not force_uploads:
            _refuse_non_empty_uploads(uploads)
        database_file = directory / manifest["database"]["file"]
        if kind == "sqlite":
            _restore_sqlite(engine, database_file)
        else:
            _restore_postgres(engine, database_file)
        with engine.connect() as connection:
            restored = table_digests(connection)
        differing = differing_tables(restored, manifest)
        if differing:
            raise BackupError(
                "the restored database differs from the manifest in: " + ", ".join(differing)
            )
        for relative, source in files_under(directory / UPLOADS):
            try:
                storage.check_key(relative)
            except ValueError as exc:
                raise BackupError(f"the backup holds an upload named {relative!r}") from exc
            with source.open("rb") as stream:
                uploads.save(relative, stream)
    audit.record(
        "backup.restored",
        object_type="backup",
        backup=manifest.get("name"),
        backup_created_at=manifest["created_at"],
        kind=kind,
        alembic_revision=manifest["database"]["alembic_revision"],
        upload_files=manifest["uploads"]["files"],
    )
    return manifest
