"""A household's profile for a housing company with many published flats: the database finds
the company's flats that fit and ranks them as for the staff (``rank_flats``); the page shows
the best ``HOME_ROWS`` with reasons and counts the rest, in a fixed number of statements. A
landlord with at most ``HOME_ROWS`` flats in the site sees every flat, fitting or not, as
before."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.accounts.models import utcnow
from portal.core.pagination import HOME_ROWS
from portal.listings.models import District, Flat
from portal.matching.rules import rank_flats
from portal.placements.models import Interest
from portal.sites.models import Site
from tests.builders import in_request
from tests.conftest import counted_statements, outbox
from tests.factories import CompanyFactory, FlatFactory, HouseholdFactory, UserFactory

CROSS_SITE_INTEREST = "This flat is in another city than the household"


def published(organisation, **kw):
    """A published flat (3 rooms, 72 m², €640.00 gross cold rent) in Duisburg unless given."""
    now = utcnow()
    kw.setdefault("status", "published")
    kw.setdefault("published_at", now)
    return FlatFactory(organisation=organisation, submitted_at=now, **kw)


def fitting_household(**kw):
    """Two adults and a child needing 3 rooms, whose limit (€687.80) the default flat keeps."""
    kw.setdefault("max_gross_cold_rent", Decimal("687.80"))
    return HouseholdFactory(**kw)


def district(db, name: str) -> District:
    return db.session.scalar(select(District).where(District.name == name))


def company_flats(db, company, fitting: int, too_dear: int = 0) -> list:
    """``fitting`` flats that fit ``fitting_household`` (rooms and districts varied, so that
    the ranking has something to order) and ``too_dear`` that do not."""
    hochfeld, neudorf = district(db, "Hochfeld"), district(db, "Neudorf-Nord")
    flats = [
        published(
            company,
            rooms=Decimal(1 + i % 5),
            district=hochfeld if i % 3 == 0 else neudorf,
            street="Hafenstraße",
        )
        for i in range(fitting)
    ]
    flats += [
        published(company, cold_rent=Decimal("600.00"), street="Teuerweg") for _ in range(too_dear)
    ]
    return flats


def page(browser, path: str) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def shown_fits(html: str) -> list[str]:
    return re.findall(r"<h3>(.*?) fits</h3>", html)


def options(html: str) -> list[str]:
    return re.findall(r'<option(?: selected)? value="([^"]+)">', html)


def selected(html: str) -> str | None:
    found = re.findall(r'<option selected value="([^"]+)">', html)
    return found[0] if found else None


def post_interest(browser, household, flat_key, message="", **kw):
    return browser.post(
        f"/households/{household.id}",
        {"flat": flat_key, "message": message},
        csrf_from_path=f"/households/{household.id}",
        **kw,
    )


def interest_count(db) -> int:
    return db.session.scalar(select(func.count(Interest.id)))


def best_of(app, household, company) -> list:
    """The company's flats that fit, in the staff's order (``rank_flats``)."""
    with in_request(app):
        return [m.flat for m in rank_flats(household, limit=500) if m.flat.organisation == company]


@pytest.fixture
def company(browser):
    company = CompanyFactory(name="Ruhr Wohnen AG")
    browser.login(UserFactory(organisation=company))
    return company


# A housing company -------------------------------------------------------------------------------


def test_a_company_sees_its_best_fitting_flats_and_how_many_more(app, browser, db, company):
    company_flats(db, company, fitting=HOME_ROWS + 3, too_dear=2)
    household = fitting_household(preferred_districts=[district(db, "Hochfeld")])
    best = best_of(app, household, company)
    assert len(best) == HOME_ROWS + 3
    html = page(browser, f"/households/{household.id}")
    # The best ten, in the staff's order, each with its reasons.
    assert shown_fits(html) == [flat.address_line for flat in best[:HOME_ROWS]]
    assert html.count('class="fit fit-yes"') == HOME_ROWS
    assert "No WBS required: a flat of 72\xa0m² fits any household whose rent limit" in html
    # The rest counted, not listed.
    assert "3 more of your flats fit this household." in html
    assert "2 of your published flats do not fit this household." in html
    for flat in best[HOME_ROWS:]:
        assert flat.address_line not in html
    assert "Teuerweg" not in html and "Why " not in html
    # The form offers the flats shown, the best pre-selected; not all 15.
    assert options(html) == [flat.public_key for flat in best[:HOME_ROWS]]
    assert selected(html) == best[0].public_key
    assert "687.80" not in html


def test_one_more_fitting_flat_reads_in_the_singular_and_in_german(app, browser, db):
    company = CompanyFactory()
    browser.login(UserFactory(organisation=company, locale="de"))
    company_flats(db, company, fitting=HOME_ROWS + 1, too_dear=1)
    household = fitting_household()
    html = page(browser, f"/households/{household.id}")
    assert "1 weitere Ihrer Wohnungen passt zu diesem Haushalt." in html
    assert "1 Ihrer veröffentlichten Wohnungen passt nicht zu diesem Haushalt." in html


def test_a_company_none_of_whose_flats_fits_is_told_so(browser, db, company):
    company_flats(db, company, fitting=0, too_dear=HOME_ROWS + 1)
    household = fitting_household()
    html = page(browser, f"/households/{household.id}")
    assert "None of your published flats fits this household by the programme's rules." in html
    assert shown_fits(html) == [] and "Teuerweg" not in html
    assert "more of your flats" not in html and "do not fit this household" not in html
    # Nothing to choose: no form, but a sentence.
    assert 'name="flat"' not in html
    assert "at the moment none does" in html


# A private landlord: as before -------------------------------------------------------------------


def test_a_private_landlord_with_two_flats_sees_both_with_reasons(browser, db):
    user = browser.login("landlord")
    flat = published(user.organisation, street="Gartenweg")
    too_dear = published(user.organisation, cold_rent=Decimal("600.00"), street="Teuerweg")
    household = fitting_household()
    html = page(browser, f"/households/{household.id}")
    assert shown_fits(html) == [flat.address_line]
    assert "Why 1 of your flats does not fit" in html
    assert too_dear.address_line in html
    assert "€760.00 gross cold rent: above what the Jobcenter pays" in html
    assert "more of your flats" not in html and "do not fit this household" not in html
    # Both can be chosen (the team decides); the fitting one is suggested.
    assert options(html) == [flat.public_key, too_dear.public_key]
    assert selected(html) == flat.public_key


def test_ten_flats_are_all_shown_fitting_or_not(browser, db, company):
    flats = company_flats(db, company, fitting=HOME_ROWS - 1, too_dear=1)
    household = fitting_household()
    html = page(browser, f"/households/{household.id}")
    assert len(shown_fits(html)) == HOME_ROWS - 1
    assert "Why 1 of your flats does not fit" in html and "Teuerweg" in html
    assert sorted(options(html)) == sorted(flat.public_key for flat in flats)


# The interest form of a company ------------------------------------------------------------------


def test_a_company_registers_interest_and_the_suggestion_moves_on(app, browser, db, company):
    company_flats(db, company, fitting=HOME_ROWS + 2, too_dear=1)
    household = fitting_household()
    best = best_of(app, household, company)
    response = post_interest(browser, household, best[0].public_key, "Samstags.")
    assert response.status_code == 302
    interest = db.session.scalar(select(Interest))
    assert (interest.flat_id, interest.household_id) == (best[0].id, household.id)
    html = page(browser, f"/households/{household.id}")
    assert f"{best[0].address_line} (already suggested)" in html
    assert selected(html) == best[1].public_key
    # Every flat shown suggested: the best one not yet suggested is offered, though not shown.
    for flat in best[1:HOME_ROWS]:
        assert post_interest(browser, household, flat.public_key).status_code == 302
    html = page(browser, f"/households/{household.id}")
    assert selected(html) == best[HOME_ROWS].public_key
    assert best[HOME_ROWS].public_key in options(html)
    # The two left: all that fit suggested (not the one too dear), no form.
    post_interest(browser, household, best[HOME_ROWS].public_key)
    post_interest(browser, household, best[HOME_ROWS + 1].public_key)
    html = page(browser, f"/households/{household.id}")
    assert interest_count(db) == HOME_ROWS + 2
    assert "You have suggested this household for all your flats that fit it." in html
    assert 'name="flat"' not in html


def test_a_company_may_post_any_of_its_published_flats(app, browser, db, company):
    """Not only those offered: a flat that fits but is not among the best, or does not fit at
    all (the team decides), as a private landlord may."""
    flats = company_flats(db, company, fitting=HOME_ROWS + 1, too_dear=1)
    household = fitting_household()
    best = best_of(app, household, company)
    # A message too long: the form comes back with the flat still chosen.
    response = post_interest(browser, household, best[-1].public_key, "x" * 1001)
    html = response.get_data(as_text=True)
    assert "Please write at most 1,000 characters." in html
    assert selected(html) == best[-1].public_key
    assert post_interest(browser, household, best[-1].public_key).status_code == 302
    assert post_interest(browser, household, flats[-1].public_key).status_code == 302
    assert interest_count(db) == 2


def test_a_company_duplicate_interest_is_refused(browser, db, company):
    flats = company_flats(db, company, fitting=HOME_ROWS + 1)
    household = fitting_household()
    post_interest(browser, household, flats[0].public_key)
    before = len(outbox())
    response = post_interest(browser, household, flats[0].public_key, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "You have already told the Kümmerer team that this household could live in" in html
    assert interest_count(db) == 1 and len(outbox()) == before


@pytest.mark.parametrize("whose", ["another organisation's", "unpublished", "made up"])
def test_a_company_interest_for_a_flat_not_its_published_one_is_refused(
    browser, db, company, whose
):
    company_flats(db, company, fitting=HOME_ROWS + 1)
    household = fitting_household()
    key = {
        "another organisation's": lambda: published(CompanyFactory()).public_key,
        "unpublished": lambda: FlatFactory(organisation=company, status="submitted").public_key,
        "made up": lambda: "abc",
    }[whose]()
    response = post_interest(browser, household, key)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please choose one of your published flats." in html
    assert key not in options(html)
    assert interest_count(db) == 0 and outbox() == []


def test_a_company_interest_across_sites_is_refused_in_words(browser, db, company):
    site = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E")
    db.session.add(site)
    db.session.flush()
    ruettenscheid = District(name="Rüttenscheid", borough="Stadtbezirk II", site_id=site.id)
    db.session.add(ruettenscheid)
    db.session.flush()
    company_flats(db, company, fitting=HOME_ROWS + 1)
    essen_flat = published(company, district=ruettenscheid, site_id=site.id, postcode="45130")
    household = fitting_household()
    html = page(browser, f"/households/{household.id}")
    assert essen_flat.public_key not in options(html)
    response = post_interest(browser, household, essen_flat.public_key, follow_redirects=True)
    assert CROSS_SITE_INTEREST in response.get_data(as_text=True)
    assert interest_count(db) == 0


# Statements ---------------------------------------------------------------------------------------


def test_the_profile_needs_a_fixed_number_of_statements(browser, db, company):
    household = fitting_household(preferred_districts=[district(db, "Hochfeld")])

    def count_for(fitting: int, too_dear: int) -> int:
        db.session.execute(Flat.__table__.delete().where(Flat.organisation_id == company.id))
        company_flats(db, company, fitting=fitting, too_dear=too_dear)
        db.session.commit()
        with counted_statements(db.engine) as statements:
            html = page(browser, f"/households/{household.id}")
        assert "Hafenstraße" in html  # the flats are there
        return len(statements)

    few, ten = count_for(2, 1), count_for(8, 2)
    many, more = count_for(25, 5), count_for(60, 20)
    # Every flat shown (3 or 10 flats) or the best ten of many (30 or 80): the same number
    # either way; ranking many is at most one statement more than reading a few.
    assert few == ten
    assert many == more
    assert many - few <= 1
