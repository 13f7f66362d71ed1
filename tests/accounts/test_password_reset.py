from sqlalchemy import select

from portal.accounts.models import User
from portal.core.audit import AuditEvent
from tests.conftest import Browser, link_in, outbox
from tests.factories import UserFactory
from tests.services import TEST_PASSWORD

NEW = "frisch gewähltes Passwort 9"


def request_reset(browser, email):
    return browser.post("/account/reset", {"email": email}, csrf_from_path="/account/reset")


def test_known_and_unknown_addresses_get_the_same_answer(browser):
    user = UserFactory()
    known = request_reset(browser, user.email)
    unknown = request_reset(browser, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True).split('name="csrf_token"')[0]  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(outbox(user.email)) == 1
    # The unknown address gets a notice without a link (tests/security/test_account_oracles.py).
    [notice] = outbox("nobody@example.org")
    assert "/account/reset/" not in notice.body_text


def test_reset_link_sets_password_once(app, browser, db):
    user = UserFactory()
    other = Browser(app.test_client())
    other.login(user)
    request_reset(browser, user.email)
    path = link_in(outbox(user.email)[0])
    assert browser.client.get(path).status_code == 200
    response = browser.post(path, {"password": NEW}, csrf_from_path=path)
    assert response.status_code == 302
    # The new password works, the old one does not, and other sessions ended.
    assert other.client.get("/account/").status_code == 302
    browser.login(db.session.get(User, user.id), password=NEW)
    # The link cannot be used again.
    reused = browser.client.get(path)
    assert reused.status_code == 400
    assert "used already" in reused.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "account.password_reset_requested" in actions and "account.password_reset" in actions
    for details in db.session.scalars(select(AuditEvent.details)):
        assert NEW not in str(details) and path.split("/")[-1] not in str(details)


def test_expired_reset_link_is_refused(app, browser, monkeypatch):
    user = UserFactory()
    request_reset(browser, user.email)
    path = link_in(outbox(user.email)[0])
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = browser.client.get(path)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_reset_link_lifetime_is_one_hour(app):
    assert app.config["PASSWORD_RESET_MAX_AGE"] == 3600


def test_reset_refuses_weak_password(browser):
    user = UserFactory()
    request_reset(browser, user.email)
    path = link_in(outbox(user.email)[0])
    response = browser.post(path, {"password": "qwerty123456"}, csrf_from_path=path)
    assert response.status_code == 200
    assert "commonly used" in response.get_data(as_text=True)
    browser.login(user, password=TEST_PASSWORD)
