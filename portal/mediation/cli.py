"""``flask mediation ...``: the jobs cron runs for the mediation domain."""

from __future__ import annotations

import click
from flask import Blueprint, current_app

from portal.core.jobs import run_alone
from portal.extensions import db
from portal.mediation import operations as ops

bp = Blueprint("mediation_cli", __name__, cli_group="mediation")


@bp.cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list the cases; change nothing.")
def purge(dry_run: bool) -> None:
    """Remove the sender's contact data from cases resolved or closed longer ago than
    MEDIATION_RETENTION_MONTHS (daily cron; two hosts starting it at once run one after the
    other). Each purged case writes an audit event."""
    run_alone("mediation purge")
    months = current_app.config["MEDIATION_RETENTION_MONTHS"]
    numbers = ops.purge(months, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo(f"dry run: {len(numbers)} case(s) older than {months} months would be purged")
    else:
        db.session.commit()
        click.echo(f"purged {len(numbers)} case(s) older than {months} months")
    for number in numbers:
        click.echo(f"  {number}")
