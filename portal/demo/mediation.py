"""Mediation cases over the demo's year, through the operations: each comes in as a request
(``submit_request``), is assigned and linked to its tenancy, answered (``reply``) within days,
and the older ones are resolved or closed (``add_note``, ``change_status``). The steps run
today; their times are then moved back to the days they stand for (``portal.demo.dating``).
All names are invented."""

from __future__ import annotations

import random
from datetime import date, timedelta

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.demo.dating import at
from portal.demo.history_plan import FIRST_NAMES, LAST_NAMES
from portal.extensions import db
from portal.listings.models import Flat
from portal.mediation import operations as ops
from portal.mediation.models import CaseStatus
from portal.placements.models import Placement
from portal.placements.operations.aftercare import arrears_check

CASES = 15
REPLY = "Vielen Dank für Ihre Nachricht. Wir melden uns für einen Termin."
NOTE = "Gespräch vor Ort geführt; Lösung mit beiden Seiten vereinbart."
MEDIATION_TEXTS = {
    "rent_arrears": "Die Miete für den letzten Monat ist nicht eingegangen. Bitte um Rückruf.",
    "neighbourhood": "Es gibt wiederholt Beschwerden über Lärm am Abend im Treppenhaus.",
    "damage": "Im Bad ist ein Wasserschaden entstanden; wer übernimmt die Reparatur?",
    "communication": "Wir verstehen uns sprachlich schlecht und brauchen Hilfe beim Gespräch.",
    "other": "Frage zur Nebenkostenabrechnung und zur Mülltrennung.",
}


def seed(
    made: list[tuple[Placement, Flat]], users: dict[str, User], rng: random.Random, today: date
) -> int:
    """Cases over the year, most about the demo tenancies; answered within days, the older ones
    resolved. Returns how many."""
    staff = [users["sozialarbeit"], users["immobilien"]]
    now = utcnow()
    running = [(p, f) for p, f in made if p.keys_handed_over_on is not None]
    topics = list(MEDIATION_TEXTS)
    for index in range(CASES):
        days_ago = 8 + round(index * (355 - 8) / (CASES - 1)) + rng.randrange(-3, 4)
        opened = at(today - timedelta(days=days_ago), 8 + rng.randrange(9), rng.randrange(60))
        tenancies = [
            (p, f) for p, f in running if p.keys_handed_over_on < opened.date() - timedelta(days=7)
        ]
        placement, flat = rng.choice(tenancies) if tenancies else (None, None)
        sender = rng.choice(["landlord", "landlord", "tenant", "other"]) if flat else "other"
        topic = rng.choice(topics)
        assigned = staff[index % 2]
        answered = opened + timedelta(hours=rng.randrange(2, 120))
        if index == 0 or answered > now:  # the newest case waits for its first answer
            answered = None
        resolved = None
        if answered is not None and days_ago > 30:
            resolved = answered + timedelta(days=rng.randrange(2, 28))
            resolved = resolved if resolved < now else None
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        request = ops.Request(
            sender_kind=sender,
            name=f"{first} {last}",
            email=f"{first.lower()}.{index}@example.org",
            topic=topic,
            message=MEDIATION_TEXTS[topic],
            flat_address=flat.address_line if flat else None,
            flat_id=flat.id if flat else None,
        )
        landlord = db.session.get(User, flat.created_by_id) if sender == "landlord" else None
        case = ops.submit_request(request, landlord)
        ops.assign(case, assigned, assigned)
        if placement is not None:
            ops.link_placement(case, assigned, placement.id)
        if answered is not None:
            ops.reply(case, assigned, REPLY)
        if resolved is not None:
            ops.add_note(case, assigned, NOTE)
            closed = CaseStatus.CLOSED if index % 4 == 0 else CaseStatus.RESOLVED
            ops.change_status(case, assigned, closed.value)
        elif answered is not None and index % 3 == 0:
            ops.change_status(case, assigned, CaseStatus.WAITING.value)
        db.session.flush()
        # Dated back: when it came in, was answered and resolved.
        case.created_at, case.first_answer_at, case.resolved_at = opened, answered, resolved
        for entry in case.entries:
            entry.created_at = answered if entry.kind == "reply" else resolved
        case.updated_at = resolved or answered or opened
        db.session.flush()
    return CASES + _arrears_case(running, users["sozialarbeit"])


def _arrears_case(running: list[tuple[Placement, Flat]], worker: User) -> int:
    """The team's own case from a rent-arrears check (issue 16), through the placement page's
    proposal: for the newest tenancy whose last check found arrears and that has no open case;
    any other such tenancy keeps the proposal on its page. Returns how many (0 or 1)."""
    arrears = [p for p, _flat in running if arrears_check(p) and not ops.open_case_for(p)]
    if not arrears:
        return 0
    newest = max(arrears, key=lambda p: (p.keys_handed_over_on, p.id))
    ops.open_for_placement(newest, worker)
    db.session.flush()
    return 1
