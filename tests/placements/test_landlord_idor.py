"""Every route of the landlord placements blueprint, for those who must not use it as the
placement's landlord would: anonymous users (login), staff of each role (403), a second landlord
organisation (404 for every method, nothing changed, nothing shown) and made-up ids (404)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.placements.models import Placement, PlacementEvent, State
from tests.builders import drive, propose, published_flat
from tests.conftest import outbox
from tests.factories import HouseholdFactory, IdentityFactory, UserFactory


@pytest.fixture
def first_org(app, db):
    """Landlord A with two placements: one proposed, one past the viewing (A sees the name)."""
    landlord = UserFactory()
    flat = published_flat(landlord.organisation, street="Erstweg")
    proposed = propose(app, flat)
    household = HouseholdFactory()
    IdentityFactory(household=household, main_tenant_name="Amira Haddad")
    scheduled = propose(app, published_flat(landlord.organisation, street="Zweitweg"), household)
    drive(app, scheduled, State.VIEWING_SCHEDULED, landlord)
    db.session.commit()
    return landlord, proposed, scheduled


def routes(placement_key: str) -> list[tuple[str, str]]:
    return [
        ("GET", f"/placements/{placement_key}"),
        ("POST", f"/placements/{placement_key}/accept"),
        ("POST", f"/placements/{placement_key}/decline"),
        ("POST", f"/placements/{placement_key}/viewing-times"),
    ]


DATA = {"slots": "Monday", "back": "flat"}


def counts(db) -> tuple:
    return (
        tuple(db.session.execute(select(Placement.id, Placement.state).order_by(Placement.id))),
        db.session.scalar(select(func.count(PlacementEvent.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
        len(outbox()),
    )


def test_anonymous_is_sent_to_login_everywhere(browser, db, first_org):
    _landlord, proposed, _scheduled = first_org
    before = counts(db)
    token = browser.csrf("/")
    for method, path in [("GET", "/placements/"), *routes(proposed.public_key)]:
        response = browser.client.open(path, method=method, data={"csrf_token": token, **DATA})
        assert response.status_code == 302, (method, path)
        assert "/account/login" in response.headers["Location"]
    response = browser.client.post(f"/placements/{proposed.public_key}/accept")
    assert response.status_code == 400
    assert counts(db) == before


@pytest.mark.parametrize("role", ["specialist", "social_worker", "admin"])
def test_staff_get_403_everywhere(browser, db, first_org, role):
    _landlord, proposed, scheduled = first_org
    browser.login(role)
    before = counts(db)
    token = browser.csrf("/")
    for placement in (proposed, scheduled):
        for method, path in [("GET", "/placements/"), *routes(placement.public_key)]:
            response = browser.client.open(path, method=method, data={"csrf_token": token, **DATA})
            assert response.status_code == 403, (role, method, path, response.status_code)
            assert placement.household.code not in response.get_data(as_text=True)
    assert browser.client.get("/placements/999999").status_code == 403
    assert counts(db) == before
    html = browser.client.get("/").get_data(as_text=True)
    assert 'href="/placements/"' not in html  # no landlord link in the staff navigation


def test_second_organisation_gets_404_for_every_route_and_method(app, browser, db, first_org):
    landlord_a, proposed, scheduled = first_org
    landlord_b = browser.login("landlord")
    own = propose(app, published_flat(landlord_b.organisation, street="Drittweg"))
    db.session.commit()

    listing = browser.client.get("/placements/").get_data(as_text=True)
    assert own.household.code in listing
    for foreign in [proposed.household.code, scheduled.household.code, "Erstweg", "Zweitweg"]:
        assert foreign not in listing, foreign
    assert "Amira Haddad" not in listing

    token = browser.csrf("/placements/")
    before = counts(db)
    mails_a = len(outbox(landlord_a.email))
    for placement in (proposed, scheduled):
        for method, path in routes(placement.public_key):
            response = browser.client.open(path, method=method, data={"csrf_token": token, **DATA})
            html = response.get_data(as_text=True)
            assert response.status_code == 404, (method, path, response.status_code)
            for foreign in [placement.household.code, "Erstweg", "Zweitweg", "Amira Haddad"]:
                assert foreign not in html, (path, foreign)
        # A's flat pages are B's business neither.
        assert browser.client.get(f"/flats/{placement.flat.public_key}").status_code == 404
    assert counts(db) == before
    assert len(outbox(landlord_a.email)) == mails_a


def test_made_up_keys_and_ids_are_404_for_every_method(browser, db, first_org):
    landlord, proposed, _scheduled = first_org
    browser.login(landlord)
    token = browser.csrf("/placements/")
    before = counts(db)
    # The own placement's sequential id is no address either: landlords use public keys.
    for key in ("999999", "no-such-key", str(proposed.id)):
        for method, path in routes(key):
            response = browser.client.open(path, method=method, data={"csrf_token": token, **DATA})
            assert response.status_code == 404, (method, path)
    assert counts(db) == before


def test_a_colleague_of_the_same_organisation_may_act(browser, db, first_org):
    landlord_a, proposed, _scheduled = first_org
    colleague = UserFactory(organisation=landlord_a.organisation)
    browser.login(colleague)
    response = browser.post(
        f"/placements/{proposed.public_key}/accept", csrf_from_path="/placements/"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Placement.state).where(Placement.id == proposed.id)) == (
        "landlord_accepted"
    )


def test_other_methods_are_not_allowed(browser, db, first_org):
    _landlord, proposed, _scheduled = first_org
    browser.login("landlord")
    assert browser.client.post("/placements/").status_code == 405
    for path in [f"/placements/{proposed.public_key}", f"/placements/{proposed.public_key}/accept"]:
        assert browser.client.put(path).status_code == 405
        assert browser.client.delete(path).status_code == 405
    assert browser.client.get(f"/placements/{proposed.public_key}/accept").status_code == 405
