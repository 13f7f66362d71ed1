"""Every route of the landlord households blueprint, for those who must not use it as another
landlord would: anonymous users (login), staff of each role (403), a second landlord
organisation (its own flats and interests only), and ids that are hidden or made up (404)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.accounts.models import utcnow
from portal.households.models import ProfileView
from portal.placements.models import Interest
from tests.conftest import outbox
from tests.factories import FlatFactory, HouseholdFactory, OrganisationFactory, UserFactory


def published_flat(organisation, **kw):
    now = utcnow()
    return FlatFactory(
        organisation=organisation, status="published", submitted_at=now, published_at=now, **kw
    )


@pytest.fixture
def first_org(db):
    """Landlord A with a published flat that fits the household, and A's interest in it."""
    landlord = UserFactory()
    flat = published_flat(landlord.organisation, street="Erstweg")
    household = HouseholdFactory(max_gross_cold_rent=Decimal("687.80"))
    db.session.add(
        Interest(
            flat=flat,
            household=household,
            organisation_id=landlord.organisation_id,
            created_by_id=landlord.id,
            message="A's private note to the team",
        )
    )
    db.session.flush()
    return landlord, flat, household


def routes(household_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/households/"),
        ("GET", f"/households/{household_id}"),
        ("POST", f"/households/{household_id}"),
    ]


def counts(db) -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(Interest.id))),
        db.session.scalar(select(func.count(ProfileView.id))),
        len(outbox()),
    )


def test_anonymous_is_sent_to_login_everywhere(browser, db, first_org):
    _landlord, flat, household = first_org
    before = counts(db)
    token = browser.csrf("/")  # a valid token of an anonymous session
    for method, path in routes(household.id):
        response = browser.client.open(
            path, method=method, data={"csrf_token": token, "flat": flat.public_key}
        )
        assert response.status_code == 302, (method, path)
        assert "/account/login" in response.headers["Location"]
    # Without a token a POST is refused before anything runs.
    response = browser.client.post(f"/households/{household.id}", data={"flat": flat.public_key})
    assert response.status_code == 400
    assert counts(db) == before


@pytest.mark.parametrize("role", ["specialist", "social_worker", "admin"])
def test_staff_get_403_everywhere(browser, db, first_org, role):
    _landlord, flat, household = first_org
    browser.login(role)
    before = counts(db)
    token = browser.csrf("/")
    for method, path in routes(household.id) + [("GET", "/households/999999")]:
        response = browser.client.open(
            path, method=method, data={"csrf_token": token, "flat": flat.public_key}
        )
        assert response.status_code == 403, (role, method, path, response.status_code)
        assert household.code not in response.get_data(as_text=True)
    assert counts(db) == before
    html = browser.client.get("/").get_data(as_text=True)
    assert 'href="/households/"' not in html  # no landlord link in the staff navigation


def test_second_organisation_sees_neither_flats_nor_interests_of_the_first(browser, db, first_org):
    landlord_a, flat_a, household = first_org
    landlord_b = browser.login("landlord")
    flat_b = published_flat(landlord_b.organisation, street="Zweitweg", cold_rent=Decimal("900"))

    html = browser.client.get(f"/households/{household.id}").get_data(as_text=True)
    assert household.code in html
    for foreign in ["Erstweg", "already suggested", "You have already suggested", "A's private"]:
        assert foreign not in html, foreign
    assert f'value="{flat_a.public_key}"' not in html and f'value="{flat_b.public_key}"' in html
    # "Fits one of my flats" measures B's flats only: B's flat is too dear, A's would fit.
    listing = browser.client.get("/households/?fits=y").get_data(as_text=True)
    assert household.code not in listing
    assert household.code in browser.client.get("/households/").get_data(as_text=True)

    # B cannot register A's flat.
    token = browser.csrf(f"/households/{household.id}")
    before = counts(db)
    response = browser.client.post(
        f"/households/{household.id}", data={"csrf_token": token, "flat": flat_a.public_key}
    )
    assert "Please choose one of your published flats." in response.get_data(as_text=True)
    assert "Erstweg" not in response.get_data(as_text=True)
    assert counts(db) == before

    # B's own flat for the same household is B's own business.
    response = browser.client.post(
        f"/households/{household.id}", data={"csrf_token": token, "flat": flat_b.public_key}
    )
    assert response.status_code == 302
    interests = db.session.scalars(select(Interest).order_by(Interest.id)).all()
    assert [(i.flat_id, i.organisation_id) for i in interests] == [
        (flat_a.id, landlord_a.organisation_id),
        (flat_b.id, landlord_b.organisation_id),
    ]
    assert outbox(landlord_a.email) == []

    views = db.session.scalars(select(ProfileView)).all()
    assert {v.organisation_id for v in views} == {landlord_b.organisation_id}


def test_landlord_with_an_organisation_but_no_published_flat_sees_no_profile(browser, db):
    """Issue 19: an organisation sees households only of the sites where it has a published
    flat; without one, every profile answers 404, like one that does not exist."""
    organisation = OrganisationFactory()
    landlord = UserFactory(organisation=organisation)
    browser.login(landlord)
    household = HouseholdFactory()
    assert browser.client.get(f"/households/{household.id}").status_code == 404
    token = browser.csrf("/households/")
    response = browser.client.post(
        f"/households/{household.id}", data={"csrf_token": token, "flat": "1"}
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Interest.id))) == 0
    assert household.code not in browser.client.get("/households/").get_data(as_text=True)


@pytest.mark.parametrize("status", ["draft", "paused", "housed", "withdrawn"])
def test_hidden_and_made_up_ids_are_404_for_every_method(browser, db, first_org, status):
    _landlord, _flat, _household = first_org
    landlord = browser.login("landlord")
    flat = published_flat(landlord.organisation)
    hidden = HouseholdFactory(status=status, max_gross_cold_rent=Decimal("687.80"))
    token = browser.csrf("/households/")
    before = counts(db)
    for household_id in [hidden.id, 999999]:
        for method, path in routes(household_id)[1:]:
            response = browser.client.open(
                path, method=method, data={"csrf_token": token, "flat": flat.public_key}
            )
            assert response.status_code == 404, (status, method, path)
            assert hidden.code not in response.get_data(as_text=True)
    assert counts(db) == before


def test_other_methods_are_not_allowed(browser, db, first_org):
    _landlord, _flat, household = first_org
    browser.login("landlord")
    assert browser.client.put(f"/households/{household.id}").status_code == 405
    assert browser.client.delete(f"/households/{household.id}").status_code == 405
    assert browser.client.post("/households/").status_code == 405
