"""``flask backup create|restore|verify|compare``: backups of the database and the upload folder,
and the check of a database restored to a point in time (docs/backup.md, restore drill)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Blueprint, current_app
from sqlalchemy import func, select

from portal.core import backup
from portal.core.audit import AuditEvent
from portal.core.backup_manifest import BackupError, table_digests, verify_backup
from portal.extensions import db

bp = Blueprint("backup_cli", __name__, cli_group="backup")


def _summary(manifest: dict[str, Any]) -> str:
    tables = manifest["database"]["tables"]
    rows = sum(table["rows"] for table in tables.values())
    return (
        f"{manifest['database']['kind']} database, revision "
        f"{manifest['database']['alembic_revision'] or '-'}, {len(tables)} tables, {rows} rows, "
        f"{manifest['uploads']['files']} uploaded files, made {manifest['created_at']}"
    )


@bp.cli.command("create")
@click.option(
    "--to",
    "destination",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory to write the backup into (default: BACKUP_DIR).",
)
@click.option("--tar", "archive", is_flag=True, help="Write one .tar archive, not a directory.")
def create(destination: Path | None, archive: bool) -> None:
    """Back up the database and the upload folder while the portal runs (nightly cron)."""
    try:
        result = backup.create_backup(current_app.config, db.engine, destination, archive=archive)
    except BackupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()  # the audit event
    click.echo(str(result.path))
    click.echo(_summary(result.manifest))


@bp.cli.command("verify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def verify(path: Path) -> None:
    """Check a backup (directory or .tar) against the checksums of its manifest."""
    try:
        manifest = verify_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"ok: {_summary(manifest)}")


@bp.cli.command("restore")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--force-uploads",
    is_flag=True,
    help="Restore into a non-empty upload folder: the backup's files replace files of the same "
    "name, other files stay.",
)
def restore(path: Path, force_uploads: bool) -> None:
    """Restore a backup into an EMPTY database and an empty upload folder."""
    try:
        manifest = backup.restore_backup(
            current_app.config, db.engine, path, force_uploads=force_uploads
        )
    except BackupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()  # the audit event, into the restored database
    click.echo(f"restored: {_summary(manifest)}")


@bp.cli.command("compare")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def compare(path: Path) -> None:
    """Compare the database DATABASE_URL points to with a backup's manifest, table by table
    (restore drill: a database restored to a point in time after that backup). Prints each
    table's rows in the backup and now, and the time of the newest audit event. Exits with
    status 1 when a table of the backup is missing, or the audit trail (append-only) has fewer
    rows; other tables with fewer rows are flagged (a purge may have run in between)."""
    try:
        manifest = verify_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    expected = manifest["database"]["tables"]
    with db.engine.connect() as connection, connection.begin():
        now = table_digests(connection)
        newest = connection.execute(select(func.max(AuditEvent.occurred_at))).scalar()
    problems = []
    click.echo(f"{'table':<34}{'backup':>10}{'now':>10}  state")
    for name in sorted(set(expected) | set(now)):
        before, after = expected.get(name), now.get(name)
        if after is None:
            state = "MISSING"
            problems.append(name)
        elif before is None:
            state = "new table"
        elif after == before:
            state = "same"
        elif after["rows"] < before["rows"]:
            state = "FEWER (a purge in between?)"
            if name == AuditEvent.__tablename__:
                state = "FEWER"
                problems.append(name)
        else:
            state = "more" if after["rows"] > before["rows"] else "changed"
        rows_before = before["rows"] if before else "-"
        rows_after = after["rows"] if after else "-"
        click.echo(f"{name:<34}{rows_before:>10}{rows_after:>10}  {state}")
    newest_text = newest.isoformat(timespec="seconds") if newest else "-"
    click.echo(f"backup made {manifest['created_at']}; newest audit event {newest_text}")
    if problems:
        raise click.ClickException(
            "missing, or fewer audit events than in the backup: " + ", ".join(problems)
        )
