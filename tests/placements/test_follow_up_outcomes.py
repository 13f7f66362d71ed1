"""Follow-up outcomes for an ended tenancy (``tenancy_ended``, ``returned_to_shelter``): they
need the day it ended, not before the move-in and not in the future; they close the other open
checks and complete the placement. A running outcome takes no such date."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.extensions import db as _db
from portal.placements import operations as ops
from portal.placements.models import State
from tests.builders import fresh, placement_in, post_follow_up, world
from tests.builders import placement_page as page


def moved_in_on(today: date) -> date:
    return today - timedelta(days=40)  # the keys of placement_in's move-in


@pytest.fixture
def moved_in(app, browser, db, today):
    w = world()
    placement = placement_in(app, w, State.MOVED_IN)
    browser.login(w.specialist)
    assert fresh(placement).keys_handed_over_on == moved_in_on(today)
    return placement


def first_open(placement):
    return next(f for f in fresh(placement).follow_ups if f.done_on is None)


def recorded(db) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "follow_up.recorded"))
    )


def assert_nothing_stored(placement, db) -> None:
    after = fresh(placement)
    assert after.state == "moved_in"
    assert all(f.done_on is None and f.outcome is None for f in after.follow_ups)
    assert all(f.outcome_on is None for f in after.follow_ups)
    assert recorded(db) == []


@pytest.mark.parametrize("outcome", ["tenancy_ended", "returned_to_shelter"])
def test_an_ended_tenancy_closes_the_open_checks_and_completes_the_placement(
    browser, db, moved_in, outcome, today
):
    follow_up = first_open(moved_in)
    ended_on = today - timedelta(days=5)
    response = post_follow_up(
        browser,
        moved_in,
        follow_up.id,
        {"outcome": outcome, "outcome_on": ended_on.isoformat(), "note": "Ausgezogen"},
    )
    assert response.status_code == 302
    after = fresh(moved_in)
    assert after.state == "completed"
    first, *others = after.follow_ups
    assert (first.outcome, first.outcome_on, first.done_on) == (outcome, ended_on, today)
    assert first.note == "Ausgezogen"
    for other in others:
        assert other.done_on == today and other.outcome is None and other.outcome_on is None
        assert other.note == "not needed: the tenancy has ended"
    events = recorded(db)
    assert len(events) == 1 and events[0].details["outcome"] == outcome
    html = unescape(page(browser, moved_in))
    assert "The follow-up is recorded." in html
    assert 'name="follow_up-outcome"' not in html  # nothing left to record


def test_an_ended_tenancy_later_in_aftercare(browser, db, moved_in, today):
    post_follow_up(browser, moved_in, first_open(moved_in).id, {"outcome": "all_well"})
    assert fresh(moved_in).state == "aftercare"
    response = post_follow_up(
        browser,
        moved_in,
        first_open(moved_in).id,
        {"outcome": "returned_to_shelter", "outcome_on": today.isoformat()},
    )
    assert response.status_code == 302
    after = fresh(moved_in)
    assert after.state == "completed"
    assert [f.outcome for f in after.follow_ups] == ["all_well", "returned_to_shelter", None, None]


@pytest.mark.parametrize("outcome", ["tenancy_ended", "returned_to_shelter"])
def test_an_ended_tenancy_without_its_date_is_refused_with_the_input_kept(
    browser, db, moved_in, outcome
):
    response = post_follow_up(
        browser,
        moved_in,
        first_open(moved_in).id,
        {"outcome": outcome, "note": "Schlüssel zurückgegeben"},
    )
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "Please enter the day the tenancy ended." in html
    assert 'id="follow_up-outcome_on-error"' in html
    assert re.search(rf'<input checked id="follow_up-outcome-\d+"[^>]*value="{outcome}"', html)
    assert "Schlüssel zurückgegeben" in html
    assert_nothing_stored(moved_in, db)


@pytest.mark.parametrize(
    ("ended_on", "message"),
    [
        (
            lambda today: moved_in_on(today) - timedelta(days=1),
            "The tenancy cannot end before the move-in.",
        ),
        (lambda today: today + timedelta(days=1), "The date cannot be in the future."),
    ],
)
def test_an_impossible_end_date_is_refused(browser, db, moved_in, today, ended_on, message):
    ended_on = ended_on(today)
    response = post_follow_up(
        browser,
        moved_in,
        first_open(moved_in).id,
        {"outcome": "tenancy_ended", "outcome_on": ended_on.isoformat()},
    )
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert message in html
    assert f'value="{ended_on.isoformat()}"' in html
    assert_nothing_stored(moved_in, db)


def test_the_move_in_day_itself_is_a_possible_end(browser, db, moved_in, today):
    response = post_follow_up(
        browser,
        moved_in,
        first_open(moved_in).id,
        {"outcome": "tenancy_ended", "outcome_on": moved_in_on(today).isoformat()},
    )
    assert response.status_code == 302
    assert fresh(moved_in).follow_ups[0].outcome_on == moved_in_on(today)


@pytest.mark.parametrize("outcome", ["all_well", "needs_support", "rent_arrears", "conflict"])
def test_a_running_outcome_with_an_end_date_is_refused(browser, db, moved_in, outcome, today):
    response = post_follow_up(
        browser,
        moved_in,
        first_open(moved_in).id,
        {"outcome": outcome, "outcome_on": (today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "Leave this empty while the tenancy goes on." in html
    assert_nothing_stored(moved_in, db)


def test_the_operation_refuses_what_the_form_would(app, db, moved_in, today):
    """The rule holds without the form: the operation refuses and changes nothing."""
    follow_up = first_open(moved_in)
    user = _db.session.scalars(select(User).where(User.role == "specialist")).first()
    for outcome, ended_on in [
        ("tenancy_ended", None),
        ("all_well", today),
        ("returned_to_shelter", moved_in_on(today) - timedelta(days=1)),
    ]:
        with pytest.raises(Refused):
            ops.record_follow_up(follow_up, user, outcome, None, None, ended_on)
    assert_nothing_stored(moved_in, db)
