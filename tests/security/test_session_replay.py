"""Replaying a captured session cookie in a fresh client, as a thief would.

tests/accounts/test_sessions.py already shows: a cookie captured before logout no longer opens
a page, logout ends other devices' sessions, a password change ends the others. Added here: the
cookie of the very session that changed the password (captured before the change), the cookie
after a password reset by e-mail link, after an account is deactivated, and that a replayed
cookie cannot change anything with a POST (even carrying the CSRF token of its own session).
"""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.listings.models import Flat
from tests.conftest import Browser, csrf_from, link_in, outbox
from tests.factories import UserFactory
from tests.services import TEST_PASSWORD

NEW_PASSWORD = "ein ganz neues Passwort 77"


def capture(browser) -> tuple[str, str]:
    """The session cookie and a CSRF token of that session."""
    token = csrf_from(browser.client.get("/flats/new").get_data(as_text=True))
    return browser.client.get_cookie("session").value, token


def replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def assert_refused(app, cookie: str, token: str) -> None:
    thief = replay(app, cookie)
    response = thief.get("/flats/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")
    flats = _db.session.scalar(select(func.count(Flat.id)))
    response = thief.post(
        "/flats/new", data={"csrf_token": token, "street": "Diebesweg", "action": "save"}
    )
    # The token belongs to the captured session, so only the ended login refuses the post.
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")
    assert _db.session.scalar(select(func.count(Flat.id))) == flats


def test_captured_cookie_works_until_logout_then_not_even_for_a_post(app, browser):
    browser.login("landlord")
    cookie, token = capture(browser)
    assert replay(app, cookie).get("/flats/").status_code == 200  # the cookie is the session
    browser.logout()
    assert_refused(app, cookie, token)


def test_cookie_captured_before_own_password_change_is_refused(app, browser):
    browser.login("landlord")
    cookie, token = capture(browser)
    response = browser.post(
        "/account/password",
        {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD},
        csrf_from_path="/account/password",
    )
    assert response.status_code == 302
    assert browser.client.get("/flats/").status_code == 200  # the changing session goes on
    assert_refused(app, cookie, token)


def test_cookie_is_refused_after_password_reset_by_mail(app, browser, client):
    user = UserFactory()
    browser.login(user)
    cookie, token = capture(browser)
    anonymous = Browser(app.test_client())
    anonymous.post("/account/reset", {"email": user.email}, csrf_from_path="/account/reset")
    path = link_in(outbox(user.email)[-1])
    response = anonymous.post(path, {"password": NEW_PASSWORD}, csrf_from_path=path)
    assert response.status_code == 302
    assert_refused(app, cookie, token)


def test_cookie_is_refused_once_the_account_is_deactivated(app, browser, db):
    user = browser.login("landlord")
    cookie, token = capture(browser)
    user.is_active = False
    db.session.commit()
    assert_refused(app, cookie, token)


def test_forged_user_id_in_a_session_is_refused(app, browser):
    """A session holding a user id without the current session token (or with a guessed one)
    loads nobody."""
    user = UserFactory()
    thief = app.test_client()
    for forged in (str(user.id), f"{user.id}:", f"{user.id}:guess", f"x:{user.session_token}"):
        with thief.session_transaction() as session:
            session["_user_id"] = forged
        response = thief.get("/flats/")
        assert response.status_code == 302, forged
        assert response.headers["Location"].startswith("/account/login")
