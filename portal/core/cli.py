"""Commands shared by all domains: ``flask outbox``, ``flask translate`` (``flask demo`` is in
``portal.demo.cli``)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Blueprint

outbox_cli = Blueprint("outbox_cli", __name__, cli_group="outbox")
translate_cli = Blueprint("translate_cli", __name__, cli_group="translate")

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
