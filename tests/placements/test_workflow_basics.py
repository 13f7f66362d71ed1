"""The placement workflow through its operations: the happy path and its side effects."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.core.refusals import Refused
from portal.placements import operations as ops
from portal.placements.models import Action, Placement, State
from tests.conftest import outbox
from tests.factories import (
    FlatFactory,
    HouseholdFactory,
    IdentityFactory,
    StaffFactory,
    UserFactory,
)


@pytest.fixture
def setup(app, db):
    landlord = UserFactory()
    flat = FlatFactory(
        organisation=landlord.organisation, status="published", created_by_id=landlord.id
    )
    household = HouseholdFactory()
    IdentityFactory(household=household, main_tenant_name="Mira Beispiel")
    specialist = StaffFactory(role="specialist")
    return landlord, flat, household, specialist


def test_full_journey_with_side_effects(app, db, setup):
    landlord, flat, household, specialist = setup
    with app.test_request_context():
        placement = ops.propose(flat, household, specialist)
        assert placement.state == State.PROPOSED
        ops.take_step(placement, Action.ACCEPT, landlord, "landlord")
        assert flat.status == "reserved"
        when = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
        ops.take_step(
            placement,
            Action.SCHEDULE_VIEWING,
            specialist,
            "specialist",
            viewing_at=when,
            viewing_place="Vor dem Haus",
            viewing_companion_id=specialist.id,
        )
        mails = outbox(landlord.email)
        assert mails[-1].attachment_text and "BEGIN:VCALENDAR" in mails[-1].attachment_text
        assert "Mira Beispiel" in mails[-1].body_text
        ops.take_step(
            placement,
            Action.RECORD_VIEWING,
            specialist,
            "specialist",
            viewing_outcome="Both want to go on",
        )
        ops.take_step(
            placement,
            Action.SUBMIT_RENT_OFFER,
            specialist,
            "specialist",
            rent_offer_on=clock.today(),
            rent_offer_office="Jobcenter Duisburg-Mitte",
        )
        ops.take_step(
            placement,
            Action.APPROVE_COSTS,
            specialist,
            "specialist",
            costs_approved_on=clock.today(),
            deposit_loan=True,
        )
        ops.take_step(
            placement,
            Action.SIGN_LEASE,
            specialist,
            "specialist",
            lease_signed_on=clock.today(),
            rent_start_on=clock.today() + timedelta(days=14),
        )
        ops.take_step(
            placement, Action.MOVE_IN, specialist, "specialist", keys_handed_over_on=clock.today()
        )
        assert flat.status == "let" and household.status == "housed"
        assert [f.months for f in placement.follow_ups] == [1, 3, 6, 12]
        for follow_up in list(placement.follow_ups):
            ops.record_follow_up(follow_up, specialist, "all_well", "ok")
        assert placement.state == State.COMPLETED
        assert [e.action for e in placement.events] == [
            "propose",
            "accept",
            "schedule_viewing",
            "record_viewing",
            "submit_rent_offer",
            "approve_costs",
            "sign_lease",
            "move_in",
            "follow_up",  # each check is in the timeline (and reaches the landlord)
            "start_aftercare",
            "follow_up",
            "follow_up",
            "follow_up",
            "complete",
        ]


def test_second_flat_placement_past_acceptance_is_refused(app, db, setup):
    landlord, flat, household, specialist = setup
    with app.test_request_context():
        first = ops.propose(flat, household, specialist)
        second = ops.propose(flat, HouseholdFactory(), specialist)
        ops.take_step(first, Action.ACCEPT, landlord, "landlord")
        with pytest.raises(Refused) as refused:
            ops.take_step(second, Action.ACCEPT, landlord, "landlord")
        assert refused.value.code == "flat_taken"
        db.session.refresh(second)
        assert second.state == State.PROPOSED
        ops.take_step(first, Action.CANCEL, specialist, "specialist", cancel_reason="other")
        assert flat.status == "published"
        ops.take_step(second, Action.ACCEPT, landlord, "landlord")
        assert (
            db.session.scalar(select(Placement.state).where(Placement.id == second.id))
            == "landlord_accepted"
        )


def test_consent_withdrawn_blocks_acceptance_and_hides_the_name(app, db, setup):
    landlord, flat, household, specialist = setup
    with app.test_request_context():
        placement = ops.propose(flat, household, specialist)
        household.consents[0].withdrawn_on = clock.today()
        with pytest.raises(Refused) as refused:
            ops.take_step(placement, Action.ACCEPT, landlord, "landlord")
        assert refused.value.code == "not_visible"
        assert flat.status == "published"


def test_name_revealed_only_while_consent_is_valid(app, db, setup):
    landlord, flat, household, specialist = setup
    with app.test_request_context():
        placement = ops.propose(flat, household, specialist)
        ops.take_step(placement, Action.ACCEPT, landlord, "landlord")
        ops.take_step(
            placement,
            Action.SCHEDULE_VIEWING,
            specialist,
            "specialist",
            viewing_at=datetime(2026, 12, 3, 13, 0, tzinfo=UTC),
            viewing_place="Vor dem Haus",
            viewing_companion_id=specialist.id,
        )
        assert placement.identity_revealed
        household.consents[0].withdrawn_on = clock.today()
        assert not placement.identity_revealed


def test_moving_in_ends_the_households_other_placements(app, db, setup):
    landlord, flat, household, specialist = setup
    other_landlord = UserFactory()
    other_flat = FlatFactory(organisation=other_landlord.organisation, status="published")
    with app.test_request_context():
        placement = ops.propose(flat, household, specialist)
        elsewhere = ops.propose(other_flat, household, specialist)
        ops.take_step(elsewhere, Action.ACCEPT, other_landlord, "landlord")
        assert other_flat.status == "reserved"
        ops.take_step(placement, Action.ACCEPT, landlord, "landlord")
        steps = [
            (
                Action.SCHEDULE_VIEWING,
                {
                    "viewing_at": datetime(2026, 12, 3, 13, 0, tzinfo=UTC),
                    "viewing_place": "Haus",
                    "viewing_companion_id": specialist.id,
                },
            ),
            (Action.RECORD_VIEWING, {"viewing_outcome": "gut"}),
            (Action.SUBMIT_RENT_OFFER, {"rent_offer_on": clock.today(), "rent_offer_office": "JC"}),
            (Action.APPROVE_COSTS, {"costs_approved_on": clock.today(), "deposit_loan": False}),
            (Action.SIGN_LEASE, {"lease_signed_on": clock.today(), "rent_start_on": clock.today()}),
            (Action.MOVE_IN, {"keys_handed_over_on": clock.today()}),
        ]
        for action, data in steps:
            ops.take_step(placement, action, specialist, "specialist", **data)
        db.session.refresh(elsewhere)
        assert elsewhere.state == "cancelled"
        assert elsewhere.cancel_reason == "household_housed_elsewhere"
        assert other_flat.status == "published"


def test_landlord_decline_sends_no_cancellation_letter(app, db, setup):
    landlord, flat, household, specialist = setup
    with app.test_request_context():
        placement = ops.propose(flat, household, specialist)
        before = len(outbox(landlord.email))
        ops.take_step(placement, Action.DECLINE, landlord, "landlord")
        assert len(outbox(landlord.email)) == before
