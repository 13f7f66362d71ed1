"""The audit log page: admins only, newest first, filters by object and by actor, paginated,
details escaped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from tests.factories import UserFactory


def event(action: str, minutes_ago: int, **kw) -> AuditEvent:
    row = AuditEvent(action=action, occurred_at=utcnow() - timedelta(minutes=minutes_ago), **kw)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def trail():
    actor = UserFactory(email="actor.one@example.org")
    event("test.older", 30, object_type="households", object_id=7, actor_id=actor.id)
    event("test.newer", 10, object_type="households", object_id=7)
    event("test.other_object", 5, object_type="households", object_id=8)
    event("test.flat", 20, object_type="flats", object_id=7, actor_id=actor.id)
    event("test.escaped", 1, details={"reason": "<script>alert(1)</script>"})
    return actor


def actions(html: str) -> list[str]:
    return [
        a
        for a in ("test.escaped", "test.other_object", "test.newer", "test.flat", "test.older")
        if a in html
    ]


def test_admin_sees_the_newest_first_with_details_escaped(browser, trail):
    browser.login("admin")
    response = browser.client.get("/backoffice/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    order = [html.index(a) for a in ("test.escaped", "test.other_object", "test.newer")]
    assert order == sorted(order)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_filter_by_object(browser, trail):
    browser.login("admin")
    html = browser.client.get("/backoffice/audit?object_type=households&object_id=7").get_data(
        as_text=True
    )
    assert actions(html) == ["test.newer", "test.older"]
    html = browser.client.get("/backoffice/audit?object_type=flats").get_data(as_text=True)
    assert actions(html) == ["test.flat"]


@pytest.mark.parametrize("by", ["id", "email"])
def test_filter_by_actor(browser, trail, by):
    browser.login("admin")
    actor = trail.id if by == "id" else "Actor.One@example.org"
    html = browser.client.get(f"/backoffice/audit?actor={actor}").get_data(as_text=True)
    assert actions(html) == ["test.flat", "test.older"]
    assert "actor.one@example.org" in html


def test_unknown_actor_and_malformed_filters_show_nothing(browser, trail):
    browser.login("admin")
    html = browser.client.get("/backoffice/audit?actor=nobody@example.org").get_data(as_text=True)
    assert actions(html) == [] and "No user has this e-mail address." in html
    response = browser.client.get("/backoffice/audit?object_id=abc")
    assert response.status_code == 200 and actions(response.get_data(as_text=True)) == []


def test_pages_keep_the_filters(browser, trail):
    browser.login("admin")
    for n in range(55):
        event("test.paged", 100 + n, object_type="organisations", object_id=3)
    html = browser.client.get("/backoffice/audit?object_type=organisations").get_data(as_text=True)
    assert html.count("test.paged") == 50 and "Page 1 of 2" in html
    assert "object_type=organisations" in html and "page=2" in html
    page2 = browser.client.get("/backoffice/audit?object_type=organisations&page=2")
    assert page2.get_data(as_text=True).count("test.paged") == 5


@pytest.mark.parametrize("role", ["specialist", "social_worker", "landlord"])
def test_everyone_else_gets_403(browser, trail, role):
    browser.login(role)
    assert browser.client.get("/backoffice/audit").status_code == 403


def test_anonymous_is_sent_to_the_login(browser):
    response = browser.client.get("/backoffice/audit")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_subject_pages_link_to_the_audit_log(browser, world):
    browser.login("admin")
    household = world.households[0]
    html = browser.client.get(f"/backoffice/privacy/households/{household.id}").get_data(
        as_text=True
    )
    assert f"/backoffice/audit?object_type=households&amp;object_id={household.id}" in html
    user = world.landlords[0][0]
    html = browser.client.get(f"/backoffice/privacy/users/{user.id}").get_data(as_text=True)
    assert f"/backoffice/audit?actor={user.id}" in html
    assert "Audit log" in browser.client.get("/backoffice/").get_data(as_text=True)


def test_staff_find_subjects_by_code_or_email(browser, world):
    browser.login("admin")
    household = world.households[0]
    response = browser.client.get(f"/backoffice/privacy?q={household.code.lower()}")
    assert response.headers["Location"].endswith(f"/backoffice/privacy/households/{household.id}")
    user = world.landlords[0][0]
    response = browser.client.get(f"/backoffice/privacy?q={user.email}")
    assert response.headers["Location"].endswith(f"/backoffice/privacy/users/{user.id}")
    response = browser.client.get("/backoffice/privacy?q=nothing", follow_redirects=True)
    assert "Nothing found for this search." in response.get_data(as_text=True)


def test_a_specialist_does_not_find_households(browser, world):
    browser.login("specialist")
    household = world.households[0]
    response = browser.client.get(f"/backoffice/privacy?q={household.code}")
    assert response.status_code == 200
    assert "Nothing found for this search." in response.get_data(as_text=True)
