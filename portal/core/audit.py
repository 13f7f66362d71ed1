"""The append-only audit trail: one row per security event and per state change.

In production the application's database role may only INSERT and SELECT on ``audit_events``
(deploy/postgres-grants.sql): nothing the web application does can rewrite history. That is
why ``details`` must never hold personal data in the first place: an erasure cannot strip it
later. ``record`` enforces this with an allow-list of detail keys (ids, states, enumerations,
dates); a name, an e-mail address, a phone number or a free text has no key to travel under.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, utcnow
from portal.extensions import db

# Keys whose values must never reach the audit trail, whatever a caller passes.
_SECRET_KEYS = ("password", "token", "secret", "hash", "code")

# Every key a caller may put into ``details``. Values under them are ids, states, enumerations,
# ISO dates, field names or case numbers, never personal data; tests/privacy/test_audit_details.py
# checks every call site against this list. A new key belongs here only if its value can never
# name or reach a person.
DETAIL_KEYS = frozenset(
    {
        "assigned_to",  # a staff user id
        "expires_on",
        "fields",  # names of changed fields, never their values
        "flat_id",
        "household_id",
        "kind",  # organisation kind, erasure kind
        "mediation_case_id",  # a prevention case's link
        "number",  # mediation case number M-2026-0007
        "on_behalf_of",
        "organisation_id",
        "site_id",
        "sites",  # slugs of sites (a staff member's, DESIGN.md §9)
        "outcome",
        "placement_id",
        "position",
        "previous",
        "reason",  # a fixed reason word, never typed text
        "role",
        "sizes",
        "source_flat_id",
        "state",
        "status",
        "topic",
        "user_id",
        "valid_from",
        # privacy domain: counts and kinds only
        "accounts",
        "households",
        "outbox",
        "object_kind",
        "dry_run",
        "reapplied",
        # ESF participant rows: counts only
        "recorded",
        "persons",
        # report downloads: the format and the period
        "format",
        "start",
        "end",
        "via",
        "version",  # a submitted report's version number (reports/submissions.py)
        # backups: the backup's directory name, revision and counts
        "backup",
        "alembic_revision",
        "rows",
        "upload_files",
        "backup_created_at",
        "exit",  # "recorded" when a withdrawal records the household's exit
        # second factor: how it was passed, what for, codes left (never a code or secret)
        "second_factor",
        "purpose",
        "method",
        "remaining",
        # the profile-text check and the IP-address retention: counts only
        "confirmed_hits",  # how many hits of the profile-text check the social worker confirmed
        "ips_forgotten",  # how many IP addresses the retention purge removed
        "esf_records",  # how many households' ESF records the retention purge removed
    }
)


class PersonalDataInAudit(ValueError):
    """A caller tried to put a key into the audit details that is not on the allow-list."""


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The site of the object (DESIGN.md §9), for the site admin's view of the trail; None for
    # what belongs to no site (accounts, organisations, logins).
    site_id: Mapped[int | None] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"


def _scrub(details: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if any(word in key.lower() for word in _SECRET_KEYS):
            continue
        if key not in DETAIL_KEYS:
            raise PersonalDataInAudit(f"audit detail key {key!r} is not on the allow-list")
        clean[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
    return clean


# Relationships through which a row below a site-owned one finds its site.
_SITE_PARENTS = ("household", "placement", "flat", "case", "mediation_case")


def site_of(obj: Any) -> int | None:
    """The site ``obj`` belongs to: its own ``site_id``, a site's own id, or its parent's (a
    consent's household, a follow-up's placement, a photo's flat); None for rows of no site."""
    if obj is None:
        return None
    if getattr(obj, "__tablename__", None) == "sites":
        return obj.id
    site_id = getattr(obj, "site_id", None)
    if site_id is not None:
        return site_id
    for name in _SITE_PARENTS:
        if hasattr(type(obj), name):
            parent = getattr(obj, name, None)
            if getattr(parent, "site_id", None) is not None:
                return parent.site_id
    return None


def record(
    action: str,
    *,
    actor: Any = None,
    obj: Any = None,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction; it commits or rolls back with the change.

    ``obj`` is any model with an ``id``; its table name becomes the object type. Values under keys
    that look like secrets (password, token, ...) are dropped, never stored; a key that is not on
    ``DETAIL_KEYS`` raises ``PersonalDataInAudit`` (the trail is append-only, see above).
    """
    if obj is not None:
        if obj.id is None:
            db.session.flush()
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    actor_id = getattr(actor, "id", None) if actor is not None else None
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        ip_address=request.remote_addr if has_request_context() else None,
        details=_scrub(details),
        site_id=site_of(obj),
    )
    db.session.add(event)
    return event


def ip_addresses_due(before: datetime) -> int:
    """How many audit rows older than ``before`` still hold an IP address."""
    return (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.occurred_at < before, AuditEvent.ip_address.is_not(None)
            )
        )
        or 0
    )


def forget_ip_addresses(before: datetime) -> int:
    """The one change the append-only trail allows: the IP address of rows older than
    ``before`` becomes NULL; the rows themselves stay. In PostgreSQL the runtime role has
    ``UPDATE (ip_address)`` and nothing else, and a trigger refuses any value but NULL
    (deploy/postgres-grants.sql). Returns the number of rows changed."""
    result = db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.occurred_at < before, AuditEvent.ip_address.is_not(None))
        .values(ip_address=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
