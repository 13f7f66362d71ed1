"""Issue 16: a placement's cost check measures the gross cold rent by the rent-limit table in
force on its rent-offer date (today before the offer) and names the row it used; staff see it on
the placement page, the landlord never sees the household's limit or override."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import force_locale

from portal.extensions import db
from portal.listings import rent_limits
from portal.placements.cost_check import cost_check
from portal.placements.models import State
from tests.builders import placement_in, placement_page, world
from tests.factories import StaffFactory


def en_day(day) -> str:
    return f"{day.day} {day.strftime('%b')} {day.year}"


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def new_table(today: date) -> date:
    """From ten days ago, three persons may rent up to 650.00 (the seeded table: 564.00); the
    day it is valid from."""
    valid_from = today - timedelta(days=10)
    rent_limits.add_set(
        StaffFactory(role="admin"), valid_from, "Stadt Duisburg 2026", {3: Decimal("650.00")}
    )
    return valid_from


def by_the_table(app, state: State):
    """A placement of the default flat (640.00 gross cold rent) and a household of three that
    follows the table (its override removed after the proposal)."""
    w = world()
    placement = placement_in(app, w, state)
    w.household.max_gross_cold_rent = None
    db.session.flush()
    return placement


def test_the_check_uses_the_table_in_force_on_the_rent_offer_date(app, db, today):
    new_table_from = new_table(today)
    placement = by_the_table(app, State.RENT_OFFER_SUBMITTED)
    assert placement.rent_offer_on == today
    check = cost_check(placement)
    assert check.at_rent_offer and check.within
    assert check.limit.row.valid_from == new_table_from
    with app.test_request_context(), force_locale("en"):
        assert plain(check.limit.staff_text()) == (
            f"Limit for 3 persons from {en_day(new_table_from)}: €650.00"
        )
    # The same placement with its offer sent before the new table: the older row counts.
    placement.rent_offer_on = new_table_from - timedelta(days=1)
    check = cost_check(placement)
    assert not check.within and check.limit.amount == Decimal("564.00")
    with app.test_request_context(), force_locale("en"):
        assert plain(check.limit.staff_text()) == "Limit for 3 persons from 1 Oct 2021: €564.00"
        assert plain(check.verdict()) == (
            "Gross cold rent €640.00: €76.00 above the limit, by the table in force on the "
            f"rent-offer date, {en_day(new_table_from - timedelta(days=1))}."
        )


def test_before_the_rent_offer_the_check_follows_todays_table(app, db, today):
    placement = by_the_table(app, State.VIEWING_DONE)
    assert not cost_check(placement).within  # 640.00 above 564.00
    new_table(today)  # a new table changes the open placement's check at once, nothing saved
    check = cost_check(placement)
    assert check.within and not check.at_rent_offer and check.on == today


def test_staff_see_the_row_used_on_the_placement_page(app, browser, db, today):
    new_table_from = new_table(today)
    placement = by_the_table(app, State.RENT_OFFER_SUBMITTED)
    browser.login("specialist")
    html = plain(placement_page(browser, placement))
    assert f"Limit for 3 persons from {en_day(new_table_from)}: €650.00" in html
    assert "Gross cold rent €640.00: within the limit, by the table in force on the rent-offer" in (
        html
    )


def test_staff_see_an_override_with_its_reason(app, browser, db):
    w = world()
    w.household.override_reason = "Zusicherung des Jobcenters liegt vor."
    placement = placement_in(app, w, State.VIEWING_DONE)
    browser.login("specialist")
    html = plain(placement_page(browser, placement))
    assert "override by staff: €687.80 (Zusicherung des Jobcenters liegt vor.)" in html
    assert "Gross cold rent €640.00: within the limit, by the table in force today" in html
