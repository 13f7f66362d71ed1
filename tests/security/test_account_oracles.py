"""Registration and the password-reset request do not tell whether an address has an account
(issue 13, item 3): the answer is the same page, and both paths do the same work - the same
number of password hashes (the slow part), queued mails and audit events. The work is counted,
never timed (CONVENTIONS: timing goes in benchmarks)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.accounts import passwords
from portal.core.audit import AuditEvent
from tests.conftest import outbox
from tests.factories import UserFactory

PASSWORD = "lange sichere Passphrase 2026"
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


@pytest.fixture
def hash_calls(monkeypatch) -> list[str]:
    """Every password hash the operations compute, counted (argon2id is the slow part)."""
    calls: list[str] = []
    real = passwords.hash_password

    def counting(password: str) -> str:
        calls.append(password)
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", counting)
    return calls


def audit_count(db) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def page(response) -> str:
    return CSRF_VALUE.sub(r"\1-\2", response.get_data(as_text=True))


def register(browser, email: str):
    data = {
        "kind": "private",
        "organisation_name": "Vermietung Rhein",
        "full_name": "Berta Klein",
        "email": email,
        "password": PASSWORD,
        "accept_privacy": "y",
    }
    return browser.post("/account/register", data, csrf_from_path="/account/register")


def work(db, hash_calls, action) -> tuple[object, int, int, int]:
    """(response, hashes, queued mails, audit events) of ``action()``."""
    hashes, mails, events = len(hash_calls), len(outbox()), audit_count(db)
    response = action()
    return (
        response,
        len(hash_calls) - hashes,
        len(outbox()) - mails,
        audit_count(db) - events,
    )


def test_registration_with_a_taken_address_does_the_same_work(browser, db, hash_calls):
    owner = UserFactory(email="taken@example.org", locale="de")
    new, new_hashes, new_mails, new_events = work(
        db, hash_calls, lambda: register(browser, "fresh@example.org")
    )
    taken, taken_hashes, taken_mails, taken_events = work(
        db, hash_calls, lambda: register(browser, "Taken@Example.org")
    )
    assert new_hashes == taken_hashes == 1, "the password is hashed whether or not it is used"
    assert new_mails == taken_mails == 1
    assert new_events == taken_events == 1
    assert new.status_code == taken.status_code == 302
    assert new.headers["Location"] == taken.headers["Location"]
    # The owner hears of it, in their own language, with a login and a reset link.
    notice = outbox(owner.email)[-1]
    assert "Jemand wollte sich" in notice.subject
    assert "/account/login" in notice.body_text and "/account/reset" in notice.body_text
    # The answer page behind the redirect is one page for both.
    assert page(browser.client.get(new.headers["Location"])) == page(
        browser.client.get(taken.headers["Location"])
    )


def test_password_reset_request_does_the_same_work_for_unknown_addresses(browser, db, hash_calls):
    user = UserFactory()
    inactive = UserFactory(is_active=False)

    def request(email: str):
        return browser.post("/account/reset", {"email": email}, csrf_from_path="/account/reset")

    known = work(db, hash_calls, lambda: request(user.email))
    unknown = work(db, hash_calls, lambda: request("nobody@example.org"))
    deactivated = work(db, hash_calls, lambda: request(inactive.email))
    for response, hashes, mails, events in (known, unknown, deactivated):
        assert response.status_code == 200
        assert (hashes, mails, events) == (0, 1, 1)
    assert page(known[0]) == page(unknown[0]) == page(deactivated[0])
    # The owner gets the link; an address without an (active) account a notice without one.
    assert "/account/reset/" in outbox(user.email)[-1].body_text
    for address in ("nobody@example.org", inactive.email):
        notice = outbox(address)[-1]
        assert "/account/reset/" not in notice.body_text
        assert "no active account" in notice.body_text


def test_notice_to_an_unknown_address_speaks_the_asking_browsers_language(browser):
    browser.client.post(
        "/account/reset",
        data={"email": "niemand@example.org", "csrf_token": browser.csrf("/account/reset")},
        headers={"Accept-Language": "de"},
    )
    notice = outbox("niemand@example.org")[-1]
    assert "kein aktives Konto" in notice.body_text


def test_resending_the_confirmation_link_names_no_address(app, browser, db):
    """Sending the confirmation link again takes no address: only a logged-in account asks, for
    itself, so it cannot be used to learn whether some address has an account."""
    other = UserFactory(email_verified_at=None)
    token = browser.csrf("/account/login")
    anonymous = browser.client.post(
        "/account/verify/resend", data={"email": other.email, "csrf_token": token}
    )
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    me = UserFactory(email_verified_at=None)
    browser.login(me)
    browser.post("/account/verify/resend", {"email": other.email}, csrf_from_path="/account/")
    assert outbox(other.email) == []
    assert len(outbox(me.email)) == 1
