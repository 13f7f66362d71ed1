"""Commands shared by all domains: ``flask outbox``, ``flask translate``, ``flask demo``."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Blueprint, current_app

from portal.extensions import db

outbox_cli = Blueprint("outbox_cli", __name__, cli_group="outbox")
translate_cli = Blueprint("translate_cli", __name__, cli_group="translate")
demo_cli = Blueprint("demo_cli", __name__, cli_group="demo")

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "portal" / "translations"
POT = ROOT / "messages.pot"


@outbox_cli.cli.command("send")
@click.option(
    "--loop",
    "interval",
    type=int,
    default=0,
    help="Keep running and look for new mail every N seconds.",
)
def outbox_send(interval: int) -> None:
    """Deliver pending e-mails (for cron or a systemd timer)."""
    from portal.core.outbox import deliver_pending

    while True:
        counts = deliver_pending()
        click.echo(
            f"sent {counts['sent']}, retry later {counts['retry']}, failed {counts['failed']}"
        )
        if not interval:
            break
        time.sleep(interval)


def _pybabel(*args: str) -> None:
    # Fixed argument lists built here, never user input.
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)  # noqa: S603


@translate_cli.cli.command("extract")
def translate_extract() -> None:
    """Collect the strings to translate into messages.pot."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "-o",
        str(POT),
        "--no-location",
        "--sort-output",
        str(ROOT),
    )


@translate_cli.cli.command("update")
def translate_update() -> None:
    """Extract, then merge new strings into the de and en catalogues."""
    translate_extract.callback()  # type: ignore[misc]
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")


@translate_cli.cli.command("compile")
def translate_compile() -> None:
    """Compile the catalogues (.po) into the files the app reads (.mo)."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


@demo_cli.cli.command("load")
def demo_load() -> None:
    """Load demo data once (refused in production); later runs keep the data."""
    from portal.accounts import demo as accounts_demo

    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("demo data is never loaded in production")
    if accounts_demo.already_seeded():
        click.echo("Demo data is there already; the passwords were printed when it was loaded.")
        click.echo("To start afresh: rm instance/portal.db && make run")
        return
    from portal.households import demo as households_demo
    from portal.listings import demo as listings_demo
    from portal.placements import demo as placements_demo
    from portal.reports import demo as reports_demo

    users = accounts_demo.seed(click.echo)
    flats = listings_demo.seed(users, click.echo)
    households_demo.seed(users, flats, click.echo)
    placements_demo.seed(users, click.echo)
    reports_demo.seed(users, click.echo)
    db.session.commit()
