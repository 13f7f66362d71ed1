"""Logout and password change end every other session (Flask-Login's alternative token)."""

from itsdangerous import URLSafeTimedSerializer
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


def test_an_unchanged_session_cookie_is_renewed_at_most_once_a_minute(app, browser):
    """A logged-in session lasts PERMANENT_SESSION_LIFETIME from the last renewal of its
    cookie; an unchanged cookie is signed and sent again after a minute, not on every page."""

    def session_cookie(response):
        return [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]

    browser.login("landlord")
    browser.client.get("/flats/")  # shows (and so changes the session by) the login's messages
    assert session_cookie(browser.client.get("/flats/")) == []
    interface = app.session_interface
    interface.refresh_after = 0  # a minute later
    try:
        [renewed] = session_cookie(browser.client.get("/flats/"))
    finally:
        del interface.refresh_after
    assert "Expires=" in renewed
    assert browser.client.get("/flats/").status_code == 200


def test_a_new_secret_key_signs_at_once_and_the_old_one_still_reads(app, browser):
    """The session's serializer is made once per set of keys (core/security.py): rotating the
    key (the old one kept in ``SECRET_KEY_FALLBACKS``) takes effect on the next request, and a
    session signed with the old key stays valid; a key that is no longer listed signs nothing
    that is read."""
    browser.login("landlord")
    assert browser.client.get("/flats/").status_code == 200
    old_key, old_fallbacks = app.secret_key, app.config["SECRET_KEY_FALLBACKS"]
    try:
        app.secret_key = "a-new-key-for-this-test-only"
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert browser.client.get("/flats/").status_code == 200  # the old cookie still reads
        serializer = app.session_interface.get_signing_serializer(app)
        signed = serializer.dumps({"probe": 1})
        assert serializer.loads(signed) == {"probe": 1}
        assert URLSafeTimedSerializer(
            "a-new-key-for-this-test-only",
            salt="cookie-session",
            serializer=app.session_interface.serializer,
            signer_kwargs={
                "key_derivation": "hmac",
                "digest_method": app.session_interface.digest_method,
            },
        ).loads(signed) == {"probe": 1}
        app.config["SECRET_KEY_FALLBACKS"] = []  # the old key dropped: its cookies read nothing
        response = browser.client.get("/flats/")
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    finally:
        app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = old_key, old_fallbacks
