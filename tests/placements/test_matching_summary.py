"""Issue 15: why a flat fits a household, in one sentence a landlord understands, the reasons one
click away on the household's page."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import force_locale

from portal.matching.rules import explain
from tests.factories import FlatFactory, HouseholdFactory, UserFactory


def pair(**flat_kw):
    flat = FlatFactory(status="published", **flat_kw)
    household = HouseholdFactory(max_gross_cold_rent=Decimal("687.80"), has_wbs=True, wbs_persons=3)
    return flat, household


def test_summary_of_a_fit_and_of_a_miss(app, db):
    fit = pair()
    # Size binds only a flat that requires a WBS (product theory, issue 16): too large for it.
    too_small = pair(
        rooms=Decimal("4.5"),
        living_area=Decimal("101.5"),
        cold_rent=Decimal("600"),
        wbs_required=True,
        wbs_persons=3,
    )
    with app.test_request_context(), force_locale("en"):
        assert explain(*fit).summary == (
            "Fits: the right size, a rent the Jobcenter pays and a move-in date that suits."
        )
        assert explain(*too_small).summary == (
            "Does not fit: not the right size (rooms or floor area) and a rent above what the "
            "Jobcenter pays."
        )
    with app.test_request_context(), force_locale("de"):
        assert explain(*too_small).summary == (
            "Passt nicht: nicht die passende Größe (Zimmer oder Wohnfläche) und eine Miete über "
            "dem, was das Jobcenter übernimmt."
        )


def test_profile_page_shows_the_sentence_and_the_reasons_in_details(browser, db):
    landlord = UserFactory()
    flat = FlatFactory(organisation=landlord.organisation, status="published", street="Passweg")
    household = HouseholdFactory(max_gross_cold_rent=Decimal("687.80"))
    browser.login(landlord)
    html = browser.client.get(f"/households/{household.id}").get_data(as_text=True)
    fits = html.split('id="fits-title"')[1].split("</section>")[0]
    assert "Fits: the right size" in fits
    assert "<summary>Details</summary>" in fits
    assert fits.index("Fits: the right size") < fits.index("<details")
    assert flat.street in fits
