"""Backups of the database and the upload folder, made while the portal runs, and their restore.

A backup is one directory, or one ``.tar`` archive holding that directory, named
``portal-backup-<UTC time>``::

    manifest.json       what the backup holds; a sha256 for every other file in it
    database.sqlite3    SQLite: a copy made through SQLite's online backup API
    database.dump       PostgreSQL: ``pg_dump --format=custom`` (for pg_restore)
    uploads/...         the files of UPLOAD_DIR

Consistency under load: the database copy is one snapshot. SQLite copies the whole file in a
single backup step under one read lock; PostgreSQL opens a read-only REPEATABLE READ transaction,
exports its snapshot and runs ``pg_dump --snapshot`` on it. The manifest's row counts and table
checksums are computed from that same snapshot (SQLite: from the copy; PostgreSQL: inside the
exporting transaction), never from the live database, so they describe exactly what was saved.

Uploads are written once under random names, saved before the row that names them commits and
removed only after the row's removal commits (``portal.core.storage``). The folder is therefore
copied once before the snapshot and once after it (only names not copied yet), so every file a
row of the snapshot names is in the backup, short of a file that is created, named, committed,
unnamed and deleted again while the first pass runs.

A restore goes only into an empty database, after every checksum has been checked; it then
checks the restored tables against the manifest before it touches the upload folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import NullPool

from portal.core import audit
from portal.core.storage import DIR_MODE, FILE_MODE

FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
NAME_PREFIX = "portal-backup-"
# A file storage.save() is still writing; it becomes visible under its real name or not at all.
_PARTIAL_PREFIX = ".tmp-"
_CHUNK = 1024 * 1024

TableDigests = dict[str, dict[str, Any]]


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why, for the operator."""


@dataclass(frozen=True)
class Backup:
    """A finished backup: where it lies and its manifest."""

    path: Path
    manifest: dict[str, Any]


# --- table checksums --------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-ready form of a driver value that does not depend on the session's settings."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_digests(connection: Connection) -> TableDigests:
    """Row count and sha256 of the content of every table in the connection's default schema.

    The sha256 covers every column of every row, rows in primary-key order (all columns where a
    table has no primary key), values as the driver returns them. Two databases of the same kind
    holding the same rows give the same digests; the figures describe what ``connection`` sees,
    so inside one transaction they describe one snapshot.
    """
    inspector = inspect(connection)
    quote = connection.dialect.identifier_preparer.quote
    digests: TableDigests = {}
    for table in sorted(inspector.get_table_names()):
        columns = [column["name"] for column in inspector.get_columns(table)]
        order = inspector.get_pk_constraint(table).get("constrained_columns") or columns
        sql = "SELECT {} FROM {} ORDER BY {}".format(  # noqa: S608 (names from the catalogue)
            ", ".join(quote(c) for c in columns), quote(table), ", ".join(quote(c) for c in order)
        )
        sha = hashlib.sha256()
        rows = 0
        result = connection.execution_options(stream_results=True).exec_driver_sql(sql)
        for partition in result.partitions(1000):
            for row in partition:
                line = json.dumps(
                    [_plain(v) for v in row], default=str, sort_keys=True, separators=(",", ":")
                )
                sha.update(line.encode() + b"\n")
                rows += 1
        digests[table] = {"rows": rows, "sha256": sha.hexdigest()}
    return digests


def _alembic_revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    versions = sorted(
        connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
    )
    return ",".join(versions) or None


# --- files ------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _files_under(root: Path) -> Iterator[tuple[str, Path]]:
    """(posix path relative to ``root``, path) of every regular file; nothing if ``root`` is
    missing. Symlinks are neither followed nor returned: storage never makes any."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(root).as_posix(), path


def _copy_uploads(source: Path, target: Path, copied: set[str]) -> None:
    """Copy the files of ``source`` not in ``copied`` yet; files that vanish meanwhile are
    skipped (their removal was committed), half-written ones are never copied."""
    for relative, path in _files_under(source):
        if relative in copied or path.name.startswith(_PARTIAL_PREFIX):
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(path, destination)
        except FileNotFoundError:
            continue
        copied.add(relative)


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
            return table_digests(connection), _alembic_revision(connection)
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
            return table_digests(snapshot), _alembic_revision(snapshot)


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


def create_backup(
    config: Mapping[str, Any],
    engine: Engine,
    destination: Path | None = None,
    *,
    archive: bool = False,
) -> Backup:
    """Back up the database of ``engine`` and ``config["UPLOAD_DIR"]`` into ``destination``
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
    uploads = Path(config["UPLOAD_DIR"])
    now = datetime.now(UTC)
    name = _unused_name(destination, now)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=destination))
    try:
        copied: set[str] = set()
        _copy_uploads(uploads, work / UPLOADS, copied)  # before the snapshot ...
        database_file = work / DATABASE_FILES[kind]
        snapshot = _snapshot_sqlite if kind == "sqlite" else _snapshot_postgres
        tables, revision = snapshot(engine, database_file)
        _copy_uploads(uploads, work / UPLOADS, copied)  # ... and after it: see module docstring
        files = {
            relative: {"sha256": _sha256(path), "bytes": path.stat().st_size}
            for relative, path in _files_under(work)
        }
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "name": name,
            "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "database": {
                "kind": kind,
                "file": DATABASE_FILES[kind],
                "alembic_revision": revision,
                "tables": tables,
            },
            "uploads": {"directory": UPLOADS, "files": len(copied)},
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        _lock_down(work)
        if archive:
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


# --- verify -----------------------------------------------------------------------------------


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The backup directory of ``path``: the directory itself, or for a ``.tar`` archive its
    content unpacked into a temporary directory (removed afterwards) with tarfile's ``data``
    filter, which refuses absolute paths, ``..`` and links that lead outside."""
    path = Path(path)
    if path.is_dir():
        yield path
        return
    if not path.is_file() or not tarfile.is_tarfile(path):
        raise BackupError(f"{path} is neither a backup directory nor a .tar archive")
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
        try:
            with tarfile.open(path) as tar:
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"cannot unpack {path}: {exc}") from exc
        candidates = [p.parent for p in Path(tmp).glob(f"*/{MANIFEST}")]
        if len(candidates) != 1:
            raise BackupError(f"{path} does not hold exactly one backup directory")
        yield candidates[0]


def check_backup(directory: Path) -> dict[str, Any]:
    """The manifest of the backup ``directory``, once every file it lists is present with its
    recorded size and sha256 and no file it does not list is there. Raises ``BackupError``
    naming the problems otherwise."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{directory} has no {MANIFEST}: not a portal backup")
    try:
        manifest = json.loads(manifest_path.read_text())
        files: dict[str, dict[str, Any]] = manifest["files"]
        kind = manifest["database"]["kind"]
        database_file = manifest["database"]["file"]
        if not (
            isinstance(manifest["database"]["tables"], dict)
            and isinstance(manifest["created_at"], str)
            and isinstance(manifest["uploads"]["files"], int)
        ):
            raise ValueError("tables, created_at or the upload count are missing")
        for relative, entry in files.items():
            if not (isinstance(entry.get("sha256"), str) and isinstance(entry.get("bytes"), int)):
                raise ValueError(f"no sha256 and size for {relative}")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{manifest_path} is not a valid backup manifest: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if DATABASE_FILES.get(kind) != database_file or database_file not in files:
        raise BackupError(f"the manifest names no database file for {kind!r}")
    problems: list[str] = []
    present = {relative: path for relative, path in _files_under(directory)}
    present.pop(MANIFEST, None)
    for relative, expected in sorted(files.items()):
        path = present.pop(relative, None)
        if path is None:
            problems.append(f"missing: {relative}")
        elif path.stat().st_size != expected["bytes"] or _sha256(path) != expected["sha256"]:
            problems.append(f"checksum mismatch: {relative}")
    problems.extend(f"not in the manifest: {relative}" for relative in sorted(present))
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BackupError(f"the backup does not match its manifest:\n  {shown}{more}")
    return manifest


def verify_backup(path: Path) -> dict[str, Any]:
    """The manifest of the backup at ``path`` (directory or .tar) once ``check_backup`` passed."""
    with opened(path) as directory:
        return check_backup(directory)


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


def _refuse_non_empty_uploads(uploads: Path) -> None:
    if next(iter(_files_under(uploads)), None) is not None:
        raise BackupError(
            f"the upload folder {uploads} is not empty; empty it, point UPLOAD_DIR to an empty "
            "folder, or pass --force-uploads to write the backup's files over it"
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
    and into ``config["UPLOAD_DIR"]``; return its manifest.

    Refuses, changing nothing, when a checksum does not match the manifest, when the backup is
    of another database kind, when the database holds any table, or when the upload folder holds
    a file (unless ``force_uploads``: then the backup's files replace files of the same name and
    other files stay). After the database is restored its tables are checked against the
    manifest's row counts and checksums before the uploads are written. Adds a
    ``backup.restored`` audit event to ``db.session`` (so to the restored database); the caller
    commits.
    """
    uploads = Path(config["UPLOAD_DIR"])
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
        if restored != manifest["database"]["tables"]:
            differing = sorted(
                name
                for name in set(restored) | set(manifest["database"]["tables"])
                if restored.get(name) != manifest["database"]["tables"].get(name)
            )
            raise BackupError(
                "the restored database differs from the manifest in: " + ", ".join(differing)
            )
        for relative, source in _files_under(directory / UPLOADS):
            target = uploads / relative
            target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            os.chmod(target, FILE_MODE)
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
