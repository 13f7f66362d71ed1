"""Issue 13.6: withdrawing a flat, or pausing or withdrawing a household, ends its open
placements and interests (with a reason, the staff told, the other side free again); from
``lease_signed`` on it is refused and nothing changes."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.outbox import OutboxMessage
from portal.extensions import db as _db
from portal.placements.models import (
    Interest,
    Placement,
    PlacementEvent,
    State,
)
from portal.placements.queries import open_placements
from tests.conftest import outbox
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory, UserFactory

HOUSEHOLDS = "/backoffice/households"


def placement(flat, household, state: State, staff) -> Placement:
    """A placement set directly into ``state`` with the data of the steps before it."""
    data: dict = {}
    order = list(State)
    if order.index(state) >= order.index(State.VIEWING_SCHEDULED):
        data |= {
            "viewing_at": clock.utcnow() + timedelta(days=2),
            "viewing_place": "Vor dem Haus",
            "viewing_companion_id": staff.id,
        }
    if order.index(state) >= order.index(State.LEASE_SIGNED):
        today = clock.today()
        data |= {
            "viewing_outcome": "gut",
            "rent_offer_on": today,
            "rent_offer_office": "Jobcenter",
            "costs_approved_on": today,
            "deposit_loan": False,
            "lease_signed_on": today,
            "rent_start_on": today,
        }
    row = Placement(
        flat=flat,
        household=household,
        origin="specialist",
        state=state.value,
        staff_id=staff.id,
        **data,
    )
    _db.session.add(row)
    _db.session.flush()
    return row


def interest(flat, household, landlord) -> Interest:
    row = Interest(
        flat=flat,
        household=household,
        organisation_id=landlord.organisation_id,
        created_by_id=landlord.id,
    )
    _db.session.add(row)
    _db.session.flush()
    return row


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def snapshot(*rows) -> list:
    _db.session.expire_all()
    return [
        (type(r).__name__, r.id, getattr(r, "state", None) or getattr(r, "status", None))
        for r in rows
    ] + [count(AuditEvent), count(PlacementEvent), count(OutboxMessage)]


@pytest.fixture
def world(db):
    landlord = UserFactory()
    specialist = StaffFactory(role="specialist")
    flat = FlatFactory(
        organisation=landlord.organisation, status="reserved", created_by_id=landlord.id
    )
    return landlord, specialist, flat


def test_withdrawing_a_flat_cancels_its_proposals_and_frees_the_households(browser, world):
    landlord, specialist, flat = world
    first, second, third = HouseholdFactory(), HouseholdFactory(), HouseholdFactory()
    proposed = placement(flat, first, State.PROPOSED, specialist)
    viewing = placement(flat, second, State.VIEWING_SCHEDULED, specialist)
    open_interest = interest(flat, third, landlord)
    browser.login(landlord)
    response = browser.post(f"/flats/{flat.public_key}/withdraw", follow_redirects=True)
    assert "The flat was withdrawn." in response.get_data(as_text=True)
    _db.session.expire_all()
    assert flat.status == "archived"
    for row in (proposed, viewing):
        assert (row.state, row.cancel_reason) == ("cancelled", "flat_withdrawn")
        assert row.events[-1].action == "cancel"
    assert open_interest.status == "declined"
    cancels = _db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "placement.cancel")
    ).all()
    assert {e.object_id for e in cancels} == {proposed.id, viewing.id}
    closed = _db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "interest.closed")
    ).all()
    assert [(e.object_id, e.details["reason"]) for e in closed] == [
        (open_interest.id, "flat_withdrawn")
    ]
    mails = outbox(specialist.email)
    assert len(mails) == 1
    assert first.code in mails[0].body_text and second.code in mails[0].body_text
    assert f"/backoffice/placements/{viewing.id}" in mails[0].body_text
    # The households are free: nothing holds them, and a new proposal can reach the viewing.
    for household in (first, second, third):
        assert open_placements(household_id=household.id) == {}
        assert household.is_visible_to_landlords()
    other = FlatFactory(status="reserved")
    placement(other, second, State.VIEWING_SCHEDULED, specialist)  # unique index holds


def test_withdrawing_a_flat_with_a_signed_lease_is_refused_and_changes_nothing(browser, world):
    landlord, specialist, flat = world
    signed = placement(flat, HouseholdFactory(), State.LEASE_SIGNED, specialist)
    waiting = placement(flat, HouseholdFactory(), State.PROPOSED, specialist)
    open_interest = interest(flat, HouseholdFactory(), landlord)
    browser.login(landlord)
    before = snapshot(flat, signed, waiting, open_interest)
    response = browser.post(f"/flats/{flat.public_key}/withdraw", follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "A lease for this flat has been signed, so it cannot be withdrawn." in html
    assert snapshot(flat, signed, waiting, open_interest) == before
    assert flat.status == "reserved" and waiting.state == "proposed"


def test_withdrawing_a_published_flat_without_placements_still_works(browser, db):
    landlord = UserFactory()
    flat = FlatFactory(organisation=landlord.organisation, status="published")
    browser.login(landlord)
    assert browser.post(f"/flats/{flat.public_key}/withdraw").status_code == 302
    db.session.refresh(flat)
    assert flat.status == "archived"
    assert outbox() == []  # nothing to tell anybody


@pytest.mark.parametrize("to", ["paused", "withdrawn"])
def test_pausing_or_withdrawing_a_household_cancels_its_placements(browser, world, to, today):
    landlord, specialist, flat = world
    household = HouseholdFactory(intake_on=today - timedelta(days=30))
    accepted = placement(flat, household, State.LANDLORD_ACCEPTED, specialist)
    other_flat = FlatFactory(
        organisation=landlord.organisation, status="published", created_by_id=landlord.id
    )
    proposed = placement(other_flat, household, State.PROPOSED, specialist)
    third_flat = FlatFactory(
        organisation=landlord.organisation, status="published", created_by_id=landlord.id
    )
    suggestion = interest(third_flat, household, landlord)
    browser.login("social_worker")
    path = f"{HOUSEHOLDS}/{household.id}"
    data = {"to": to}
    if to == "withdrawn":
        data["exit_destination"] = "moved_away"
    response = browser.post(f"{path}/status", data, csrf_from_path=path)
    assert response.status_code == 302
    _db.session.expire_all()
    assert household.status == to
    for row in (accepted, proposed):
        assert (row.state, row.cancel_reason) == ("cancelled", "household_unavailable")
    assert flat.status == "published"  # the flat the accepted placement held is free again
    assert suggestion.status == "declined"
    landlord_mails = outbox(landlord.email)
    assert len(landlord_mails) == 3  # two placements, one suggestion
    for mail in landlord_mails:
        # Neutral words: the code the landlord knows, nothing of why.
        assert household.code in mail.body_text
        for word in ("paused", "withdrawn", "pausiert", "zurückgezogen", "moved away"):
            assert word not in mail.body_text
    staff_mails = outbox(specialist.email)
    assert len(staff_mails) == 1 and household.code in staff_mails[0].subject


@pytest.mark.parametrize("to", ["paused", "withdrawn"])
def test_household_with_a_signed_lease_cannot_be_paused_or_withdrawn(browser, world, to, today):
    _landlord, specialist, flat = world
    household = HouseholdFactory(intake_on=today - timedelta(days=30))
    signed = placement(flat, household, State.LEASE_SIGNED, specialist)
    other = placement(FlatFactory(status="published"), household, State.PROPOSED, specialist)
    browser.login("social_worker")
    path = f"{HOUSEHOLDS}/{household.id}"
    data = {"to": to}
    if to == "withdrawn":
        data["exit_destination"] = "moved_away"
    before = snapshot(household, signed, other)
    response = browser.post(f"{path}/status", data, csrf_from_path=path, follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "cannot be paused or withdrawn now" in html
    assert snapshot(household, signed, other) == before
    assert household.status == "vetted" and household.exit_on is None
