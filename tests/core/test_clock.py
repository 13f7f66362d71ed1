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


# Reading the day at import -----------------------------------------------------------------------
# pytest imports every test module at collection, minutes before the last test runs: a day read
# then (a module constant, a parametrize argument, a default value) is yesterday's for a test that
# runs after midnight, while the portal reads today's. Tests take the ``today`` fixture or read
# the clock inside the test; parametrize arguments give days as offsets from today.

CLOCK_READS = {"today", "now", "utcnow"}
CLOCK_OWNERS = {"clock", "date", "datetime"}  # portal.core.clock and the system's clock


def _reads_the_clock(call: ast.Call, names: set[str]) -> bool:
    """``clock.today()``, ``portal.core.clock.now()``, ``date.today()``, ``datetime.now()``, or
    a call of one of ``names`` (a read imported by name, a helper of the module that reads)."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in names
    if not isinstance(func, ast.Attribute) or func.attr not in CLOCK_READS:
        return False
    owner = func.value
    return (isinstance(owner, ast.Name) and owner.id in CLOCK_OWNERS) or (
        isinstance(owner, ast.Attribute) and owner.attr in CLOCK_OWNERS
    )


def _run_at_import(body: list[ast.stmt]):
    """The nodes Python evaluates when it imports the module: module and class bodies, decorators,
    default values, but no function or lambda body (a factory's ``LazyFunction(lambda: ...)``
    runs when the factory does)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            stack += args.defaults + [d for d in args.kw_defaults if d is not None]
            stack += getattr(node, "decorator_list", [])
        elif isinstance(node, ast.ClassDef):
            stack += node.decorator_list + node.bases + node.keywords + node.body
        else:
            yield node
            stack += ast.iter_child_nodes(node)


def clock_reads_at_import(source: str) -> list[int]:
    """The lines of ``source`` that read the clock when the module is imported."""
    tree = ast.parse(source)
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name in CLOCK_READS
    }
    names |= {  # the module's own helpers that read the clock, called at import
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(isinstance(n, ast.Call) and _reads_the_clock(n, names) for n in ast.walk(node))
    }
    return sorted(
        node.lineno
        for node in _run_at_import(tree.body)
        if isinstance(node, ast.Call) and _reads_the_clock(node, names)
    )


def test_no_test_reads_the_day_at_import():
    """Regression: "tomorrow" in a parametrize argument, read at collection at 23:59, was today
    when the test ran at 00:01 (test_consent_form_refusals)."""
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for line in clock_reads_at_import(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_check_finds_reads_at_import_and_leaves_run_time_alone():
    source = """
from datetime import date, timedelta
from portal.accounts.models import utcnow
import portal.core.clock
TODAY = clock.today()                                          # 5
LATER = [portal.core.clock.now() + timedelta(days=n) for n in range(2)]
def day(delta):
    return clock.today() + timedelta(days=delta)
@pytest.mark.parametrize("when", [day(1), date.today()])       # 9
def test_a(when, at=utcnow()):                                 # 10
    assert clock.today() < when
class FlatFactory(factory.Factory):
    since = clock.today()                                      # 13
    at = factory.LazyFunction(lambda: clock.utcnow())
    on = factory.LazyFunction(clock.today)
    class Params:
        ages = {"child": datetime.now().year - 10}             # 17
def helper(h, today=None):
    today = today or clock.today()
    return lambda: day(2)
"""
    assert clock_reads_at_import(source) == [5, 6, 9, 9, 10, 13, 17]


def test_each_test_starts_at_portal_test_now_when_it_is_set():
    """PORTAL_TEST_NOW (tests/conftest.py) moves every test to that moment; unset, the clock is
    the system's."""
    expected = clock.parse(TEST_NOW) if TEST_NOW else datetime.now(UTC)
    assert abs(clock.utcnow() - expected) < timedelta(minutes=1)
