"""What the staff home lists from floors that are still to come: the landlord messages waiting
for the team. The home (portal/dashboards.py) asks this hook; a floor with message threads
connects a receiver, so the home needs no import of its model:

    @LANDLORD_MESSAGES.connect
    def waiting_messages(user, limit):
        return HomeMessages(rows=[HomeMessage(...), ...], count=...)

A receiver returns the newest ``limit`` messages waiting for the team's answer that ``user``
may read, and how many wait in all, in a fixed number of queries. With nothing connected the
home shows that there are no messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from portal.core.hooks import Hook


@dataclass(frozen=True)
class HomeMessage:
    """One message (or thread) from a landlord waiting for the team. ``title`` names the
    placement or case and the landlord's organisation, never a household beyond its code."""

    title: str
    url: str
    received_at: datetime
    sender: str


@dataclass(frozen=True)
class HomeMessages:
    rows: list[HomeMessage] = field(default_factory=list)
    count: int = 0


LANDLORD_MESSAGES = Hook("landlord messages on the staff home", required=False)


def landlord_messages(user, limit: int) -> HomeMessages:
    """Every receiver's messages, newest first, at most ``limit``; the count of all."""
    answers = LANDLORD_MESSAGES(user, limit)
    rows = sorted((row for a in answers for row in a.rows), key=lambda r: r.received_at)
    rows.reverse()
    return HomeMessages(rows=rows[:limit], count=sum(a.count for a in answers))
