"""Issue 16 in the demo data: a published flat over the heating-cost threshold, shown to the
team with the warning and to its landlord with the neutral hint."""

from __future__ import annotations

from sqlalchemy import select

from portal.demo.heating import HOUSE_NUMBER, STREET
from portal.extensions import db as _db
from portal.listings import heating
from portal.listings.models import Flat


def test_demo_has_a_flat_over_the_heating_threshold(app, runner, browser, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    # Other demo flats stand in the same street (the year's history): the house number decides.
    flat = _db.session.scalars(
        select(Flat).where(Flat.street == STREET, Flat.house_number == HOUSE_NUMBER)
    ).one()
    assert flat.status == "published" and flat.energy_carrier == "gas"
    summary = heating.flat_heating(flat)
    assert summary.sizes_over == [1, 2] and summary.sizes_within[0] == 3
    assert heating.heating_check(flat, 2).is_over
    browser.login("specialist")
    page = browser.client.get(f"/backoffice/flats/{flat.id}").get_data(as_text=True)
    assert "Heating costs above the Heizspiegel threshold" in page
