"""Issue 13.15: a landlord who lost phone and recovery codes gets back in through the
specialist, who confirms the person by phone and resets the second factor."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from portal.accounts import twofactor as tf
from portal.accounts.models import User
from portal.core.audit import AuditEvent
from tests.conftest import Browser, outbox
from tests.factories import StaffFactory, UserFactory
from tests.services import TEST_PASSWORD


def landlord_with_two_factor(db, **kw) -> User:
    landlord = UserFactory(full_name="Lena Vermieterin", **kw)
    tf.enrol_with_secret(landlord, pyotp.random_base32())
    db.session.flush()
    tf._replace_recovery_codes(landlord)
    db.session.commit()
    return landlord


def path_for(user: User) -> str:
    return f"/backoffice/landlords/{user.id}/reset-second-factor"


def fresh(db, user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def resets(db) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.2fa_reset")))


def test_specialist_resets_after_confirming_by_phone(app, browser, db):
    landlord = landlord_with_two_factor(db, locale="de")
    theirs = Browser(app.test_client())
    theirs.login(landlord)
    assert theirs.client.get("/flats/").status_code == 200

    specialist = browser.login("specialist")
    listing = browser.client.get("/backoffice/landlords").get_data(as_text=True)
    assert path_for(landlord) in listing
    page = browser.client.get(path_for(landlord))
    assert page.status_code == 200 and "Lena Vermieterin" in page.get_data(as_text=True)
    # Without the confirmation nothing happens.
    response = browser.post(
        path_for(landlord), {"identity_check": "callback_known_number"}, csrf_from_path="/"
    )
    assert response.status_code == 400
    assert "Please confirm that you checked the person" in response.get_data(as_text=True)
    assert fresh(db, landlord).has_two_factor and not resets(db)

    response = browser.post(
        path_for(landlord),
        {"identity_check": "callback_known_number", "confirmed": "y"},
        csrf_from_path="/",
    )
    assert response.status_code == 303
    landlord = fresh(db, landlord)
    assert not landlord.has_two_factor and landlord.totp_secret_encrypted is None
    assert tf.recovery_codes_left(landlord) == 0
    [event] = resets(db)
    assert event.actor_id == specialist.id and event.object_id == landlord.id
    assert event.details == {"role": "landlord", "method": "callback_known_number"}
    [mail] = outbox(landlord.email)
    assert mail.subject == "Ihr zweiter Faktor wurde zurückgesetzt"  # the landlord's language
    # Their sessions ended; they log in with the password alone now.
    response = theirs.client.get("/flats/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    again = theirs.post("/account/login", {"email": landlord.email, "password": TEST_PASSWORD})
    assert again.headers["Location"] == "/flats/"


def test_only_specialists_reset_and_only_landlords(browser, db):
    landlord = landlord_with_two_factor(db)
    for role in ("social_worker", "admin"):
        browser.login(role)
        assert browser.client.get(path_for(landlord)).status_code == 403
        response = browser.post(
            path_for(landlord),
            {"identity_check": "callback_known_number", "confirmed": "y"},
            csrf_from_path="/",
        )
        assert response.status_code == 403
        browser.logout()
    browser.login(landlord)
    assert browser.client.get(path_for(landlord)).status_code == 403
    browser.logout()
    browser.login("specialist")
    colleague = StaffFactory(role="social_worker")
    db.session.commit()
    assert browser.client.get(path_for(colleague)).status_code == 404  # staff: the admin's page
    assert browser.client.get("/backoffice/landlords/999999/reset-second-factor").status_code == 404
    assert fresh(db, landlord).has_two_factor and fresh(db, colleague).has_two_factor
    assert not resets(db) and outbox(landlord.email) == []


def test_landlord_without_second_factor_has_nothing_to_reset(browser, db):
    landlord = UserFactory()
    db.session.commit()
    browser.login("specialist")
    html = browser.client.get(path_for(landlord)).get_data(as_text=True)
    assert "This account has no second factor" in html
    response = browser.post(
        path_for(landlord),
        {"identity_check": "callback_known_number", "confirmed": "y"},
        csrf_from_path="/",
    )
    assert response.status_code == 400
    assert not resets(db) and outbox(landlord.email) == []


def test_unknown_identity_check_is_refused(browser, db):
    landlord = landlord_with_two_factor(db)
    browser.login("specialist")
    response = browser.post(
        path_for(landlord), {"identity_check": "gut feeling", "confirmed": "y"}, csrf_from_path="/"
    )
    assert response.status_code == 400
    assert fresh(db, landlord).has_two_factor and not resets(db)
