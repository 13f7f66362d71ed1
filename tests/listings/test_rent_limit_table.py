"""Issue 16: the rent limit is computed from the dated tables when needed, never stored on the
household; households of six and more get the table's amount per further person; the admin
enters that amount with a table (form or CSV) and the page shows what is in force."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.core.refusals import Refused
from portal.households.limits import limit_of
from portal.households.operations import vetting
from portal.listings import rent_limits
from portal.listings.models import RentLimit, RentLimitExtraPerson
from portal.listings.rules import limits_in_force, rent_limit_for
from portal.matching.rules import explain, is_match, rank_flats, rank_households
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory

SEEDED = date(2021, 10, 1)  # Duisburg's 2021 table: 1: 396.00 ... 5: 819.50, nothing beyond


def admin():
    return StaffFactory(role="admin")


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


# The household's limit from the table in force ---------------------------------------------------


def test_households_of_six_seven_and_eight_get_limits_from_the_amount_per_further_person(db):
    assert rent_limit_for(6) is None  # the seeded table ends at five persons
    rent_limits.add_set(
        admin(), date(2023, 8, 1), "Stadt Duisburg 2023", {5: Decimal("850.00")}, Decimal("110.00")
    )
    assert rent_limit_for(5) == Decimal("850.00")
    assert rent_limit_for(6) == Decimal("960.00")
    assert rent_limit_for(7) == Decimal("1070.00")
    assert rent_limit_for(8) == Decimal("1180.00")
    row = limits_in_force().row_for(7)
    assert (row.size, row.further_persons, row.extra_from) == (5, 2, date(2023, 8, 1))
    # Before the new table: none for six.
    assert rent_limit_for(6, date(2023, 7, 31)) is None
    assert rent_limit_for(4) == Decimal("687.80")  # rows of other sizes stay in force


def test_a_row_for_six_persons_comes_before_the_amount_per_further_person(db):
    rent_limits.add_set(
        admin(), date(2024, 1, 1), "Stadt", {6: Decimal("950.00")}, Decimal("100.00")
    )
    table = limits_in_force()
    assert table.limit_for(6) == Decimal("950.00")
    assert table.limit_for(7) == Decimal("1050.00")
    assert table.affordable_sizes(Decimal("1000.00")) == [7, 8, 9, 10, 11, 12]


def test_a_household_of_seven_is_vetted_and_matched_once_the_amount_is_entered(app, db, today):
    worker = StaffFactory(role="social_worker")
    big = HouseholdFactory(status="draft", adults=2, children=5, max_gross_cold_rent=None)
    flat = FlatFactory(
        status="published",
        rooms=Decimal("5"),
        living_area=Decimal("120"),
        cold_rent=Decimal("850.00"),
        service_charges=Decimal("180.00"),
    )
    with app.test_request_context():
        with pytest.raises(Refused) as refusal:
            vetting.vet(big, worker, checklist=vetting.VETTING_CHECKLIST)
        assert refusal.value.code == "no rent limit"
        assert not is_match(flat, big)
        rent_limits.add_set(admin(), today, "Stadt", {}, Decimal("110.00"))
        vetting.vet(big, worker, checklist=vetting.VETTING_CHECKLIST)
    assert big.status == "vetted"
    assert limit_of(big).amount == Decimal("1039.50")  # 819.50 + 2 × 110.00
    assert big in [m.household for m in rank_households(flat)]
    assert flat in [m.flat for m in rank_flats(big)]


def test_the_same_household_fits_before_a_new_table_and_not_after_without_saving(app, db, today):
    # Three persons, no override: 564.00 by the seeded table. A new table from a later date
    # lowers it to 550.00; a flat at 560.00 gross cold rent fits until the day before.
    household = HouseholdFactory(max_gross_cold_rent=None)
    flat = FlatFactory(
        status="published",
        cold_rent=Decimal("420.00"),
        service_charges=Decimal("140.00"),
        available_from=today + timedelta(days=60),
    )
    change = today + timedelta(days=30)
    rent_limits.add_set(admin(), change, "Neue Tabelle", {3: Decimal("550.00")})
    before, after = change - timedelta(days=1), change
    assert limit_of(household, before).amount == Decimal("564.00")
    assert limit_of(household, after).amount == Decimal("550.00")
    assert is_match(flat, household, limits_in_force(before))
    assert not is_match(flat, household, limits_in_force(after))
    assert household in [m.household for m in rank_households(flat, today=before)]
    assert household not in [m.household for m in rank_households(flat, today=after)]
    assert flat in [m.flat for m in rank_flats(household, today=before)]
    assert flat not in [m.flat for m in rank_flats(household, today=after)]
    with app.test_request_context(), force_locale("en"):
        rent = explain(flat, household, after).reasons[1]
        assert plain(rent.text) == (
            f"€560.00 gross cold rent is above the limit (Limit for 3 persons from "
            f"{after.day} {after.strftime('%b')} {after.year}: €550.00)"
        )
    # Nothing was saved on the household.
    assert household.max_gross_cold_rent is None


def test_an_override_stays_whatever_the_table(db, today):
    household = HouseholdFactory(max_gross_cold_rent=Decimal("600.00"), override_reason="JC")
    rent_limits.add_set(admin(), today, "Neue Tabelle", {3: Decimal("550.00")})
    limit = limit_of(household)
    assert (limit.amount, limit.is_override, limit.row) == (Decimal("600.00"), True, None)


# The admin page ----------------------------------------------------------------------------------


def post_set(browser, today, **fields):
    data = {"set-valid_from": today.isoformat(), "set-source": "Ratsbeschluss 2026", **fields}
    return browser.post("/backoffice/rent-limits", data, csrf_from_path="/backoffice/rent-limits")


def test_admin_enters_the_amount_per_further_person_and_the_page_shows_it(browser, db, today):
    browser.login("admin")
    page = browser.client.get("/backoffice/rent-limits").get_data(as_text=True)
    assert "No amount per further person" in page
    assert "Each further person" in page  # the field, with its help
    response = post_set(
        browser, today, **{"set-size_5": "850,00", "set-per_further_person": "110,00"}
    )
    assert response.status_code == 302
    row = db.session.scalars(select(RentLimitExtraPerson)).one()
    assert (row.amount, row.valid_from, row.source) == (
        Decimal("110.00"),
        today,
        "Ratsbeschluss 2026",
    )
    page = browser.client.get("/backoffice/rent-limits").get_data(as_text=True)
    assert "Each further person: €110.00" in plain(page)
    assert "No amount per further person" not in page


def test_admin_may_enter_the_amount_alone(browser, db, today):
    browser.login("admin")
    assert post_set(browser, today, **{"set-per_further_person": "95,00"}).status_code == 302
    assert rent_limit_for(6) == Decimal("914.50")


def test_a_negative_amount_per_further_person_is_refused(browser, db, today):
    browser.login("admin")
    response = post_set(
        browser, today, **{"set-size_1": "400,00", "set-per_further_person": "-5,00"}
    )
    assert response.status_code == 200
    assert "The amount cannot be negative." in response.get_data(as_text=True)
    assert db.session.scalars(select(RentLimitExtraPerson)).all() == []
    assert db.session.scalars(select(RentLimit).where(RentLimit.valid_from == today)).all() == []


def test_a_second_amount_for_the_same_day_is_refused(browser, db, today):
    browser.login("admin")
    assert post_set(browser, today, **{"set-per_further_person": "95,00"}).status_code == 302
    again = post_set(browser, today, **{"set-per_further_person": "99,00"})
    assert "already an amount per further person" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(RentLimitExtraPerson)).all()) == 1


def test_add_set_refuses_an_amount_not_above_zero(app, db, today):
    with app.test_request_context(), pytest.raises(Refused):
        rent_limits.add_set(admin(), today, "x", {1: Decimal("400")}, Decimal("0"))
    assert db.session.scalars(select(RentLimitExtraPerson)).all() == []


def upload(browser, text: str):
    return browser.post(
        "/backoffice/rent-limits/csv",
        {"csv-csv_file": (BytesIO(text.encode("utf-8-sig")), "limits.csv")},
        csrf_from_path="/backoffice/rent-limits",
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("size", ["+", "6+"])
def test_csv_import_reads_the_amount_per_further_person(browser, db, size):
    browser.login("admin")
    csv_text = (
        "household_size;max_gross_cold_rent;valid_from;source\n"
        "5;850,00;2023-08-01;Stadt Duisburg 2023\n"
        f"{size};110,00;2023-08-01;Stadt Duisburg 2023\n"
    )
    assert upload(browser, csv_text).status_code == 302
    row = db.session.scalars(select(RentLimitExtraPerson)).one()
    assert (row.amount, row.valid_from) == (Decimal("110.00"), date(2023, 8, 1))
    assert rent_limit_for(7) == Decimal("1070.00")


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("x+;110,00;2023-08-01;x\n", "Line 1 cannot be read"),
        ("+;viel;2023-08-01;x\n", "Line 1 cannot be read"),
        ("+;110,00;2023-08-01;x\n+;120,00;2023-08-01;x\n", "Line 2 repeats the amount per further"),
        ("1;400,00;2023-08-01;x\n+;-5,00;2023-08-01;x\n", "greater than zero"),
    ],
)
def test_csv_import_refuses_a_bad_amount_per_further_person(browser, db, csv_text, message):
    browser.login("admin")
    response = upload(browser, csv_text)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(RentLimitExtraPerson)).all() == []
    assert (
        db.session.scalars(select(RentLimit).where(RentLimit.valid_from == date(2023, 8, 1))).all()
        == []
    )
