"""The rules of mediation: a request from the contact form becomes a case; staff note, reply,
assign, link and resolve it; contact data of resolved cases is purged after the retention
period. Operations flush, audit and queue mail; they never commit and never read the request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.core import audit, clock
from portal.core.db import utcnow
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db
from portal.listings.models import Flat
from portal.mediation.labels import topic_label
from portal.mediation.models import (
    CONTACT_BY,
    OPEN_STATUSES,
    SENDER_KINDS,
    TOPICS,
    CaseEntry,
    CaseStatus,
    MediationCase,
)
from portal.placements.models import Placement
from portal.sites.models import DEFAULT_SITE_ID

WORKING_DAYS_TO_ANSWER = 2


# What the staff read when a change to a case is refused (``Refused`` with these words).
NOT_VALID = _l("This was refused: the information is missing or not valid.")
NO_EMAIL = _l(
    "The sender left no e-mail address (or it was removed after the retention period): "
    "the reply cannot be sent. Nothing was changed."
)
NO_SUCH_PLACEMENT = _l("There is no placement with this number.")
CASE_ALREADY_OPEN = _l("A mediation case for this placement is already open. Nothing was changed.")


def _line(value: str | None, limit: int) -> str | None:
    """One line, shortened: names and addresses never carry line breaks into mail."""
    text = " ".join((value or "").split())[:limit]
    return text or None


@dataclass
class Request:
    sender_kind: str
    name: str
    email: str
    topic: str
    message: str
    contact_by: str = "email"
    phone: str | None = None
    flat_address: str | None = None
    flat_id: int | None = None
    locale: str = "de"
    site_id: int | None = None  # chosen by the sender where several sites take requests


def next_number(year: int) -> str:
    prefix = f"M-{year}-"
    last = db.session.scalar(  # over every site: the number is unique in the deployment
        select(func.max(MediationCase.number))
        .where(MediationCase.number.like(prefix + "%"))
        .execution_options(all_sites=True)
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:04d}"


def _store_numbered(case: MediationCase) -> None:
    """Add ``case`` with the year's next number; two cases stored at the same moment each get
    their own (the unique number is tried again)."""
    year = clock.today().year
    for _attempt in range(5):
        case.number = next_number(year)
        try:
            with db.session.begin_nested():
                db.session.add(case)
                db.session.flush()
            return
        except IntegrityError:
            continue
    raise Refused("number")


def _site_of_request(data: Request) -> int:
    """A request about a flat belongs to the flat's site; else to the site the sender chose,
    or the default site."""
    if data.flat_id is not None:
        flat = db.session.get(Flat, data.flat_id)
        if flat is not None:
            return flat.site_id
    return data.site_id or DEFAULT_SITE_ID


def submit_request(data: Request, user: User | None = None) -> MediationCase:
    """Store the request as a new case and queue the confirmation to the sender and the
    notice to the team. The case is stored even when mail is down (the outbox delivers later).
    Names, subjects and addresses are stored as text and never become mail headers."""
    if data.sender_kind not in SENDER_KINDS or data.topic not in TOPICS:
        raise Refused("data")
    if data.contact_by not in CONTACT_BY:
        raise Refused("data")
    case = MediationCase(
        site_id=_site_of_request(data),
        sender_kind=data.sender_kind,
        name=_line(data.name, 200),
        email=_line(data.email, 254),
        phone=_line(data.phone, 40),
        contact_by=data.contact_by,
        topic=data.topic,
        flat_address=_line(data.flat_address, 300),
        flat_id=data.flat_id,
        message=data.message.strip()[:5000],
        locale=data.locale,
        organisation_id=user.organisation_id if user is not None else None,
        user_id=user.id if user is not None else None,
    )
    _store_numbered(case)
    audit.record("mediation.submitted", actor=user, obj=case, number=case.number, topic=case.topic)
    if case.email:
        queue_mail(
            case.email,
            "mediation_confirmation",
            case.locale,
            number=case.number,
            days=WORKING_DAYS_TO_ANSWER,
        )
    base = current_app.config["PORTAL_BASE_URL"]
    queue_mail(
        current_app.config["PROGRAMME_CONTACT_EMAIL"],
        "mediation_new",
        "de",
        number=case.number,
        topic=case.topic,
        url=f"{base}/backoffice/mediation/{case.id}",
    )
    return case


def add_note(case: MediationCase, author: User, text: str) -> CaseEntry:
    """An internal note: staff only, never shown to the sender."""
    text = (text or "").strip()
    if not text:
        raise Refused("data", NOT_VALID)
    entry = CaseEntry(case=case, kind="note", author_id=author.id, text=text[:5000])
    db.session.add(entry)
    audit.record("mediation.note", actor=author, obj=case)
    return entry


def reply(case: MediationCase, author: User, text: str) -> CaseEntry:
    """Send an answer by e-mail (through the outbox) and keep it on the case."""
    text = (text or "").strip()
    if not text:
        raise Refused("data", NOT_VALID)
    if not case.email:
        raise Refused("no_email", NO_EMAIL)
    entry = CaseEntry(case=case, kind="reply", author_id=author.id, text=text[:5000])
    db.session.add(entry)
    if case.first_answer_at is None:
        case.first_answer_at = utcnow()
    if case.status == CaseStatus.NEW:
        case.set_status(CaseStatus.IN_PROGRESS, author)
    queue_mail(
        case.email,
        "mediation_reply",
        case.locale,
        number=case.number,
        text=text,
        author=author.full_name,
    )
    audit.record("mediation.reply", actor=author, obj=case)
    return entry


def change_status(case: MediationCase, actor: User, to: str) -> None:
    try:
        status = CaseStatus(to)
    except ValueError as exc:
        raise Refused("data", NOT_VALID) from exc
    case.set_status(status, actor)


def assign(case: MediationCase, actor: User, staff: User | None) -> None:
    if staff is not None and not staff.is_staff:
        raise Refused("data", NOT_VALID)
    case.assigned_to_id = staff.id if staff is not None else None
    audit.record(
        "mediation.assigned",
        actor=actor,
        obj=case,
        assigned_to=staff.id if staff is not None else None,
    )


def link_placement(case: MediationCase, actor: User, placement_id: int | None) -> None:
    if placement_id is not None and db.session.get(Placement, placement_id) is None:
        raise Refused("data", NO_SUCH_PLACEMENT)
    case.placement_id = placement_id
    audit.record("mediation.linked", actor=actor, obj=case, placement_id=placement_id)


def open_case_for(placement: Placement) -> MediationCase | None:
    """The newest open case linked to ``placement``, if any."""
    return db.session.scalar(
        select(MediationCase)
        .where(
            MediationCase.placement_id == placement.id,
            MediationCase.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(MediationCase.id.desc())
        .limit(1)
    )


def open_for_placement(
    placement: Placement, actor: User, topic: str = "rent_arrears"
) -> MediationCase:
    """The team opens a case itself, linked to ``placement`` (the aftercare check found rent
    arrears): refused (``open_case``, nothing changed) while a case for the placement is open.
    The case belongs to no landlord's account (landlords see only cases they sent; the team
    brings the landlord in by message or phone), is assigned to ``actor`` and in progress; it
    counts as answered when opened, so it is never overdue for an answer to itself. No mail:
    nobody sent it."""
    if topic not in TOPICS:
        raise Refused("data", NOT_VALID)
    if open_case_for(placement) is not None:
        raise Refused("open_case", CASE_ALREADY_OPEN)
    flat = placement.flat
    case = MediationCase(
        site_id=placement.site_id,
        sender_kind="other",
        topic=topic,
        flat_id=flat.id,
        flat_address=_line(flat.address_line, 300),
        placement_id=placement.id,
        message=str(
            _l(
                "Opened by the team from the placement's aftercare: %(topic)s. Household %(code)s.",
                topic=topic_label(topic),
                code=placement.household.code,
            )
        ),
        locale=actor.locale or "de",
        assigned_to_id=actor.id,
        first_answer_at=utcnow(),
    )
    _store_numbered(case)
    audit.record(
        "mediation.opened_for_placement",
        actor=actor,
        obj=case,
        number=case.number,
        topic=topic,
        placement_id=placement.id,
    )
    case.set_status(CaseStatus.IN_PROGRESS, actor)
    return case


def purge(months: int, today: date | None = None, dry_run: bool = False) -> list[str]:
    """Remove the sender's contact data (name, e-mail, phone) from cases resolved or closed
    more than ``months`` ago; returns the case numbers. Logged as one audit event per case."""
    today = today or clock.today()
    cutoff = today - timedelta(days=round(months * 30.44))
    limit = datetime.combine(cutoff, time.min, UTC)
    cases = db.session.scalars(
        select(MediationCase).where(
            MediationCase.status.in_([CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value]),
            MediationCase.resolved_at < limit,
            MediationCase.contact_purged_at.is_(None),
        )
    ).all()
    if dry_run:
        return [c.number for c in cases]
    for case in cases:
        case.name = case.email = case.phone = None
        case.contact_purged_at = utcnow()
        audit.record("mediation.purged", obj=case, number=case.number)
    return [c.number for c in cases]


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end``."""
    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


__all__: list[Any] = ["Request", "submit_request"]
