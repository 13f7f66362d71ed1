"""The data-subject export (GDPR Art. 15 and 20, DSG-EKD §§ 19, 24): a ZIP archive with
``data.json`` and the stored files of one household or one landlord account.

The structure of ``data.json`` is documented in docs/privacy.md and versioned by
``FORMAT_VERSION``; dates are ISO 8601 (``YYYY-MM-DD``), times ISO 8601 in UTC, money a decimal
string. Files are copied byte for byte as stored; ``files`` lists each with its SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Invitation, Organisation, User
from portal.core import audit, storage
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from portal.households.models import Household, ProfileView
from portal.households.prevention import PreventionCase
from portal.listings.models import Flat
from portal.mediation.models import MediationCase
from portal.placements import presenters
from portal.placements.messages import Message
from portal.placements.models import Interest, Placement
from portal.privacy.models import HouseholdExport

FORMAT = "endlich-ein-zuhause-export"
FORMAT_VERSION = 1
# Never exported: secrets, and the session token that would let a reader act as the user.
USER_SECRET_COLUMNS = frozenset({"password_hash", "session_token"})


def plain(value: Any) -> Any:
    """A JSON value: ISO dates and times, decimals as strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def row(obj: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Every column of a model instance, by column name, as JSON values."""
    skipped = set(skip)
    return {
        column.key: plain(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.key not in skipped
    }


@dataclass
class Archive:
    """What goes into the ZIP: the document and the stored files (archive path -> content, read
    once, so the listed checksum is that of the bytes in the archive)."""

    data: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    def add_file(self, archive_path: str, storage_key: str, kind: str, object_id: int) -> None:
        """List a stored file; one missing from the storage is listed as missing, not invented."""
        try:
            content = storage.read(storage_key)
        except (FileNotFoundError, ValueError):
            self.data["files"].append(
                {"path": None, "kind": kind, "object_id": object_id, "missing": True}
            )
            return
        self.files[archive_path] = content
        self.data["files"].append(
            {
                "path": archive_path,
                "kind": kind,
                "object_id": object_id,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )

    def to_zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            text = json.dumps(self.data, ensure_ascii=False, indent=2, sort_keys=True)
            archive.writestr("data.json", text + "\n")
            for archive_path, content in sorted(self.files.items()):
                archive.writestr(archive_path, content)
        return buffer.getvalue()


def _envelope(kind: str, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": plain(utcnow()),
        "subject": {"kind": kind, **subject},
        "files": [],
    }


def _audit_events(
    objects: dict[str, Iterable[int]],
    details: dict[str, Iterable[int]],
    actor_id: int | None = None,
) -> list[dict[str, Any]]:
    """Audit events about the subject: on one of its objects (table name -> ids), by the subject
    as actor, or naming one of its ids in ``details`` (key -> ids). The IP address is included
    only where the subject itself acted: any other IP belongs to someone else."""
    conditions = []
    for object_type, ids in objects.items():
        ids = list(ids)
        if ids:
            conditions.append(
                (AuditEvent.object_type == object_type) & AuditEvent.object_id.in_(ids)
            )
    for key, ids in details.items():
        ids = list(ids)
        if ids:
            conditions.append(AuditEvent.details[key].as_integer().in_(ids))
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    if not conditions:
        return []
    events = db.session.scalars(
        select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    result = []
    for event in events:
        entry = row(event, skip=("ip_address",))
        if actor_id is not None and event.actor_id == actor_id:
            entry["ip_address"] = event.ip_address
        result.append(entry)
    return result


# Household --------------------------------------------------------------------------------------


def household_archive(household: Household) -> Archive:
    """Everything the portal holds about ``household``: profile, identity, consents (with the
    scanned forms), ESF participant fields, placements with their steps and follow-ups,
    interests, profile views, prevention cases and the audit events naming it. Nothing of
    another household."""
    archive = Archive(_envelope("household", {"id": household.id, "code": household.code}))
    data = archive.data
    data["household"] = row(household) | {
        "preferred_districts": [d.name for d in household.preferred_districts]
    }
    data["identity"] = row(household.identity) if household.identity is not None else None
    data["consents"] = []
    for consent in household.consents:
        entry = row(consent)
        entry["document_file"] = None
        if consent.document_key and not consent.is_proof_only:
            name = f"files/consents/{consent.id}-{consent.document_key.rsplit('/', 1)[-1]}"
            archive.add_file(name, consent.document_key, "consent_document", consent.id)
            entry["document_file"] = name if name in archive.files else None
        data["consents"].append(entry)
    data["participants"] = [row(p) for p in household.participants]
    placements = db.session.scalars(
        select(Placement)
        .where(Placement.household_id == household.id)
        .options(selectinload(Placement.events), selectinload(Placement.follow_ups))
        .order_by(Placement.id)
    ).all()
    # A placement's thread with the landlord is about the household: it belongs here too.
    messages: dict[int, list[dict]] = {}
    for message in db.session.scalars(
        select(Message)
        .where(Message.placement_id.in_([p.id for p in placements]))
        .order_by(Message.id)
    ):
        messages.setdefault(message.placement_id or 0, []).append(row(message))
    data["placements"] = [
        row(p)
        | {
            "events": [row(e) for e in p.events],
            "follow_ups": [row(f) for f in p.follow_ups],
            "messages": messages.get(p.id, []),
        }
        for p in placements
    ]
    interests = db.session.scalars(
        select(Interest).where(Interest.household_id == household.id).order_by(Interest.id)
    ).all()
    data["interests"] = [row(i) for i in interests]
    views = db.session.scalars(
        select(ProfileView)
        .where(ProfileView.household_id == household.id)
        .order_by(ProfileView.viewed_at, ProfileView.id)
    ).all()
    data["profile_views"] = [row(v) for v in views]
    prevention = db.session.scalars(
        select(PreventionCase)
        .where(PreventionCase.household_id == household.id)
        .order_by(PreventionCase.id)
    ).all()
    data["prevention_cases"] = [row(c) for c in prevention]
    data["exports"] = [row(e) for e in exports_of(household)]
    placement_ids = [p.id for p in placements]
    data["audit_events"] = _audit_events(
        objects={
            "households": [household.id],
            "consents": [c.id for c in household.consents],
            "placements": placement_ids,
            "interests": [i.id for i in interests],
            "follow_ups": [f.id for p in placements for f in p.follow_ups],
            "prevention_cases": [c.id for c in prevention],
        },
        details={"household_id": [household.id], "placement_id": placement_ids},
    )
    return archive


# Landlord ---------------------------------------------------------------------------------------


def _landlord_placement(placement: Placement, seen: presenters.LandlordPlacement) -> dict:
    steps = []
    for event in placement.events:
        if (
            presenters.landlord_step_text(event, placement) is None
        ):  # the team's own steps and notes
            continue
        steps.append(
            {
                "action": event.action,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "at": plain(event.created_at),
                "note": event.note if event.action == "viewing_slots" else None,
            }
        )
    return {
        "id": seen.id,
        "flat_id": seen.flat_id,
        "household_code": seen.household_code,
        "state": seen.state,
        "is_open": seen.is_open,
        "created_at": plain(placement.created_at),
        "state_changed_at": plain(placement.state_changed_at),
        "specialist": seen.specialist,
        "viewing_at": plain(seen.viewing_at),
        "viewing_place": seen.viewing_place,
        "main_tenant": seen.main_tenant,
        "companion": seen.companion,
        "lease_signed_on": plain(placement.lease_signed_on),
        "rent_start_on": plain(placement.rent_start_on),
        "keys_handed_over_on": plain(placement.keys_handed_over_on),
        "cancel_reason": placement.cancel_reason,
        "steps": steps,
    }


def landlord_archive(user: User) -> Archive:
    """Everything the portal holds about a landlord account: the user, the organisation and its
    flats with their photo files, the organisation's interests, its placements as the landlord
    sees them (no team notes, no tier-3 data), the mediation cases the user sent (replies, no
    internal notes), the profiles the user opened, and the audit events naming any of these."""
    organisation: Organisation | None = user.organisation
    archive = Archive(_envelope("landlord", {"id": user.id}))
    data = archive.data
    data["user"] = row(user, skip=USER_SECRET_COLUMNS)
    data["organisation"] = row(organisation) if organisation is not None else None
    org_id = organisation.id if organisation is not None else -1
    flats = db.session.scalars(
        select(Flat)
        .where(Flat.organisation_id == org_id)
        .options(selectinload(Flat.photos), selectinload(Flat.district))
        .order_by(Flat.id)
    ).all()
    data["flats"] = []
    for flat in flats:
        entry = row(flat) | {"district": flat.district.name if flat.district else None}
        entry["photos"] = []
        for photo in flat.photos:
            photo_entry = row(photo) | {"files": []}
            for width in photo.width_list:
                key = photo.file_name(width)
                name = f"files/{key}"
                archive.add_file(name, key, "photo", photo.id)
                if name in archive.files:
                    photo_entry["files"].append(name)
            entry["photos"].append(photo_entry)
        data["flats"].append(entry)
    interests = db.session.scalars(
        select(Interest)
        .where(Interest.organisation_id == org_id)
        .options(selectinload(Interest.household).load_only(Household.code))
        .order_by(Interest.id)
    ).all()
    data["interests"] = [
        row(i, skip=("household_id",)) | {"household_code": i.household.code} for i in interests
    ]
    placements = presenters.placements_of(organisation.id if organisation else None)
    seen = presenters.present(placements)
    data["placements"] = [_landlord_placement(p, s) for p, s in zip(placements, seen, strict=True)]
    cases = db.session.scalars(
        select(MediationCase)
        .where(MediationCase.user_id == user.id)
        .options(selectinload(MediationCase.entries))
        .order_by(MediationCase.id)
    ).all()
    data["mediation_cases"] = [
        row(c, skip=("assigned_to_id",))
        | {"replies": [row(e, skip=("author_id",)) for e in c.entries if e.kind == "reply"]}
        for c in cases
    ]
    # The messages the user wrote in the threads of placements and mediation cases.
    data["messages"] = [
        row(m)
        for m in db.session.scalars(
            select(Message).where(Message.author_id == user.id).order_by(Message.id)
        )
    ]
    views = db.session.execute(
        select(ProfileView.viewed_at, Household.code)
        .join(Household, Household.id == ProfileView.household_id)
        .where(ProfileView.user_id == user.id)
        .order_by(ProfileView.viewed_at)
    ).all()
    data["profile_views"] = [{"viewed_at": plain(at), "household_code": c} for at, c in views]
    invitations = db.session.scalars(
        select(Invitation.id).where(
            or_(Invitation.invited_by_id == user.id, Invitation.email == user.email)
        )
    ).all()
    flat_ids = [f.id for f in flats]
    placement_ids = [p.id for p in placements]
    data["audit_events"] = _audit_events(
        objects={
            "users": [user.id],
            "organisations": [org_id],
            "flats": flat_ids,
            "photos": [p.id for f in flats for p in f.photos],
            "interests": [i.id for i in interests],
            "placements": placement_ids,
            "mediation_cases": [c.id for c in cases],
            "invitations": invitations,
        },
        details={
            "user_id": [user.id],
            "organisation_id": [org_id],
            "flat_id": flat_ids,
            "source_flat_id": flat_ids,
            "placement_id": placement_ids,
        },
        actor_id=user.id,
    )
    return archive


def export(subject: Household | User, actor: User | None) -> bytes:
    """The ZIP archive of ``subject``; writes the ``privacy.export`` audit event (ids only)."""
    if isinstance(subject, Household):
        archive, kind = household_archive(subject), "household"
    else:
        archive, kind = landlord_archive(subject), "landlord"
    audit.record("privacy.export", actor=actor, obj=subject, object_kind=kind)
    return archive.to_zip()


def exports_of(household: Household) -> list[HouseholdExport]:
    """The household's exports, newest first."""
    return list(
        db.session.scalars(
            select(HouseholdExport)
            .where(HouseholdExport.household_id == household.id)
            .order_by(HouseholdExport.created_at.desc(), HouseholdExport.id.desc())
        )
    )
