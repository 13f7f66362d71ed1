"""Twenty people take the same kind of step at the same moment: the database lets exactly one
through (partial unique indexes, and row locks on PostgreSQL), the others are refused with a
Refused and leave nothing behind."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from portal.accounts.models import User
from portal.core.outbox import OutboxMessage
from portal.core.refusals import Refused
from portal.extensions import db
from portal.listings.models import Flat
from portal.placements import operations as ops
from portal.placements.models import Action, Placement, PlacementEvent, State
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory, UserFactory
from tests.own_database import in_threads
from tests.placements.concurrency.conftest import THREADS

pytestmark = pytest.mark.own_database


def race(app, placement_ids: list[int], actor_id: int, action: Action, role: str, **data):
    """Take ``action`` on each placement in its own thread, with its own app context and so
    its own session; each thread loads its objects, then all are released at once. Returns per
    thread "ok" (committed), the refusal's code, or any other exception as text."""
    results: list[str | None] = [None] * len(placement_ids)

    def run(index: int, barrier: threading.Barrier) -> None:
        # A request context in every thread: operations build mail links from it.
        with app.test_request_context():
            try:
                placement = db.session.get(Placement, placement_ids[index])
                actor = db.session.get(User, actor_id)
                barrier.wait(timeout=60)
                try:
                    ops.take_step(placement, action, actor, role, **data)
                    db.session.commit()
                    results[index] = "ok"
                except Refused as exc:
                    db.session.rollback()
                    results[index] = exc.code
            except Exception as exc:  # noqa: BLE001 - reported as the thread's result
                barrier.abort()
                results[index] = f"{type(exc).__name__}: {exc}"
            finally:
                db.session.remove()

    in_threads(len(placement_ids), run)
    return results


def refusals(app, code: str) -> set[str]:
    """The refusals a loser may see: the invariant's own code; on SQLite also "busy" (another
    writer holds the database, the step changed nothing and may be tried again)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return {code, "busy"}
    return {code}


def retry_a_loser(app, placement_ids, results, actor_id, action, role, **data) -> str:
    """A refused step tried again once the race is over: the invariant's own refusal."""
    loser = placement_ids[next(i for i, r in enumerate(results) if r != "ok")]
    with app.test_request_context():
        placement = db.session.get(Placement, loser)
        try:
            ops.take_step(placement, action, db.session.get(User, actor_id), role, **data)
        except Refused as exc:
            return exc.code
        finally:
            db.session.rollback()
    return "ok"


def test_twenty_acceptances_of_one_flat_reserve_it_once(race_app):
    with race_app.test_request_context():
        landlord = UserFactory()
        specialist = StaffFactory(role="specialist")
        flat = FlatFactory(
            organisation=landlord.organisation, status="published", created_by_id=landlord.id
        )
        placements = [ops.propose(flat, HouseholdFactory(), specialist) for _ in range(THREADS)]
        db.session.commit()
        ids, landlord_id, flat_id = [p.id for p in placements], landlord.id, flat.id

    results = race(race_app, ids, landlord_id, Action.ACCEPT, "landlord")

    assert results.count("ok") == 1, results
    assert {r for r in results if r != "ok"} <= refusals(race_app, "flat_taken"), results
    assert retry_a_loser(race_app, ids, results, landlord_id, Action.ACCEPT, "landlord") == (
        "flat_taken"
    )
    with race_app.app_context():
        states = db.session.scalars(select(Placement.state).where(Placement.flat_id == flat_id))
        assert sorted(states) == [State.LANDLORD_ACCEPTED] + [State.PROPOSED] * (THREADS - 1)
        assert db.session.get(Flat, flat_id).status == "reserved"
        accepted = db.session.scalar(
            select(func.count(PlacementEvent.id)).where(PlacementEvent.action == "accept")
        )
        assert accepted == 1


def test_twenty_viewings_for_one_household_schedule_once(race_app):
    with race_app.test_request_context():
        specialist = StaffFactory(role="specialist")
        household = HouseholdFactory()
        flats = []
        for _ in range(THREADS):
            landlord = UserFactory()
            flats.append(
                FlatFactory(
                    organisation=landlord.organisation,
                    status="published",
                    created_by_id=landlord.id,
                )
            )
        ids = [ops.propose(flat, household, specialist).id for flat in flats]
        # Every landlord has accepted already (set directly: the flats differ, nothing clashes).
        db.session.execute(
            update(Placement)
            .where(Placement.id.in_(ids))
            .values(state=State.LANDLORD_ACCEPTED.value)
        )
        db.session.execute(
            update(Flat).where(Flat.id.in_([f.id for f in flats])).values(status="reserved")
        )
        db.session.commit()
        specialist_id, household_id = specialist.id, household.id

    viewing = {
        "viewing_at": datetime(2026, 12, 3, 13, 0, tzinfo=UTC),
        "viewing_place": "Vor dem Haus",
        "viewing_companion_id": specialist_id,
    }
    step = (specialist_id, Action.SCHEDULE_VIEWING, "specialist")

    results = race(race_app, ids, *step, **viewing)

    assert results.count("ok") == 1, results
    assert {r for r in results if r != "ok"} <= refusals(race_app, "household_taken"), results
    assert retry_a_loser(race_app, ids, results, *step, **viewing) == "household_taken"
    with race_app.app_context():
        states = db.session.scalars(
            select(Placement.state).where(Placement.household_id == household_id)
        )
        assert sorted(states) == [State.LANDLORD_ACCEPTED] * (THREADS - 1) + [
            State.VIEWING_SCHEDULED
        ]
        # Only the winner's invitation was queued; the refused steps' mail rolled back with them.
        invitations = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.attachment_name.is_not(None))
        )
        assert invitations == 1
