"""``flask reports export``: the figures as CSV or the PDF of every table, for scheduled runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Blueprint
from flask_babel import force_locale
from sqlalchemy import select

from portal.core import clock
from portal.extensions import db
from portal.reports import exports, figures, report, state
from portal.reports.periods import PRESETS, Period, preset
from portal.sites.models import Site

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
@click.option(
    "--site",
    "slug",
    default=None,
    help="The site's slug; 'state' for the sum over every site. Needed with several sites.",
)
def export(start, end, preset_name, kind, output, locale, slug) -> None:
    """Write the programme's figures of a site for a period (small numbers as "< 3"), e.g.
    monthly from cron: flask reports export --site duisburg --preset last_quarter --format pdf
    -o q.pdf"""
    today = clock.today()
    if preset_name:
        period = preset(preset_name, today)
    elif start and end:
        if end.date() < start.date():
            raise click.UsageError("--to is before --from")
        period = Period(start.date(), end.date())
    else:
        raise click.UsageError("give --from and --to, or --preset")
    site = _site(slug)
    with force_locale(locale):
        if site is None:
            tables = state.build(period, today).tables
        else:
            tables = report.build(period, figures.Scope(site_ids=(site.id,)), today).exported
        data = exports.render(kind, tables, period, today, site=site)
    exports.record(kind, period, via="cli", sites=site.slug if site else "state")
    db.session.commit()
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        click.echo(
            f"wrote {output} ({len(data)} bytes) for {period.start} to {period.end}", err=True
        )


def _site(slug: str | None) -> Site | None:
    """The site named, None for the state-level report; without a name the only site (a
    deployment with one site works as before)."""
    if slug == "state":
        return None
    sites = list(db.session.scalars(select(Site).order_by(Site.id)))
    if slug is None:
        if len(sites) != 1:
            raise click.UsageError("several sites: give --site SLUG, or --site state")
        return sites[0]
    site = next((s for s in sites if s.slug == slug), None)
    if site is None:
        raise click.UsageError(f"no site {slug!r}; the sites: {', '.join(s.slug for s in sites)}")
    return site
