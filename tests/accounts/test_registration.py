from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.core.audit import AuditEvent
from tests.builders import REGISTRATION_FORM as GOOD
from tests.conftest import link_in, outbox
from tests.factories import UserFactory


def register(browser, **changes):
    data = {**GOOD, **changes}
    return browser.post("/account/register", data, csrf_from_path="/account/register")


def test_registration_creates_organisation_user_and_verification_mail(browser, db):
    response = register(browser)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register/done")
    user = db.session.scalar(select(User).where(User.email == "anna.becker@example.org"))
    assert user is not None
    assert user.role == "landlord" and user.is_org_admin and not user.is_verified
    assert user.organisation.kind == "company"
    assert user.organisation.name == "Ruhrort Wohnen GmbH"
    assert user.password_hash.startswith("$argon2id$")
    mails = outbox("anna.becker@example.org")
    assert len(mails) == 1
    assert "/account/verify/" in mails[0].body_text
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "account.registered" in actions


def test_verification_link_confirms_address_once_with_a_password(browser, db):
    register(browser)
    path = link_in(outbox("anna.becker@example.org")[0])
    page = browser.client.get(path)
    assert page.status_code == 200
    assert 'name="password"' in page.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "anna.becker@example.org"))
    assert user.email_verified_at is None, "opening the link must not change anything"
    # Without a password nothing is confirmed.
    assert browser.post(path, csrf_from_path=path).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is None
    response = browser.post(path, {"password": GOOD["password"]}, csrf_from_path=path)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None
    # The link works once.
    assert browser.client.get(path).status_code == 400


def test_forged_and_expired_verification_links_are_refused(browser, app, db, monkeypatch):
    register(browser)
    path = link_in(outbox("anna.becker@example.org")[0])
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert browser.post(forged, csrf_from_path=path).status_code == 400
    monkeypatch.setitem(app.config, "EMAIL_VERIFY_MAX_AGE", -1)
    response = browser.client.get(path)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True) or "abgelaufen" in response.get_data(
        as_text=True
    )


def test_duplicate_email_gets_the_same_answer_and_creates_nothing(browser, db):
    existing = UserFactory(email="anna.becker@example.org")
    before = db.session.scalar(select(func.count(Organisation.id)))
    response = register(browser, email="ANNA.BECKER@example.org")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register/done")
    assert db.session.scalar(select(func.count(Organisation.id))) == before
    assert db.session.scalar(select(func.count(User.id)).where(User.email == existing.email)) == 1
    mails = outbox(existing.email)
    assert len(mails) == 1 and "/account/verify/" not in mails[0].body_text


def test_weak_passwords_are_refused_with_input_kept(browser, db):
    for password, words in [
        ("kurz", "12"),
        ("x" * 129, "128"),
        ("Q1W2E3R4T5Y6", "commonly used"),
        ("anna.becker-wohnt-hier", "e-mail"),
    ]:
        response = register(browser, password=password)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert words in html, (password, html)
        assert 'value="Ruhrort Wohnen GmbH"' in html
        assert 'value="Anna Becker"' in html
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_missing_fields_and_privacy_consent_are_refused(browser, db):
    response = register(browser, accept_privacy="", organisation_name="", kind="")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "privacy notice" in html
    assert "landlord&#39;s name" in html or "landlord's name" in html
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_invalid_email_is_refused(browser, db):
    response = register(browser, email="not-an-address")
    assert response.status_code == 200
    assert "valid e-mail address" in response.get_data(as_text=True)


def test_messages_are_in_german_by_default(browser):
    response = browser.client.post(
        "/account/register",
        data={**GOOD, "password": "kurz", "csrf_token": browser.csrf("/account/register")},
        headers={"Accept-Language": "de-DE,de;q=0.9"},
    )
    assert "mindestens 12 Zeichen" in response.get_data(as_text=True)


def test_names_with_line_breaks_are_stored_on_one_line(browser, db):
    register(browser, full_name="Anna\r\nBcc: evil@example.org", organisation_name="X\nY")
    user = db.session.scalar(select(User).where(User.email == "anna.becker@example.org"))
    assert user.full_name == "Anna Bcc: evil@example.org"
    assert user.organisation.name == "X Y"
