"""``flask privacy ...``: export from the server, the retention purge (cron), and applying the
recorded erasures again after a backup was restored."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import click
from flask import Blueprint
from sqlalchemy import select

from portal.accounts.models import Role, User, normalise_email
from portal.core.jobs import run_alone
from portal.core.refusals import Refused
from portal.extensions import db
from portal.households.models import Household
from portal.privacy import export as export_ops
from portal.privacy import household_exports, reapply, retention
from portal.privacy.models import EXPLANATION_MAX, EXPLANATION_MIN, ExportPurpose

bp = Blueprint("privacy_cli", __name__, cli_group="privacy")


@bp.cli.command("export")
@click.option("--household", "code", help="The household's code, e.g. DU-2026-0042.")
@click.option("--user", "email", help="The landlord account's e-mail address.")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--reason",
    type=click.Choice([p.value for p in ExportPurpose]),
    help="Why a household is exported (required with --household).",
)
@click.option("--explanation", help="A few words on the reason (required with --household).")
def export(
    code: str | None,
    email: str | None,
    target: Path,
    reason: str | None,
    explanation: str | None,
) -> None:
    """Write the export archive (ZIP) of one household or one landlord account to a file. A
    household's export needs --reason and --explanation; its social worker sees them."""
    if bool(code) == bool(email):
        raise click.UsageError("give exactly one of --household and --user")
    if code and not (reason and explanation):
        raise click.UsageError("a household's export needs --reason and --explanation")
    subject: Household | User | None
    if code:
        subject = db.session.scalar(select(Household).where(Household.code == code.strip()))
    else:
        subject = db.session.scalar(
            select(User).where(
                User.email == normalise_email(email or ""), User.role == Role.LANDLORD
            )
        )
    if subject is None:
        raise click.ClickException("no such household or landlord account")
    try:
        if isinstance(subject, Household):
            data = household_exports.export_household(
                subject, None, reason or "", explanation or ""
            )
        else:
            data = export_ops.export(subject, actor=None)
    except Refused as exc:
        raise click.UsageError(
            f"--explanation needs {EXPLANATION_MIN} to {EXPLANATION_MAX} characters"
        ) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    # Readable by the operator alone from the first byte on: the archive is personal data.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    db.session.commit()  # the audit event
    click.echo(f"wrote {target} ({len(data)} bytes)")


@bp.cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what is due and why; change nothing.")
def purge(dry_run: bool) -> None:
    """Apply the retention periods (daily cron): identities of households housed or withdrawn
    long ago, ESF participant records and their consent scans after the funding period's
    retention end, unconfirmed landlord accounts, old e-mail bodies, old IP addresses in the
    audit trail (the events stay). Each household is listed with the rule and the date that
    made it due; every removal is audited. Two hosts starting it at once run one after
    the other."""
    run_alone("privacy purge")
    result = retention.purge(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo("dry run: nothing was changed")
    else:
        db.session.commit()
    verb = "would purge" if dry_run else "purged"
    click.echo(f"{verb} identity data of {len(result.households)} household(s)")
    for code in result.households:
        click.echo(f"  household {code}: {result.identity_reasons[code]}")
    click.echo(f"{verb} ESF participant records of {len(result.esf_households)} household(s)")
    for code in result.esf_households:
        click.echo(f"  household {code}: {result.esf_reasons[code]}")
    for line in result.unassigned:
        click.echo(f"  household {line}")
    click.echo(f"{verb} {len(result.accounts)} unconfirmed landlord account(s)")
    for user_id in result.accounts:
        click.echo(f"  user {user_id}")
    for org_id in result.organisations:
        click.echo(f"  organisation {org_id} removed with it")
    click.echo(f"{verb} the body of {len(result.outbox)} e-mail(s)")
    if result.outbox:
        click.echo("  " + " ".join(str(i) for i in result.outbox))
    click.echo(f"{verb} the IP address of {result.ip_addresses} audit event(s)")


@bp.cli.command("reapply-erasures")
def reapply_erasures() -> None:
    """Apply every recorded erasure again (run after restoring a backup, before the portal
    takes requests). Reads the ``erasures`` table and the erasure log (ERASURE_LOG)."""
    results = reapply.reapply_erasures()
    db.session.commit()
    for kind, object_id, outcome in results:
        click.echo(f"  {kind} {object_id}: {outcome}")
    counts = Counter(outcome for _kind, _id, outcome in results)
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing"
    click.echo(f"{len(results)} recorded erasure(s): {summary}")
