"""Issue 15: the dates of a contract step must be possible. The viewing's outcome only once the
viewing's time has come, a lease not before the viewing day, the keys not handed over after
today. Each refusal says why in the user's language, keeps what was typed, and changes nothing;
the operation refuses the same whoever calls it."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest

from portal.core import clock
from portal.core.refusals import Refused
from portal.placements import operations as ops
from portal.placements.models import Action, State
from tests.builders import PLACEMENTS as BASE
from tests.builders import fresh, in_request, placement_in, post_form, world


def post_step(browser, placement, action: str, data: dict):
    return post_form(browser, f"{BASE}/{placement.id}/steps/{action}", action, data)


def schedule(app, placement, specialist, at) -> None:
    with in_request(app):
        ops.take_step(
            placement,
            Action.RESCHEDULE_VIEWING,
            specialist,
            specialist.role,
            viewing_at=at,
            viewing_place="Vor dem Haus",
            viewing_companion_id=specialist.id,
        )


def test_viewing_outcome_not_before_the_viewing(app, db):
    w = world()
    placement = placement_in(app, w, State.VIEWING_SCHEDULED)
    schedule(app, placement, w.specialist, clock.utcnow() + timedelta(hours=2))
    with in_request(app), pytest.raises(Refused) as refused:
        ops.take_step(
            placement, Action.RECORD_VIEWING, w.specialist, "specialist", viewing_outcome="gut"
        )
    assert refused.value.code == "viewing_not_yet" and refused.value.status == 400
    assert fresh(placement).state == "viewing_scheduled"


def test_viewing_outcome_refused_at_the_field_in_german(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.VIEWING_SCHEDULED)
    schedule(app, placement, w.specialist, clock.utcnow() + timedelta(days=2))
    browser.login(w.specialist)
    browser.post("/language", data={"locale": "de"})
    response = post_step(browser, placement, "record_viewing", {"viewing_outcome": "Noch offen"})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Das Ergebnis kann erst danach festgehalten werden." in html
    assert "Noch offen</textarea>" in html
    assert fresh(placement).state == "viewing_scheduled"


def test_lease_not_before_the_viewing(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.COSTS_APPROVED)
    viewing_day = fresh(placement).viewing_at.astimezone(clock.BERLIN).date()
    day_before = viewing_day - timedelta(days=1)
    with in_request(app), pytest.raises(Refused) as refused:
        ops.take_step(
            placement,
            Action.SIGN_LEASE,
            w.specialist,
            "specialist",
            lease_signed_on=day_before,
            rent_start_on=viewing_day,
        )
    assert refused.value.code == "lease_before_viewing"
    browser.login(w.specialist)
    data = {"lease_signed_on": day_before.isoformat(), "rent_start_on": viewing_day.isoformat()}
    response = post_step(browser, placement, "sign_lease", data)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "The lease cannot be signed before the viewing on" in html
    assert f'value="{day_before.isoformat()}"' in html  # the input is kept
    assert fresh(placement).state == "costs_approved"
    # On the viewing day itself it may be signed.
    data["lease_signed_on"] = viewing_day.isoformat()
    assert post_step(browser, placement, "sign_lease", data).status_code == 302
    assert fresh(placement).state == "lease_signed"


def test_keys_not_handed_over_in_the_future(app, browser, db):
    w = world()
    placement = placement_in(app, w, State.LEASE_SIGNED)
    tomorrow = clock.today() + timedelta(days=1)
    with in_request(app), pytest.raises(Refused) as refused:
        ops.take_step(
            placement, Action.MOVE_IN, w.specialist, "specialist", keys_handed_over_on=tomorrow
        )
    assert refused.value.code == "keys_in_future"
    browser.login(w.specialist)
    response = post_step(
        browser, placement, "move_in", {"keys_handed_over_on": tomorrow.isoformat()}
    )
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "The keys cannot have been handed over after today" in html
    assert f'value="{tomorrow.isoformat()}"' in html
    assert fresh(placement).state == "lease_signed"
    today = {"keys_handed_over_on": clock.today().isoformat()}
    assert post_step(browser, placement, "move_in", today).status_code == 302
    assert fresh(placement).state == "moved_in"
