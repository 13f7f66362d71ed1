from sqlalchemy import select

from portal.accounts.models import Invitation, User
from tests.conftest import link_in, outbox
from tests.factories import CompanyFactory, OrganisationFactory, UserFactory

PASSWORD = "kollegiales Passwort 2026"


def test_company_admin_invites_colleague_who_joins(app, browser, db):
    company = CompanyFactory()
    admin = UserFactory(organisation=company, is_org_admin=True)
    browser.login(admin)
    response = browser.post(
        "/account/invite", {"email": "kollegin@example.org"}, csrf_from_path="/account/"
    )
    assert response.status_code == 302
    path = link_in(outbox("kollegin@example.org")[0])
    browser.logout()
    page = browser.client.get(path)
    assert page.status_code == 200 and company.name in page.get_data(as_text=True)
    response = browser.post(
        path,
        {"full_name": "Kim Kollegin", "password": PASSWORD, "accept_privacy": "y"},
        csrf_from_path=path,
    )
    assert response.status_code == 302
    colleague = db.session.scalar(select(User).where(User.email == "kollegin@example.org"))
    assert colleague.organisation_id == company.id
    assert colleague.is_verified and not colleague.is_org_admin
    profile = browser.client.get("/account/").get_data(as_text=True)
    assert admin.email in profile and "kollegin@example.org" in profile
    # The link works once.
    browser.logout()
    assert browser.client.get(path).status_code == 400


def test_expired_invitation_is_refused(app, browser, db, monkeypatch):
    company = CompanyFactory()
    admin = UserFactory(organisation=company)
    browser.login(admin)
    browser.post("/account/invite", {"email": "spaet@example.org"}, csrf_from_path="/account/")
    path = link_in(outbox("spaet@example.org")[0])
    browser.logout()
    monkeypatch.setitem(app.config, "INVITATION_MAX_AGE", -1)
    response = browser.client.get(path)
    assert response.status_code == 400


def test_private_landlord_and_invited_colleague_cannot_invite(browser, db):
    private = UserFactory(organisation=OrganisationFactory())
    browser.login(private)
    response = browser.post(
        "/account/invite", {"email": "x@example.org"}, csrf_from_path="/account/"
    )
    assert response.status_code == 403
    browser.logout()
    colleague = UserFactory(organisation=CompanyFactory(), is_org_admin=False)
    browser.login(colleague)
    response = browser.post(
        "/account/invite", {"email": "y@example.org"}, csrf_from_path="/account/"
    )
    assert response.status_code == 403
    assert db.session.scalars(select(Invitation)).all() == []


def test_inviting_an_existing_account_sends_nothing(browser, db):
    company = CompanyFactory()
    admin = UserFactory(organisation=company)
    other = UserFactory()
    browser.login(admin)
    response = browser.post("/account/invite", {"email": other.email}, csrf_from_path="/account/")
    assert response.status_code == 302
    assert outbox(other.email) == []
