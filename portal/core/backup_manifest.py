"""What a backup holds and how it is checked: the manifest, the table checksums it records and
the verification of a backup directory or ``.tar`` archive against it.

Creating and restoring backups is ``portal.core.backup``; this module never writes to a
database or to the upload folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Connection

FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
_CHUNK = 1024 * 1024

TableDigests = dict[str, dict[str, Any]]


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why, for the operator."""


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


def alembic_revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    versions = sorted(
        connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
    )
    return ",".join(versions) or None


def differing_tables(restored: TableDigests, manifest: dict[str, Any]) -> list[str]:
    """The tables whose row count or checksum differs from the manifest's (none: a match)."""
    expected: TableDigests = manifest["database"]["tables"]
    return sorted(
        name for name in set(restored) | set(expected) if restored.get(name) != expected.get(name)
    )


# --- files ------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def files_under(root: Path) -> Iterator[tuple[str, Path]]:
    """(posix path relative to ``root``, path) of every regular file; nothing if ``root`` is
    missing. Symlinks are neither followed nor returned: storage never makes any."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(root).as_posix(), path


# --- the manifest -----------------------------------------------------------------------------


def write_manifest(
    directory: Path,
    *,
    name: str,
    created_at: datetime,
    kind: str,
    alembic_revision: str | None,
    tables: TableDigests,
    upload_files: int,
) -> dict[str, Any]:
    """Write ``manifest.json`` into the finished backup ``directory``, with the sha256 and size
    of every other file in it, and return the manifest."""
    files = {
        relative: {"sha256": _sha256(path), "bytes": path.stat().st_size}
        for relative, path in files_under(directory)
    }
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "name": name,
        "created_at": created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "database": {
            "kind": kind,
            "file": DATABASE_FILES[kind],
            "alembic_revision": alembic_revision,
            "tables": tables,
        },
        "uploads": {"directory": UPLOADS, "files": upload_files},
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


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
    present = dict(files_under(directory))
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
