"""An aftercare check that finds rent arrears proposes the direct payment of rent (if none was
requested) and a mediation case linked to the placement (if none is open), each one button on
the staff placement page: POST with CSRF, audited, checked on the server (roles, already done).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.extensions import db as _db
from portal.mediation.models import CaseStatus, MediationCase
from portal.placements import operations as ops
from portal.placements.models import Action, State
from portal.placements.paperwork import money
from portal.placements.paperwork.money import DirectPayment
from tests.builders import (
    PLACEMENTS,
    fresh,
    in_request,
    placement_in,
    placement_page,
    post_follow_up,
    post_form,
    world,
)

BOX = 'id="arrears-title"'
DIRECT = 'id="arrears-direct-payment"'
CASE = 'id="arrears-mediation-case"'


@pytest.fixture
def w(app, db):
    w = world()
    w.placement = placement_in(app, w, State.MOVED_IN)
    return w


def _record(app, w, outcome: str, index: int = 0) -> None:
    follow_up = fresh(w.placement).follow_ups[index]
    with in_request(app):
        ops.record_follow_up(follow_up, w.specialist, outcome, None)
    _db.session.flush()


def _cases() -> int:
    return _db.session.scalar(select(func.count(MediationCase.id)))


def _directs() -> int:
    return _db.session.scalar(select(func.count(DirectPayment.id)))


def _actions() -> list[str]:
    return list(_db.session.scalars(select(AuditEvent.action)))


def _open_case(browser, w, with_csrf: bool = True):
    data = {"csrf_token": browser.csrf("/")} if with_csrf else {}
    return browser.client.post(f"/backoffice/mediation/for-placement/{w.placement.id}", data=data)


def _request_direct(browser, w):
    return post_form(
        browser,
        f"{PLACEMENTS}/{w.placement.id}/direct-payment",
        "direct",
        {"requested_on": clock.today().isoformat()},
    )


def test_recording_rent_arrears_leads_to_the_proposals(app, browser, w):
    browser.login(w.specialist)
    follow_up = fresh(w.placement).follow_ups[0]
    response = post_follow_up(browser, w.placement, follow_up.id, {"outcome": "rent_arrears"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#arrears")
    html = placement_page(browser, w.placement)
    assert BOX in html and DIRECT in html and CASE in html
    assert "Request direct payment of the rent" in html and "Open a mediation case" in html
    # Pre-filled: today's date goes with the one button.
    assert f'name="direct-requested_on" value="{clock.today().isoformat()}"' in html


@pytest.mark.parametrize("outcome", ["all_well", "needs_support", "conflict"])
def test_other_outcomes_propose_nothing(app, browser, w, outcome):
    _record(app, w, outcome)
    browser.login(w.specialist)
    assert BOX not in placement_page(browser, w.placement)


def test_a_later_check_without_arrears_ends_the_proposal(app, browser, w):
    _record(app, w, "rent_arrears", 0)
    _record(app, w, "all_well", 1)
    browser.login(w.specialist)
    assert BOX not in placement_page(browser, w.placement)


def test_no_proposal_before_any_check(app, browser, w):
    browser.login(w.specialist)
    assert BOX not in placement_page(browser, w.placement)


def test_the_direct_payment_button_records_the_request_once(app, browser, w):
    _record(app, w, "rent_arrears")
    browser.login(w.specialist)
    response = _request_direct(browser, w)
    assert response.status_code == 302
    payment = money.direct_payment_of(w.placement)
    assert payment is not None and payment.requested_on == clock.today()
    assert "placement.direct_payment_requested" in _actions()
    html = placement_page(browser, w.placement)
    assert DIRECT not in html and CASE in html  # only what is still to do
    again = _request_direct(browser, w)
    assert again.status_code == 302
    text = browser.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "The direct payment has already been requested." in text
    assert _directs() == 1


def test_the_mediation_button_opens_one_linked_case(app, browser, w):
    _record(app, w, "rent_arrears")
    user = browser.login("social_worker")
    response = _open_case(browser, w)
    assert response.status_code == 302
    case = _db.session.scalar(select(MediationCase))
    assert response.headers["Location"].endswith(f"/backoffice/mediation/{case.id}")
    assert case.placement_id == w.placement.id and case.topic == "rent_arrears"
    assert case.status == "in_progress" and case.assigned_to_id == user.id
    assert case.flat_id == w.flat.id
    # Opened by the team: no landlord's case, no sender, nobody mailed.
    assert case.organisation_id is None and case.user_id is None and case.email is None
    assert "mediation.opened_for_placement" in _actions()
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert case.number in html and "Opened by the team from the placement" in html
    page = placement_page(browser, w.placement)
    assert CASE not in page and case.number in page
    # A second press is refused, nothing changed.
    again = _open_case(browser, w)
    assert again.status_code == 302 and again.headers["Location"].endswith("#arrears")
    text = browser.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "A mediation case for this placement is already open. Nothing was changed." in text
    assert _cases() == 1


def test_a_closed_case_lets_the_team_open_a_new_one(app, browser, w):
    _record(app, w, "rent_arrears")
    staff = browser.login(w.specialist)
    _open_case(browser, w)
    case = _db.session.scalar(select(MediationCase))
    with in_request(app):
        case.set_status(CaseStatus.CLOSED, staff)
    _db.session.commit()
    assert CASE in placement_page(browser, w.placement)
    assert _open_case(browser, w).status_code == 302 and _cases() == 2


def test_both_done_and_the_box_is_gone(app, browser, w):
    _record(app, w, "rent_arrears")
    browser.login(w.specialist)
    _request_direct(browser, w)
    _open_case(browser, w)
    assert BOX not in placement_page(browser, w.placement)


def test_a_social_worker_may_open_the_case_but_not_request_direct_payment(app, browser, w):
    _record(app, w, "rent_arrears")
    browser.login("social_worker")
    html = placement_page(browser, w.placement)
    assert CASE in html and DIRECT not in html
    assert "A specialist records the request for direct payment." in html
    assert _request_direct(browser, w).status_code == 403
    assert _directs() == 0


@pytest.mark.parametrize("role", ["landlord", "admin"])
def test_other_roles_may_not_open_a_case(app, browser, w, role):
    _record(app, w, "rent_arrears")
    browser.login(role)
    assert _open_case(browser, w).status_code == 403
    assert _cases() == 0


def test_anonymous_and_without_csrf_nothing_happens(app, browser, w):
    _record(app, w, "rent_arrears")
    anonymous = _open_case(browser, w)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    browser.login(w.specialist)
    assert _open_case(browser, w, with_csrf=False).status_code == 400
    assert browser.client.post("/backoffice/mediation/for-placement/99999").status_code in (
        400,
        404,
    )
    assert _cases() == 0


def test_the_landlord_never_sees_the_teams_case(app, browser, w):
    _record(app, w, "rent_arrears")
    browser.login(w.specialist)
    _open_case(browser, w)
    number = _db.session.scalar(select(MediationCase.number))
    browser.logout()
    browser.login(w.landlord)
    assert number not in browser.client.get("/mediation/mine").get_data(as_text=True)


def test_no_proposal_on_a_cancelled_placement(app, browser, w):
    _record(app, w, "rent_arrears")
    with in_request(app):
        ops.take_step(w.placement, Action.CANCEL, w.specialist, "specialist", cancel_reason="other")
    _db.session.flush()
    browser.login(w.specialist)
    assert BOX not in placement_page(browser, w.placement)
