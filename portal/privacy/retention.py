"""The retention purge (``flask privacy purge``, daily cron): personal data that has served its
purpose goes after a configured period (docs/privacy.md lists the periods and their settings).

- Households housed or withdrawn more than HOUSEHOLD_IDENTITY_RETENTION_MONTHS ago lose their
  identity row (pseudonymisation: what stays is the household code and facts that name nobody).
  Their consent scans go with it, unless the household has ESF participant records: the scans
  prove those records and are kept with them.
- ESF participant records and the consent scans that prove them are kept until the retention
  end of the funding period the household's intake falls in (ESF_FUNDING_PERIODS, CPR Art. 82:
  five years from 31 December of the year of the last payment), then deleted. The pseudonymous
  household row stays (placements and flats refer to it). A household whose intake no
  configured period covers keeps its records; the run names it so that the period is set.
- Landlord accounts whose e-mail address was never confirmed, older than
  UNVERIFIED_ACCOUNT_DAYS, are deleted; their organisation too when nobody else belongs to it
  and it has nothing but drafts (an unconfirmed account cannot submit a flat).
- Bodies of e-mails sent or failed more than OUTBOX_BODY_RETENTION_DAYS ago are emptied.
- IP addresses of audit events older than AUDIT_IP_RETENTION_DAYS are set to NULL; the events
  stay (the one update the append-only trail allows, ``audit.forget_ip_addresses``).

Every item comes with its reason (the rule and the date it ran out), which the dry run lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Organisation, Role, User
from portal.core import audit, clock, storage
from portal.core.dates import add_months
from portal.core.db import utcnow
from portal.core.funding import FundingPeriod, period_for
from portal.core.outbox import FAILED, SENT, OutboxMessage
from portal.extensions import db
from portal.households.models import (
    Consent,
    Household,
    HouseholdIdentity,
    HouseholdStatus,
    Participant,
)
from portal.listings.models import Flat, FlatStatus
from portal.privacy.models import Erasure, ErasureKind
from portal.privacy.scrub import scrub_outbox

CLOSED = (HouseholdStatus.HOUSED.value, HouseholdStatus.WITHDRAWN.value)


@dataclass
class PurgeResult:
    households: list[str] = field(default_factory=list)  # codes: identity data purged
    esf_households: list[str] = field(default_factory=list)  # codes: ESF records purged
    accounts: list[int] = field(default_factory=list)  # user ids
    organisations: list[int] = field(default_factory=list)
    outbox: list[int] = field(default_factory=list)  # message ids
    ip_addresses: int = 0  # audit events whose IP address goes (or went)
    # Why each household goes, code -> the rule and its date ("identity data: housed on ..."),
    # and the households whose ESF records wait because no funding period covers their intake.
    identity_reasons: dict[str, str] = field(default_factory=dict)
    esf_reasons: dict[str, str] = field(default_factory=dict)
    unassigned: list[str] = field(default_factory=list)  # "DU-2031-0001: ..." lines

    @property
    def total(self) -> int:
        return (
            len(self.households)
            + len(self.esf_households)
            + len(self.accounts)
            + len(self.outbox)
            + self.ip_addresses
        )


def _months_before(now: datetime, months: int) -> datetime:
    return datetime.combine(add_months(now.date(), -months), now.timetz())


def _has_participants():
    return select(Participant.id).where(Participant.household_id == Household.id).exists()


def _has_scan():
    return (
        select(Consent.id)
        .where(Consent.household_id == Household.id, Consent.document_key.is_not(None))
        .exists()
    )


def _intake_in(periods: list[FundingPeriod]):
    """SQL: the household's intake falls in one of ``periods``."""
    if not periods:
        return false()
    return or_(
        *[
            Household.intake_on.between(date(p.first_year, 1, 1), date(p.last_year, 12, 31))
            for p in periods
        ]
    )


def households_due(now: datetime, months: int) -> list[Household]:
    """Housed or withdrawn before the cutoff, and still holding an identity, or a scan that no
    ESF participant record needs as its proof."""
    has_identity = select(HouseholdIdentity.id).where(
        HouseholdIdentity.household_id == Household.id
    )
    return list(
        db.session.scalars(
            select(Household)
            .where(
                Household.status.in_(CLOSED),
                Household.status_changed_at < _months_before(now, months),
                or_(has_identity.exists(), and_(_has_scan(), ~_has_participants())),
            )
            .options(
                selectinload(Household.identity),
                selectinload(Household.consents),
                selectinload(Household.participants),
            )
            .order_by(Household.id)
        )
    )


def esf_records_due(today: date, periods: tuple[FundingPeriod, ...]) -> list[Household]:
    """Housed, withdrawn or erased, with participant records, whose funding period's retention
    end lies before ``today``: the records go with the consent scans that prove them (an
    erasure kept those scans for this day). A household still in the programme keeps them;
    scans of a household without records follow the identity."""
    ended = [p for p in periods if p.retention_end < today]
    erased = (
        select(Erasure.id)
        .where(Erasure.kind == ErasureKind.HOUSEHOLD, Erasure.object_id == Household.id)
        .exists()
    )
    return list(
        db.session.scalars(
            select(Household)
            .where(
                or_(Household.status.in_(CLOSED), erased),
                _intake_in(ended),
                _has_participants(),
            )
            .options(selectinload(Household.consents), selectinload(Household.participants))
            .order_by(Household.id)
        )
    )


def esf_records_unassigned(
    now: datetime, months: int, periods: tuple[FundingPeriod, ...]
) -> list[Household]:
    """Households past the identity period whose participant records no configured funding
    period covers: they are kept, and the run says so."""
    return list(
        db.session.scalars(
            select(Household)
            .where(
                Household.status.in_(CLOSED),
                Household.status_changed_at < _months_before(now, months),
                _has_participants(),
                ~_intake_in(list(periods)),
            )
            .order_by(Household.id)
        )
    )


def _identity_reason(household: Household, months: int, today: date) -> str:
    changed = household.status_changed_at.astimezone(clock.BERLIN).date()
    scans = [c for c in household.consents if c.document_key]
    what = "identity data" if household.identity is not None else ""
    if scans and not household.participants:
        what = " and ".join(filter(None, [what, f"{len(scans)} consent scan(s)"]))
    reason = (
        f"{what}: {household.status} on {changed.isoformat()}, "
        f"{months}-month period ended {add_months(changed, months).isoformat()}"
    )
    if scans and household.participants:
        periods = current_app.config["ESF_FUNDING_PERIODS"]
        period = period_for(periods, household.intake_on)
        if period is None:
            reason += " (consent scans kept with the ESF records: no funding period covers them)"
        elif period.retention_end < today:
            reason += " (consent scans go with the ESF records)"
        else:
            reason += (
                " (consent scans kept with the ESF records until "
                f"{period.retention_end.isoformat()})"
            )
    return reason


def esf_proof_kept(household: Household, today: date) -> date | bool:
    """Whether ``household``'s consent scans must stay because they prove its ESF participant
    records: the records exist and the retention end of the funding period its intake falls in
    has not passed (that end is returned), or no configured period covers the intake (True:
    kept until one is set, as this purge keeps them). An erasure leaves such scans alone (GDPR
    Art. 17(3)(b): kept for a legal obligation, CPR Art. 82); the purge deletes them with the
    records once the retention end has passed. False: nothing holds them."""
    if not household.participants:
        return False
    period = period_for(current_app.config["ESF_FUNDING_PERIODS"], household.intake_on)
    if period is None:
        return True
    return period.retention_end if today <= period.retention_end else False


def _esf_reason(household: Household, period: FundingPeriod) -> str:
    scans = [c for c in household.consents if c.document_key]
    parts = []
    if household.participants:
        parts.append(f"participant records ({len(household.participants)})")
    if scans:
        parts.append(f"{len(scans)} consent scan(s)")
    return (
        f"{' and '.join(parts)}: ESF retention ended {period.retention_end.isoformat()} "
        f"(funding period {period.label}, intake {household.intake_on.isoformat()})"
    )


def _purge_household(household: Household) -> None:
    """The identity goes; the consent scans too unless they prove ESF participant records."""
    files = []
    if not household.participants:
        files = [c.document_key for c in household.consents if c.document_key]
        for consent in household.consents:
            consent.document_key = consent.document_type = None
    household.identity = None
    storage.delete_after_commit(files)
    audit.record("privacy.identity_purged", obj=household)


def _purge_esf_records(household: Household) -> None:
    """The participant records and the consent scans that prove them go; the pseudonymous
    household row stays."""
    files = [c.document_key for c in household.consents if c.document_key]
    for consent in household.consents:
        consent.document_key = consent.document_type = None
    persons = len(household.participants)
    household.participants.clear()
    storage.delete_after_commit(files)
    audit.record("privacy.esf_records_purged", obj=household, persons=persons)


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
    due (with the reason for each household) and change nothing. Each removal writes an audit
    event (ids and counts only), and one summary event counts them."""
    config = current_app.config
    now = now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    today = now.astimezone(clock.BERLIN).date()
    months = config["HOUSEHOLD_IDENTITY_RETENTION_MONTHS"]
    periods = config["ESF_FUNDING_PERIODS"]
    households = households_due(now, months)
    esf_households = esf_records_due(today, periods)
    accounts = accounts_due(now, config["UNVERIFIED_ACCOUNT_DAYS"])
    messages = outbox_due(now, config["OUTBOX_BODY_RETENTION_DAYS"])
    ip_cutoff = now - timedelta(days=config["AUDIT_IP_RETENTION_DAYS"])
    result = PurgeResult(
        households=[h.code for h in households],
        esf_households=[h.code for h in esf_households],
        accounts=[u.id for u in accounts],
        outbox=[m.id for m in messages],
        ip_addresses=audit.ip_addresses_due(ip_cutoff),
        unassigned=[
            f"{h.code}: participant records kept, no funding period covers intake year "
            f"{h.intake_on.year} (set ESF_FUNDING_PERIODS)"
            for h in esf_records_unassigned(now, months, periods)
        ],
    )
    for household in households:
        result.identity_reasons[household.code] = _identity_reason(household, months, today)
    for household in esf_households:
        period = period_for(periods, household.intake_on)
        assert period is not None  # noqa: S101 - the query chose it by its period
        result.esf_reasons[household.code] = _esf_reason(household, period)
    if dry_run:
        return result
    for household in households:
        _purge_household(household)
    for household in esf_households:
        _purge_esf_records(household)
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
        if result.esf_households:
            counts["esf_records"] = len(result.esf_households)
        audit.record(
            "privacy.purged",
            households=len(result.households),
            accounts=len(result.accounts),
            outbox=len(result.outbox),
            **counts,
        )
    db.session.flush()
    return result
