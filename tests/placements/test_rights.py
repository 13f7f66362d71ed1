"""Who may do what in the placements back office (DESIGN.md §1, the STEPS table), over every
route of the blueprint: specialists everything; social workers read, record follow-ups, and are
refused (with a message, nothing changed) any step STEPS does not give them; admins and
landlords 403; anonymous visitors to the login. A route without a row here fails the test."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db as _db
from portal.placements.messages import Message
from portal.placements.models import FollowUp, Interest, Placement, PlacementEvent, State
from portal.placements.paperwork import handover, money
from portal.placements.paperwork.models import HandoverRecord, MoveInConfirmation
from tests.builders import placement_in, world
from tests.factories import HouseholdFactory

BASE = "/backoffice/placements"

# (method, rule, expected for a specialist, expected for a social worker)
ROUTES = [
    ("GET", "/", 200, 200),
    ("GET", "/export.csv", 200, 200),
    ("GET", "/<placement_id>", 200, 200),
    ("GET", "/<placement_id>/history", 200, 200),  # all of the history, the page the newest
    ("GET", "/<placement_id>/mails", 200, 200),  # all messages to the landlord
    ("GET", "/<placement_id>/conversation", 200, 200),  # all of the thread, the page the newest
    ("POST", "/<placement_id>/steps/<step>", 302, 302),  # social worker: refused, no change
    ("POST", "/<placement_id>/notes", 302, 403),
    ("POST", "/<placement_id>/messages", 302, 302),  # the thread with the landlord
    ("POST", "/<placement_id>/follow-ups/<follow_up_id>", 302, 302),
    ("POST", "/propose/<flat_id>/<household_id>", 302, 403),
    ("POST", "/interests/<interest_id>/accept", 302, 403),
    ("POST", "/interests/<interest_id>/decline", 302, 403),
    # All of a household's open interests, its page the newest (as the household page).
    ("GET", "/households/<household_id>/interests", 200, 200),
    # The paperwork of the move-in (issue 16).
    ("GET", "/<placement_id>/paperwork", 200, 200),
    ("GET", "/<placement_id>/handover.pdf", 200, 200),
    ("GET", "/<placement_id>/wohnungsgeberbestaetigung.pdf", 200, 200),
    ("POST", "/<placement_id>/handover", 302, 403),
    ("POST", "/<placement_id>/registration", 302, 403),
    # The Mietbescheinigung and the money questions (issue 16).
    ("GET", "/<placement_id>/rent-certificate.pdf", 200, 200),
    ("POST", "/<placement_id>/rent-certificate/refill", 302, 302),
    ("POST", "/<placement_id>/costs", 200, 403),
    ("POST", "/<placement_id>/costs/<item_id>/decision", 200, 403),
    ("POST", "/<placement_id>/costs/<item_id>/payment", 200, 403),
    ("POST", "/<placement_id>/direct-payment", 200, 403),
    ("POST", "/<placement_id>/direct-payment/confirmation", 404, 403),  # none requested here
]
# Allowed, but posted here without data (the form comes back) or changing only what the
# snapshot does not hold (the Mietbescheinigung filled again): tested in their own files.
NO_VISIBLE_CHANGE = {
    "/<placement_id>/rent-certificate/refill",
    "/<placement_id>/costs",
    "/<placement_id>/costs/<item_id>/decision",
    "/<placement_id>/costs/<item_id>/payment",
    "/<placement_id>/direct-payment",
    "/<placement_id>/direct-payment/confirmation",
}
STATE_CHANGING = [(m, r) for m, r, _, _ in ROUTES if m == "POST"]
# What a route's form is called on the page (its fields and CSRF token carry the prefix).
PREFIX = {
    "/<placement_id>/steps/<step>": "cancel",
    "/<placement_id>/notes": "note",
    "/<placement_id>/follow-ups/<follow_up_id>": "follow_up",
}


def test_the_matrix_covers_every_route_of_the_blueprint(app):
    registered = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("placements_backoffice."):
            path = rule.rule.removeprefix(BASE)
            for converter in ("int:", "string:"):
                path = path.replace(f"<{converter}", "<")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                registered.add((method, path))
    assert registered == {(m, r) for m, r, _, _ in ROUTES}


@pytest.fixture
def scene(app, db) -> SimpleNamespace:
    """A moved-in placement (open follow-ups, cancel possible), and for proposing and the
    interests a second flat and household."""
    w = world()
    placement = placement_in(app, w, State.MOVED_IN)
    other = world()
    interest = Interest(
        flat=other.flat,
        household=other.household,
        organisation_id=other.flat.organisation_id,
        created_by_id=other.landlord.id,
    )
    _db.session.add(interest)
    with app.test_request_context():
        handover.record_handover(
            placement,
            w.specialist,
            handed_over_on=placement.lease_signed_on,
            meters=[{"kind": "water", "number": "W-1", "reading": "3"}],
            keys=[],
            rooms=[],
            landlord_signed_by="Vermieterin",
            tenant_signed_by="Mieterin",
            signed_on=placement.lease_signed_on,
        )
        handover.confirm_move_in(placement, w.landlord)
        item = money.request_cost(
            placement, w.specialist, "deposit", Decimal("100.00"), clock.today()
        )
    _db.session.flush()
    return SimpleNamespace(
        placement=placement,
        follow_up=placement.follow_ups[0],
        flat=other.flat,
        household=HouseholdFactory(),
        interest=interest,
        item=item,
    )


def path_for(rule: str, s: SimpleNamespace) -> str:
    values = {
        "<placement_id>": s.placement.id,
        "<step>": "cancel",
        "<follow_up_id>": s.follow_up.id,
        "<flat_id>": s.flat.id,
        "<household_id>": s.household.id,
        "<interest_id>": s.interest.id,
        "<item_id>": s.item.id,
    }
    path = rule
    for key, value in values.items():
        path = path.replace(key, str(value))
    return BASE + path


def form_for(rule: str, token: str | None) -> dict:
    """Valid data for each state-changing route, so that only the rights decide."""
    data = {
        "/<placement_id>/steps/<step>": {"cancel_reason": "other", "note": "Test"},
        "/<placement_id>/notes": {"note": "Test"},
        "/<placement_id>/messages": {"message_body": "Test"},
        "/<placement_id>/follow-ups/<follow_up_id>": {"outcome": "all_well"},
        "/<placement_id>/handover": {
            "handed_over_on": clock.today().isoformat(),
            "meters-0-kind": "electricity",
            "meters-0-number": "E-2",
            "meters-0-reading": "10",
            "landlord_signed_by": "Vermieter",
            "tenant_signed_by": "Mieter",
            "signed_on": clock.today().isoformat(),
        },
        "/<placement_id>/registration": {"registered_on": clock.today().isoformat()},
    }.get(rule, {})
    prefix = PREFIX.get(rule)
    form = {f"{prefix}-{key}" if prefix else key: value for key, value in data.items()}
    if token is not None:
        form[f"{prefix}-csrf_token" if prefix else "csrf_token"] = token
    return form


def snapshot(s: SimpleNamespace) -> tuple:
    _db.session.expire_all()
    placement = _db.session.get(Placement, s.placement.id)
    return (
        placement.state,
        _db.session.scalar(select(func.count(PlacementEvent.id))),
        _db.session.scalar(select(func.count(Placement.id))),
        _db.session.scalar(select(func.count(FollowUp.id)).where(FollowUp.done_on.is_not(None))),
        _db.session.get(Interest, s.interest.id).status,
        _db.session.scalar(select(func.count(Message.id))),
        tuple(_db.session.scalars(select(HandoverRecord.landlord_signed_by))),
        tuple(_db.session.scalars(select(MoveInConfirmation.registered_on))),
    )


@pytest.mark.parametrize(("method", "rule", "specialist", "social_worker"), ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "landlord", "admin", "specialist", "social_worker"])
def test_rights_matrix(browser, scene, role, method, rule, specialist, social_worker):
    before = snapshot(scene)
    if role != "anonymous":
        browser.login(role)
    path = path_for(rule, scene)
    if method == "GET":
        response = browser.client.get(path)
    else:
        response = browser.client.post(path, data=form_for(rule, browser.csrf("/")))
    if role == "anonymous":
        assert response.status_code == 302
        assert "/account/login" in response.headers["Location"]
    elif role == "specialist":
        assert response.status_code == specialist, response.get_data(as_text=True)[:300]
    elif role == "social_worker":
        assert response.status_code == social_worker
    else:
        assert response.status_code == 403
    changes = (role == "specialist" and rule not in NO_VISIBLE_CHANGE) or (
        role == "social_worker"
        and rule in ("/<placement_id>/follow-ups/<follow_up_id>", "/<placement_id>/messages")
    )
    if method == "POST" and changes:
        assert snapshot(scene) != before
    else:
        assert snapshot(scene) == before


def test_a_social_worker_is_told_why_a_step_is_refused(browser, scene):
    browser.login("social_worker")
    rule = "/<placement_id>/steps/<step>"
    response = browser.client.post(path_for(rule, scene), data=form_for(rule, browser.csrf("/")))
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your role may not take this step. Nothing was changed." in html


@pytest.mark.parametrize(("method", "rule"), STATE_CHANGING)
def test_state_changes_need_post_and_csrf(browser, scene, method, rule):
    before = snapshot(scene)
    browser.login("specialist")
    path = path_for(rule, scene)
    assert browser.client.get(path).status_code == 405
    response = browser.client.post(path, data=form_for(rule, None))
    assert response.status_code == 400
    assert snapshot(scene) == before


def test_admin_and_landlord_see_no_placement_anywhere(browser, scene):
    browser.login("admin")
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    assert scene.placement.household.code not in html and BASE not in html
    assert browser.client.get(f"{BASE}/export.csv").status_code == 403


def test_the_csv_download_date_is_today(browser, scene):
    browser.login("social_worker")
    response = browser.client.get(f"{BASE}/export.csv")
    assert f"placements-{clock.today().isoformat()}.csv" in response.headers["Content-Disposition"]
