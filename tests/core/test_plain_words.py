"""Issue 15: numbers, plurals and dates through Babel everywhere. Every public and landlord page,
with a landlord who has a flat, a household that fits it and a placement up to the move-in, is
rendered in German and in English and searched for the known wrong forms: "1 Personen",
"1 persons", US dates, "5000 Zeichen" without a separator."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from flask_babel import force_locale

from portal.core.i18n import day, moment
from portal.households.forms.profile import proposal_hints
from portal.households.operations import propose as propose_sizes
from portal.listings.affordability import affordability_sentence
from portal.placements.models import State
from tests.builders import VIEWING_AT, drive, propose, world
from tests.factories import FlatFactory, HouseholdFactory

WRONG = {
    "de": [
        r"\b1 Personen\b",
        r"\b1 Nachkommastellen\b",
        r"\b\d{4,} Zeichen\b",  # 5000 Zeichen: 5.000
        r"\b\d{1,3},\d{3} Zeichen\b",  # the English separator in German
    ],
    "en": [
        r"\b1 (persons|people|rooms)\b",
        r"\b1 decimals\b",
        r"\b\d{4,} characters\b",
        r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}\b",  # Nov 25, 2026
        r"\b\d{1,2}/\d{1,2}/\d{2}\b",  # 11/25/26
        r"\b\d{1,2}:\d{2}\s?[AP]M\b",
    ],
}
# Pages that need more than a logged-in landlord (a token, a case of their own) or are files.
SKIP = {"health.healthz", "accounts.verify_email", "accounts.reset_password"}
SKIP |= {"accounts.accept_invitation", "listings.photo_file", "mediation.case"}


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def wrong_forms(text: str, language: str) -> list[str]:
    return [m.group(0) for p in WRONG[language] for m in re.finditer(p, text)]


@pytest.fixture
def landlord_pages(app, browser, db):
    """A landlord with a flat, a fitting household of one person (for the singular forms), and
    a placement up to the move-in; logged in. Returns the paths to visit."""
    w = world()
    single = HouseholdFactory(
        adults=1,
        children=0,
        needed_rooms=Decimal("1"),
        needed_area=Decimal("50"),
        max_gross_cold_rent=Decimal("687.80"),
        has_wbs=True,
        wbs_persons=1,
    )
    placement = drive(
        app, propose(app, w.flat, w.household, w.specialist), State.MOVED_IN, w.landlord
    )
    # The first flat is let now: a published one, so that the landlord sees the site's
    # households (issue 19).
    FlatFactory(organisation=w.landlord.organisation, status="published")
    browser.login(w.landlord)
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in SKIP:
            continue
        if rule.rule.startswith(("/backoffice", "/admin", "/static")):
            continue
        paths.append(rule.rule)
    paths += [
        f"/flats/{w.flat.public_key}",
        f"/flats/{w.flat.public_key}/edit",
        f"/households/{HouseholdFactory(max_gross_cold_rent=Decimal('687.80')).id}",
        f"/households/{single.id}",
        f"/placements/{placement.public_key}",
    ]
    return paths


@pytest.mark.parametrize("language", ["de", "en"])
def test_no_wrong_number_plural_or_date_forms_on_any_page(browser, landlord_pages, language):
    browser.post("/language", data={"locale": language})
    found = {}
    for path in landlord_pages:
        response = browser.client.get(path)
        assert response.status_code in (200, 302, 403), path  # 403: a company admin's page
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        text = text_of(response.get_data(as_text=True))
        if wrong := wrong_forms(text, language):
            found[path] = wrong
    assert found == {}


def test_english_dates_day_month_year(app):
    with app.test_request_context(), force_locale("en"):
        assert day(date(2026, 11, 25)) == "25 Nov 2026"
        assert moment(VIEWING_AT) == "03/12/2026, 14:00"
    with app.test_request_context(), force_locale("de"):
        assert day(date(2026, 11, 25)) == "25.11.2026"
        assert moment(VIEWING_AT) == "03.12.2026, 14:00"


@pytest.mark.parametrize(
    ("language", "sizes", "sentence"),
    [
        ("de", [3, 4], "Bezahlbar für Haushalte mit 3 oder 4 Personen über das Jobcenter."),
        ("en", [3, 4], "Affordable for households of 3 or 4 people through the Jobcenter."),
        ("de", [1], "Bezahlbar für Haushalte mit 1 Person über das Jobcenter."),
        ("en", [1], "Affordable for households of 1 person through the Jobcenter."),
        ("de", [2, 3, 4], "Bezahlbar für Haushalte mit 2, 3 oder 4 Personen über das Jobcenter."),
        ("de", [1, 2, 3, 4, 5], "Bezahlbar für Haushalte mit 1 bis 5 Personen über das Jobcenter."),
        ("de", [], "Für jede Haushaltsgröße zu teuer für das Jobcenter."),
    ],
)
def test_affordability_in_one_sentence(app, language, sizes, sentence):
    with app.test_request_context(), force_locale(language):
        assert affordability_sentence(sizes) == sentence


def test_form_hints_for_one_person_and_the_numbers_in_messages(app, db):
    with app.test_request_context(), force_locale("de"):
        hints = proposal_hints(1, propose_sizes(1))
        assert hints["needed_rooms"].startswith("Vorschlag für 1 Person (WNB-Regel): 1 Zimmer.")
        assert hints["max_gross_cold_rent"].startswith("Mietobergrenze für 1 Person: 396,00")
        assert proposal_hints(2, propose_sizes(2))["needed_area"].startswith(
            "Vorschlag für 2 Personen"
        )
    from portal.core.fields import max_chars
    from portal.mediation.forms import MediationForm

    with app.test_request_context(), force_locale("de"):
        assert str(max_chars(5000).message) == "Bitte schreiben Sie höchstens 5.000 Zeichen."
        assert "5.000 Zeichen" in str(MediationForm(meta={"csrf": False}).message.description)
    with app.test_request_context(), force_locale("en"):
        assert str(max_chars(5000).message) == "Please write at most 5,000 characters."
