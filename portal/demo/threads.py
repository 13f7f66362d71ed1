"""Conversations between a demo landlord and the team (issue 15): on the placement with the
viewing coming up, and on a mediation case the landlord sent from their account, each a few
messages written through the thread operations (so the e-mails are queued as in real use)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.extensions import db
from portal.mediation import operations as mediation_ops
from portal.mediation import thread as mediation_thread
from portal.mediation.models import OPEN_STATUSES, MediationCase
from portal.placements.messages import Message
from portal.placements.models import Placement, State
from portal.placements.operations import messages as placement_thread

PLACEMENT_TALK = [
    ("landlord", "Guten Tag, zur Besichtigung: Ist der Kellerraum auch gleich mit anzusehen?"),
    ("staff", "Ja, gerne. Wir bringen zur Besichtigung auch den Schlüssel für den Keller mit."),
    ("landlord", "Prima, dann bis Donnerstag. Parkplätze sind im Hof."),
]
CASE_TALK = [
    ("landlord", "Die Heizungsablesung ist nächste Woche; wer kann den Termin mit abstimmen?"),
    ("staff", "Wir sprechen mit dem Mieter und melden uns bis Freitag mit einem Termin."),
    ("landlord", "Danke, Dienstag oder Mittwoch vormittags passt mir am besten."),
]


def _talk(lines, landlord: User, staff: User, write: Callable[[str, User, str], Message]):
    """Write ``lines`` and date them back an hour or two apart, the last one this morning."""
    written = [write(side, landlord if side == "landlord" else staff, text) for side, text in lines]
    db.session.flush()
    start = utcnow() - timedelta(days=2)
    for index, message in enumerate(written):
        message.created_at = start + timedelta(hours=5 * index)


def seed(users: dict[str, User], echo: Callable[[str], None]) -> None:
    specialist, landlord = users["immobilien"], users["wohnungsbau"]
    placement = db.session.scalar(
        select(Placement)
        .where(
            Placement.state == State.VIEWING_SCHEDULED.value,
            Placement.flat.has(organisation_id=landlord.organisation_id),
        )
        .order_by(Placement.id)
        .limit(1)
    ) or db.session.scalar(
        select(Placement).where(Placement.state == State.VIEWING_SCHEDULED.value).limit(1)
    )
    count = 0
    if placement is not None:
        owner = next((m for m in placement.flat.organisation.members if m.is_active), landlord)

        def on_placement(side: str, author: User, text: str) -> Message:
            if side == "landlord":
                return placement_thread.landlord_writes(placement, author, text)
            return placement_thread.staff_writes(placement, author, text)

        _talk(PLACEMENT_TALK, owner, specialist, on_placement)
        count += 1
    case = db.session.scalar(
        select(MediationCase)
        .where(
            MediationCase.organisation_id == landlord.organisation_id,
            MediationCase.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .limit(1)
    )
    if case is None:
        case = mediation_ops.submit_request(
            mediation_ops.Request(
                sender_kind="landlord",
                name=landlord.full_name,
                email=landlord.email,
                topic="communication",
                message="Bitte um Unterstützung bei der Abstimmung mit dem Mieter.",
            ),
            landlord,
        )
        mediation_ops.assign(case, specialist, specialist)

    def on_case(side: str, author: User, text: str) -> Message:
        if side == "landlord":
            return mediation_thread.landlord_writes(case, author, text)
        return mediation_thread.staff_writes(case, author, text)

    _talk(CASE_TALK, landlord, specialist, on_case)
    count += 1
    echo(f"  {count} demo conversations with the team")
