"""The second factor: enrolment, the half-logged-in state, codes (wrong, reused, drift, rate
limit), recovery codes, landlords switching it on and off, the admin's reset, the secret at rest
and the production setting."""

from __future__ import annotations

import re

import pyotp
import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import func, select, text

from portal.accounts import twofactor as tf
from portal.accounts.models import RecoveryCode, User
from portal.accounts.sessions import start_session
from portal.config import ConfigurationError, build_config
from portal.core.audit import AuditEvent
from tests.conftest import Browser
from tests.factories import StaffFactory, UserFactory
from tests.services import TEST_PASSWORD

CODE_PAGE = "/account/login/code"
# A fixed moment in the middle of a 30-second step, so no test runs across a step boundary.
NOW = 1_800_000_015.0
STEP = int(NOW // 30)


@pytest.fixture
def clock(monkeypatch):
    """The server's clock, frozen at NOW; ``clock.move(seconds)`` moves it."""

    class Clock:
        now = NOW

        def move(self, seconds: float) -> None:
            self.now += seconds

    c = Clock()
    monkeypatch.setattr(tf, "current_time", lambda: c.now)
    return c


def code_at(user: User, step: int) -> str:
    return pyotp.TOTP(tf.secret_of(user)).generate_otp(step)


def wrong_code_at(user: User, step: int) -> str:
    """Six digits that are not ``user``'s code of ``step``."""
    return "000000" if code_at(user, step) != "000000" else "111111"


def shown_secret(html: str) -> str:
    """The TOTP key the enrolment page shows for typing by hand, without its spaces."""
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")


def password_step(browser: Browser, user: User):
    return browser.post(
        "/account/login",
        {"email": user.email, "password": TEST_PASSWORD},
        csrf_from_path="/account/login",
    )


def send_code(browser: Browser, code: str, path: str = CODE_PAGE, **fields):
    return browser.post(path, {"code": code, **fields}, csrf_from_path=path)


def actions(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def recovery_codes_in(html: str) -> list[str]:
    return re.findall(r"<li><code>([0-9a-z]{4}(?:-[0-9a-z]{4}){3})</code></li>", html)


def fresh(db, user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# Enrolment at the first staff login -------------------------------------------------------------


def test_staff_enrol_at_first_login_with_a_qr_code_made_here(browser, db, clock):
    staff = StaffFactory(two_factor=False)
    response = password_step(browser, staff)
    assert response.headers["Location"] == CODE_PAGE
    page = browser.client.get(CODE_PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Set up your authenticator app" in html
    assert '<svg role="img"' in html and "<title>QR code for your authenticator app</title>" in html
    # No image from anywhere else: the secret never leaves the server in a URL.
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html)
    assert "otpauth" not in html and "<img" not in html
    assert page.headers["Cache-Control"] == "no-store"
    secret = shown_secret(html)
    assert tf.secret_of(fresh(db, staff)) == secret
    # Reloading keeps the secret (an app that scanned it already goes on working).
    assert secret.encode() and browser.client.get(CODE_PAGE).get_data(as_text=True).count(
        tf.format_secret(secret)
    )

    wrong = send_code(browser, wrong_code_at(staff, STEP))
    assert wrong.status_code == 200 and "This code is not correct." in wrong.get_data(as_text=True)
    assert fresh(db, staff).totp_enabled_at is None
    assert actions(db, "auth.2fa_enrol_failed")

    done = send_code(browser, pyotp.TOTP(secret).generate_otp(STEP))
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "Your recovery codes" in html
    assert len(set(recovery_codes_in(html))) == 10
    assert done.headers["Cache-Control"] == "no-store"
    staff = fresh(db, staff)
    assert staff.has_two_factor and staff.totp_last_step == STEP
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 10
    assert [e.details["role"] for e in actions(db, "auth.2fa_enrolled")] == ["specialist"]
    assert browser.client.get("/backoffice/").status_code == 200


HALF_LOGGED_IN_PATHS = [
    "/backoffice/",
    "/backoffice/staff",
    "/backoffice/landlords",
    "/backoffice/flats/",
    "/backoffice/households/",
    "/backoffice/placements/",
    "/backoffice/mediation/",
    "/backoffice/rent-limits",
    "/flats/",
    "/placements/",
    "/account/",
    "/account/password",
    "/account/security",
]


@pytest.mark.parametrize("enrolled", [True, False])
def test_half_logged_in_staff_reach_no_page_but_the_code_step(browser, enrolled):
    admin = StaffFactory(role="admin", two_factor=enrolled)
    password_step(browser, admin)
    for path in HALF_LOGGED_IN_PATHS:
        response = browser.client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/account/login?next="), path
        # The login page sends them on to the code step, not into the portal.
        assert browser.client.get(response.headers["Location"]).headers["Location"] == CODE_PAGE
    # A state-changing staff route is as closed as the pages.
    other = StaffFactory()
    response = browser.post(f"/backoffice/staff/{other.id}/reset-second-factor")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert other.has_two_factor
    assert "Log out" not in browser.client.get(CODE_PAGE).get_data(as_text=True).split("<main")[0]


def test_half_logged_in_landlord_with_second_factor_reaches_nothing(browser, db):
    landlord = UserFactory()
    tf.enrol_with_secret(landlord, pyotp.random_base32())
    db.session.commit()
    assert password_step(browser, landlord).headers["Location"] == CODE_PAGE
    for path in ["/flats/", "/flats/new", "/households/", "/placements/", "/account/"]:
        assert browser.client.get(path).status_code == 302, path


def test_cancel_on_the_code_step_forgets_the_password_step(browser):
    staff = StaffFactory()
    password_step(browser, staff)
    browser.post("/account/logout", csrf_from_path=CODE_PAGE)
    response = browser.client.get(CODE_PAGE)
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"


def test_code_step_expires(app, browser, monkeypatch):
    staff = StaffFactory()
    password_step(browser, staff)
    monkeypatch.setitem(app.config, "TWOFACTOR_PENDING_SECONDS", -1)
    response = browser.client.get(CODE_PAGE, follow_redirects=True)
    assert "Please log in again." in response.get_data(as_text=True)
    assert browser.client.get("/backoffice/").status_code == 302


def test_code_step_ends_when_the_sessions_of_the_user_end(browser, db, clock):
    staff = StaffFactory()
    password_step(browser, staff)
    fresh(db, staff).end_all_sessions()  # e.g. logout elsewhere, password change, admin reset
    db.session.commit()
    response = send_code(browser, code_at(staff, STEP))
    assert response.headers["Location"] == "/account/login"
    assert browser.client.get("/backoffice/").status_code == 302


def test_code_step_without_password_step_goes_to_login(client):
    response = client.get(CODE_PAGE)
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"


def test_staff_session_without_enrolment_is_not_honoured(browser, db):
    """A session made before enrolment became mandatory (or surviving a reset) ends."""
    staff = browser.login("specialist")
    assert browser.client.get("/backoffice/").status_code == 200
    user = fresh(db, staff)
    user.totp_enabled_at = None
    db.session.commit()
    assert browser.client.get("/backoffice/").status_code == 302


def test_no_session_starts_without_the_second_factor(app, db):
    staff = StaffFactory()
    with app.test_request_context(), pytest.raises(RuntimeError):
        start_session(staff)


# Codes at login -----------------------------------------------------------------------------------


def test_right_code_logs_in_and_is_audited(browser, db, clock):
    staff = StaffFactory()
    password_step(browser, staff)
    response = send_code(browser, code_at(staff, STEP))
    assert response.headers["Location"] == "/backoffice/"
    assert browser.client.get("/backoffice/").status_code == 200
    assert actions(db, "auth.password_accepted")
    [login] = actions(db, "auth.login")
    assert login.details == {"second_factor": "totp"}
    [passed] = actions(db, "auth.2fa_passed")
    assert passed.details == {"purpose": "login", "method": "totp"}


def test_wrong_code_is_refused_and_audited(browser, db, clock):
    staff = StaffFactory()
    password_step(browser, staff)
    right = code_at(staff, STEP)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for code in [wrong, "12345", "abcdef", ""]:
        response = send_code(browser, code)
        assert response.status_code == 200, code
        assert browser.client.get("/backoffice/").status_code == 302
    html = response.get_data(as_text=True)
    assert "Please enter a code." in html
    failures = actions(db, "auth.2fa_failed")
    assert len(failures) == 3 and {f.details["reason"] for f in failures} == {"wrong"}
    assert all(wrong not in str(f.details) for f in failures)


def test_reused_code_is_refused(app, browser, db, clock):
    staff = StaffFactory()
    code = code_at(staff, STEP)
    password_step(browser, staff)
    assert send_code(browser, code).status_code == 302
    # Someone who watched the code being typed tries it at once, from another browser.
    other = Browser(app.test_client())
    other.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    password_step(other, staff)
    response = send_code(other, code)
    assert response.status_code == 200
    assert "This code was used already." in response.get_data(as_text=True)
    assert other.client.get("/backoffice/").status_code == 302
    assert actions(db, "auth.2fa_failed")[0].details["reason"] == "reused"
    # An older code than the last used one is refused too.
    assert send_code(other, code_at(staff, STEP - 1)).status_code == 200
    # The next step's code works.
    clock.move(30)
    assert send_code(other, code_at(staff, STEP + 1)).status_code == 302


@pytest.mark.parametrize(("offset", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_clock_drift_of_one_step_is_accepted(browser, db, clock, offset, accepted):
    staff = StaffFactory()
    password_step(browser, staff)
    response = send_code(browser, code_at(staff, STEP + offset))
    assert (response.status_code == 302) is accepted
    if accepted:
        assert fresh(db, staff).totp_last_step == STEP + offset


def test_code_checks_are_limited_per_user(app, browser, db, clock, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_TWOFACTOR_ACCOUNT", "3 per minute")
    staff = StaffFactory()
    password_step(browser, staff)
    right = code_at(staff, STEP)
    wrong = f"{(int(right) + 5) % 1_000_000:06d}"
    statuses = [send_code(browser, wrong).status_code for _ in range(3)]
    blocked = send_code(browser, right)
    assert statuses == [200, 200, 200] and blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # A new password step from another address does not reset the count for this user.
    other = Browser(app.test_client())
    other.client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    password_step(other, staff)
    assert send_code(other, right).status_code == 429


def test_code_checks_are_limited_per_ip_address(app, browser, db, clock, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_TWOFACTOR_IP", "3 per minute")
    statuses = []
    for _ in range(2):
        staff = StaffFactory()
        password_step(browser, staff)
        wrong = f"{(int(code_at(staff, STEP)) + 5) % 1_000_000:06d}"
        statuses += [send_code(browser, wrong).status_code for _ in range(2)]
    assert statuses == [200, 200, 200, 429]


def test_accepted_codes_do_not_use_up_the_per_user_limit(app, browser, clock, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_TWOFACTOR_ACCOUNT", "2 per minute")
    staff = StaffFactory()
    for i in range(4):
        clock.move(30)
        password_step(browser, staff)
        assert send_code(browser, code_at(staff, STEP + i + 1)).status_code == 302
        browser.logout()


# Recovery codes -----------------------------------------------------------------------------------


def regenerate(browser: Browser, code: str):
    return browser.post(
        "/account/security/recovery-codes", {"regen-code": code}, csrf_from_path="/account/security"
    )


def switch_off(browser: Browser, code: str):
    return browser.post(
        "/account/security/disable", {"disable-code": code}, csrf_from_path="/account/security"
    )


def make_recovery_codes(browser: Browser, staff: User, step: int) -> list[str]:
    response = regenerate(browser, code_at(staff, step))
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = recovery_codes_in(response.get_data(as_text=True))
    assert len(codes) == 10
    return codes


def test_recovery_code_works_once(browser, db, clock):
    staff = browser.login("social_worker")
    clock.move(30)
    codes = make_recovery_codes(browser, staff, STEP + 1)
    browser.logout()

    password_step(browser, staff)
    response = send_code(browser, codes[3].upper().replace("-", " "))  # as typed from paper
    assert response.headers["Location"] == "/backoffice/"
    home = browser.client.get("/backoffice/").get_data(as_text=True)
    assert "You used a recovery code; 9 are left." in home
    [used] = actions(db, "auth.recovery_code_used")
    assert used.details == {"purpose": "login", "remaining": 9}
    assert codes[3] not in str(used.details) and codes[3].replace("-", "") not in str(used.details)
    html = browser.client.get("/account/security").get_data(as_text=True)
    assert "You have 9 unused recovery codes." in html
    browser.logout()

    password_step(browser, staff)
    again = send_code(browser, codes[3])
    assert again.status_code == 200 and "This code is not correct." in again.get_data(as_text=True)
    assert browser.client.get("/backoffice/").status_code == 302


def test_recovery_codes_are_stored_as_salted_digests(browser, db, clock):
    staff = browser.login("specialist")
    clock.move(30)
    codes = make_recovery_codes(browser, staff, STEP + 1)
    stored = db.session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == staff.id)
    ).all()
    assert len(stored) == 10 and len({h.split("$")[1] for h in stored}) == 10  # one salt each
    for code in codes:
        assert not any(code.replace("-", "") in h or code in h for h in stored)


def test_new_recovery_codes_need_a_current_code_and_replace_the_old(browser, db, clock):
    staff = browser.login("specialist")
    clock.move(30)
    old = make_recovery_codes(browser, staff, STEP + 1)
    # Refused: a wrong code, and a recovery code (only the app's code makes new ones).
    for refused in [wrong_code_at(staff, STEP + 1), old[0]]:
        response = regenerate(browser, refused)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "This code is not correct." in html and not recovery_codes_in(html)
    assert tf.recovery_codes_left(staff) == 10
    clock.move(30)
    new = make_recovery_codes(browser, staff, STEP + 2)
    assert not set(new) & set(old)
    assert actions(db, "auth.recovery_codes_regenerated")
    browser.logout()
    password_step(browser, staff)
    assert send_code(browser, old[0]).status_code == 200
    assert send_code(browser, new[0]).status_code == 302


# Landlords switch it on and off ------------------------------------------------------------------


def test_landlord_switches_second_factor_on_and_off(app, browser, db, clock):
    landlord = browser.login("landlord")
    elsewhere = Browser(app.test_client())
    elsewhere.login(landlord)
    html = browser.client.get("/account/security").get_data(as_text=True)
    assert "Your login asks only for your password." in html

    page = browser.client.get("/account/security/enable").get_data(as_text=True)
    assert '<svg role="img"' in page
    assert send_code(browser, "abc", "/account/security/enable").status_code == 200
    assert not fresh(db, landlord).has_two_factor
    response = send_code(browser, code_at(landlord, STEP), "/account/security/enable")
    assert response.status_code == 200
    assert len(recovery_codes_in(response.get_data(as_text=True))) == 10
    assert fresh(db, landlord).has_two_factor
    assert actions(db, "auth.2fa_enabled")[0].details == {"role": "landlord"}
    # This session goes on; the one opened elsewhere with the password alone ends.
    assert browser.client.get("/flats/").status_code == 200
    assert elsewhere.client.get("/flats/").status_code == 302
    browser.logout()

    # From now on the login asks for the code.
    assert password_step(browser, landlord).headers["Location"] == CODE_PAGE
    clock.move(30)
    assert send_code(browser, code_at(landlord, STEP + 1)).headers["Location"] == "/flats/"

    # Switching off needs a current code.
    wrong = switch_off(browser, wrong_code_at(landlord, STEP + 1))
    assert wrong.status_code == 200 and "This code is not correct." in wrong.get_data(as_text=True)
    assert fresh(db, landlord).has_two_factor
    clock.move(30)
    off = switch_off(browser, code_at(landlord, STEP + 2))
    assert off.status_code == 302
    landlord = fresh(db, landlord)
    assert not landlord.has_two_factor and landlord.totp_secret_encrypted is None
    assert tf.recovery_codes_left(landlord) == 0
    assert actions(db, "auth.2fa_disabled")
    browser.logout()
    assert password_step(browser, landlord).headers["Location"] == "/flats/"


def test_landlord_can_switch_off_with_a_recovery_code(browser, db, clock):
    landlord = browser.login("landlord")
    browser.client.get("/account/security/enable")
    response = send_code(browser, code_at(fresh(db, landlord), STEP), "/account/security/enable")
    codes = recovery_codes_in(response.get_data(as_text=True))
    off = switch_off(browser, codes[0])
    assert off.status_code == 302 and not fresh(db, landlord).has_two_factor


def test_landlord_may_cancel_an_unconfirmed_setup(browser, db):
    landlord = browser.login("landlord")
    browser.client.get("/account/security/enable")
    assert fresh(db, landlord).totp_secret_encrypted is not None
    browser.post("/account/security/enable/cancel", csrf_from_path="/account/security")
    landlord = fresh(db, landlord)
    assert landlord.totp_secret_encrypted is None and not landlord.has_two_factor
    browser.logout()
    assert password_step(browser, landlord).headers["Location"] == "/flats/"


def test_staff_cannot_switch_the_second_factor_off(browser, db, clock):
    staff = browser.login("specialist")
    clock.move(30)
    response = switch_off(browser, code_at(staff, STEP + 1))
    assert response.status_code == 403
    assert "Staff accounts must keep their second factor." in response.get_data(as_text=True)
    assert fresh(db, staff).has_two_factor
    assert actions(db, "auth.2fa_disable_refused")
    # Nor set up a second authenticator over the first one.
    secret_before = fresh(db, staff).totp_secret_encrypted
    assert browser.client.get("/account/security/enable").headers["Location"] == "/account/security"
    assert fresh(db, staff).totp_secret_encrypted == secret_before
    assert "Switch the second factor off" not in browser.client.get("/account/security").get_data(
        as_text=True
    )


# The admin's reset --------------------------------------------------------------------------------


def test_admin_resets_a_colleagues_second_factor(app, browser, db, clock):
    colleague = StaffFactory(role="social_worker", full_name="Tobias Engel")
    theirs = Browser(app.test_client())
    theirs.login(colleague)
    assert theirs.client.get("/backoffice/").status_code == 200
    clock.move(30)
    make_recovery_codes(theirs, colleague, STEP + 1)

    admin = browser.login("admin")
    page = browser.client.get("/backoffice/staff").get_data(as_text=True)
    assert f"/backoffice/staff/{colleague.id}/reset-second-factor" in page
    assert f"/backoffice/staff/{admin.id}/reset-second-factor" not in page
    response = browser.post(
        f"/backoffice/staff/{colleague.id}/reset-second-factor", csrf_from_path="/backoffice/staff"
    )
    assert response.status_code == 303
    assert "The second factor of Tobias Engel is reset" in browser.client.get(
        "/backoffice/staff"
    ).get_data(as_text=True)

    colleague = fresh(db, colleague)
    assert colleague.totp_secret_encrypted is None and not colleague.has_two_factor
    assert tf.recovery_codes_left(colleague) == 0
    [event] = actions(db, "auth.2fa_reset")
    assert event.actor_id == admin.id and event.object_id == colleague.id
    # Their sessions ended; at the next login they set up an authenticator again.
    assert theirs.client.get("/backoffice/").status_code == 302
    password_step(theirs, colleague)
    html = theirs.client.get(CODE_PAGE).get_data(as_text=True)
    assert "Set up your authenticator app" in html


def test_admin_cannot_reset_their_own_second_factor(browser, db):
    admin = browser.login("admin")
    response = browser.post(
        f"/backoffice/staff/{admin.id}/reset-second-factor", csrf_from_path="/backoffice/staff"
    )
    assert response.status_code == 303
    html = browser.client.get("/backoffice/staff").get_data(as_text=True)
    assert "You cannot reset your own second factor." in html
    assert fresh(db, admin).has_two_factor
    assert not actions(db, "auth.2fa_reset")
    assert actions(db, "auth.2fa_reset_refused")[0].details == {"reason": "own"}
    assert browser.client.get("/backoffice/").status_code == 200  # still logged in


def test_staff_list_comes_a_page_at_a_time_and_a_reset_comes_back_to_the_page(
    browser, db, monkeypatch
):
    """PER_PAGE + 2 staff of the admin's site: PER_PAGE on the first page (by e-mail address),
    2 on the second, whose link keeps the other query arguments; a reset sent from the second
    page comes back to it."""
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 3)
    admin = browser.login("admin")
    for name in ("a", "b", "c", "d"):
        StaffFactory(email=f"{name}-staff@example.org")
    emails = sorted(db.session.scalars(select(User.email).where(User.role != "landlord")).all())
    assert len(emails) == 5 and admin.email in emails
    html = browser.client.get("/backoffice/staff?from=home").get_data(as_text=True)
    assert [e for e in emails if e in html] == emails[:3]
    assert "Page 1 of 2" in html and 'href="/backoffice/staff?from=home&amp;page=2"' in html
    html = browser.client.get("/backoffice/staff?from=home&page=2").get_data(as_text=True)
    assert [e for e in emails if e in html] == emails[3:]
    assert "Page 2 of 2" in html
    other = next(e for e in emails[3:] if e != admin.email)  # never one's own reset
    last = db.session.scalar(select(User).where(User.email == other))
    reset = f"/backoffice/staff/{last.id}/reset-second-factor?page=2"
    assert f'action="{reset}"' in html
    response = browser.post(reset, csrf_from_path="/backoffice/staff")
    assert response.status_code == 303 and response.location.endswith("/backoffice/staff?page=2")
    assert not fresh(db, last).has_two_factor

    for past in ("999", "abc"):
        assert browser.client.get(f"/backoffice/staff?page={past}").status_code == 200
    html = browser.client.get("/backoffice/staff?page=999").get_data(as_text=True)
    assert "Page 2 of 2" in html and 'href="/backoffice/staff?page=1"' in html
    html = browser.client.get("/backoffice/staff?page=abc").get_data(as_text=True)
    assert emails[0] in html and "Page 1 of 2" in html


def test_only_admins_reset_and_only_staff(browser, db):
    colleague = StaffFactory()
    browser.login("specialist")
    response = browser.post(f"/backoffice/staff/{colleague.id}/reset-second-factor")
    assert response.status_code == 403
    browser.logout()
    browser.login("admin")
    landlord = UserFactory()
    tf.enrol_with_secret(landlord, pyotp.random_base32())
    db.session.commit()
    assert browser.post(f"/backoffice/staff/{landlord.id}/reset-second-factor").status_code == 404
    assert browser.post("/backoffice/staff/999999/reset-second-factor").status_code == 404
    assert fresh(db, colleague).has_two_factor and fresh(db, landlord).has_two_factor


# The secret at rest, the audit trail, the configuration -------------------------------------------


def test_secret_is_stored_encrypted(app, browser, db):
    staff = StaffFactory(two_factor=False)
    password_step(browser, staff)
    html = browser.client.get(CODE_PAGE).get_data(as_text=True)
    secret = shown_secret(html)
    raw = db.session.execute(
        text("SELECT totp_secret_encrypted FROM users WHERE id = :id"), {"id": staff.id}
    ).scalar_one()
    assert secret not in raw and secret.lower() not in raw.lower()
    assert Fernet(app.config["TOTP_ENCRYPTION_KEY"]).decrypt(raw.encode()).decode() == secret
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(raw.encode())


def test_audit_trail_never_holds_secrets_or_codes(browser, db, clock):
    staff = StaffFactory(two_factor=False)
    password_step(browser, staff)
    browser.client.get(CODE_PAGE)
    secret = tf.secret_of(fresh(db, staff))
    send_code(browser, "999999")
    response = send_code(browser, pyotp.TOTP(secret).generate_otp(STEP))
    codes = recovery_codes_in(response.get_data(as_text=True))
    trail = " ".join(
        f"{e.action} {e.details}" for e in db.session.scalars(select(AuditEvent)).all()
    )
    assert secret not in trail and "999999" not in trail
    assert pyotp.TOTP(secret).generate_otp(STEP) not in trail
    assert not any(code in trail or code.replace("-", "") in trail for code in codes)


def test_key_rotation_keeps_the_secrets_readable(app, db, runner, monkeypatch):
    staff = StaffFactory()
    secret = tf.secret_of(staff)
    old_key = app.config["TOTP_ENCRYPTION_KEY"]
    new_key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEY", f"{new_key},{old_key}")
    assert tf.secret_of(staff) == secret  # the old key still reads
    result = runner.invoke(args=["accounts", "rotate-totp-key"])
    assert result.exit_code == 0, result.output
    stored = fresh(db, staff).totp_secret_encrypted
    assert MultiFernet([Fernet(new_key)]).decrypt(stored.encode()).decode() == secret


def test_production_refuses_to_start_without_totp_key(tmp_path):
    env = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    }
    with pytest.raises(ConfigurationError, match="TOTP_ENCRYPTION_KEY must be set"):
        build_config(str(tmp_path), env)
    with pytest.raises(ConfigurationError, match="TOTP_ENCRYPTION_KEY must be one or more"):
        build_config(str(tmp_path), {**env, "TOTP_ENCRYPTION_KEY": "not-a-fernet-key"})
    key = Fernet.generate_key().decode()
    config = build_config(str(tmp_path), {**env, "TOTP_ENCRYPTION_KEY": f" {key} "})
    assert config["TOTP_ENCRYPTION_KEY"] == key
    assert not (tmp_path / "totp_encryption_key").exists()


def test_development_generates_and_keeps_a_totp_key(tmp_path):
    first = build_config(str(tmp_path), {})["TOTP_ENCRYPTION_KEY"]
    second = build_config(str(tmp_path), {})["TOTP_ENCRYPTION_KEY"]
    assert first == second
    Fernet(first)  # a valid key
    assert (tmp_path / "totp_encryption_key").stat().st_mode & 0o077 == 0
