"""The Mietbescheinigung (issue 16): filled at the rent offer from the flat and the placement,
checked by the landlord (confirm with the bank account, or report a correction), downloaded by
staff as a PDF whose text is read back."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.placements.models import State
from portal.placements.paperwork import rent_certificate as rc
from tests.builders import PLACEMENTS, placement_in, world
from tests.conftest import outbox
from tests.factories import UserFactory

GOOD_IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def offered(app, db, frozen_clock):
    w = world(energy_carrier="gas", street="Königstraße", house_number="7")
    w.placement = placement_in(app, w, State.RENT_OFFER_SUBMITTED)
    db.session.commit()
    return w


def certificate(db, placement) -> rc.RentCertificate:
    db.session.expire_all()
    return db.session.scalar(
        select(rc.RentCertificate).where(rc.RentCertificate.placement_id == placement.id)
    )


def page(key: str) -> str:
    return f"/placements/{key}/rent-certificate"


def audits(db, action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        (GOOD_IBAN, True),
        ("de89370400440532013000", True),
        ("GB82 WEST 1234 5698 7654 32", True),
        ("DE89 3704 0044 0532 0130 01", False),  # checksum
        ("DE89 3704 0044 0532 0130", False),  # too short for Germany
        ("", False),
        ("hello", False),
    ],
)
def test_iban_checksum(text, ok):
    assert (rc.normal_iban(text) is not None) is ok


def test_the_rent_offer_step_fills_the_form(db, offered):
    cert = certificate(db, offered.placement)
    assert cert.status == "prepared"
    values = cert.values
    assert values["landlord"] == offered.flat.organisation.name
    assert values["address"].startswith("Königstraße 7")
    assert values["cold_rent"] == "480.00"
    assert values["gross_rent"] == "730.00"
    assert values["persons"] == 3
    assert values["heating_kind"] == "gas"
    assert audits(db, "rent_certificate.prepared") == 1


def test_landlord_confirms_with_the_bank_account(browser, db, offered):
    browser.login(offered.landlord)
    html = browser.client.get(f"/placements/{offered.placement.public_key}").get_data(as_text=True)
    assert page(offered.placement.public_key) in html
    html = browser.client.get(page(offered.placement.public_key)).get_data(as_text=True)
    for text in ["480.00", "730.00", "Königstraße 7", "1,440.00", "72 m²"]:  # English page
        assert text in html, text
    response = browser.post(
        page(offered.placement.public_key) + "/confirm",
        {"confirm-iban": GOOD_IBAN, "confirm-account_holder": "Wohnbau GmbH"},
    )
    assert response.status_code == 302
    cert = certificate(db, offered.placement)
    assert (cert.status, cert.iban, cert.account_holder) == (
        "confirmed",
        "DE89370400440532013000",
        "Wohnbau GmbH",
    )
    assert audits(db, "rent_certificate.confirmed") == 1
    # Answered once: a second answer is refused, nothing changes.
    response = browser.post(page(offered.placement.public_key) + "/correct", {"correct-note": "x"})
    assert response.status_code == 302
    assert certificate(db, offered.placement).status == "confirmed"


def test_a_wrong_iban_is_refused_with_the_input_kept(browser, db, offered):
    browser.login(offered.landlord)
    response = browser.post(
        page(offered.placement.public_key) + "/confirm",
        {"confirm-iban": "DE89 3704 0044 0532 0130 01", "confirm-account_holder": "Wohnbau"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "IBAN" in html and "DE89 3704 0044 0532 0130 01" in html
    assert 'aria-invalid="true"' in html
    assert certificate(db, offered.placement).status == "prepared"
    assert audits(db, "rent_certificate.confirmed") == 0
    response = browser.post(
        page(offered.placement.public_key) + "/confirm",
        {"confirm-iban": GOOD_IBAN, "confirm-account_holder": "  "},
    )
    assert response.status_code == 400
    assert certificate(db, offered.placement).status == "prepared"


def test_landlord_reports_a_correction_to_the_specialist(browser, db, offered):
    browser.login(offered.landlord)
    response = browser.post(
        page(offered.placement.public_key) + "/correct",
        {"correct-note": "Die Nebenkosten sind 170 €."},
    )
    assert response.status_code == 302
    cert = certificate(db, offered.placement)
    assert cert.status == "corrections_requested"
    assert cert.correction_note == "Die Nebenkosten sind 170 €."
    assert audits(db, "rent_certificate.corrections_requested") == 1
    mails = outbox(offered.specialist.email)
    assert mails and "Die Nebenkosten sind 170 €." in mails[-1].body_text


def test_an_empty_correction_is_refused(browser, db, offered):
    browser.login(offered.landlord)
    response = browser.post(page(offered.placement.public_key) + "/correct", {"correct-note": ""})
    assert response.status_code == 400
    assert certificate(db, offered.placement).status == "prepared"


def test_another_organisation_gets_404_and_nothing_changes(browser, db, offered):
    browser.login(UserFactory())
    key = offered.placement.public_key
    token = browser.csrf("/placements/")
    for method, path, data in [
        ("GET", page(key), {}),
        ("POST", page(key) + "/confirm", {"confirm-iban": GOOD_IBAN}),
        ("POST", page(key) + "/correct", {"correct-note": "x"}),
    ]:
        response = browser.client.open(
            path, method=method, data={"csrf_token": token, "confirm-csrf_token": token, **data}
        )
        assert response.status_code == 404, (method, path)
        assert "Königstraße" not in response.get_data(as_text=True)
    assert certificate(db, offered.placement).status == "prepared"


def test_without_csrf_nothing_changes(browser, db, offered):
    browser.login(offered.landlord)
    response = browser.client.post(
        page(offered.placement.public_key) + "/confirm",
        data={"confirm-iban": GOOD_IBAN, "confirm-account_holder": "Wohnbau"},
    )
    assert response.status_code == 400
    assert certificate(db, offered.placement).status == "prepared"


def test_before_the_rent_offer_there_is_no_form(app, browser, db, frozen_clock):
    w = world()
    placement = placement_in(app, w, State.VIEWING_DONE)
    db.session.commit()
    browser.login(w.landlord)
    assert browser.client.get(page(placement.public_key)).status_code == 404
    html = browser.client.get(f"/placements/{placement.public_key}").get_data(as_text=True)
    assert "rent-certificate" not in html


def _pdf(browser, placement) -> bytes:
    response = browser.client.get(f"{PLACEMENTS}/{placement.id}/rent-certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return response.data


def test_staff_download_the_pdf_with_every_value(browser, db, offered):
    cert = certificate(db, offered.placement)
    with browser.client.application.test_request_context():
        rc.confirm(cert, offered.landlord, GOOD_IBAN, "Wohnbau Duisburg GmbH & Co. KG")
    db.session.commit()
    browser.login(offered.specialist)
    detail = browser.client.get(f"{PLACEMENTS}/{offered.placement.id}").get_data(as_text=True)
    assert "rent-certificate.pdf" in detail
    data = _pdf(browser, offered.placement)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat_text = " ".join(text.split())
    for value in [
        offered.flat.organisation.name,
        offered.landlord.full_name,
        "Königstraße 7",
        "72 m²",
        "480,00 €",
        "160,00 €",
        "90,00 €",
        "730,00 €",
        "1.440,00 €",
        "Gas",
        "DE89 3704 0044 0532 0130 00",
        "Wohnbau Duisburg GmbH & Co. KG",
        "Endlich ein ZUHAUSE",
    ]:
        assert value in flat_text, value
    for label in ["Vermieter", "Kaltmiete", "Nebenkosten", "Heizkosten", "Kaution", "Personen"]:
        assert label in flat_text, label


def test_the_pdf_renders_to_an_image(browser, db, offered, tmp_path):
    """Where pdftoppm is installed, the PDF must render (a broken font or table fails here);
    without it, the text check above stands alone (pypdf reads every page)."""
    browser.login(offered.specialist)
    data = _pdf(browser, offered.placement)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    assert all(page.extract_text().strip() for page in reader.pages)
    binary = shutil.which("pdftoppm")
    if binary is None:
        return
    source = tmp_path / "form.pdf"
    source.write_bytes(data)
    subprocess.run(  # noqa: S603 - a fixed binary on a file the test wrote
        [binary, "-png", "-r", "50", str(source), str(tmp_path / "page")], check=True
    )
    images = sorted(tmp_path.glob("page*.png"))
    assert len(images) == len(reader.pages)
    assert all(image.stat().st_size > 1000 for image in images)


def test_landlords_and_admins_may_not_download(browser, db, offered):
    for user in (offered.landlord, "admin"):
        browser.login(user)
        response = browser.client.get(f"{PLACEMENTS}/{offered.placement.id}/rent-certificate.pdf")
        assert response.status_code == 403


def test_staff_see_the_correction_and_fill_the_form_anew(browser, db, offered):
    cert = certificate(db, offered.placement)
    with browser.client.application.test_request_context():
        rc.request_correction(cert, offered.landlord, "Die Kaution ist 1.200 €.")
    db.session.commit()
    offered.flat.deposit = 1200
    db.session.commit()
    browser.login(offered.specialist)
    html = browser.client.get(f"{PLACEMENTS}/{offered.placement.id}").get_data(as_text=True)
    assert "Die Kaution ist 1.200 €." in html
    response = browser.post(f"{PLACEMENTS}/{offered.placement.id}/rent-certificate/refill")
    assert response.status_code == 302
    cert = certificate(db, offered.placement)
    assert (cert.status, cert.values["deposit"], cert.correction_note) == (
        "prepared",
        "1200.00",
        None,
    )


def test_the_rent_offer_mail_asks_the_landlord_to_check_it(db, offered):
    """The landlord must act: the step's e-mail says so and names the one thing to do."""
    mail = outbox(offered.landlord.email)[-1]
    assert mail.subject.startswith("Rent offer sent")
    assert "filled in the Mietbescheinigung" in mail.body_text
    assert "Check the Mietbescheinigung:" in mail.body_text
