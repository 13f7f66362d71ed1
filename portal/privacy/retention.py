"""The retention purge (``flask privacy purge``, daily cron): personal data that has served its
purpose goes after a configured period (docs/privacy.md lists the periods and their settings).

- Households housed or withdrawn more than HOUSEHOLD_IDENTITY_RETENTION_MONTHS ago lose their
  identity row and consent scans; the pseudonymous household stays for the statistics.
- Landlord accounts whose e-mail address was never confirmed, older than
  UNVERIFIED_ACCOUNT_DAYS, are deleted; their organisation too when nobody else belongs to it
  and it has nothing but drafts (an unconfirmed account cannot submit a flat).
- Bodies of e-mails sent or failed more than OUTBOX_BODY_RETENTION_DAYS ago are emptied.
- IP addresses of audit events older than AUDIT_IP_RETENTION_DAYS are set to NULL; the events
  stay (the one update the append-only trail allows, ``audit.forget_ip_addresses``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Organisation, Role, User
from portal.core import audit, storage
from portal.core.dates import add_months
from portal.core.db import utcnow
from portal.core.outbox import FAILED, SENT, OutboxMessage
from portal.extensions import db
from portal.households.models import Consent, Household, HouseholdIdentity, HouseholdStatus
from portal.listings.models import Flat, FlatStatus
from portal.privacy.scrub import scrub_outbox


@dataclass
class PurgeResult:
    households: list[str] = field(default_factory=list)  # codes
    accounts: list[int] = field(default_factory=list)  # user ids
    organisations: list[int] = field(default_factory=list)
    outbox: list[int] = field(default_factory=list)  # message ids
    ip_addresses: int = 0  # audit events whose IP address goes (or went)

    @property
    def total(self) -> int:
        return len(self.households) + len(self.accounts) + len(self.outbox) + self.ip_addresses


def _months_before(now: datetime, months: int) -> datetime:
    return datetime.combine(add_months(now.date(), -months), now.timetz())


def households_due(now: datetime, months: int) -> list[Household]:
    """Housed or withdrawn before the cutoff, and still holding an identity or a scan."""
    has_identity = select(HouseholdIdentity.id).where(
        HouseholdIdentity.household_id == Household.id
    )
    has_scan = select(Consent.id).where(
        Consent.household_id == Household.id, Consent.document_key.is_not(None)
    )
    return list(
        db.session.scalars(
            select(Household)
            .where(
                Household.status.in_([HouseholdStatus.HOUSED, HouseholdStatus.WITHDRAWN]),
                Household.status_changed_at < _months_before(now, months),
                or_(has_identity.exists(), has_scan.exists()),
            )
            .options(selectinload(Household.identity), selectinload(Household.consents))
            .order_by(Household.id)
        )
    )


def accounts_due(now: datetime, days: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.LANDLORD.value,
                User.email_verified_at.is_(None),
                User.created_at < now - timedelta(days=days),
            )
            .options(selectinload(User.organisation).selectinload(Organisation.members))
            .order_by(User.id)
        )
    )


def outbox_due(now: datetime, days: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status.in_([SENT, FAILED]),
                OutboxMessage.created_at < now - timedelta(days=days),
                or_(OutboxMessage.body_text != "", OutboxMessage.attachment_text.is_not(None)),
            )
            .order_by(OutboxMessage.id)
        )
    )


def _purge_household(household: Household) -> None:
    files = [c.document_key for c in household.consents if c.document_key]
    for consent in household.consents:
        consent.document_key = consent.document_type = None
    household.identity = None
    storage.delete_after_commit(files)
    audit.record("privacy.identity_purged", obj=household)


def _organisation_removable(organisation: Organisation, user: User) -> bool:
    others = [m for m in organisation.members if m.id != user.id]
    kept_flats = db.session.scalar(
        select(func.count(Flat.id)).where(
            Flat.organisation_id == organisation.id, Flat.status != FlatStatus.DRAFT.value
        )
    )
    return not others and not kept_flats


def _remove_account(user: User, result: PurgeResult) -> None:
    organisation = user.organisation
    user_id = user.id
    removable = organisation is not None and _organisation_removable(organisation, user)
    db.session.delete(user)
    db.session.flush()
    audit.record("privacy.account_removed", object_type="users", object_id=user_id)
    if removable:
        assert organisation is not None  # noqa: S101 - narrows the type: "removable" implies one
        files = []
        for flat in db.session.scalars(
            select(Flat)
            .where(Flat.organisation_id == organisation.id)
            .options(selectinload(Flat.photos))
        ).all():
            files += [p.file_name(w) for p in flat.photos for w in p.width_list]
            db.session.delete(flat)
        org_id = organisation.id
        db.session.delete(organisation)
        db.session.flush()
        storage.delete_after_commit(files)
        audit.record("privacy.organisation_removed", object_type="organisations", object_id=org_id)
        result.organisations.append(org_id)


def purge(now: datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Apply the retention periods of the configuration; with ``dry_run``, only list what is
    due and change nothing. Each removal writes an audit event (ids only), and one summary
    event counts them."""
    config = current_app.config
    now = now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    households = households_due(now, config["HOUSEHOLD_IDENTITY_RETENTION_MONTHS"])
    accounts = accounts_due(now, config["UNVERIFIED_ACCOUNT_DAYS"])
    messages = outbox_due(now, config["OUTBOX_BODY_RETENTION_DAYS"])
    ip_cutoff = now - timedelta(days=config["AUDIT_IP_RETENTION_DAYS"])
    result = PurgeResult(
        households=[h.code for h in households],
        accounts=[u.id for u in accounts],
        outbox=[m.id for m in messages],
        ip_addresses=audit.ip_addresses_due(ip_cutoff),
    )
    if dry_run:
        return result
    for household in households:
        _purge_household(household)
    emails = [user.email for user in accounts]
    for user in accounts:
        _remove_account(user, result)
    scrub_outbox(emails)  # one search for all removed accounts' mail
    for message in messages:
        message.body_text = ""
        message.attachment_text = None
    if result.ip_addresses:
        result.ip_addresses = audit.forget_ip_addresses(ip_cutoff)
    if result.total:
        counts = {"ips_forgotten": result.ip_addresses} if result.ip_addresses else {}
        audit.record(
            "privacy.purged",
            households=len(result.households),
            accounts=len(result.accounts),
            outbox=len(result.outbox),
            **counts,
        )
    db.session.flush()
    return result
