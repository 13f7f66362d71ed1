"""The ``browser`` fixture reads a CSRF token once per session (tests/conftest.py): the same
token while the session keeps its secret, a new one after login and logout, each accepted."""

from __future__ import annotations

from tests.conftest import Browser


class CountingClient:
    """The test client, counting its GETs."""

    def __init__(self, client) -> None:
        self._client = client
        self.gets = 0

    def get(self, *args, **kwargs):
        self.gets += 1
        return self._client.get(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_the_token_is_read_once_per_session(client):
    counting = CountingClient(client)
    browser = Browser(counting)
    first = browser.csrf("/account/login")
    assert browser.csrf("/account/login") == first
    assert browser.csrf() == first
    assert counting.gets == 1
    # It is accepted: a login with a wrong password is answered by the form, not refused.
    response = browser.post("/account/login", {"email": "x@example.org", "password": "x" * 12})
    assert response.status_code == 200
    assert counting.gets == 1


def test_login_and_logout_start_a_session_with_a_new_token(browser, db):
    before = browser.csrf()
    browser.login("landlord")
    during = browser.csrf()
    assert during != before
    assert browser.post("/account/", {"full_name": "Neu Name", "locale": "en"}).status_code == 302
    response = browser.logout()
    assert response.status_code == 302 and response.headers["Location"] == "/"
    after = browser.csrf()
    assert after not in (before, during)
    assert browser.client.post("/account/logout", data={"csrf_token": during}).status_code == 400


def test_a_staff_login_with_its_second_factor_needs_no_token_by_hand(browser, db):
    browser.login("specialist")
    assert browser.client.get("/backoffice/").status_code == 200
