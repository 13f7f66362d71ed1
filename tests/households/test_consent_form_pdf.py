"""The printable consent form (issue 17): a PDF for social workers only, in German, naming
every category a landlord sees, the explicit consent for health-related needs (GDPR Art. 9),
the duration, the withdrawal and the ESF note; the household's code, never its names."""

from html import unescape
from io import BytesIO

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from portal.households.labels import CONSENT_CATEGORIES, CONSENT_ESF_NOTE
from tests.factories import HouseholdFactory, IdentityFactory

BASE = "/backoffice/households"


def _text(data: bytes) -> str:
    """The PDF's text with every run of white space (line breaks included) as one space."""
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return " ".join(text.split())


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def test_the_form_names_every_category_the_code_and_no_name(browser, db, app):
    browser.login("social_worker")
    identity = IdentityFactory()
    household = identity.household
    db.session.commit()
    response = browser.client.get(f"{BASE}/{household.id}/consent-form.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = _text(response.data)
    with app.test_request_context(), force_locale("de"):
        expected = [str(category) for category in CONSENT_CATEGORIES]
        expected.append(str(CONSENT_ESF_NOTE))
    assert len(expected) == 7
    for line in expected:
        assert _flat(line) in text, line
    assert "Einwilligung in die Weitergabe an Vermieterinnen und Vermieter" in text
    assert "gesundheitsbezogenen Bedarfe" in text and "Art. 9 Abs. 2 lit. a DSGVO" in text
    assert "Verordnung (EU) 2021/1057" in text or "2021/1057" in text
    assert "6 Monate" in text
    assert "jederzeit" in text and app.config["PROGRAMME_CONTACT_EMAIL"] in text
    assert household.code in text
    for name in ["Amira", "Haddad", "Samir", identity.phone, identity.email]:
        assert name not in text
    # A name, place/date and signature line for each of the two adults.
    assert text.count("Unterschrift") >= 2
    assert "Erwachsene Person 2: Name" in text


def test_the_category_texts_are_the_consent_texts_on_the_page(browser, db, app):
    """One source: the page's consent text lists the same categories as the PDF."""
    browser.login("social_worker")
    household = HouseholdFactory(consent=False, status="draft")
    db.session.commit()
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert f"{BASE}/{household.id}/consent-form.pdf" in html
    assert "Print consent form (PDF)" in html or "Einwilligungsformular drucken (PDF)" in html
    with app.test_request_context(), force_locale("en"):
        texts = [str(category) for category in CONSENT_CATEGORIES]
    for category in texts:
        assert category in unescape(html), category


@pytest.mark.parametrize("role", ["specialist", "landlord", "admin"])
def test_only_social_workers_get_the_form(browser, db, role):
    household = HouseholdFactory()
    db.session.commit()
    browser.login(role)
    response = browser.client.get(f"{BASE}/{household.id}/consent-form.pdf")
    assert response.status_code in (403, 404)
    assert response.headers.get("Content-Type") != "application/pdf"


def test_the_specialist_sees_no_link(browser, db):
    household = HouseholdFactory()
    db.session.commit()
    browser.login("specialist")
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert "consent-form.pdf" not in html


def test_an_unknown_household_is_404(browser, db):
    browser.login("social_worker")
    assert browser.client.get(f"{BASE}/999999/consent-form.pdf").status_code == 404
