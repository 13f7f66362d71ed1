"""The heating-cost check (issue 16, DESIGN section 7): heating costs × 12 within the
Heizspiegel threshold for the heating kind × the appropriate floor area; dated thresholds; the
admin page; the warning to staff and the landlord's neutral hint."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.listings import heating
from portal.listings.heating import (
    NO_COSTS,
    NO_KIND,
    NO_THRESHOLD,
    OVER,
    UNKNOWN,
    WITHIN,
    heating_check,
)
from portal.listings.models import HeatingThreshold
from tests.builders import published_flat
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory, UserFactory

RATE = Decimal("11.48")


@pytest.fixture
def rate(db):
    """A test kind-threshold for gas from long ago, below the seeded one: 11,48 € per m²."""
    admin = StaffFactory(role="admin")
    heating.add_set(admin, date(2000, 1, 1), "Testwert", {"gas": RATE})
    # The seeded row (newer) would win: move it out of the way for these tests.
    for row in db.session.scalars(
        select(HeatingThreshold).where(
            HeatingThreshold.heating_kind == "gas", HeatingThreshold.valid_from > date(2000, 1, 1)
        )
    ):
        db.session.delete(row)
    db.session.flush()
    return admin


@pytest.fixture
def english(app):
    """The texts in English, as in a request in English."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


def gas_flat(monthly: str, **kw):
    return FlatFactory(
        energy_certificate_pending=False,
        energy_carrier="gas",
        heating_costs=Decimal(monthly),
        **kw,
    )


def test_over_the_threshold(rate, english):
    flat = gas_flat("85.00")  # 1.020 € a year
    check = heating_check(flat, 3)  # 80 m² × 11,48 € = 918,40 €
    assert check.result == OVER and check.is_over
    assert check.yearly_costs == Decimal("1020.00")
    assert check.area == Decimal("80")
    assert check.rate == RATE
    assert check.allowed_yearly == Decimal("918.40")
    assert check.allowed_monthly == Decimal("76.53")
    text = check.sentence()
    assert "above the Heizspiegel threshold" in text
    assert "€1,020.00" in text and "€918.40" in text and "3 persons" in text
    assert "80\u00a0m² × €11.48" in text


def test_within_the_threshold_and_on_the_line(rate, english):
    flat = gas_flat("76.53")  # 918,36 € a year
    check = heating_check(flat, 3)
    assert check.result == WITHIN and "within the Heizspiegel threshold" in check.sentence()
    # Exactly the allowed amount is within: 57,40 € × 12 = 688,80 € = 60 m² × 11,48 €.
    flat.heating_costs = Decimal("57.40")
    assert heating_check(flat, area=Decimal("60")).result == WITHIN
    flat.heating_costs = Decimal("57.41")
    assert heating_check(flat, area=Decimal("60")).result == OVER


def test_area_given_directly_and_persons_needed(rate):
    flat = gas_flat("60.00")  # 720 € a year
    assert heating_check(flat, area=Decimal("50")).result == OVER  # 574 €
    assert heating_check(flat, area=Decimal("65")).result == WITHIN  # 746,20 €
    with pytest.raises(ValueError):
        heating_check(flat)


def test_unknown_without_costs_kind_or_threshold(rate, english):
    no_costs = FlatFactory(energy_certificate_pending=False, energy_carrier="gas")
    no_costs.heating_costs = None
    check = heating_check(no_costs, 2)
    assert (check.result, check.reason) == (UNKNOWN, NO_COSTS)
    assert "no heating costs" in check.sentence()

    no_kind = FlatFactory()  # the energy certificate is not yet available
    check = heating_check(no_kind, 2)
    assert (check.result, check.reason) == (UNKNOWN, NO_KIND)
    assert "heating kind is not known" in check.sentence()

    # Electricity has no seeded threshold.
    electric = gas_flat("80.00")
    electric.energy_carrier = "electricity"
    check = heating_check(electric, 2)
    assert (check.result, check.reason) == (UNKNOWN, NO_THRESHOLD)
    assert "no Heizspiegel threshold for Electricity" in check.sentence()


def test_a_new_row_changes_the_check_from_its_date(rate, db):
    flat = gas_flat("85.00")  # 1.020 € a year; 3 persons: 80 m²
    today = clock.today()
    change = today + timedelta(days=30)
    heating.add_set(rate, change, "Heizspiegel neu", {"gas": Decimal("13.00")})  # 1.040 €
    assert heating_check(flat, 3, on=today).result == OVER
    assert heating_check(flat, 3, on=change - timedelta(days=1)).result == OVER
    after = heating_check(flat, 3, on=change)
    assert after.result == WITHIN and after.threshold.source == "Heizspiegel neu"
    assert heating_check(flat, 3, on=change + timedelta(days=400)).result == WITHIN
    # Nothing was stored on the flat: the check is computed each time.
    assert heating.thresholds_in_force(today).for_kind("gas").max_per_m2_year == RATE


def test_flat_without_household_names_the_sizes(rate, english):
    flat = gas_flat("85.00")  # 1.020 € a year: needs 1020 / 11,48 = 88,9 m²: 4 persons (95 m²)
    summary = heating.flat_heating(flat)
    assert summary.sizes_over == [1, 2, 3]
    assert summary.sizes_within[0] == 4
    assert "households of 4 persons or more" in summary.summary()
    assert [c.persons for c in summary.over_among((2, 4))] == [2, 3]
    hint = summary.landlord_hint()
    assert "above what the Jobcenter pays for heating for households of 1 to 3 people" in hint
    cheap = heating.flat_heating(gas_flat("20.00"))
    assert cheap.sizes_over == [] and cheap.landlord_hint() is None
    assert "for every household" in cheap.summary()
    dear = heating.flat_heating(gas_flat("999.00"))
    assert dear.sizes_within == [] and "whatever the size" in dear.landlord_hint()
    unknown = heating.flat_heating(FlatFactory())
    assert unknown.unknown is not None and unknown.landlord_hint() is None


def test_seeded_thresholds_are_in_force_and_marked_as_examples(db):
    table = heating.thresholds_in_force()
    assert set(table.rows) == {"gas", "oil", "district_heating", "heat_pump", "wood_pellets"}
    assert all("Beispielwerte" in row.source for row in table.rows.values())


# The operation's refusals ------------------------------------------------------------------------


def test_add_set_refuses_and_writes_nothing(db, english):
    admin = StaffFactory(role="admin")
    day = date(2030, 1, 1)

    def count() -> int:
        return db.session.scalar(select(func.count(HeatingThreshold.id)))

    before = count()
    for amounts, words in [
        ({"gas": Decimal("0")}, "greater than zero"),
        ({"gas": Decimal("-3")}, "greater than zero"),
        ({"gas": Decimal("10"), "coal": Decimal("5")}, "Unknown heating kind: coal"),
        ({}, "at least one amount"),
    ]:
        with pytest.raises(Refused) as refused:
            heating.add_set(admin, day, "x", amounts)
        assert words in str(refused.value.message)
        assert refused.value.status == 400
        assert count() == before
    heating.add_set(admin, day, "  Heizspiegel   2030 ", {"gas": Decimal("30.10")})
    with pytest.raises(Refused) as refused:
        heating.add_set(admin, day, "again", {"oil": Decimal("5"), "gas": Decimal("31")})
    assert "already thresholds from this date for: Gas" in str(refused.value.message)
    assert count() == before + 1
    row = db.session.scalar(select(HeatingThreshold).where(HeatingThreshold.valid_from == day))
    assert row.source == "Heizspiegel 2030" and row.created_by_id == admin.id
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "heating_thresholds.added")
    )
    assert event is not None and event.actor_id == admin.id


# The admin page ----------------------------------------------------------------------------------

PATH = "/backoffice/heating-thresholds"


def test_admin_adds_a_set_on_the_page(browser, db):
    browser.login("admin")
    page = browser.client.get(PATH).get_data(as_text=True)
    assert "In force today" in page and "Beispielwerte" in page and "€29.40" in page
    response = browser.post(
        PATH,
        {
            "heat-valid_from": clock.today().isoformat(),
            "heat-source": "Heizspiegel 2026",
            "heat-kind_gas": "31,20",
            "heat-kind_heat_pump": "22,00",
        },
        csrf_from_path=PATH,
    )
    assert response.status_code == 302
    page = browser.client.get(PATH).get_data(as_text=True)
    assert "€31.20" in page and "Heizspiegel 2026" in page
    assert heating.thresholds_in_force().for_kind("gas").max_per_m2_year == Decimal("31.20")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"heat-kind_gas": "0"}, "greater than zero"),
        ({"heat-kind_gas": "-1"}, "cannot be negative"),
        ({}, "at least one amount"),
        ({"heat-kind_gas": "viel"}, ""),
        ({"heat-source": "", "heat-kind_gas": "20"}, "name the source"),
    ],
)
def test_admin_form_refusals(browser, db, data, words):
    browser.login("admin")
    before = db.session.scalar(select(func.count(HeatingThreshold.id)))
    form = {"heat-valid_from": "2031-01-01", "heat-source": "Heizspiegel", **data}
    response = browser.post(PATH, form, csrf_from_path=PATH)
    assert response.status_code in (200, 400)
    assert words in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HeatingThreshold.id))) == before


def test_admin_form_refuses_the_same_kind_and_day_twice(browser, db):
    browser.login("admin")
    form = {"heat-valid_from": "2031-02-01", "heat-source": "Heizspiegel", "heat-kind_oil": "20"}
    assert browser.post(PATH, form, csrf_from_path=PATH).status_code == 302
    again = browser.post(PATH, form, csrf_from_path=PATH)
    assert "already thresholds from this date for: Oil" in again.get_data(as_text=True)


def test_staff_read_the_page_only_admins_add(browser, db):
    browser.login("specialist")
    page = browser.client.get(PATH)
    assert page.status_code == 200 and "Add a new set" not in page.get_data(as_text=True)
    form = {"heat-valid_from": "2031-03-01", "heat-source": "x", "heat-kind_gas": "20"}
    assert browser.post(PATH, form, csrf_from_path=PATH).status_code == 403


def test_landlords_cannot_open_the_page(browser, db):
    browser.login("landlord")
    assert browser.client.get(PATH).status_code in (302, 403, 404)


# Where it shows ----------------------------------------------------------------------------------


def test_staff_flat_page_warns_and_lists_the_household(rate, browser, db):
    landlord = UserFactory()
    flat = published_flat(
        landlord.organisation,
        energy_certificate_pending=False,
        energy_carrier="gas",
        heating_costs=Decimal("85.00"),
        cold_rent=Decimal("400.00"),
        service_charges=Decimal("120.00"),
    )
    household = HouseholdFactory()  # 3 persons
    browser.login("specialist")
    page = browser.client.get(f"/backoffice/flats/{flat.id}").get_data(as_text=True)
    assert 'id="heating-check"' in page
    assert "households of 4 persons or more" in page
    warning = "Heating costs above the Heizspiegel threshold: €1,020.00 a year, appropriate up to"
    assert warning in page and "€918.40 (3 persons, 80\u00a0m² × €11.48)" in page
    # The household is still listed, with the warning beside it.
    fit = page.split('id="fit-title"')[1]
    assert household.code in fit and warning in fit
    # The household's page lists the flat, with the warning too.
    page = browser.client.get(f"/backoffice/households/{household.id}").get_data(as_text=True)
    matches = page.split('id="matches-title"')[1]
    assert flat.address_line in matches and warning in matches


def test_staff_pages_without_warning_when_within(rate, browser, db):
    landlord = UserFactory()
    flat = published_flat(
        landlord.organisation,
        energy_certificate_pending=False,
        energy_carrier="gas",
        heating_costs=Decimal("60.00"),
    )
    browser.login("specialist")
    page = browser.client.get(f"/backoffice/flats/{flat.id}").get_data(as_text=True)
    assert "heating-warning" not in page
    assert "households of 2 persons or more" in page


def test_landlord_flat_page_neutral_hint(rate, browser, db):
    landlord = browser.login("landlord")
    flat = published_flat(
        landlord.organisation,
        energy_certificate_pending=False,
        energy_carrier="gas",
        heating_costs=Decimal("85.00"),
    )
    household = HouseholdFactory()
    page = browser.client.get(f"/flats/{flat.public_key}").get_data(as_text=True)
    assert 'id="heating-hint"' in page
    assert "above what the Jobcenter pays for heating for households of 1 to 3 people" in page
    # No household, and none of the staff figures.
    assert household.code not in page and "Heizspiegel threshold:" not in page
    flat.heating_costs = Decimal("40.00")
    db.session.flush()
    page = browser.client.get(f"/flats/{flat.public_key}").get_data(as_text=True)
    assert 'id="heating-hint"' not in page


def test_landlord_hint_in_german(rate, browser, db):
    landlord = browser.login("landlord")
    landlord.locale = "de"
    flat = published_flat(
        landlord.organisation,
        energy_certificate_pending=False,
        energy_carrier="gas",
        heating_costs=Decimal("85.00"),
    )
    db.session.commit()
    page = browser.client.get(
        f"/flats/{flat.public_key}", headers={"Accept-Language": "de"}
    ).get_data(as_text=True)
    assert "Die Heizkosten liegen über dem, was das Jobcenter" in page


def test_landlord_check_step_shows_the_hint(rate, browser, db):
    landlord = browser.login("landlord")
    flat = FlatFactory(
        organisation=landlord.organisation,
        energy_certificate_pending=False,
        energy_carrier="gas",
        energy_kind="consumption",
        energy_value=Decimal("180.0"),
        building_year=1960,
        energy_class="F",
        energy_valid_until=clock.today() + timedelta(days=900),
        heating_costs=Decimal("85.00"),
    )
    page = browser.client.get(f"/flats/{flat.public_key}/edit/check").get_data(as_text=True)
    assert 'id="heating-hint"' in page and "households of 1 to 3 people" in page
