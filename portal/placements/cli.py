"""``flask placements ...``: the jobs cron runs for the placements domain."""

from __future__ import annotations

import click
from flask import Blueprint

from portal.core.jobs import claim_daily_run
from portal.extensions import db
from portal.placements import operations as ops

bp = Blueprint("placements_cli", __name__, cli_group="placements")


def _claimed(job: str) -> bool:
    claim = claim_daily_run(job)
    if isinstance(claim, str):
        click.echo(claim)
        return False
    return True


@bp.cli.command("remind")
def remind() -> None:
    """Mail the specialists about placements without progress for 14 days and follow-ups due
    within a week (daily cron; once a day however many hosts start it)."""
    if not _claimed("placements remind"):
        return
    counts = ops.remind()
    db.session.commit()
    click.echo(
        f"overdue {counts['overdue']}, follow-ups due {counts['follow_ups']}, "
        f"mails {counts['mails']}"
    )


@bp.cli.command("digest")
def digest() -> None:
    """Mail each landlord who chose one summary a day the placement steps since the last one
    (daily cron, in the evening; once a day however many hosts start it)."""
    if not _claimed("placements digest"):
        return
    counts = ops.send_digests()
    db.session.commit()
    click.echo(f"landlords {counts['landlords']}, digests {counts['mails']}")
