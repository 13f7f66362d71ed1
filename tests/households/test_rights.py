"""Who may do what in the households back office (DESIGN.md §1 and §2), over every route of
the blueprint: social workers everything; specialists read list and detail (tiers 1 and 2), never
case notes or consent documents, and work prevention cases; admins and landlords 403; anonymous
visitors to the login."""

from io import BytesIO

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.extensions import db as _db
from portal.households.models import Consent, Household
from portal.households.prevention import PreventionCase
from tests.builders import status_form
from tests.factories import HouseholdFactory, IdentityFactory

BASE = "/backoffice/households"
PDF = b"%PDF-1.4\n%%EOF\n"

# (method, rule, who may use it besides social workers)
ROUTES = [
    ("GET", "/", "specialist"),
    ("GET", "/new", None),
    ("POST", "/new", None),
    ("GET", "/<household_id>", "specialist"),
    ("GET", "/<household_id>/edit", None),
    ("POST", "/<household_id>/edit", None),
    ("POST", "/<household_id>/consents", None),
    ("GET", "/<household_id>/consents/all", "specialist"),  # all of them, the page the newest
    ("POST", "/<household_id>/consents/<consent_id>/withdraw", None),
    ("GET", "/<household_id>/consents/<consent_id>/document", None),
    ("GET", "/<household_id>/consent-form.pdf", None),
    ("POST", "/<household_id>/status", None),
    ("GET", "/<household_id>/participants", None),
    ("POST", "/<household_id>/participants", None),
    # Prevention cases (issue 16): casework, like mediation cases.
    ("GET", "/prevention", "specialist"),
    ("POST", "/<household_id>/prevention", "specialist"),
    ("POST", "/<household_id>/prevention/<prevention_id>/mediation", "specialist"),
    ("POST", "/<household_id>/prevention/<prevention_id>/outcome", "specialist"),
]
STATE_CHANGING = [(m, r) for m, r, _ in ROUTES if m == "POST"]


pytestmark = pytest.mark.usefixtures("uploads")  # a fresh upload folder for each test


def test_the_matrix_covers_every_route_of_the_blueprint(app):
    registered = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("households_backoffice."):
            path = rule.rule.removeprefix(BASE)
            path = (
                path.replace("<int:household_id>", "<household_id>")
                .replace("<int:consent_id>", "<consent_id>")
                .replace("<int:prevention_id>", "<prevention_id>")
            )
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                registered.add((method, path))
    assert registered == {(m, r) for m, r, _ in ROUTES}


def household_with_document(db) -> tuple[Household, Consent]:
    from portal.core import storage

    household = IdentityFactory(household=HouseholdFactory(status="draft")).household
    consent = household.consents[0]
    consent.document_key = f"consents/{storage.new_key()}"
    consent.document_type = "application/pdf"
    storage.save(consent.document_key, PDF)
    # A closed prevention case (the profile may still be vetted).
    db.session.add(
        PreventionCase(
            household_id=household.id,
            opened_on=clock.today(),
            threat="other",
            landlord_name="Vermieter",
            outcome="tenancy_kept",
            outcome_on=clock.today(),
        )
    )
    db.session.flush()
    return household, consent


def form_for(rule: str) -> dict:
    """Valid data for each state-changing route, so that only the rights decide."""
    if rule in ("/new", "/<household_id>/edit"):
        return {
            "adults": "1",
            "children": "0",
            "earliest_move_in": clock.today().isoformat(),
            "cost_bearer": "jobcenter",
        }
    if rule == "/<household_id>/consents":
        return {
            "given_on": clock.today().isoformat(),
            "scope": "x",
            "document": (BytesIO(PDF), "a.pdf"),
        }
    if rule == "/<household_id>/status":
        return status_form("vetted")
    if rule == "/<household_id>/prevention":
        return {
            "opened_on": clock.today().isoformat(),
            "threat": "other",
            "landlord_name": "Vermieter",
        }
    if rule.endswith("/outcome"):
        return {"outcome": "lost", "outcome_on": clock.today().isoformat()}
    return {}


def _path(rule: str, household, consent) -> str:
    prevention = _db.session.scalar(
        select(PreventionCase.id).where(PreventionCase.household_id == household.id)
    )
    return (
        rule.replace("<household_id>", str(household.id))
        .replace("<consent_id>", str(consent.id))
        .replace("<prevention_id>", str(prevention))
    )


def call(browser, method, rule, household, consent):
    path = BASE + _path(rule, household, consent)
    if method == "GET":
        return browser.client.get(path)
    data = form_for(rule)
    data["csrf_token"] = browser.csrf("/")
    return browser.client.post(path, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(("method", "rule", "reader"), ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "landlord", "admin", "specialist", "social_worker"])
def test_rights_matrix(browser, db, role, method, rule, reader):
    household, consent = household_with_document(db)
    status_before = household.status
    if role != "anonymous":
        browser.login(role)
    response = call(browser, method, rule, household, consent)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/account/login" in response.headers["Location"]
    elif role == "social_worker" or role == reader:
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    else:
        assert response.status_code == 403
    if role != "social_worker":
        db.session.expire_all()
        assert db.session.get(Household, household.id).status == status_before
        assert len(db.session.scalars(select(Household)).all()) == 1
        assert len(db.session.get(Household, household.id).consents) == 1


@pytest.mark.parametrize(("method", "rule"), STATE_CHANGING)
def test_state_changes_need_post_and_csrf(browser, db, method, rule):
    household, consent = household_with_document(db)
    browser.login("social_worker")
    path = BASE + _path(rule, household, consent)
    # these show their form on GET
    if rule not in ("/new", "/<household_id>/edit", "/<household_id>/participants"):
        assert browser.client.get(path).status_code == 405
    response = browser.client.post(path, data=form_for(rule), content_type="multipart/form-data")
    assert response.status_code == 400
    db.session.expire_all()
    fresh = db.session.get(Household, household.id)
    assert fresh.status == "draft" and len(fresh.consents) == 1
    assert fresh.consents[0].withdrawn_on is None


def test_specialist_cannot_vet(browser, db):
    household = HouseholdFactory(status="draft")
    browser.login("specialist")
    path = f"{BASE}/{household.id}"
    response = browser.post(f"{path}/status", {"to": "vetted"}, csrf_from_path=path)
    assert response.status_code == 403
    db.session.refresh(household)
    assert household.status == "draft" and household.vetted_at is not None  # factory value
    page = browser.client.get(path).get_data(as_text=True)
    assert 'name="to"' not in page and "Edit profile" not in page


def test_case_notes_never_reach_a_specialist(browser, db):
    identity = IdentityFactory(case_notes="Streng vertraulich: Schulden bei der Stadt.")
    household, _ = household_with_document(db)
    household.identity.case_notes = "Ebenfalls vertraulich."
    db.session.flush()
    browser.login("specialist")
    pages = [
        browser.client.get(f"{BASE}/").get_data(as_text=True),
        browser.client.get(f"{BASE}/?q=Haddad").get_data(as_text=True),
        browser.client.get(f"{BASE}/{identity.household.id}").get_data(as_text=True),
        browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True),
    ]
    for html in pages:
        assert "vertraulich" not in html.lower()
        assert "Case notes" not in html
        assert "/document" not in html
    detail = pages[2]
    # Tier 2 is theirs to read: name, contact, accommodation.
    assert "Amira Haddad" in detail and "0176 1234567" in detail
    assert "haddad@example.org" in detail and "Gemeinschaftsunterkunft Musterweg" in detail


def test_social_worker_sees_case_notes_and_edits_them(browser, db):
    identity = IdentityFactory(case_notes="Streng vertraulich.")
    browser.login("social_worker")
    household = identity.household
    assert "Streng vertraulich." in browser.client.get(f"{BASE}/{household.id}").get_data(
        as_text=True
    )
    edit = browser.client.get(f"{BASE}/{household.id}/edit").get_data(as_text=True)
    assert 'name="case_notes"' in edit and "Streng vertraulich." in edit


def test_admin_sees_no_household_anywhere_in_the_back_office(browser, db):
    household = IdentityFactory().household
    browser.login("admin")
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    assert household.code not in html and f"{BASE}/" not in html
