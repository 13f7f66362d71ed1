from sqlalchemy import select

from portal.core.audit import AuditEvent
from tests.conftest import totp_code_for
from tests.factories import StaffFactory, UserFactory
from tests.services import TEST_PASSWORD


def login(browser, email, password, next_=None):
    path = "/account/login" + (f"?next={next_}" if next_ else "")
    return browser.post(path, {"email": email, "password": password}, csrf_from_path=path)


def test_login_and_logout(browser, db):
    user = UserFactory()
    response = login(browser, user.email.upper(), TEST_PASSWORD)
    assert response.status_code == 302
    assert browser.client.get("/account/").status_code == 200
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.login" in actions
    browser.logout()
    assert browser.client.get("/account/").status_code == 302
    assert "auth.logout" in db.session.scalars(select(AuditEvent.action)).all()


def test_wrong_password_and_unknown_email_get_the_same_refusal(browser, db):
    user = UserFactory()
    wrong = login(browser, user.email, "wrong password entirely")
    unknown = login(browser, "nobody@example.org", TEST_PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "The e-mail address or the password is not correct." in response.get_data(
            as_text=True
        )
    failures = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
    ).all()
    assert len(failures) == 2
    for event in failures:
        assert TEST_PASSWORD not in str(event.details)


def test_deactivated_user_cannot_log_in(browser):
    user = UserFactory(is_active=False)
    response = login(browser, user.email, TEST_PASSWORD)
    assert "The e-mail address or the password is not correct." in response.get_data(as_text=True)
    assert browser.client.get("/account/").status_code == 302


def test_deactivated_user_is_logged_out_at_next_request(browser, db):
    user = browser.login("landlord")
    assert browser.client.get("/account/").status_code == 200
    from portal.accounts import operations as ops

    ops.set_active(db.session.get(type(user), user.id), False)
    db.session.commit()
    response = browser.client.get("/account/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_next_accepts_only_paths_on_this_site(browser):
    user = UserFactory()
    ok = login(browser, user.email, TEST_PASSWORD, next_="/account/password")
    assert ok.headers["Location"] == "/account/password"
    for evil in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x",
        "http:/evil.example",
    ]:
        browser.logout()
        response = login(browser, user.email, TEST_PASSWORD, next_=evil)
        assert response.status_code == 302
        assert response.headers["Location"] == "/flats/", evil


def test_login_redirects_to_login_with_next(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


def test_staff_land_in_back_office_after_their_code(browser):
    staff = StaffFactory(role="social_worker")
    response = login(browser, staff.email, TEST_PASSWORD)
    assert response.headers["Location"] == "/account/login/code"
    response = browser.post(
        "/account/login/code", {"code": totp_code_for(staff)}, csrf_from_path="/account/login/code"
    )
    assert response.headers["Location"] == "/backoffice/"


def test_login_without_csrf_token_is_refused(client):
    user = UserFactory()
    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_logout_requires_post(browser):
    browser.login("landlord")
    assert browser.client.get("/account/logout").status_code == 405
    assert browser.client.get("/account/").status_code == 200
