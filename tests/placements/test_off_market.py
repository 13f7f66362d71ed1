"""The household off the market (issue 16, DESIGN.md section 7): from lease_signed no landlord
list and no matching list shows it; its other placements and interests end in neutral words,
each landlord is told in their language, the staff in charge get one mail. Cancelling the lease
placement puts it back on the market; what was closed stays closed."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from sqlalchemy import select, text

from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.households.models import Household
from portal.households.queries import visible_household
from portal.matching.rules import fits_any_of, rank_flats, rank_households
from portal.placements import operations as ops
from portal.placements.models import Action, Interest, Placement, State
from tests.builders import in_request, placement_in, world
from tests.conftest import outbox
from tests.factories import FlatFactory, UserFactory

# What a landlord must never read about why a placement with them ended.
TELLING = re.compile(
    r"elsewhere|another flat|found a flat|lease|andere Wohnung|anderswo|Mietvertrag", re.I
)


def _landlord(locale: str = "en"):
    user = UserFactory(locale=locale)
    flat = FlatFactory(
        organisation=user.organisation,
        status="published",
        created_by_id=user.id,
        submitted_at=utcnow(),
        published_at=utcnow(),
    )
    return user, flat


@pytest.fixture
def market(app, db):
    """A household with a proposal at landlord B's flat, an acceptance at landlord C's (German)
    flat, an open interest of landlord D, and its own placement at the costs' approval."""
    w = world()
    w.b, w.flat_b = _landlord()
    w.c, w.flat_c = _landlord("de")
    w.d, w.flat_d = _landlord()
    with in_request(app):
        w.p_b = ops.propose(w.flat_b, w.household, w.specialist)
        w.p_c = ops.propose(w.flat_c, w.household, w.specialist)
        ops.take_step(w.p_c, Action.ACCEPT, w.c, "landlord")
        w.interest = ops.register_interest(w.d, w.household, w.flat_d, "Passt gut")
    w.placement = placement_in(app, w, State.COSTS_APPROVED)
    return w


def _sign(app, w):
    with in_request(app):
        ops.take_step(
            w.placement,
            Action.SIGN_LEASE,
            w.specialist,
            "specialist",
            lease_signed_on=w.placement.costs_approved_on,
            rent_start_on=w.placement.costs_approved_on,
        )


def _codes(browser, path: str) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_household_is_visible_until_the_lease(app, db, market, browser):
    w = market
    assert w.flat_c.status == "reserved"
    browser.login(w.b)
    assert w.household.code in _codes(browser, "/households/")
    assert browser.client.get(f"/households/{w.household.id}").status_code == 200
    with in_request(app):
        assert w.household.id in [m.household.id for m in rank_households(w.flat_b)]


def test_from_the_lease_no_landlord_list_and_no_matching_list_shows_it(app, db, market, browser):
    w = market
    _sign(app, w)
    db.session.flush()
    household = w.household
    assert household.off_market_at is not None and not household.is_visible_to_landlords()
    browser.login(w.b)
    for path in ("/households/", "/households/?fits=y", "/households/?size=3"):
        assert household.code not in _codes(browser, path), path
    assert browser.client.get(f"/households/{household.id}").status_code == 404
    token = browser.csrf("/households/")
    response = browser.client.post(
        f"/households/{household.id}", data={"csrf_token": token, "flat": w.flat_b.public_key}
    )
    assert response.status_code == 404
    with in_request(app):
        assert (
            visible_household(household.id, w.flat_b.organisation_id, w.placement.costs_approved_on)
            is None
        )
        assert household.id not in [m.household.id for m in rank_households(w.flat_b)]
        assert rank_flats(household) == []  # the reverse direction
        for flat in (w.flat_b, w.flat_c):
            fits = fits_any_of(flat.organisation_id, w.placement.costs_approved_on)
            assert household.id not in db.session.scalars(select(Household.id).where(fits)).all()
    # Nobody can propose it or register an interest in it any more.
    with in_request(app), pytest.raises(Exception, match="not_visible"):
        ops.propose(w.flat_b, household, w.specialist)


def test_its_other_placements_and_interests_are_closed_and_the_landlords_told(app, db, market):
    w = market
    _sign(app, w)
    db.session.flush()
    db.session.expire_all()
    for other in (w.p_b, w.p_c):
        other = db.session.get(Placement, other.id)
        assert other.state == State.CANCELLED
        assert other.cancel_reason == "household_housed_elsewhere"
        assert other.events[-1].action == Action.CANCEL.value  # the timeline's line
    assert w.flat_c.status == "published"  # the acceptance held it: offered again
    assert db.session.get(Interest, w.interest.id).status == "declined"
    # Each landlord hears of it in their language, in words that tell nothing of the household.
    mail_b = outbox(w.b.email)[-1]
    assert "will not go ahead" in mail_b.body_text
    mail_c = outbox(w.c.email)[-1]
    assert "wird nicht fortgesetzt" in mail_c.body_text
    assert "will not go ahead" not in mail_c.body_text
    mail_d = outbox(w.d.email)[-1]
    assert "will not follow up this suggestion" in mail_d.body_text
    for mail in (mail_b, mail_c, mail_d):
        assert not TELLING.search(mail.subject + mail.body_text), mail.body_text
        assert w.flat.address_line not in mail.body_text  # nor where it signed
    # The staff in charge get one mail naming the cancelled placements.
    staff = [m for m in outbox(w.specialist.email) if w.household.code in m.subject]
    assert staff and "off the market" in staff[-1].subject
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"household.off_market", "placement.cancel", "interest.closed"} <= actions


def test_the_landlords_timeline_tells_nothing_either(app, db, market, browser):
    w = market
    _sign(app, w)
    db.session.flush()
    browser.login(w.b)
    response = browser.client.get(f"/placements/{w.p_b.public_key}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "will not go ahead" in html
    assert not TELLING.search(re.sub(r"<[^>]+>", " ", html).split("Not going ahead", 1)[-1])


def test_cancelling_the_lease_puts_it_back_on_the_market(app, db, market, browser):
    w = market
    _sign(app, w)
    with in_request(app):
        ops.take_step(w.placement, Action.CANCEL, w.specialist, "specialist", cancel_reason="other")
    db.session.flush()
    assert w.household.off_market_at is None and w.household.is_visible_to_landlords()
    assert db.session.get(Placement, w.p_b.id).state == State.CANCELLED  # stays closed
    assert db.session.get(Interest, w.interest.id).status == "declined"
    browser.login(w.b)
    assert w.household.code in _codes(browser, "/households/")
    assert "household.back_on_market" in set(db.session.scalars(select(AuditEvent.action)))


def test_the_move_in_keeps_it_off_the_market(app, db):
    w = world()
    placement = placement_in(app, w, State.MOVED_IN)
    assert placement.household.off_market_at is not None
    assert placement.household.status == "housed"


def test_the_staff_page_says_why_landlords_do_not_see_it(app, db, market, auth):
    w = market
    _sign(app, w)
    db.session.flush()
    auth.login("specialist")
    html = auth.client.get(f"/backoffice/households/{w.household.id}").get_data(as_text=True)
    assert "Off the market since" in html
    assert "its lease is signed" in html


def test_the_migration_takes_leased_households_off_the_market(app, db):
    """Households whose placement was at or past lease_signed before the column existed are
    taken off the market by the migration's backfill; the others stay on it."""
    path = Path(__file__).resolve().parents[2] / "migrations/versions/20261206_0019_off_market.py"
    spec = importlib.util.spec_from_file_location("off_market_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    leased = placement_in(app, world(), State.LEASE_SIGNED)
    moved = placement_in(app, world(), State.MOVED_IN)
    undone = placement_in(app, world(), State.LEASE_SIGNED)
    with in_request(app):
        ops.take_step(undone, Action.CANCEL, undone.staff, "specialist", cancel_reason="other")
    proposed = placement_in(app, world(), State.PROPOSED)
    db.session.execute(text("UPDATE households SET off_market_at = NULL"))
    db.session.execute(text(migration.BACKFILL))
    db.session.expire_all()

    def off(placement) -> bool:
        return db.session.get(Household, placement.household_id).off_market_at is not None

    assert off(leased) and off(moved)
    assert not off(undone) and not off(proposed)
