"""Who may do what in the mediation back office (DESIGN.md §1), over every route of the
blueprint: specialists and social workers everything; admins and landlords 403 (landlords see
their own cases elsewhere); anonymous visitors to the login. Changes need POST and CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.core.outbox import OutboxMessage
from portal.extensions import db as _db
from portal.mediation.models import CaseEntry, MediationCase
from tests.builders import placement_in, world
from tests.factories import OrganisationFactory, StaffFactory

BASE = "/backoffice/mediation"
CASEWORK = ("specialist", "social_worker")

ROUTES = [
    ("GET", "/"),
    ("GET", "/<case_id>"),
    ("GET", "/<case_id>/conversation"),  # all of the thread, the case page the newest
    ("GET", "/<case_id>/replies"),  # all replies, the case page the newest
    ("GET", "/<case_id>/internal-notes"),  # all notes, the case page the newest
    ("GET", "/<case_id>/history"),  # all of the history, the case page the newest
    ("POST", "/<case_id>/notes"),
    ("POST", "/<case_id>/reply"),
    ("POST", "/<case_id>/status"),
    ("POST", "/<case_id>/assignment"),
    ("POST", "/<case_id>/placement"),
    ("POST", "/<case_id>/messages"),
    # The rent-arrears proposal on the staff placement page (placements/backoffice/page.py).
    ("POST", "/for-placement/<placement_id>"),
]
STATE_CHANGING = [rule for method, rule in ROUTES if method == "POST"]


def test_the_matrix_covers_every_route_of_the_blueprint(app):
    registered = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("mediation_backoffice."):
            path = rule.rule.removeprefix(BASE).replace("<int:case_id>", "<case_id>")
            path = path.replace("<int:placement_id>", "<placement_id>")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                registered.add((method, path))
    assert registered == set(ROUTES)


def a_case() -> MediationCase:
    case = MediationCase(
        number="M-2026-0042",
        sender_kind="tenant",
        name="Mira Beispiel",
        email="mira@example.org",
        topic="neighbourhood",
        message="Laute Musik nachts.",
        # An organisation's case: it has a thread with the landlord side.
        organisation_id=OrganisationFactory().id,
    )
    _db.session.add(case)
    _db.session.flush()
    return case


def path_of(app, rule: str, case: MediationCase) -> str:
    """The route's path for ``case``; for a route on a placement, a placement of its own."""
    path = BASE + rule.replace("<case_id>", str(case.id))
    if "<placement_id>" in rule:
        path = path.replace("<placement_id>", str(placement_in(app, world()).id))
    return path


def form_for(rule: str, staff_id: int) -> dict:
    """Valid data for each state-changing route, so that only the rights decide."""
    return {
        "/<case_id>/notes": {"note": "Intern"},
        "/<case_id>/reply": {"reply_text": "Antwort"},
        "/<case_id>/status": {"status": "in_progress"},
        "/<case_id>/assignment": {"assigned_to": str(staff_id)},
        "/<case_id>/placement": {"placement_id": ""},
        "/<case_id>/messages": {"message_body": "Antwort im Portal"},
    }.get(rule, {})


def counts() -> tuple[int, int, int]:
    return (
        _db.session.scalar(select(func.count(CaseEntry.id))),
        _db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action.like("mediation.%"))
        ),
        _db.session.scalar(select(func.count(OutboxMessage.id))),
    )


@pytest.mark.parametrize(("method", "rule"), ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "landlord", "admin", "specialist", "social_worker"])
def test_rights_matrix(app, browser, db, role, method, rule):
    case = a_case()
    colleague = StaffFactory(role="social_worker")
    path = path_of(app, rule, case)
    before = counts()
    if role != "anonymous":
        browser.login(role)
    if method == "GET":
        response = browser.client.get(path)
    else:
        data = form_for(rule, colleague.id)
        data["csrf_token"] = browser.csrf("/")
        response = browser.client.post(path, data=data)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/account/login" in response.headers["Location"]
    elif role in CASEWORK:
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
        if method == "POST":
            assert response.status_code == 302  # the change went through
    else:
        assert response.status_code == 403
    if role not in CASEWORK:
        _db.session.expire_all()
        fresh = _db.session.get(MediationCase, case.id)
        assert (fresh.status, fresh.assigned_to_id) == ("new", None)
        assert counts() == before


@pytest.mark.parametrize("rule", STATE_CHANGING)
def test_state_changes_need_post_and_csrf(app, browser, db, rule):
    case = a_case()
    colleague = StaffFactory(role="specialist")
    path = path_of(app, rule, case)
    browser.login("specialist")
    before = counts()
    assert browser.client.get(path).status_code == 405
    response = browser.client.post(path, data=form_for(rule, colleague.id))
    assert response.status_code == 400
    _db.session.expire_all()
    assert _db.session.get(MediationCase, case.id).status == "new"
    assert counts() == before


@pytest.mark.parametrize("role", ["landlord", "admin"])
def test_no_mediation_link_for_landlords_and_admins(browser, db, role):
    browser.login(role)
    html = browser.client.get("/", follow_redirects=True).get_data(as_text=True)
    assert f'href="{BASE}/"' not in html


@pytest.mark.parametrize("role", CASEWORK)
def test_casework_navigation_links_the_list(browser, db, role):
    browser.login(role)
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    assert f'href="{BASE}/"' in html
