"""``flask reports export``: the figures as CSV or the PDF of every table, for scheduled runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Blueprint
from flask_babel import force_locale

from portal.core import clock
from portal.extensions import db
from portal.reports import exports, figures, report
from portal.reports.periods import PRESETS, Period, preset

bp = Blueprint("reports_cli", __name__, cli_group="reports")


@bp.cli.command("export")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day, 2026-01-01.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (included).")
@click.option("--preset", "preset_name", type=click.Choice(PRESETS), help="Instead of --from/--to.")
@click.option(
    "--format", "kind", type=click.Choice(["csv", "pdf"]), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write; standard output when left out.",
)
@click.option("--locale", default="de", show_default=True, type=click.Choice(["de", "en"]))
def export(start, end, preset_name, kind, output, locale) -> None:
    """Write the programme's figures for a period (small numbers as "< 3"), e.g. monthly from
    cron: flask reports export --preset last_quarter --format pdf -o q.pdf"""
    today = clock.today()
    if preset_name:
        period = preset(preset_name, today)
    elif start and end:
        if end.date() < start.date():
            raise click.UsageError("--to is before --from")
        period = Period(start.date(), end.date())
    else:
        raise click.UsageError("give --from and --to, or --preset")
    with force_locale(locale):
        tables = report.build(period, figures.PROGRAMME, today).exported
        data = exports.render(kind, tables, period, today)
    exports.record(kind, period, via="cli")
    db.session.commit()
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        click.echo(
            f"wrote {output} ({len(data)} bytes) for {period.start} to {period.end}", err=True
        )
