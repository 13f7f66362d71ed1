"""Logout and password change end every other session (Flask-Login's alternative token)."""

from sqlalchemy import select

from portal.core.audit import AuditEvent
from tests.conftest import Browser
from tests.services import TEST_PASSWORD


def cookie_of(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_old_session_cookie_does_not_work_after_logout(app, browser):
    browser.login("landlord")
    stolen = cookie_of(browser.client)
    browser.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/account/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_logout_ends_sessions_on_other_devices(app, browser):
    user = browser.login("landlord")
    other = Browser(app.test_client())
    other.login(user)
    assert other.client.get("/account/").status_code == 200
    browser.logout()
    assert other.client.get("/account/").status_code == 302


def test_password_change_keeps_this_session_and_ends_others(app, browser, db):
    user = browser.login("landlord")
    other = Browser(app.test_client())
    other.login(user)
    response = browser.post(
        "/account/password",
        {
            "current_password": TEST_PASSWORD,
            "password": "ein ganz neues Passwort 77",
        },
        csrf_from_path="/account/password",
    )
    assert response.status_code == 302
    assert browser.client.get("/account/").status_code == 200
    assert other.client.get("/account/").status_code == 302
    assert "account.password_changed" in db.session.scalars(select(AuditEvent.action)).all()


def test_password_change_refuses_wrong_current_password(browser):
    browser.login("landlord")
    response = browser.post(
        "/account/password",
        {
            "current_password": "not the password",
            "password": "ein ganz neues Passwort 77",
        },
        csrf_from_path="/account/password",
    )
    assert response.status_code == 200
    assert "The current password is not correct." in response.get_data(as_text=True)


def test_password_change_refuses_weak_new_password(browser):
    browser.login("landlord")
    response = browser.post(
        "/account/password",
        {
            "current_password": TEST_PASSWORD,
            "password": "1q2w3e4r5t6y",
        },
        csrf_from_path="/account/password",
    )
    assert response.status_code == 200
    assert "commonly used" in response.get_data(as_text=True)


def test_session_cookie_flags(browser):
    browser.login("landlord")
    cookie = browser.client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"
