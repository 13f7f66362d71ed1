"""The STEPS table, case by case: every (state, action, role) triple is tried on a placement
put directly into that state (with the data of the steps before it, and the flat and the
household in the matching statuses). Allowed moves reach their target and write exactly one
PlacementEvent and one AuditEvent; every other triple is refused (``Refused``) and
changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.extensions import db
from portal.placements import operations as ops
from portal.placements.labels import (
    ACTION_LABELS,
    CANCEL_REASON_LABELS,
    EVENT_LABELS,
    OUTCOME_LABELS,
    STATE_LABELS,
)
from portal.placements.models import (
    CANCEL_REASONS,
    FOLLOW_UP_OUTCOMES,
    ORDER,
    STEPS,
    Action,
    Placement,
    PlacementEvent,
    State,
)
from portal.placements.step_forms import STEP_FORMS
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory, UserFactory

ROLES = ("landlord", "specialist", "social_worker", "system")
CASES = [(state, action, role) for state in State for action in Action for role in ROLES]


def reached(state: State, step: State) -> bool:
    """Has a placement in ``state`` passed ``step`` on the way (cancelled: none needed)?"""
    return state in ORDER and ORDER.index(state) >= ORDER.index(step)


def flat_status(state: State) -> str:
    if state in (State.MOVED_IN, State.AFTERCARE, State.COMPLETED):
        return "let"
    if state in (State.PROPOSED, State.CANCELLED):
        return "published"
    return "reserved"


def household_status(state: State) -> str:
    return "housed" if state in (State.MOVED_IN, State.AFTERCARE, State.COMPLETED) else "vetted"


def build(state: State, specialist, today: date) -> Placement:
    """A placement set directly into ``state``, carrying what the steps before it recorded."""
    landlord = UserFactory()
    flat = FlatFactory(
        organisation=landlord.organisation,
        status=flat_status(state),
        created_by_id=landlord.id,
    )
    household = HouseholdFactory(status=household_status(state))
    data: dict = {}
    if reached(state, State.VIEWING_SCHEDULED):
        data |= {
            "viewing_at": clock.utcnow() - timedelta(days=20),
            "viewing_place": "Vor dem Haus",
            "viewing_companion_id": specialist.id,
        }
    if reached(state, State.VIEWING_DONE):
        data["viewing_outcome"] = "Beide wollen weiter"
    if reached(state, State.RENT_OFFER_SUBMITTED):
        data |= {"rent_offer_on": today, "rent_offer_office": "Jobcenter"}
    if reached(state, State.COSTS_APPROVED):
        data |= {"costs_approved_on": today, "deposit_loan": False}
    if reached(state, State.LEASE_SIGNED):
        data |= {"lease_signed_on": today, "rent_start_on": today}
    if reached(state, State.MOVED_IN):
        data["keys_handed_over_on"] = today - timedelta(days=40)
    if state == State.CANCELLED:
        data["cancel_reason"] = "other"
    placement = Placement(
        flat=flat,
        household=household,
        origin="specialist",
        state=state.value,
        staff_id=specialist.id,
        **data,
    )
    db.session.add(placement)
    db.session.flush()
    return placement


def valid_data(action: Action, specialist_id: int, today: date) -> dict:
    return {
        Action.SCHEDULE_VIEWING: {
            "viewing_at": clock.utcnow() + timedelta(days=2),
            "viewing_place": "Hauseingang",
            "viewing_companion_id": specialist_id,
        },
        Action.RESCHEDULE_VIEWING: {
            "viewing_at": clock.utcnow() + timedelta(days=3),
            "viewing_place": "Hof",
            "viewing_companion_id": specialist_id,
        },
        Action.RECORD_VIEWING: {"viewing_outcome": "Gut"},
        Action.SUBMIT_RENT_OFFER: {"rent_offer_on": today, "rent_offer_office": "Sozialamt"},
        Action.APPROVE_COSTS: {"costs_approved_on": today, "deposit_loan": True},
        Action.SIGN_LEASE: {"lease_signed_on": today, "rent_start_on": today},
        Action.MOVE_IN: {"keys_handed_over_on": today},
        Action.CANCEL: {"cancel_reason": "no_contact"},
    }.get(action, {})


def counts(placement_id: int) -> tuple[int, int]:
    events = db.session.scalar(
        select(func.count(PlacementEvent.id)).where(PlacementEvent.placement_id == placement_id)
    )
    audits = db.session.scalar(select(func.count(AuditEvent.id)))
    return events, audits


def step_audits(placement_id: int, action: Action) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == f"placement.{action.value}",
            AuditEvent.object_type == "placements",
            AuditEvent.object_id == placement_id,
        )
    )


def expected_statuses(state: State, action: Action) -> tuple[str, str]:
    """Flat and household status after an allowed step."""
    flat, household = flat_status(state), household_status(state)
    if action == Action.ACCEPT:
        return "reserved", household
    if action == Action.MOVE_IN:
        return "let", "housed"
    if action in (Action.CANCEL, Action.DECLINE):
        return ("published" if flat == "reserved" else flat), "vetted"
    return flat, household


@pytest.mark.parametrize(
    ("state", "action", "role"),
    CASES,
    ids=[f"{s.value}-{a.value}-{r}" for s, a, r in CASES],
)
def test_every_triple_of_the_steps_table(app, db, today, state, action, role):
    specialist = StaffFactory(role="specialist")
    placement = build(state, specialist, today)
    actors = {
        "landlord": UserFactory(organisation=placement.flat.organisation),
        "specialist": specialist,
        "social_worker": StaffFactory(role="social_worker"),
        "system": None,
    }
    sources, target, roles = STEPS[action]
    allowed = state in sources and role in roles
    events_before, audits_before = counts(placement.id)
    flat_before, household_before = placement.flat.status, placement.household.status
    with app.test_request_context():
        if allowed:
            event = ops.take_step(
                placement, action, actors[role], role, **valid_data(action, specialist.id, today)
            )
            db.session.flush()
        else:
            with pytest.raises(Refused) as refused:
                ops.take_step(
                    placement,
                    action,
                    actors[role],
                    role,
                    **valid_data(action, specialist.id, today),
                )
    db.session.expire_all()
    after = db.session.get(Placement, placement.id)
    events_after, audits_after = counts(placement.id)
    if allowed:
        assert after.state == (target or state).value
        assert events_after == events_before + 1
        assert step_audits(placement.id, action) == 1
        assert (event.action, event.from_state, event.to_state, event.role) == (
            action.value,
            state.value,
            after.state,
            role,
        )
        assert (after.flat.status, after.household.status) == expected_statuses(state, action)
        if action == Action.MOVE_IN:
            assert [f.months for f in after.follow_ups] == [1, 3, 6, 12]
    else:
        assert refused.value.code == ("state" if state not in sources else "role")
        assert after.state == state.value
        assert events_after == events_before
        assert audits_after == audits_before
        assert (after.flat.status, after.household.status) == (flat_before, household_before)


def test_the_table_covers_every_action_and_only_known_roles():
    assert set(STEPS) == set(Action)
    for _sources, _target, roles in STEPS.values():
        assert roles <= set(ROLES)
    assert len(CASES) == len(State) * len(Action) * len(ROLES)


def test_every_state_action_reason_and_outcome_has_a_label_and_every_step_a_form():
    assert set(STATE_LABELS) == {s.value for s in State}
    assert set(ACTION_LABELS) == {a.value for a in Action}
    assert {a.value for a in Action} <= set(EVENT_LABELS)
    assert set(CANCEL_REASON_LABELS) == set(CANCEL_REASONS)
    assert set(OUTCOME_LABELS) == set(FOLLOW_UP_OUTCOMES)
    assert set(STEP_FORMS) == set(Action)


def test_cancelling_a_proposal_leaves_a_household_housed_by_another_placement(app, db, today):
    """Only the placement that housed the household releases it."""
    specialist = StaffFactory(role="specialist")
    housing = build(State.MOVED_IN, specialist, today)
    household = housing.household
    landlord = UserFactory()
    other_flat = FlatFactory(
        organisation=landlord.organisation, status="published", created_by_id=landlord.id
    )
    stale = Placement(
        flat=other_flat,
        household=household,
        origin="specialist",
        state=State.PROPOSED.value,
        staff_id=specialist.id,
    )
    db.session.add(stale)
    db.session.flush()
    with app.test_request_context():
        ops.take_step(stale, Action.CANCEL, specialist, "specialist", cancel_reason="other")
    db.session.expire_all()
    assert db.session.get(Placement, stale.id).state == "cancelled"
    assert db.session.get(Placement, housing.id).household.status == "housed"
