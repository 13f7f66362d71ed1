"""``flask households ...``: the jobs cron runs for the households domain."""

from __future__ import annotations

import click
from flask import Blueprint

from portal.core.jobs import run_alone
from portal.extensions import db
from portal.households import operations as ops

bp = Blueprint("households_cli", __name__, cli_group="households")


@bp.cli.command("expire-consents")
def expire_consents() -> None:
    """Record expired consents and remind social workers 14 days before expiry (daily cron; two
    hosts starting it at once run one after the other)."""
    run_alone("households expire-consents")
    counts = ops.expire_consents()
    db.session.commit()
    click.echo(f"expired {counts['expired']}, reminded {counts['reminded']}")
