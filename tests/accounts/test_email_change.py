"""Issue 15: a confirmed account changes its e-mail address through a link sent to the new
address; the old address gets a notice; nothing changes before the link is followed. A taken
address gets the same answer as a free one (no account-existence oracle)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts import operations as ops
from portal.accounts.models import User
from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from tests.conftest import link_in, outbox
from tests.factories import UserFactory
from tests.services import TEST_PASSWORD

NEW = "neu@example.org"


def ask(browser, email: str = NEW, password: str = TEST_PASSWORD):
    return browser.post(
        "/account/email",
        {"email": email, "current_password": password},
        csrf_from_path="/account/email",
    )


def actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def email_of(db, user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).email


def test_the_profile_links_to_the_change(browser):
    browser.login("landlord")
    html = browser.client.get("/account/").get_data(as_text=True)
    assert 'href="/account/email"' in html


def test_the_link_goes_to_the_new_address_and_a_notice_to_the_old(browser, db):
    user = browser.login("landlord")
    old = user.email
    page = browser.client.get("/account/email")
    assert page.status_code == 200 and "your address changes only when" in page.get_data(
        as_text=True
    )
    response = ask(browser)
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert email_of(db, user) == old, "nothing changes before the link is followed"
    assert "account.email_change_requested" in actions(db)
    (link_mail,) = outbox(NEW)
    assert "/account/email/confirm/" in link_mail.body_text
    (notice,) = outbox(old)
    assert NEW in notice.body_text and "requested" in notice.subject

    path = link_in(link_mail)
    page = browser.client.get(path)
    assert page.status_code == 200 and NEW in page.get_data(as_text=True)
    assert email_of(db, user) == old, "opening the link changes nothing"

    response = browser.post(path, csrf_from_path=path)
    assert response.status_code == 302
    assert email_of(db, user) == NEW
    assert db.session.get(User, user.id).is_verified
    assert actions(db)[-1] == "account.email_changed"
    done = outbox(old)[-1]
    assert "was changed" in done.subject and NEW in done.body_text
    # The link works once.
    assert browser.client.get(path).status_code == 400
    # The next login is with the new address.
    browser.logout()
    assert browser.post(
        "/account/login", {"email": NEW, "password": TEST_PASSWORD}
    ).status_code == (302)


def test_the_link_works_without_a_login_and_in_another_browser(app, browser, db):
    user = browser.login("landlord")
    ask(browser)
    path = link_in(outbox(NEW)[0])
    browser.logout()
    response = browser.post(path, csrf_from_path=path)
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    assert email_of(db, user) == NEW


def test_a_wrong_password_is_refused_and_audited(browser, db):
    user = browser.login("landlord")
    response = ask(browser, password="falsch falsch falsch")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The current password is not correct." in html
    assert f'value="{NEW}"' in html, "the input is kept"
    assert outbox(NEW) == [] and email_of(db, user) == user.email
    assert "account.email_change_refused" in actions(db)


def test_the_same_address_is_refused(browser, db):
    user = browser.login("landlord")
    response = ask(browser, email=user.email.upper())
    assert response.status_code == 400
    assert "This is the address the account has already." in response.get_data(as_text=True)
    assert len(outbox()) == 0


def test_an_invalid_address_is_refused(app, browser, db):
    user = browser.login("landlord")
    response = ask(browser, email="kein-at-zeichen")
    assert "Please enter a valid e-mail address" in response.get_data(as_text=True)
    assert outbox() == []
    # The operation refuses it too, whatever form called it.
    with app.test_request_context(), pytest.raises(Refused) as refused:
        ops.request_email_change(user, TEST_PASSWORD, "zwei@@example.org")
    assert refused.value.code == "invalid" and refused.value.status == 400


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_notice(browser, db):
    owner = UserFactory(email="vergeben@example.org")
    user = browser.login("landlord")
    free = ask(browser, email="frei@example.org")
    mails_free = len(outbox())
    taken = ask(browser, email="Vergeben@example.org")
    assert free.status_code == taken.status_code == 302
    assert free.headers["Location"] == taken.headers["Location"]
    assert len(outbox()) - mails_free == mails_free, "the same number of mails either way"
    notice = outbox(owner.email)[-1]
    assert "/account/email/confirm/" not in notice.body_text, "no link to take the address"
    assert "nothing was changed" in notice.body_text
    assert email_of(db, user) == user.email
    assert email_of(db, owner) == "vergeben@example.org"


def test_an_address_taken_before_the_link_is_followed_is_refused(browser, db):
    user = browser.login("landlord")
    ask(browser)
    path = link_in(outbox(NEW)[0])
    UserFactory(email=NEW)
    response = browser.post(path, csrf_from_path=path)
    assert response.status_code == 409
    assert "This address cannot be used" in response.get_data(as_text=True)
    assert email_of(db, user) != NEW
    assert actions(db)[-1] == "account.email_change_refused"


def test_forged_and_expired_links_are_refused(app, browser, db, monkeypatch):
    user = browser.login("landlord")
    ask(browser)
    path = link_in(outbox(NEW)[0])
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert browser.client.get(forged).status_code == 400
    assert browser.post(forged, csrf_from_path=path).status_code == 400
    monkeypatch.setitem(app.config, "EMAIL_VERIFY_MAX_AGE", -1)
    response = browser.client.get(path)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert email_of(db, user) == user.email


def test_an_unconfirmed_account_still_corrects_its_address_at_once(browser, db):
    user = UserFactory(email_verified_at=None)
    browser.login(user)
    response = ask(browser)
    assert response.headers["Location"] == "/account/confirm"
    assert email_of(db, user) == NEW
    assert "/account/verify/" in outbox(NEW)[0].body_text
    count = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "account.email_changed")
    )
    assert count == 1


def test_the_pages_and_mails_speak_german(browser, db):
    user = UserFactory(locale="de")
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    browser.login(user)
    html = browser.client.get("/account/email").get_data(as_text=True)
    assert "Ihre Adresse ändert sich erst" in html
    ask(browser)
    assert "Bitte bestätigen Sie Ihre neue E-Mail-Adresse" in outbox(NEW)[0].subject
    assert "Änderung Ihrer E-Mail-Adresse" in outbox(user.email)[0].subject


def test_each_way_refuses_the_other_kind_of_account(app, db):
    unconfirmed = UserFactory(email_verified_at=None)
    confirmed = UserFactory()
    with app.test_request_context():
        with pytest.raises(Refused) as refused:
            ops.request_email_change(unconfirmed, TEST_PASSWORD, NEW)
        assert refused.value.code == "unconfirmed"
        with pytest.raises(Refused) as refused:
            ops.change_unconfirmed_email(confirmed, TEST_PASSWORD, NEW)
        assert refused.value.code == "confirmed"
    assert outbox() == []
