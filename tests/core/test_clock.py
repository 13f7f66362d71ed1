"""The portal's one clock (portal.core.clock): Berlin's day whatever the server's zone, one
place to set it in tests, and no other reader of the system clock in the code."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.core import clock, db
from portal.extensions import db as _db
from portal.placements.models import Placement
from portal.placements.queries import dashboard
from tests.conftest import TEST_NOW

ROOT = Path(__file__).resolve().parents[2]


def test_now_is_berlin_and_today_is_berlins_day_not_utcs(frozen_clock):
    frozen_clock.move_to(datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    assert clock.utcnow() == datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert clock.utcnow().utcoffset() == timedelta(0)
    assert clock.now().isoformat() == "2026-12-07T00:30:00+01:00"
    assert clock.today() == date(2026, 12, 7)
    assert db.utcnow() == clock.utcnow()  # the *_at columns' default follows the clock


def test_new_year_in_berlin_comes_an_hour_before_utcs(frozen_clock):
    frozen_clock.move_to("2026-12-31T23:30+01:00")
    assert clock.today() == date(2026, 12, 31)
    frozen_clock.advance(minutes=30)
    assert clock.today() == date(2027, 1, 1)
    assert clock.utcnow() == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


def test_the_clock_crosses_the_change_to_summer_time(frozen_clock):
    frozen_clock.move_to("2027-03-28T01:59+01:00")
    frozen_clock.advance(minutes=1)
    assert clock.now().isoformat() == "2027-03-28T03:00:00+02:00"
    assert clock.today() == date(2027, 3, 28)


def test_a_moment_without_offset_is_berlin_time_and_naive_datetimes_are_refused(frozen_clock):
    frozen_clock.move_to("2027-02-28T12:00")
    assert clock.utcnow() == datetime(2027, 2, 28, 11, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        frozen_clock.move_to(datetime(2027, 2, 28, 12, 0))


def test_frozen_stands_still_ticking_runs_on_and_both_give_the_clock_back():
    before = clock._setting
    with clock.frozen("2027-02-28T12:00+01:00") as frozen:
        assert clock.utcnow() == clock.utcnow() == datetime(2027, 2, 28, 11, 0, tzinfo=UTC)
        with clock.frozen("2027-02-28T12:00+01:00", ticking=True):
            first = clock.utcnow()
            assert first < clock.utcnow() < first + timedelta(minutes=1)
        assert clock.utcnow() == frozen.now()
    assert clock._setting is before


def test_demo_data_at_half_past_midnight_take_berlins_day(app, runner, frozen_clock):
    """Regression: the demo took the server's (UTC) date while the home page took Berlin's, so
    between midnight and 1 a.m. the demo's "viewing today" was yesterday's."""
    frozen_clock.move_to("2026-12-07T00:30+01:00")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    viewing = _db.session.scalars(
        select(Placement).where(Placement.state == "viewing_scheduled")
    ).one()
    assert viewing.viewing_at.astimezone(clock.BERLIN).date() == date(2026, 12, 7)
    assert dashboard().viewings_today


SYSTEM_CLOCK = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"),
                ("datetime", "today")}  # fmt: skip


@pytest.mark.parametrize("folder", ["portal", "bench"])
def test_only_the_clock_reads_the_system_clock(folder):
    """date.today()/datetime.now() (called or passed as a default) appear nowhere but in
    portal/core/clock.py; time.time() stays allowed for real seconds (TOTP, tokens, throttles)."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if path == ROOT / "portal" / "core" / "clock.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in SYSTEM_CLOCK
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_each_test_starts_at_portal_test_now_when_it_is_set():
    """PORTAL_TEST_NOW (tests/conftest.py) moves every test to that moment; unset, the clock is
    the system's."""
    expected = clock.parse(TEST_NOW) if TEST_NOW else datetime.now(UTC)
    assert abs(clock.utcnow() - expected) < timedelta(minutes=1)
