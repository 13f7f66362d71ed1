"""Issue 13.1: pre-registration takeover of a company account.

An attacker registers the victim's address (or a company's known address) before the owner
does. Until the address is confirmed the account can do nothing but confirm, resend the link,
change its own address and log out; confirming sets the owner's password, ends every other
session, and undoes what could outlast the confirmation (a second factor, invitations and the
colleagues who came through them).
"""

from __future__ import annotations

import pyotp
from sqlalchemy import func, select

from portal.accounts import twofactor as tf
from portal.accounts.models import Invitation, RecoveryCode, User
from portal.core.audit import AuditEvent
from tests.conftest import Browser, link_in, outbox
from tests.factories import CompanyFactory, UserFactory
from tests.services import TEST_PASSWORD

VICTIM = "geschaeftsfuehrung@muster-wohnbau.example"
ATTACKER_PASSWORD = "das Passwort des Angreifers 1"
OWNER_PASSWORD = "das Passwort der Eigentümerin 2"
CONFIRM = "/account/confirm"


def register_as_attacker(browser: Browser) -> None:
    response = browser.post(
        "/account/register",
        {
            "kind": "company",
            "organisation_name": "Muster Wohnbau GmbH",
            "full_name": "Max Muster",
            "email": VICTIM,
            "password": ATTACKER_PASSWORD,
            "accept_privacy": "y",
        },
        csrf_from_path="/account/register",
    )
    assert response.status_code == 302


def login(browser: Browser, email: str, password: str):
    return browser.post(
        "/account/login", {"email": email, "password": password}, csrf_from_path="/account/login"
    )


def victim(db) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == VICTIM))


def actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action)))


def test_unconfirmed_login_cannot_invite_or_enable_two_factor(app, browser, db):
    register_as_attacker(browser)
    response = login(browser, VICTIM, ATTACKER_PASSWORD)
    assert response.headers["Location"] == CONFIRM
    response = browser.post("/account/invite", {"email": "helfer@evil.example"})
    assert response.status_code == 302 and response.headers["Location"] == CONFIRM
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert outbox("helfer@evil.example") == []
    response = browser.client.get("/account/security/enable")
    assert response.headers["Location"] == CONFIRM
    response = browser.post("/account/security/enable", {"code": "123456"})
    assert response.headers["Location"] == CONFIRM
    assert victim(db).totp_secret_encrypted is None
    for path in ("/account/", "/account/password", "/account/colleagues", "/flats/new"):
        assert browser.client.get(path).headers["Location"] == CONFIRM, path


def test_owner_confirming_sets_password_and_ends_the_attackers_session(app, browser, db):
    register_as_attacker(browser)
    login(browser, VICTIM, ATTACKER_PASSWORD)
    assert browser.client.get(CONFIRM).status_code == 200
    path = link_in(outbox(VICTIM)[0])

    owner = Browser(app.test_client())
    page = owner.client.get(path).get_data(as_text=True)
    assert "Muster Wohnbau GmbH" in page and 'name="password"' in page
    response = owner.post(path, {"password": OWNER_PASSWORD}, csrf_from_path=path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/flats/"
    assert owner.client.get("/flats/").status_code == 200  # the owner goes on, confirmed

    # The attacker's session ended and their password no longer works.
    response = browser.client.get(CONFIRM)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert login(browser, VICTIM, ATTACKER_PASSWORD).status_code == 200
    browser.client.post("/account/logout")
    assert login(Browser(app.test_client()), VICTIM, OWNER_PASSWORD).status_code == 302
    assert victim(db).is_verified
    assert "account.email_verified" in actions(db)
    # The link worked once.
    assert owner.client.get(path).status_code == 400


def test_confirming_removes_second_factor_invitations_and_their_colleagues(app, browser, db):
    """What an unconfirmed account could do before the fix does not outlast the confirmation."""
    company = CompanyFactory()
    first = UserFactory(organisation=company, email=VICTIM, email_verified_at=None)
    tf.enrol_with_secret(first, pyotp.random_base32())
    db.session.add(RecoveryCode(user_id=first.id, code_hash="sha256$00$00"))
    pending = Invitation(organisation=company, email="noch.offen@evil.example", invited_by=first)
    accepted = Invitation(organisation=company, email="helfer@evil.example", invited_by=first)
    db.session.add_all([pending, accepted])
    helper = UserFactory(organisation=company, email="helfer@evil.example", is_org_admin=False)
    accepted.accepted_at = helper.created_at
    db.session.commit()
    helpers_browser = Browser(app.test_client())
    helpers_browser.login(helper)
    assert helpers_browser.client.get("/flats/").status_code == 200
    pending_id = pending.id

    with app.test_request_context():
        from portal.accounts.operations import send_verification

        send_verification(first)
    db.session.commit()
    path = link_in(outbox(VICTIM)[-1])
    response = browser.post(path, {"password": OWNER_PASSWORD}, csrf_from_path=path)
    assert response.status_code == 302

    owner = victim(db)
    assert owner.is_verified and not owner.has_two_factor
    assert owner.totp_secret_encrypted is None
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    assert db.session.get(Invitation, pending_id) is None
    assert not db.session.get(User, helper.id).is_active
    assert helpers_browser.client.get("/flats/").status_code == 302
    done = actions(db)
    assert "auth.2fa_removed" in done
    assert "organisation.invitation_revoked" in done
    assert "organisation.colleague_removed" in done
    # The owner logs in with the password alone (the attacker's authenticator is gone).
    other = Browser(app.test_client())
    assert login(other, VICTIM, OWNER_PASSWORD).headers["Location"] == "/flats/"


def test_reset_link_on_an_unconfirmed_account_confirms_and_cleans_up(app, browser, db):
    first = UserFactory(email=VICTIM, email_verified_at=None)
    tf.enrol_with_secret(first, pyotp.random_base32())
    db.session.commit()
    browser.post("/account/reset", {"email": VICTIM}, csrf_from_path="/account/reset")
    path = link_in(outbox(VICTIM)[-1])
    response = browser.post(path, {"password": OWNER_PASSWORD}, csrf_from_path=path)
    assert response.status_code == 302
    owner = victim(db)
    assert owner.is_verified and not owner.has_two_factor


def test_unconfirmed_account_changes_its_address(app, browser, db):
    user = browser.login("landlord", email="tippfehler@example.org", email_verified_at=None)
    with app.test_request_context():
        from portal.accounts.operations import send_verification

        send_verification(user)
    db.session.commit()
    old_link = link_in(outbox("tippfehler@example.org")[-1])
    taken = UserFactory(email="vergeben@example.org")
    db.session.commit()

    def change(email: str, password: str = TEST_PASSWORD):
        return browser.post(
            "/account/email",
            {"email": email, "current_password": password},
            csrf_from_path="/account/email",
        )

    response = change("richtig@example.org", "falsches Passwort")
    assert response.status_code == 400
    assert "The current password is not correct." in response.get_data(as_text=True)
    response = change(taken.email)
    assert response.status_code == 400
    assert "This address cannot be used" in response.get_data(as_text=True)
    assert outbox(taken.email) == []
    assert victim_email(db, user) == "tippfehler@example.org"

    response = change("Richtig@Example.org")
    assert response.status_code == 302 and response.headers["Location"] == CONFIRM
    assert victim_email(db, user) == "richtig@example.org"
    assert "account.email_changed" in actions(db)
    assert browser.client.get(old_link).status_code == 400  # the old link stopped working
    new_link = link_in(outbox("richtig@example.org")[-1])
    assert browser.client.get(new_link).status_code == 200
    response = browser.post(new_link, {"password": OWNER_PASSWORD}, csrf_from_path=new_link)
    assert response.status_code == 302
    assert db.session.get(User, user.id).is_verified
    # A confirmed account changes its address only through a link sent to the new one.
    response = browser.client.get("/account/email")
    assert response.status_code == 200
    assert 'name="current_password"' in response.get_data(as_text=True)


def victim_email(db, user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).email


def test_unconfirmed_account_sends_the_mediation_form_as_a_visitor(app, browser, db, monkeypatch):
    """The public form stays open, but the request is not tied to the unconfirmed account."""
    from tests.builders import mediation_cases, send_mediation

    monkeypatch.setitem(app.config, "MEDIATION_MIN_SECONDS", 0)
    browser.login("landlord", email_verified_at=None)
    assert send_mediation(browser, sender_kind="landlord").status_code == 302
    [case] = mediation_cases()
    assert case.organisation_id is None and case.user_id is None
