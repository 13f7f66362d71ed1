"""The heating-cost check on the placement page (issue 16): the household's size, the
thresholds in force on the rent-offer date, a warning when over, and the table row used."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.core import clock
from portal.listings import heating
from portal.listings.models import HeatingThreshold
from portal.placements.models import State
from tests.builders import drive, propose, published_flat
from tests.factories import HouseholdFactory, StaffFactory, UserFactory

WARNING = "Heating costs above the Heizspiegel threshold"


def _only_test_rate(db, admin, rate: str) -> None:
    heating.add_set(admin, date(2000, 1, 1), "Testwert", {"gas": Decimal(rate)})
    for row in db.session.scalars(
        select(HeatingThreshold).where(
            HeatingThreshold.heating_kind == "gas", HeatingThreshold.valid_from > date(2000, 1, 1)
        )
    ):
        db.session.delete(row)
    db.session.flush()


def _placement(app, db, monthly: str, to: State = State.PROPOSED):
    landlord = UserFactory()
    flat = published_flat(
        landlord.organisation,
        energy_certificate_pending=False,
        energy_carrier="gas",
        heating_costs=Decimal(monthly),
    )
    household = HouseholdFactory()  # 3 persons: 80 m²
    placement = propose(app, flat, household)
    if to != State.PROPOSED:
        drive(app, placement, to, landlord)
    db.session.commit()
    return placement


def test_placement_page_warns_when_over(app, browser, db):
    _only_test_rate(db, StaffFactory(role="admin"), "11.48")
    placement = _placement(app, db, "85.00")
    browser.login("specialist")
    page = browser.client.get(f"/backoffice/placements/{placement.id}").get_data(as_text=True)
    section = page.split('id="heating-check"')[1].split("</section>")[0]
    assert WARNING in section and "heating-warning" in section
    assert "€1,020.00 a year, appropriate up to €918.40 (3 persons, 80\u00a0m² × €11.48)" in section
    assert "Appropriate per month: €76.53; the flat's heating costs: €85.00 a month." in section
    assert "Threshold for Gas: €11.48 per m² and year" in section and "Testwert" in section


def test_placement_page_within(app, browser, db):
    _only_test_rate(db, StaffFactory(role="admin"), "11.48")
    placement = _placement(app, db, "70.00")
    browser.login("social_worker")
    page = browser.client.get(f"/backoffice/placements/{placement.id}").get_data(as_text=True)
    section = page.split('id="heating-check"')[1].split("</section>")[0]
    assert "Heating costs within the Heizspiegel threshold" in section
    assert "heating-warning" not in section


def test_placement_uses_the_table_of_its_rent_offer_date(app, browser, db):
    admin = StaffFactory(role="admin")
    _only_test_rate(db, admin, "11.48")
    placement = _placement(app, db, "85.00", State.RENT_OFFER_SUBMITTED)
    offer = placement.rent_offer_on
    assert offer == clock.today()
    # A higher threshold from tomorrow: the offer date's table still applies.
    heating.add_set(admin, offer + timedelta(days=1), "Neu", {"gas": Decimal("14.00")})
    db.session.commit()
    browser.login("specialist")
    page = browser.client.get(f"/backoffice/placements/{placement.id}").get_data(as_text=True)
    section = page.split('id="heating-check"')[1].split("</section>")[0]
    assert WARNING in section and "Thresholds in force on the rent-offer date" in section
    # Moved back to the offer date, the new row is in force: within.
    placement.rent_offer_on = offer + timedelta(days=1)
    db.session.commit()
    page = browser.client.get(f"/backoffice/placements/{placement.id}").get_data(as_text=True)
    section = page.split('id="heating-check"')[1].split("</section>")[0]
    assert WARNING not in section and "within the Heizspiegel threshold" in section


def test_placement_page_unknown_kind(app, browser, db):
    landlord = UserFactory()
    flat = published_flat(landlord.organisation)  # energy certificate not yet available
    placement = propose(app, flat, HouseholdFactory())
    db.session.commit()
    browser.login("specialist")
    page = browser.client.get(f"/backoffice/placements/{placement.id}").get_data(as_text=True)
    assert "Heating costs not checked: the heating kind is not known" in page
