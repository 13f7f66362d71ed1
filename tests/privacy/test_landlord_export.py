"""Issue 15: a landlord reads and downloads their own data (JSON and a page): account,
organisation, flats, placements as the landlord sees them; never a secret, never restricted
household data, never another organisation's things; every look audited."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.placements.models import State
from tests.builders import SECRET_NOTE, TENANT, placement_in, world
from tests.factories import FlatFactory, UserFactory


def exports(db) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "privacy.own_data_exported")
        )
    )


def landlord_with_a_placement(app):
    w = world(street="Musterstraße", house_number="12")
    placement = placement_in(app, w, State.VIEWING_SCHEDULED)
    other = UserFactory()
    FlatFactory(organisation=other.organisation, street="Fremdweg", status="published")
    return w, placement


def test_the_json_download_holds_account_organisation_flats_and_placements(app, browser, db):
    w, placement = landlord_with_a_placement(app)
    browser.login(w.landlord)
    response = browser.client.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert data["account"]["email"] == w.landlord.email
    assert data["account"]["full_name"] == w.landlord.full_name
    assert data["organisation"]["name"] == w.landlord.organisation.name
    (flat,) = data["flats"]
    assert flat["street"] == "Musterstraße" and flat["status"] == "reserved"
    (seen,) = data["placements"]
    assert seen["household_code"] == w.household.code
    assert seen["state"] == "viewing_scheduled"
    assert seen["main_tenant"] == TENANT  # tier 2: the landlord sees it at the viewing
    assert seen["steps"] and all(step["text"] for step in seen["steps"])
    # Never: secrets, the household's restricted data, another organisation's flat.
    for absent in ("password_hash", "session_token", "totp", SECRET_NOTE, "Jonas", "Fremdweg"):
        assert absent not in text
    (event,) = exports(db)
    assert event.actor_id == w.landlord.id and event.details == {"kind": "json"}


def test_the_page_shows_the_same_and_is_audited(app, browser, db):
    w, placement = landlord_with_a_placement(app)
    browser.login(w.landlord)
    response = browser.client.get("/account/data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert w.landlord.email in html and "Musterstraße 12" in html
    assert w.household.code in html and "Viewing on" in html
    assert 'href="/account/data.json"' in html
    assert SECRET_NOTE not in html and "Fremdweg" not in html and "Jonas" not in html
    assert [e.details for e in exports(db)] == [{"kind": "html"}]


def test_the_profile_links_to_the_data_and_the_page_speaks_german(browser, db):
    user = UserFactory(locale="de")
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    browser.login(user)
    profile = browser.client.get("/account/").get_data(as_text=True)
    assert 'href="/account/data"' in profile and 'href="/account/close"' in profile
    html = browser.client.get("/account/data").get_data(as_text=True)
    assert "Meine Daten" in html and "Sie haben keine Wohnungen im Portal." in html


def test_staff_have_no_own_landlord_data(browser, db):
    browser.login("specialist")
    assert browser.client.get("/account/data").status_code == 403
    assert browser.client.get("/account/data.json").status_code == 403
    assert exports(db) == []
