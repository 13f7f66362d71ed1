"""``flask sites ...``: sites and their staff on the command line (DESIGN.md §9).

A new site starts "in preparation"; its first admin is a staff account made with
``flask accounts create-staff EMAIL --role admin --site SLUG`` (or added with ``add-staff``),
who then manages the site's staff and texts on the admin page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask import Blueprint
from flask_babel import force_locale
from sqlalchemy import select

from portal.accounts.operations.common import find_user
from portal.core.refusals import Refused
from portal.extensions import db
from portal.sites import operations as ops
from portal.sites.models import Site, SiteStatus

bp = Blueprint("sites_cli", __name__, cli_group="sites")

STATUS_CHOICES = [status.value for status in SiteStatus]


def _run(action: Callable[[], Any]) -> Any:
    """Run an operation; a refusal rolls back and is printed (in English) as the error."""
    try:
        result = action()
    except Refused as exc:
        db.session.rollback()
        with force_locale("en"):
            raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    return result


def site_or_fail(slug: str) -> Site:
    site = ops.find_site(slug)
    if site is None:
        known = ", ".join(db.session.scalars(select(Site.slug).order_by(Site.id)))
        raise click.ClickException(f"no site {slug!r} (known: {known})")
    return site


@bp.cli.command("create")
@click.option("--slug", required=True, help="Short name for URLs and commands, e.g. essen.")
@click.option("--name", required=True, help="The site's name, e.g. Essen.")
@click.option("--ags", required=True, help="Amtlicher Gemeindeschlüssel, 8 digits.")
@click.option("--prefix", required=True, help="Household code prefix, 1-6 capital letters.")
@click.option(
    "--status", type=click.Choice(STATUS_CHOICES), default=SiteStatus.PREPARING.value,
    show_default=True,
)  # fmt: skip
def create(slug: str, name: str, ags: str, prefix: str, status: str) -> None:
    """Create a site."""
    site = _run(lambda: ops.create_site(slug, name, ags, prefix, status))
    click.echo(f"Created site {site.slug} ({site.name}, AGS {site.municipality_key}, "
               f"prefix {site.code_prefix}, {site.status}).")  # fmt: skip
    click.echo(
        f"Add its first admin: flask accounts create-staff EMAIL --role admin --site {site.slug}"
    )


@bp.cli.command("list")
def list_sites() -> None:
    """List the sites with their staff count."""
    rows = list(db.session.scalars(select(Site).order_by(Site.id)))
    counts = ops.staff_counts(rows)
    click.echo(f"{'slug':<16} {'name':<24} {'AGS':<9} {'prefix':<7} {'status':<10} staff")
    for site in rows:
        click.echo(
            f"{site.slug:<16} {site.name:<24} {site.municipality_key:<9} {site.code_prefix:<7} "
            f"{site.status:<10} {counts.get(site.id, 0)}"
        )


def _staff_member(email: str):
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    return user


@bp.cli.command("add-staff")
@click.argument("email")
@click.argument("slug")
def add_staff(email: str, slug: str) -> None:
    """Let a staff account work for a site (it then sees the site's records)."""
    user, site = _staff_member(email), site_or_fail(slug)
    _run(lambda: ops.add_member(site, user))
    click.echo(f"{user.email} now works for {site.slug}.")


@bp.cli.command("remove-staff")
@click.argument("email")
@click.argument("slug")
def remove_staff(email: str, slug: str) -> None:
    """Take a staff account out of a site (never the site's last admin)."""
    user, site = _staff_member(email), site_or_fail(slug)
    _run(lambda: ops.remove_member(site, user))
    click.echo(f"{user.email} no longer works for {site.slug}.")
