"""``flask accounts ...``: staff accounts exist only through these commands."""

from __future__ import annotations

import click
from flask import Blueprint
from sqlalchemy import select

from portal.accounts import operations as ops
from portal.accounts.models import Role
from portal.core.refusals import Refused
from portal.extensions import db
from portal.sites.models import Site

bp = Blueprint("accounts_cli", __name__, cli_group="accounts")

# The state-level reader (DESIGN.md §9) is made here too: no site, the state report only.
STAFF_CHOICES = [
    Role.SPECIALIST.value,
    Role.SOCIAL_WORKER.value,
    Role.ADMIN.value,
    Role.STATE_READER.value,
]


@bp.cli.command("create-staff")
@click.argument("email")
@click.option("--role", type=click.Choice(STAFF_CHOICES), required=True)
@click.option("--name", default=None, help="Full name shown to colleagues and landlords.")
@click.option(
    "--site", "slugs", multiple=True,
    help="A site the account works for (repeatable; default: the default site).",
)  # fmt: skip
def create_staff(email: str, role: str, name: str | None, slugs: tuple[str, ...]) -> None:
    """Create a staff account (or a state-level reader) and print its one-time password."""
    sites = []
    for slug in dict.fromkeys(slugs):
        site = db.session.scalar(select(Site).where(Site.slug == slug))
        if site is None:
            raise click.ClickException(f"no site {slug!r} (flask sites list shows them)")
        sites.append(site)
    try:
        user, password = ops.create_staff(
            email, Role(role), name or email.split("@")[0], sites=sites or None
        )
    except Refused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(
        f"Created {user.role} account {user.email} for {', '.join(s.slug for s in user.sites)}."
    )
    click.echo(f"One-time password (shown only now, must be changed at first login): {password}")


def _set_active(email: str, active: bool) -> None:
    user = ops.find_user(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    ops.set_active(user, active)
    db.session.commit()
    click.echo(f"{user.email} is now {'active' if active else 'deactivated'}.")


@bp.cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Deactivate an account; its sessions end at the next request."""
    _set_active(email, False)


@bp.cli.command("activate")
@click.argument("email")
def activate(email: str) -> None:
    """Activate a deactivated account again."""
    _set_active(email, True)


@bp.cli.command("rotate-totp-key")
def rotate_totp_key() -> None:
    """Re-encrypt every TOTP secret with the first key in TOTP_ENCRYPTION_KEY.

    Rotation: put the new key first and keep the old one after it (comma-separated), run this,
    then remove the old key."""
    from portal.accounts.twofactor import rotate_secrets

    count = rotate_secrets()
    db.session.commit()
    click.echo(f"Re-encrypted {count} TOTP secret(s) with the first configured key.")
