"""Consent: recording, withdrawal and expiry (each hides the profile from landlords at once),
the cron job's reminder, and the scanned form with its social-workers-only download."""

from datetime import timedelta
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from portal.core import clock, storage
from portal.core.audit import AuditEvent
from portal.households.models import CONSENT_SCOPE, Consent, Household
from portal.households.queries import visible_to_landlords
from tests.builders import days_from
from tests.conftest import outbox
from tests.factories import HouseholdFactory, StaffFactory

BASE = "/backoffice/households"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


pytestmark = pytest.mark.usefixtures("uploads")  # a fresh upload folder for each test


def visible_ids(db, today=None) -> set[int]:
    """What landlord-facing queries see: Household filtered by ``visible_to_landlords``."""
    return set(
        db.session.scalars(
            select(Household.id).where(*visible_to_landlords(today or clock.today()))
        )
    )


def record(browser, household, **fields):
    path = f"{BASE}/{household.id}"
    data = {"given_on": clock.today().isoformat(), "scope": CONSENT_SCOPE, **fields}
    return browser.post(
        f"{path}/consents", data, csrf_from_path=path, content_type="multipart/form-data"
    )


def consents_of(db, household) -> list[Consent]:
    return list(
        db.session.scalars(
            select(Consent).where(Consent.household_id == household.id).order_by(Consent.id)
        )
    )


# Record, withdraw, expire -----------------------------------------------------------------------


def test_recorded_consent_has_defaults_and_makes_a_vetted_profile_visible(browser, db):
    worker = browser.login("social_worker")
    household = HouseholdFactory(status="vetted", consent=False)
    assert household.id not in visible_ids(db)
    page = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert "profile visible to registered landlords; name revealed at a viewing" in page
    response = record(browser, household)
    assert response.status_code == 302
    (consent,) = consents_of(db, household)
    assert consent.given_on == clock.today()
    assert (consent.expires_on.year * 12 + consent.expires_on.month) - (
        clock.today().year * 12 + clock.today().month
    ) == 6
    assert consent.scope == CONSENT_SCOPE and consent.recorded_by_id == worker.id
    assert consent.document_key is None
    assert household.id in visible_ids(db)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "consent.recorded" in actions
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The consent is recorded." in html and "valid" in html


def test_consent_with_an_explicit_expiry(browser, db):
    browser.login("social_worker")
    household = HouseholdFactory(consent=False)
    expires = clock.today() + timedelta(days=90)
    record(
        browser,
        household,
        given_on=(clock.today() - timedelta(days=3)).isoformat(),
        expires_on=expires.isoformat(),
    )
    (consent,) = consents_of(db, household)
    assert consent.expires_on == expires and consent.given_on == clock.today() - timedelta(days=3)


@pytest.mark.parametrize(
    ("fields", "message"),
    [  # a date as days from today
        ({"given_on": ""}, "the date the consent was signed"),
        ({"given_on": 1}, "cannot be dated in the future"),
        ({"given_on": -10, "expires_on": -20}, "must be after the date it was given"),
        ({"given_on": -300, "expires_on": -1}, "would already have expired"),
        ({"scope": ""}, "describe the scope"),
    ],
)
def test_consent_form_refusals(browser, db, today, fields, message):
    browser.login("social_worker")
    household = HouseholdFactory(consent=False)
    response = record(browser, household, **days_from(today, fields))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and "The consent was not recorded." in html
    assert consents_of(db, household) == []


def test_withdrawal_hides_the_profile_at_once(browser, db):
    worker = browser.login("social_worker")
    household = HouseholdFactory()
    assert household.id in visible_ids(db)
    (consent,) = consents_of(db, household)
    path = f"{BASE}/{household.id}"
    response = browser.post(
        f"{path}/consents/{consent.id}/withdraw", csrf_from_path=path, follow_redirects=True
    )
    assert "Landlords no longer see the profile." in response.get_data(as_text=True)
    db.session.refresh(consent)
    assert consent.withdrawn_on == clock.today()
    assert household.id not in visible_ids(db)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "consent.withdrawn")
    ).one()
    assert event.actor_id == worker.id
    # Again: nothing changes, no second event.
    again = browser.post(
        f"{path}/consents/{consent.id}/withdraw", csrf_from_path=path, follow_redirects=True
    )
    assert "withdrawn already" in again.get_data(as_text=True)
    assert (
        len(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "consent.withdrawn")
            ).all()
        )
        == 1
    )


def test_withdrawing_one_of_two_valid_consents_says_the_profile_stays(browser, db):
    browser.login("social_worker")
    household = HouseholdFactory()
    record(browser, household)
    first = consents_of(db, household)[0]
    path = f"{BASE}/{household.id}"
    html = browser.post(
        f"{path}/consents/{first.id}/withdraw", csrf_from_path=path, follow_redirects=True
    ).get_data(as_text=True)
    assert "Another consent is still valid" in html
    assert household.id in visible_ids(db)


def test_expiry_hides_the_profile_the_day_after(db):
    household = HouseholdFactory(consent=False)
    today = clock.today()
    db.session.add(
        Consent(household=household, given_on=today - timedelta(days=180), expires_on=today)
    )
    db.session.flush()
    assert household.id in visible_ids(db, today)
    assert household.id not in visible_ids(db, today + timedelta(days=1))


def test_consent_of_another_household_is_404(browser, db):
    browser.login("social_worker")
    mine, other = HouseholdFactory(), HouseholdFactory()
    (consent,) = consents_of(db, other)
    path = f"{BASE}/{mine.id}"
    response = browser.post(f"{path}/consents/{consent.id}/withdraw", csrf_from_path=path)
    assert response.status_code == 404
    db.session.refresh(consent)
    assert consent.withdrawn_on is None


def test_detail_shows_each_consent_state(browser, db):
    browser.login("specialist")
    household = HouseholdFactory(consent=False)
    today = clock.today()
    db.session.add_all(
        [
            Consent(
                household=household,
                given_on=today - timedelta(days=400),
                expires_on=today - timedelta(days=200),
            ),
            Consent(
                household=household,
                given_on=today - timedelta(days=190),
                expires_on=today + timedelta(days=90),
                withdrawn_on=today - timedelta(days=2),
            ),
            Consent(
                household=household,
                given_on=today - timedelta(days=1),
                expires_on=today + timedelta(days=180),
            ),
        ]
    )
    db.session.flush()
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    consents = html.split('id="consents-title"')[1].split("</table>")[0]
    assert ">valid<" in consents and ">expired<" in consents and "withdrawn on" in consents
    # Specialists read the states, but neither record nor withdraw.
    assert "Record written consent" not in html and "Withdraw consent" not in html


# The cron job -----------------------------------------------------------------------------------


def test_cli_reminds_once_14_days_before_and_records_expiry(runner, db):
    worker = StaffFactory(role="social_worker", email="engel@example.org")
    today = clock.today()
    soon = HouseholdFactory(consent=False)
    expired = HouseholdFactory(consent=False)
    db.session.add_all(
        [
            Consent(
                household=soon,
                given_on=today - timedelta(days=170),
                expires_on=today + timedelta(days=14),
                recorded_by_id=worker.id,
            ),
            Consent(
                household=expired,
                given_on=today - timedelta(days=200),
                expires_on=today - timedelta(days=1),
                recorded_by_id=worker.id,
            ),
        ]
    )
    HouseholdFactory()  # 170 days left: no reminder yet
    db.session.commit()

    result = runner.invoke(args=["households", "expire-consents"])
    assert result.exit_code == 0, result.output
    assert "expired 1, reminded 1" in result.output
    mails = outbox("engel@example.org")
    assert len(mails) == 1
    assert soon.code in mails[0].subject and soon.code in mails[0].body_text
    assert f"/backoffice/households/{soon.id}" in mails[0].body_text

    again = runner.invoke(args=["households", "expire-consents"])
    assert "expired 0, reminded 0" in again.output
    assert len(outbox("engel@example.org")) == 1
    expiry_events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "consent.expired")
    ).all()
    assert len(expiry_events) == 1
    assert expired.id not in visible_ids(db)


def test_cli_reminds_another_social_worker_when_the_recorder_left(runner, db):
    gone = StaffFactory(role="social_worker", email="weg@example.org", is_active=False)
    colleague = StaffFactory(role="social_worker", email="da@example.org")
    household = HouseholdFactory(consent=False)
    today = clock.today()
    db.session.add(
        Consent(
            household=household,
            given_on=today - timedelta(days=170),
            expires_on=today + timedelta(days=3),
            recorded_by_id=gone.id,
        )
    )
    db.session.commit()
    assert runner.invoke(args=["households", "expire-consents"]).exit_code == 0
    assert outbox("weg@example.org") == [] and len(outbox(colleague.email)) == 1


# The signed form --------------------------------------------------------------------------------


def jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (1240, 1754), (250, 250, 250)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_pdf_is_accepted_and_stored_under_a_random_name(browser, db, uploads):
    browser.login("social_worker")
    household = HouseholdFactory(consent=False)
    response = record(browser, household, document=(BytesIO(PDF), "Einwilligung Haddad.pdf"))
    assert response.status_code == 302
    (consent,) = consents_of(db, household)
    assert consent.document_type == "application/pdf"
    assert consent.document_key.startswith("consents/") and "Haddad" not in consent.document_key
    assert storage.read(consent.document_key) == PDF
    assert [key.split("/")[0] for key in storage.list_keys()] == ["consents"]


def test_image_is_accepted_and_re_encoded(browser, db):
    browser.login("social_worker")
    household = HouseholdFactory(consent=False)
    response = record(browser, household, document=(BytesIO(jpeg()), "scan.jpg"))
    assert response.status_code == 302
    (consent,) = consents_of(db, household)
    assert consent.document_type == "image/webp"
    assert storage.read(consent.document_key)[8:12] == b"WEBP"


@pytest.mark.parametrize(
    "content",
    [
        b"Dies ist keine PDF-Datei, nur Text.\n",
        b"<html><script>alert(1)</script></html>",
        b" %PDF-1.4 with a leading space",
    ],
)
def test_text_named_pdf_is_refused(browser, db, uploads, content):
    browser.login("social_worker")
    household = HouseholdFactory(consent=False)
    response = record(browser, household, document=(BytesIO(content), "Einwilligung.pdf"))
    assert response.status_code == 200
    assert "neither a PDF nor an image" in response.get_data(as_text=True)
    assert consents_of(db, household) == []
    assert list(storage.list_keys()) == []


def test_document_larger_than_10_mb_is_refused(browser, db):
    browser.login("social_worker")
    household = HouseholdFactory(consent=False)
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = record(browser, household, document=(BytesIO(big), "gross.pdf"))
    assert response.status_code == 200
    assert "at most 10 MB" in response.get_data(as_text=True)
    assert consents_of(db, household) == []


def with_document(browser, db) -> tuple[Household, Consent]:
    household = HouseholdFactory(consent=False)
    record(browser, household, document=(BytesIO(PDF), "form.pdf"))
    (consent,) = consents_of(db, household)
    return household, consent


def test_social_worker_downloads_the_document(browser, db):
    worker = browser.login("social_worker")
    household, consent = with_document(browser, db)
    page = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    url = f"{BASE}/{household.id}/consents/{consent.id}/document"
    assert url in page
    response = browser.client.get(url)
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"consent-{household.code}" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "consent.document_downloaded")
    ).one()
    assert event.actor_id == worker.id


def test_specialist_gets_403_and_no_link(app, browser, db):
    from tests.conftest import Browser

    browser.login("social_worker")
    household, consent = with_document(browser, db)
    specialist = Browser(app.test_client())
    specialist.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    specialist.login("specialist")
    url = f"{BASE}/{household.id}/consents/{consent.id}/document"
    assert specialist.client.get(url).status_code == 403
    assert url not in specialist.client.get(f"{BASE}/{household.id}").get_data(as_text=True)


def test_unknown_documents_are_404(browser, db, uploads):
    browser.login("social_worker")
    household, consent = with_document(browser, db)
    other = HouseholdFactory()
    (without_document,) = consents_of(db, other)
    base = f"{BASE}/{household.id}/consents"
    assert browser.client.get(f"{base}/{consent.id + 1000}/document").status_code == 404
    assert browser.client.get(f"{BASE}/999999/consents/{consent.id}/document").status_code == 404
    # Another household's consent under this household's address.
    assert browser.client.get(f"{base}/{without_document.id}/document").status_code == 404
    assert (
        browser.client.get(f"{BASE}/{other.id}/consents/{without_document.id}/document").status_code
        == 404
    )
    storage.delete(consent.document_key)  # the file is gone from the volume
    assert browser.client.get(f"{base}/{consent.id}/document").status_code == 404
