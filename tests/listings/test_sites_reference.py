"""Issue 19, sites: each site has its own districts and postcodes, rent limits and heating
thresholds. A household is measured by its site's table, a flat by its site's thresholds; a
flat belongs to the site of its district; the landlord form groups districts by site once a
second site is active; the back-office tables show and change one site's rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.households.limits import limit_of
from portal.listings import heating, rent_limits
from portal.listings import operations as ops
from portal.listings.heating import heating_check
from portal.listings.models import District, DistrictPostcode, Flat, HeatingThreshold, RentLimit
from portal.listings.presenters import flat_facts
from portal.listings.queries import FlatFilter, filtered_flats
from portal.listings.rules import address_problem, limits_in_force
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.builders import flat_form, post_flat, published_flat
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory, UserFactory

FROM = date(2022, 1, 1)
# Essen's table differs from Duisburg's for every size (Duisburg: 396.00 ... 819.50).
ESSEN_LIMITS = {1: "450.00", 2: "540.00", 3: "640.00", 4: "760.00", 5: "880.00"}
ESSEN_GAS = Decimal("25.00")  # € per m² and year; Duisburg's seeded one is 29.40


def duisburg_district(db, name: str) -> District:
    return db.session.scalar(
        select(District).where(District.site_id == DEFAULT_SITE_ID, District.name == name)
    )


@pytest.fixture
def essen(db) -> Site:
    """A second, active site with two districts (one named like a Duisburg one), their
    postcodes, a rent-limit table and a gas threshold of its own."""
    site = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E")
    db.session.add(site)
    db.session.flush()
    altstadt = District(name="Altstadt", borough="Stadtbezirk I", position=0, site_id=site.id)
    ruettenscheid = District(
        name="Rüttenscheid", borough="Stadtbezirk II", position=1, site_id=site.id
    )
    db.session.add_all([altstadt, ruettenscheid])
    db.session.flush()
    db.session.add_all(
        [
            DistrictPostcode(district_id=altstadt.id, postcode="45127"),
            DistrictPostcode(district_id=ruettenscheid.id, postcode="45130"),
            DistrictPostcode(district_id=ruettenscheid.id, postcode="45131"),
        ]
    )
    db.session.add_all(
        RentLimit(
            site_id=site.id,
            household_size=size,
            max_gross_cold_rent=Decimal(amount),
            valid_from=FROM,
            source="Stadt Essen 2022",
        )
        for size, amount in ESSEN_LIMITS.items()
    )
    db.session.add(
        HeatingThreshold(
            site_id=site.id,
            heating_kind="gas",
            max_per_m2_year=ESSEN_GAS,
            valid_from=FROM,
            source="Heizspiegel Essen",
        )
    )
    db.session.flush()
    return site


def essen_district(db, name: str) -> District:
    return db.session.scalar(select(District).where(District.name == name, District.site_id != 1))


# Rent limits and heating thresholds per site -----------------------------------------------------


def test_a_household_of_site_b_gets_site_b_limit(db, essen):
    in_essen = HouseholdFactory(site_id=essen.id, max_gross_cold_rent=None)  # three persons
    in_duisburg = HouseholdFactory(max_gross_cold_rent=None)
    assert limit_of(in_essen).amount == Decimal("640.00")
    assert limit_of(in_duisburg).amount == Decimal("564.00")
    # Handed the other site's table, a household is still measured by its own.
    assert limit_of(in_essen, table=limits_in_force()).amount == Decimal("640.00")
    essen_table = limits_in_force(site_id=essen.id)
    assert essen_table.limits == {n: Decimal(a) for n, a in ESSEN_LIMITS.items()}
    assert essen_table.sources == ("Stadt Essen 2022",)
    assert limits_in_force().limit_for(3) == Decimal("564.00")  # Duisburg's rows alone


def test_a_flat_is_checked_against_its_own_sites_thresholds_and_limits(db, essen):
    kw = {"energy_certificate_pending": False, "energy_carrier": "gas"}
    # 100 € a month: 1.200 € a year; three persons: 80 m². Essen allows 80 × 25 = 2.000 €.
    flat = FlatFactory(
        district=essen_district(db, "Altstadt"),
        postcode="45127",
        heating_costs=Decimal("100.00"),
        **kw,
    )
    assert flat.site_id == essen.id
    check = heating_check(flat, 3)
    assert check.threshold.site_id == essen.id and check.is_within
    # Given Duisburg's table, the flat is still measured by its own site's.
    assert heating_check(flat, 3, table=heating.thresholds_in_force()).threshold.site_id == essen.id
    assert heating.thresholds_in_force(site_id=essen.id).for_kind("gas").max_per_m2_year == (
        ESSEN_GAS
    )
    assert heating.thresholds_in_force().for_kind("gas").site_id == DEFAULT_SITE_ID
    # 480 + 160 = 640 €: affordable for three persons by Essen's table, four by Duisburg's.
    assert flat_facts(flat).affordable == (3, 5)
    assert flat_facts(FlatFactory()).affordable == (4, 5)


def test_back_office_affordable_filter_measures_each_flat_by_its_site(db, essen):
    in_essen = FlatFactory(
        district=essen_district(db, "Altstadt"), postcode="45127", status="published"
    )
    in_duisburg = FlatFactory(status="published")  # both 640 € gross cold rent
    tables = [limits_in_force(), limits_in_force(site_id=essen.id)]
    found = db.session.scalars(filtered_flats(FlatFilter(affordable_for=3), tables)).all()
    assert in_essen in found and in_duisburg not in found


# Postcode and district -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("postcode", "site", "district", "problem"),
    [
        ("45127", "essen", "Altstadt", None),
        ("45130", "essen", "Rüttenscheid", None),
        ("45131", "essen", "Rüttenscheid", None),
        ("45127", "essen", "Rüttenscheid", "district"),
        ("45127", "duisburg", "Altstadt", "district"),  # Duisburg's Altstadt: same name
        ("47051", "essen", "Altstadt", "district"),
        ("47051", "duisburg", "Altstadt", None),
        ("45128", "essen", "Altstadt", "postcode"),  # no district of any site has it
        ("45127", None, None, None),
    ],
)
def test_postcode_and_district_of_site_b(db, essen, postcode, site, district, problem):
    if site is None:
        district_id = None
    elif site == "essen":
        district_id = essen_district(db, district).id
    else:
        district_id = duisburg_district(db, district).id
    assert address_problem(postcode, district_id) == problem


def test_postcodes_of_a_site_in_preparation_are_not_taken(db, essen):
    essen.status = "preparing"
    db.session.flush()
    assert address_problem("45127", None) == "postcode"
    assert address_problem("47051", duisburg_district(db, "Altstadt").id) is None


# A flat's site ---------------------------------------------------------------------------------


def test_a_flat_in_a_site_b_district_gets_site_b(browser, db, essen):
    landlord = browser.login("landlord")
    altstadt = essen_district(db, "Altstadt")
    data = flat_form(postcode="45127", district_id=str(altstadt.id))
    response = post_flat(browser, "/flats/new", data, "save")
    assert response.status_code == 302
    flat = db.session.scalars(
        select(Flat).where(Flat.organisation_id == landlord.organisation_id)
    ).one()
    assert (flat.district_id, flat.site_id) == (altstadt.id, essen.id)


def test_a_district_of_site_b_with_a_site_a_postcode_is_refused(browser, db, essen):
    browser.login("landlord")
    data = flat_form(postcode="47051", district_id=str(essen_district(db, "Altstadt").id))
    response = post_flat(browser, "/flats/new", data, "save")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Altstadt is not in the area of the postcode 47051." in html
    assert db.session.scalars(select(Flat).where(Flat.postcode == "47051")).all() == []


def test_editing_duplicating_and_reviewing_keep_the_flat_in_its_districts_site(app, db, essen):
    landlord = UserFactory()
    altstadt, ruettenscheid = essen_district(db, "Altstadt"), essen_district(db, "Rüttenscheid")
    with app.test_request_context():
        draft = FlatFactory(organisation=landlord.organisation, created_by_id=landlord.id)
        assert draft.site_id == DEFAULT_SITE_ID
        ops.update_flat(draft, landlord, {"postcode": "45127", "district_id": altstadt.id})
        assert draft.site_id == essen.id
        copy = ops.duplicate_flat(draft, landlord)
        assert copy.site_id == essen.id
        # A published flat moves when the team approves the new district, not before.
        flat = published_flat(landlord.organisation, created_by_id=landlord.id)
        ops.update_flat(flat, landlord, {"postcode": "45130", "district_id": ruettenscheid.id})
        assert flat.site_id == DEFAULT_SITE_ID and flat.changes_in_review
        ops.approve_changes(flat, StaffFactory(role="specialist", sites=[essen]))
        assert (flat.district_id, flat.site_id) == (ruettenscheid.id, essen.id)


# The landlord's district select ----------------------------------------------------------------


def test_the_district_select_shows_site_groups_only_with_two_active_sites(browser, db, essen):
    browser.login("landlord")
    both = browser.client.get("/flats/new").get_data(as_text=True)
    assert '<optgroup label="Duisburg">' in both and '<optgroup label="Essen">' in both
    assert "Rüttenscheid" in both
    essen.status = "preparing"
    db.session.commit()
    one = browser.client.get("/flats/new").get_data(as_text=True)
    assert '<optgroup label="Essen">' not in one and "Rüttenscheid" not in one
    assert '<optgroup label="Duisburg">' not in one
    assert '<optgroup label="Mitte">' in one  # by borough, as before sites
    # A postcode of a site in preparation is not taken; the message names the active sites.
    data = flat_form(postcode="45130", district_id=None)
    html = unescape(post_flat(browser, "/flats/new", data, "save").get_data(as_text=True))
    assert "Please enter a postcode in Duisburg." in html


def test_with_two_sites_the_postcode_message_names_both(browser, db, essen):
    browser.login("landlord")
    data = flat_form(postcode="10115", district_id=None)
    html = unescape(post_flat(browser, "/flats/new", data, "save").get_data(as_text=True))
    assert "Please enter a postcode in Duisburg or Essen." in html


# The back-office tables of one site ------------------------------------------------------------


def post_set(browser, path: str, valid_from: date, **fields):
    data = {"set-valid_from": valid_from.isoformat(), "set-source": "Ratsbeschluss", **fields}
    return browser.post(path, data, csrf_from_path=path)


def test_site_b_admin_sees_and_changes_site_b_rent_limits(browser, db, essen, today):
    admin = browser.login(StaffFactory(role="admin", sites=[essen]))
    page = browser.client.get("/backoffice/rent-limits").get_data(as_text=True)
    assert "Stadt Essen 2022" in page and "Stadt Duisburg" not in page
    assert 'name="site"' not in page  # one site: no chooser
    assert (
        post_set(browser, "/backoffice/rent-limits", today, **{"set-size_1": "470,00"}).status_code
        == 302
    )
    row = db.session.scalars(select(RentLimit).where(RentLimit.valid_from == today)).one()
    assert (row.site_id, row.max_gross_cold_rent) == (essen.id, Decimal("470.00"))
    assert limits_in_force(today, site_id=essen.id).limit_for(1) == Decimal("470.00")
    assert limits_in_force(today).limit_for(1) == Decimal("396.00")  # Duisburg's unchanged
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rent_limits.added")
    ).one()
    assert (event.actor_id, event.details["site_id"]) == (admin.id, essen.id)


def test_an_admin_of_site_a_cannot_change_site_b_table(browser, db, essen, today):
    browser.login(StaffFactory(role="admin"))  # Duisburg only
    assert browser.client.get("/backoffice/rent-limits?site=essen").status_code == 404
    path = "/backoffice/rent-limits"
    response = browser.post(
        path + "?site=essen",
        {"set-valid_from": today.isoformat(), "set-source": "x", "set-size_1": "470,00"},
        csrf_from_path=path,
    )
    assert response.status_code == 404
    csv = browser.post("/backoffice/rent-limits/csv?site=essen", {}, csrf_from_path=path)
    assert csv.status_code == 404
    heat = browser.post(
        "/backoffice/heating-thresholds?site=essen",
        {"heat-valid_from": today.isoformat(), "heat-source": "x", "heat-kind_gas": "30,00"},
        csrf_from_path="/backoffice/heating-thresholds",
    )
    assert heat.status_code == 404
    assert db.session.scalars(select(RentLimit).where(RentLimit.valid_from == today)).all() == []
    assert (
        db.session.scalars(
            select(HeatingThreshold).where(HeatingThreshold.valid_from == today)
        ).all()
        == []
    )


def test_the_operations_refuse_a_site_the_admin_does_not_work_for(app, db, essen, today):
    admin = StaffFactory(role="admin")
    with app.test_request_context(), pytest.raises(Refused) as refused:
        rent_limits.add_set(admin, today, "x", {1: Decimal("470")}, site_id=essen.id)
    assert refused.value.status == 404
    with app.test_request_context(), pytest.raises(Refused):
        heating.add_set(admin, today, "x", {"gas": Decimal("30")}, site_id=essen.id)
    with app.test_request_context(), pytest.raises(Refused):
        rent_limits.import_csv(admin, b"1;470,00;2026-01-01;x\n", site_id=essen.id)


def test_an_admin_of_two_sites_chooses_the_site(browser, db, essen, today):
    duisburg = db.session.get(Site, DEFAULT_SITE_ID)
    browser.login(StaffFactory(role="admin", sites=[duisburg, essen]))
    first = browser.client.get("/backoffice/rent-limits").get_data(as_text=True)
    assert 'name="site"' in first and "Stadt Duisburg" in first  # the first site by default
    assert "Stadt Essen 2022" not in first
    page = browser.client.get("/backoffice/rent-limits?site=essen").get_data(as_text=True)
    assert "Stadt Essen 2022" in page and "Stadt Duisburg" not in page
    assert 'action="/backoffice/rent-limits?site=essen"' in page
    heat = browser.post(
        "/backoffice/heating-thresholds?site=essen",
        {"heat-valid_from": today.isoformat(), "heat-source": "Neu", "heat-kind_gas": "30,00"},
        csrf_from_path="/backoffice/heating-thresholds",
    )
    assert heat.status_code == 302
    assert heat.location.endswith("/backoffice/heating-thresholds?site=essen")
    row = db.session.scalars(
        select(HeatingThreshold).where(HeatingThreshold.valid_from == today)
    ).one()
    assert (row.site_id, row.max_per_m2_year) == (essen.id, Decimal("30.00"))
    page = browser.client.get("/backoffice/heating-thresholds?site=essen").get_data(as_text=True)
    assert "Heizspiegel Essen" in page
    assert "Heizspiegel Essen" not in browser.client.get("/backoffice/heating-thresholds").get_data(
        as_text=True
    )


def test_site_b_staff_see_their_flat_measured_by_site_b(browser, db, essen):
    flat = FlatFactory(
        district=essen_district(db, "Altstadt"),
        postcode="45127",
        status="submitted",
        energy_certificate_pending=False,
        energy_carrier="gas",
        heating_costs=Decimal("110.00"),  # 1.320 € a year
    )
    browser.login(StaffFactory(role="specialist", sites=[essen]))
    listing = browser.client.get("/backoffice/flats/?affordable_for=3").get_data(as_text=True)
    assert f"/backoffice/flats/{flat.id}" in listing
    page = browser.client.get(f"/backoffice/flats/{flat.id}")
    assert page.status_code == 200
    # Essen's gas threshold: 25 € × 50 m² = 1.250 € for one person, below 1.320 € (Duisburg's
    # 29.40 € × 50 m² = 1.470 € would cover every household).
    html = page.get_data(as_text=True)
    assert "within the Heizspiegel threshold for households of 2 persons or more" in html
