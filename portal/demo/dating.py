"""Dates for the demo, and how its history is dated back.

The demo reaches every state through the operations, and the operations act *now*: they stamp
``created_at``, ``status_changed_at``, ``vetted_at``, event times and "today" defaults with the
present. Where the demo stands for work done weeks or months ago, the operation runs first and
the rows it just wrote are then dated back (``created_at``, ``status_changed_at``, an event's
``created_at``, a consent's ``given_on``/``expires_on``, ...), consistently, as if the same
operations had run on those days. So every row is one the workflow writes, in a state the
workflow reaches; only its dates are older. The audit trail is not dated back (in production
it is append-only): it says truthfully that the demo was loaded today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from portal.core import clock

BERLIN = clock.BERLIN


def today() -> date:
    """The programme's day (Berlin), which the home page and the lists use too."""
    return clock.today()


def at(day: date, hour: int = 10, minute: int = 30) -> datetime:
    """``day`` at ``hour:minute`` Berlin time, as the UTC moment the database stores."""
    return datetime.combine(day, time(hour, minute), BERLIN).astimezone(UTC)
