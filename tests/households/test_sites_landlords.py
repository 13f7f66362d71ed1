"""Issue 19, the landlord's side of sites: an organisation is not tied to a site. It lists flats
in any site, and sees households only of the sites where it has a published flat; matching,
interests and placements stay within one site."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.accounts.models import utcnow
from portal.core.refusals import Refused
from portal.households.models import Household
from portal.listings.models import District, FlatStatus, RentLimit
from portal.matching.rules import explain, fits_any_of, is_match, rank_flats, rank_households
from portal.placements import operations as ops
from portal.placements.models import Interest
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.builders import in_request
from tests.factories import CompanyFactory, FlatFactory, HouseholdFactory, StaffFactory, UserFactory

CROSS_SITE_INTEREST = "This flat is in another city than the household"


@pytest.fixture
def essen(db):
    """Site B, Essen, with one district."""
    site = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E")
    db.session.add(site)
    db.session.flush()
    district = District(name="Rüttenscheid", borough="Stadtbezirk II", site_id=site.id)
    db.session.add(district)
    db.session.flush()
    return site, district


def published(organisation, **kw):
    """A published flat (3 rooms, 72 m², €640.00 gross cold rent): in Duisburg unless given."""
    now = utcnow()
    kw.setdefault("status", "published")
    kw.setdefault("published_at", now)
    return FlatFactory(organisation=organisation, submitted_at=now, **kw)


def essen_flat(organisation, essen, **kw):
    site, district = essen
    kw.setdefault("street", "Rüttenscheider Straße")
    return published(organisation, district=district, site_id=site.id, postcode="45130", **kw)


def fitting(**kw):
    """A household whose limit (€687.80) the default flat keeps."""
    return HouseholdFactory(max_gross_cold_rent=Decimal("687.80"), **kw)


def essen_household(essen, **kw):
    site, _district = essen
    return fitting(site_id=site.id, code=f"E-2026-{kw.pop('number', 1):04d}", **kw)


def text(browser, path: str, status: int = 200) -> str:
    response = browser.client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def post_interest(browser, household, flat_key, **kw):
    return browser.post(
        f"/households/{household.id}",
        {"flat": flat_key, "message": ""},
        csrf_from_path="/households/",
        **kw,
    )


def interests(db) -> list[Interest]:
    return db.session.scalars(select(Interest)).all()


# A housing company with flats in both sites ------------------------------------------------------


def test_a_company_with_flats_in_both_sites_sees_households_of_both(browser, db, essen):
    company = CompanyFactory(name="Ruhr Wohnen AG")
    user = browser.login(UserFactory(organisation=company))
    du_flat = published(company, street="Königstraße")
    e_flat = essen_flat(company, essen)
    du, e = fitting(), essen_household(essen)

    html = text(browser, "/households/")
    assert du.code in html and e.code in html
    fits = text(browser, "/households/?fits=y")  # each household fits the flat of its own site
    assert du.code in fits and e.code in fits

    # The one account lists the flats of both sites on its dashboard.
    dashboard = text(browser, "/flats/")
    assert "Königstraße" in dashboard and "Rüttenscheider Straße" in dashboard

    # The profile offers only the flats of the household's own site.
    profile = text(browser, f"/households/{e.id}")
    assert "Rüttenscheider Straße" in profile
    assert "Königstraße" not in profile
    profile = text(browser, f"/households/{du.id}")
    assert "Königstraße" in profile and "Rüttenscheider Straße" not in profile

    # An interest takes the household's site.
    response = post_interest(browser, e, e_flat.public_key)
    assert response.status_code == 302
    [interest] = interests(db)
    assert (interest.flat_id, interest.site_id) == (e_flat.id, essen[0].id)
    assert interest.organisation_id == user.organisation_id
    assert du_flat.site_id == DEFAULT_SITE_ID


def test_has_published_flat_asks_of_the_organisation_and_the_site(db, essen):
    """One EXISTS: a published flat of the user's organisation, of the site when given."""
    from portal.households.operations import has_published_flat

    site, _district = essen
    company = CompanyFactory()
    user = UserFactory(organisation=company)
    FlatFactory(organisation=company, status="submitted", submitted_at=utcnow())
    essen_flat(CompanyFactory(), essen)  # another organisation's
    assert not has_published_flat(user) and not has_published_flat(user, site.id)
    essen_flat(company, essen)
    assert has_published_flat(user) and has_published_flat(user, site.id)
    assert not has_published_flat(user, DEFAULT_SITE_ID)
    published(company)
    assert has_published_flat(user, DEFAULT_SITE_ID)
    assert not has_published_flat(StaffFactory())  # no organisation: no flat of its own


def test_an_interest_across_sites_is_refused_in_words(browser, db, essen):
    company = CompanyFactory()
    browser.login(UserFactory(organisation=company))
    du_flat = published(company)
    essen_flat(company, essen)
    e = essen_household(essen)
    response = post_interest(browser, e, du_flat.public_key, follow_redirects=True)
    assert response.status_code == 200
    assert CROSS_SITE_INTEREST in response.get_data(as_text=True)
    assert interests(db) == []


def test_the_refusal_is_translated(browser, db, essen):
    company = CompanyFactory()
    browser.login(UserFactory(organisation=company, locale="de"))
    du_flat = published(company)
    essen_flat(company, essen)
    e = essen_household(essen)
    response = post_interest(browser, e, du_flat.public_key, follow_redirects=True)
    assert "in einer anderen Stadt als der des Haushalts" in response.get_data(as_text=True)
    assert interests(db) == []


# A private landlord in Duisburg only --------------------------------------------------------------


def test_a_private_landlord_in_duisburg_sees_only_duisburg_households(browser, db, essen):
    landlord = browser.login("landlord")
    flat = published(landlord.organisation)
    du, e = fitting(), essen_household(essen)
    for path in ("/households/", "/households/?fits=y", "/households/?size=3"):
        html = text(browser, path)
        assert du.code in html, path
        assert e.code not in html, path
    # The district filter offers Duisburg's districts only.
    assert "Rüttenscheid" not in text(browser, "/households/")

    assert text(browser, f"/households/{e.id}", status=404)
    response = post_interest(browser, e, flat.public_key)
    assert response.status_code == 404
    assert interests(db) == []
    text(browser, f"/households/{du.id}")  # its own site's profile is there


def test_the_essen_profiles_appear_with_the_first_essen_flat(browser, db, essen):
    landlord = browser.login("landlord")
    published(landlord.organisation)
    e = essen_household(essen)
    assert e.code not in text(browser, "/households/")
    later = essen_flat(landlord.organisation, essen, status="draft", published_at=None)
    assert e.code not in text(browser, "/households/")  # a flat in Essen, not yet published
    later.status = "published"
    db.session.flush()
    assert e.code in text(browser, "/households/")
    text(browser, f"/households/{e.id}")


def test_register_interest_refuses_a_site_the_organisation_does_not_list_in(app, db, essen):
    """The operation keeps the rule itself, whatever the view did before."""
    landlord = UserFactory()
    flat = published(landlord.organisation)
    e = essen_household(essen)
    with in_request(app), pytest.raises(Refused) as refusal:
        ops.register_interest(landlord, e, flat, "")
    assert refusal.value.code == "not_visible"
    assert db.session.scalar(select(func.count(Interest.id))) == 0


# Matching within a site --------------------------------------------------------------------------


def test_rank_households_for_an_essen_flat_returns_only_essen_households(app, db, essen, today):
    company = CompanyFactory()
    du_flat = published(company)
    e_flat = essen_flat(company, essen)
    du = fitting()
    e1, e2 = essen_household(essen, number=1), essen_household(essen, number=2)
    with in_request(app):
        assert {m.household.id for m in rank_households(e_flat)} == {e1.id, e2.id}
        assert {m.household.id for m in rank_households(du_flat)} == {du.id}
        assert [m.flat.id for m in rank_flats(e1)] == [e_flat.id]
        assert [m.flat.id for m in rank_flats(du)] == [du_flat.id]
        # The landlord's "fits one of my flats": each flat with the households of its site.
        fits = select(Household.id).where(fits_any_of(company.id, today))
        assert set(db.session.scalars(fits)) == {du.id, e1.id, e2.id}
        du_flat.status = FlatStatus.LET.value  # published no more: its households drop out
        db.session.flush()
        fits = select(Household.id).where(fits_any_of(company.id, today))
        assert set(db.session.scalars(fits)) == {e1.id, e2.id}


def test_fits_my_flats_measures_each_household_by_its_own_sites_table(app, db, essen, today):
    """Without an override a household's limit is its own site's table: Duisburg's seeded one
    (2: 471.90, 3: 564.00, 4: 687.80) and Essen's lower one; the same rent of €500.00 fits
    Duisburg's households of three and four but only Essen's household of four."""
    site, _district = essen
    for persons, amount in ((1, "300.00"), (2, "400.00"), (3, "450.00"), (4, "520.00")):
        db.session.add(
            RentLimit(
                site_id=site.id,
                household_size=persons,
                max_gross_cold_rent=Decimal(amount),
                valid_from=today - timedelta(days=10),
                source="test",
            )
        )
    company = CompanyFactory()
    rent = {"cold_rent": Decimal("400.00"), "service_charges": Decimal("100.00")}
    published(company, available_from=today, **rent)
    essen_flat(company, essen, available_from=today, **rent)
    households = {}
    for site_id, name in ((DEFAULT_SITE_ID, "du"), (site.id, "e")):
        for persons in (2, 3, 4):
            households[f"{name}{persons}"] = HouseholdFactory(
                site_id=site_id,
                code=f"{name.upper()}-2026-{persons:04d}",
                adults=2,
                children=persons - 2,
                max_gross_cold_rent=None,
                earliest_move_in=today,
            )
    db.session.flush()
    with in_request(app):
        fits = select(Household.id).where(fits_any_of(company.id, today))
        found = {name for name, h in households.items() if h.id in set(db.session.scalars(fits))}
    assert found == {"du3", "du4", "e4"}


def test_a_pair_of_two_sites_does_not_fit_and_says_why(app, db, essen):
    company = CompanyFactory()
    du_flat = published(company)
    e = essen_household(essen)
    with in_request(app):
        assert not is_match(du_flat, e)
        match = explain(du_flat, e)
        assert not match.fits
        assert [r.rule for r in match.reasons if r.hard and not r.met] == ["site"]
        # Outside a request the words are German, the default language.
        assert match.summary == "Passt nicht: nicht in der Stadt des Haushalts."
        # A pair of one site names no site rule at all: one site reads as before sites.
        assert "site" not in {r.rule for r in explain(du_flat, fitting()).reasons}


# Placements ---------------------------------------------------------------------------------------


def test_a_placement_takes_the_household_s_site_and_refuses_another_site(app, db, essen):
    company = CompanyFactory()
    du_flat = published(company)
    e_flat = essen_flat(company, essen)
    e = essen_household(essen)
    specialist = StaffFactory(role="specialist", sites=[essen[0]])
    with in_request(app):
        with pytest.raises(Refused) as refusal:
            ops.propose(du_flat, e, specialist)
        assert refusal.value.code == "site"
        assert "verschiedenen Standorten" in str(refusal.value.message)
        placement = ops.propose(e_flat, e, specialist)
    assert placement.site_id == essen[0].id


def test_an_accepted_interest_becomes_a_placement_of_the_site(app, db, essen):
    company = CompanyFactory()
    landlord = UserFactory(organisation=company)
    e_flat = essen_flat(company, essen)
    e = essen_household(essen)
    specialist = StaffFactory(role="specialist", sites=[essen[0]])
    with in_request(app):
        interest = ops.register_interest(landlord, e, e_flat, "")
        placement = ops.accept_interest(interest, specialist)
    assert interest.site_id == placement.site_id == essen[0].id


def test_the_placement_links_the_profile_only_while_the_landlord_may_see_it(app, browser, db):
    landlord = browser.login("landlord")
    flat = published(landlord.organisation)
    household = fitting()
    specialist = StaffFactory(role="specialist")
    with in_request(app):
        placement = ops.propose(flat, household, specialist)
    db.session.commit()
    link = f'href="/households/{household.id}"'
    assert link in text(browser, f"/placements/{placement.public_key}")
    # Its only published flat in the household's site is held now: no profile, so no link.
    flat.status = "reserved"
    db.session.commit()
    assert text(browser, f"/households/{household.id}", status=404)
    assert link not in text(browser, f"/placements/{placement.public_key}")
