"""What closing a household's or a flat's other business shares: an open interest closed, and
the one mail to the staff in charge of what was cancelled (mail/placements_closed.txt).

Used when a flat or a household leaves the portal (``placements.release``) and when a household
goes off the market at a signed lease (``operations.market``)."""

from __future__ import annotations

from flask import current_app

from portal.accounts.models import Role, User
from portal.core import audit
from portal.core.db import utcnow
from portal.core.outbox import queue_mail
from portal.placements.labels import CLOSED_MAIL_TEXTS
from portal.placements.models import Interest, InterestStatus, Placement


def close_interest(interest: Interest, actor: User | None, reason: str) -> None:
    """An open interest ends as declined, with the audit event naming ``reason``."""
    interest.status = InterestStatus.DECLINED.value
    interest.decided_at = utcnow()
    audit.record("interest.closed", actor=actor, obj=interest, reason=reason)


def staff_recipients(placements: list[Placement]) -> list[tuple[str, str, str | None]]:
    """(address, language, name) of each active specialist in charge of one of ``placements``;
    the programme's address when nobody is."""
    people: dict[int, User] = {}
    for placement in placements:
        staff = placement.staff
        if staff is not None and staff.is_active and staff.role == Role.SPECIALIST:
            people[staff.id] = staff
    return [(p.email, p.locale, p.full_name) for p in people.values()] or [
        (current_app.config["PROGRAMME_CONTACT_EMAIL"], "de", None)
    ]


def tell_staff(
    placements: list[Placement], interests: list[Interest], reason: str, subject_line: str
) -> None:
    """One mail to each active specialist in charge of a cancelled placement; the team's
    address when nobody is (or only interests were closed)."""
    if not placements and not interests:
        return
    for email, locale, name in staff_recipients(placements):
        queue_mail(
            email,
            "placements_closed",
            locale,
            name=name,
            subject=CLOSED_MAIL_TEXTS[reason][0],
            opening=CLOSED_MAIL_TEXTS[reason][1],
            subject_line=subject_line,
            placements=placements,
            interests=interests,
            base=current_app.config["PORTAL_BASE_URL"],
        )
