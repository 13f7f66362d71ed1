"""The portal's one clock: what moment it is, and which day it is in Duisburg.

Every "now" and "today" in the portal comes from here. ``date.today()`` and ``datetime.now()``
read the server's zone (UTC on most hosts), so between midnight and 1 or 2 a.m. Berlin time
they give yesterday; the programme's days are Berlin's.

- ``now()``: the current moment, aware, in Europe/Berlin (for dates and times people read).
- ``utcnow()``: the same moment, aware, in UTC (what ``*_at`` columns store).
- ``today()``: the day in Berlin.

Tests set the clock with ``frozen()`` (fixture ``frozen_clock`` in tests/conftest.py; the
whole suite with ``PORTAL_TEST_NOW``). Only this clock is set: ``time.time()`` keeps real time,
so TOTP codes, signed tokens (itsdangerous) and the throttles measure real seconds, as they
must; compare their timestamps with ``time.time()``, never with this clock.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class _Setting:
    at: datetime  # aware, UTC
    ticking: bool
    since: float  # time.monotonic() when set

    def utcnow(self) -> datetime:
        if not self.ticking:
            return self.at
        return self.at + timedelta(seconds=time.monotonic() - self.since)


_setting: _Setting | None = None


def utcnow() -> datetime:
    """The current moment, aware, in UTC."""
    if _setting is None:
        return datetime.now(UTC)
    return _setting.utcnow()


def now() -> datetime:
    """The current moment, aware, in Europe/Berlin."""
    return utcnow().astimezone(BERLIN)


def today() -> date:
    """The day it is in Berlin."""
    return now().date()


def parse(text: str) -> datetime:
    """An ISO 8601 moment (``2026-12-31T23:30+01:00``) as an aware datetime; without an
    offset it is read as Berlin time."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=BERLIN)


class FrozenClock:
    """The handle ``frozen()`` yields: move the clock while it is set."""

    def move_to(self, at: datetime | str, *, ticking: bool | None = None) -> None:
        global _setting
        moment = parse(at) if isinstance(at, str) else at
        if moment.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        keep = _setting.ticking if _setting is not None else False
        _setting = _Setting(
            moment.astimezone(UTC), keep if ticking is None else ticking, time.monotonic()
        )

    def advance(self, delta: timedelta | None = None, **parts: float) -> None:
        self.move_to(utcnow() + (delta or timedelta(**parts)))

    def now(self) -> datetime:
        return now()

    def today(self) -> date:
        return today()


@contextmanager
def frozen(at: datetime | str, *, ticking: bool = False) -> Iterator[FrozenClock]:
    """Set the clock to ``at`` for the block, then back to what it was. A ``ticking`` clock
    starts at ``at`` and runs on in real seconds, so rows made one after another keep their
    order; otherwise it stands still until moved."""
    global _setting
    before = _setting
    handle = FrozenClock()
    handle.move_to(at, ticking=ticking)
    try:
        yield handle
    finally:
        _setting = before
