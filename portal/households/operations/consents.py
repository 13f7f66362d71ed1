"""A household's written consent: recorded with its scan, downloaded, withdrawn, and expiring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Response, current_app
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.core import audit, clock, storage
from portal.core.dates import add_months
from portal.core.db import utcnow
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db
from portal.households.models import CONSENT_SCOPE, Consent, Household
from portal.sites.queries import colleagues_of

CONSENT_MONTHS = 6
# The content types a consent scan is stored in (households.forms.check_document), and the
# extension of each when it is downloaded.
DOCUMENT_EXTENSIONS = {"application/pdf": "pdf", "image/webp": "webp"}


def record_consent(
    household: Household,
    actor: User,
    given_on: date,
    expires_on: date | None,
    scope: str | None = None,
    document: tuple[bytes, str] | None = None,
    shares_payment_status: bool = False,
) -> Consent:
    """Record written consent (default expiry six months after it was given), with the scan of
    the signed form when there is one (``document``: the checked bytes and their content type,
    households.forms.check_document), stored under a new key. Should the transaction not be
    committed after all, ``discard_document`` removes the stored scan again."""
    expires_on = expires_on or add_months(given_on, CONSENT_MONTHS)
    if expires_on <= given_on:
        raise Refused("expiry before start")
    key = None
    if document is not None:
        key = f"consents/{storage.new_key()}"
        storage.save(key, document[0])
    consent = Consent(
        household=household,
        given_on=given_on,
        expires_on=expires_on,
        scope=scope or CONSENT_SCOPE,
        recorded_by_id=actor.id,
        document_key=key,
        document_type=document[1] if document else None,
        shares_payment_status=bool(shares_payment_status),
    )
    db.session.add(consent)
    try:
        db.session.flush()
    except Exception:
        discard_document(key)
        raise
    audit.record(
        "consent.recorded",
        actor=actor,
        obj=consent,
        household_id=household.id,
        expires_on=expires_on.isoformat(),
    )
    return consent


def discard_document(key: str | None) -> None:
    """Remove the stored scan (by its key) of a consent that was not recorded after all:
    nothing refers to it."""
    if key:
        storage.delete(key)


@dataclass(frozen=True)
class ConsentDocument:
    """The stored scan of a consent as it is handed out: always a download."""

    key: str  # in portal.core.storage
    content_type: str
    download_name: str

    def response(self) -> Response | None:
        """The scan streamed from the storage as a download that is never cached or sniffed;
        None when it was removed since it was found."""
        response = storage.send(
            self.key,
            mimetype=self.content_type,
            as_attachment=True,
            download_name=self.download_name,
            conditional=False,
            max_age=0,
        )
        if response is not None:
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def open_consent_document(consent: Consent, actor: User) -> ConsentDocument | None:
    """The scan of ``consent`` for ``actor`` to download, or None when there is none (no scan,
    a scan kept after an erasure only as ESF proof, a key outside the storage, or the file
    gone). A content type without a known extension is
    handed out as bytes. Tier-3 data: who opened it is recorded in the audit trail."""
    if not consent.document_key or consent.is_proof_only:
        return None
    try:
        if not storage.exists(consent.document_key):
            return None
    except ValueError:
        return None
    content_type = consent.document_type
    extension = DOCUMENT_EXTENSIONS.get(content_type or "")
    if content_type is None or extension is None:
        content_type, extension = "application/octet-stream", "bin"
    audit.record(
        "consent.document_downloaded",
        actor=actor,
        obj=consent,
        household_id=consent.household_id,
    )
    code = consent.household.code
    return ConsentDocument(
        consent.document_key,
        content_type,
        f"consent-{code}-{consent.given_on.isoformat()}.{extension}",
    )


def withdraw_consent(consent: Consent, actor: User, on: date | None = None) -> None:
    """The household withdrew its consent: the profile disappears from landlords at once."""
    if consent.withdrawn_on is not None:
        return
    consent.withdrawn_on = on or clock.today()
    audit.record("consent.withdrawn", actor=actor, obj=consent, household_id=consent.household_id)


def expire_consents(today: date | None = None) -> dict[str, int]:
    """For cron: record consents that expired (audit, once) and remind the social worker who
    recorded a consent 14 days before it expires (once)."""
    today = today or clock.today()
    expired = db.session.scalars(
        select(Consent).where(
            Consent.expires_on < today,
            Consent.withdrawn_on.is_(None),
            Consent.expiry_recorded_at.is_(None),
        )
    ).all()
    for consent in expired:
        consent.expiry_recorded_at = utcnow()
        audit.record("consent.expired", obj=consent, household_id=consent.household_id)
    soon = db.session.scalars(
        select(Consent).where(
            Consent.expires_on >= today,
            Consent.expires_on <= today + timedelta(days=14),
            Consent.withdrawn_on.is_(None),
            Consent.reminder_sent_at.is_(None),
        )
    ).all()
    reminded = 0
    for consent in soon:
        recipient = db.session.get(User, consent.recorded_by_id or -1)
        if recipient is None or not recipient.is_active:
            recipient = db.session.scalar(  # a social worker of the household's site
                select(User)
                .where(
                    User.role == Role.SOCIAL_WORKER.value,
                    User.is_active.is_(True),
                    colleagues_of(User.id, [consent.household.site_id]),
                )
                .order_by(User.id)
            )
        if recipient is None:
            continue
        consent.reminder_sent_at = utcnow()
        queue_mail(
            recipient.email,
            "consent_expiring",
            recipient.locale,
            name=recipient.full_name,
            code=consent.household.code,
            expires_on=consent.expires_on,
            url=current_app.config["PORTAL_BASE_URL"]
            + f"/backoffice/households/{consent.household_id}",
        )
        audit.record("consent.reminder_sent", obj=consent, household_id=consent.household_id)
        reminded += 1
    return {"expired": len(expired), "reminded": reminded}
