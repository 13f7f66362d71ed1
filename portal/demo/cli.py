"""``flask demo load``: the demo data for ``make run`` (refused in production)."""

from __future__ import annotations

import click
from flask import Blueprint, current_app

from portal import demo
from portal.extensions import db

bp = Blueprint("demo_cli", __name__, cli_group="demo")


@bp.cli.command("load")
def demo_load() -> None:
    """Load demo data once (refused in production); later runs keep the data."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("demo data is never loaded in production")
    if demo.already_seeded():
        click.echo("Demo data is there already; the passwords were printed when it was loaded.")
        click.echo("To start afresh: rm instance/portal.db && make run")
        return
    # The operations build the links in their mails with url_for, as in a request.
    with current_app.test_request_context("/", base_url=current_app.config["PORTAL_BASE_URL"]):
        demo.load(click.echo)
    db.session.commit()
