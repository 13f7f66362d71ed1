import pytest
from flask_login import login_user
from werkzeug.exceptions import NotFound

from portal.accounts.permissions import get_owned_or_404, verified_required
from portal.listings.models import Flat
from tests.factories import CompanyFactory, FlatFactory, UserFactory


@pytest.mark.parametrize("path", ["/backoffice/", "/backoffice/landlords", "/backoffice/staff"])
def test_landlord_on_staff_pages_is_refused(browser, path):
    browser.login("landlord")
    assert browser.client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/backoffice/", "/backoffice/landlords", "/account/"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("specialist", "/backoffice/landlords", 200),
        ("social_worker", "/backoffice/landlords", 200),
        ("admin", "/backoffice/landlords", 403),
        ("admin", "/backoffice/staff", 200),
        ("specialist", "/backoffice/staff", 403),
        ("social_worker", "/backoffice/staff", 403),
    ],
)
def test_staff_roles_see_what_design_allows(browser, role, path, status):
    browser.login(role)
    assert browser.client.get(path).status_code == status


def test_another_organisations_object_answers_404(app, db):
    company = CompanyFactory()
    owner = UserFactory(organisation=company)
    outsider = UserFactory()
    flat = FlatFactory(organisation=company)
    db.session.flush()
    with app.test_request_context():
        assert get_owned_or_404(Flat, flat.public_key, owner) is flat
        with pytest.raises(NotFound):
            get_owned_or_404(Flat, flat.public_key, outsider)
        with pytest.raises(NotFound):
            get_owned_or_404(Flat, flat.public_key + "x", owner)
        with pytest.raises(NotFound):
            get_owned_or_404(Flat, str(flat.id), owner)


def test_unverified_landlord_is_held_back(app, db):
    unverified = UserFactory(email_verified_at=None)
    view = verified_required(lambda: "submitted")
    with app.test_request_context():
        login_user(unverified)
        response = view()
        assert response.status_code == 302 and response.headers["Location"] == "/account/confirm"
    verified = UserFactory()
    with app.test_request_context():
        login_user(verified)
        assert view() == "submitted"


def test_unverified_landlord_sees_banner(browser):
    browser.login("landlord", email_verified_at=None)
    response = browser.client.get("/account/")
    assert response.headers["Location"] == "/account/confirm"
    html = browser.client.get("/account/confirm").get_data(as_text=True)
    assert "Until then your account can do nothing else." in html
