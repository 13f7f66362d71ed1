"""A landlord downloads their own data (GDPR Art. 15 and 20), as JSON and as a readable page
(issue 15): their account, their organisation, its flats, and its placements as the landlord
sees them (``placements.presenters``: the allow-list presenter, so nothing restricted about a
household can reach it). Secrets (password hash, session token, second-factor secret) are never
part of it. Every download is audited.

The staff's data-subject export of a landlord (``privacy.export``) is the complete archive with
files and audit events; this one is what the landlord reads and takes along."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Organisation, User
from portal.core import audit
from portal.core.db import utcnow
from portal.extensions import db
from portal.listings.forms import FlatForm
from portal.listings.labels import status_label
from portal.listings.models import IMMEDIATE_FIELDS, MATERIAL_FIELDS, Flat
from portal.listings.presenters import _shown
from portal.placements import presenters

FORMAT = "endlich-ein-zuhause-own-data"
FORMAT_VERSION = 1
ACCOUNT_FIELDS = (
    "email",
    "full_name",
    "phone",
    "locale",
    "role",
    "created_at",
    "email_verified_at",
    "password_changed_at",
    "last_login_at",
)
ORGANISATION_FIELDS = ("name", "kind", "address", "phone", "created_at")
FLAT_STATE_FIELDS = (
    "status",
    "created_at",
    "submitted_at",
    "published_at",
    "updated_at",
    "review_comment",  # the team's words to the landlord
    "changes_comment",
)
FLAT_FIELDS = MATERIAL_FIELDS + IMMEDIATE_FIELDS + FLAT_STATE_FIELDS
PLACEMENT_FIELDS = (
    "household_code",
    "state",
    "is_open",
    "specialist",
    "viewing_at",
    "viewing_place",
    "main_tenant",
    "companion",
)
FORMATS = ("json", "html")


def plain(value: Any) -> Any:
    """A JSON value: ISO dates and times, decimals as strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in names}


def own_data(user: User) -> dict[str, Any]:
    """Everything a landlord may take along about themselves, as JSON values."""
    organisation = user.organisation
    account = _fields(user, ACCOUNT_FIELDS) | {"second_factor": user.has_two_factor}
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": plain(utcnow()),
        "account": account,
        "organisation": None,
        "flats": [],
        "placements": [],
    }
    if organisation is None:
        return data
    data["organisation"] = _fields(organisation, ORGANISATION_FIELDS)
    flats = _flats_of(organisation)
    data["flats"] = [
        {"key": flat.public_key, "address": flat.address_line}
        | _fields(flat, FLAT_FIELDS)
        | {
            "district": flat.district.name if flat.district else None,
            "photos": len(flat.photos),
        }
        for flat in flats
    ]
    keys = {flat.id: flat.public_key for flat in flats}
    placements = presenters.placements_of(organisation.id)
    for seen in presenters.present(placements):
        entry = {"key": seen.key, "flat_key": keys.get(seen.flat_id, seen.flat_key)}
        entry |= {name: plain(getattr(seen, name)) for name in PLACEMENT_FIELDS}
        entry["steps"] = [
            {"at": plain(step.at), "text": str(step.text), "detail": step.detail}
            for step in seen.timeline
        ]
        data["placements"].append(entry)
    return data


@dataclass(frozen=True)
class FlatPage:
    key: str
    address: str
    status: str
    rows: list[tuple[str, str]]  # (label, value as the flat form shows it)


@dataclass(frozen=True)
class Readable:
    """The same data for the page: labels and values in the reader's language."""

    user: User
    organisation: Organisation | None
    flats: list[FlatPage]
    placements: list[presenters.LandlordPlacement]


def _flats_of(organisation: Organisation) -> list[Flat]:
    return list(
        db.session.scalars(
            select(Flat)
            .where(Flat.organisation_id == organisation.id)
            .options(selectinload(Flat.district), selectinload(Flat.photos))
            .order_by(Flat.id)
        )
    )


def readable(user: User) -> Readable:
    organisation = user.organisation
    if organisation is None:
        return Readable(user, None, [], [])
    flats = [
        FlatPage(
            key=flat.public_key,
            address=flat.address_line,
            status=status_label(flat.status),
            rows=[
                (str(getattr(FlatForm, name).args[0]), _shown(name, getattr(flat, name)))
                for name in MATERIAL_FIELDS + IMMEDIATE_FIELDS
                if hasattr(FlatForm, name)
            ],
        )
        for flat in _flats_of(organisation)
    ]
    placements = presenters.present(presenters.placements_of(organisation.id))
    return Readable(user, organisation, flats, placements)


def record_export(user: User, kind: str) -> None:
    """Audit a look at or a download of the own data (``kind``: json or html)."""
    if kind not in FORMATS:
        raise ValueError(kind)
    audit.record("privacy.own_data_exported", actor=user, obj=user, kind=kind)
