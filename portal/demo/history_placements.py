"""The flats and placements of the demo's year, through the operations: each flat is offered
(``offer_flat``: created, submitted, published), a few first see a placement that fails
(declined by the landlord or cancelled at some step), then the placement that lets it goes
``propose`` and ``take_step`` up to the lease and the key handover, and its aftercare checks are
recorded with ``record_follow_up`` (which starts the aftercare and completes it). The steps run
today with the plan's dates as their data; ``_date_back`` then moves the rows' times to the days
the steps stand for (``portal.demo.dating``)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from portal.accounts.models import User
from portal.demo.dating import at
from portal.demo.history_plan import (
    CANCEL_NOTE,
    CANCEL_STEPS,
    CANCELLED_ON,
    FOLLOW_UP_NOTES,
    STREETS,
    Plan,
)
from portal.demo.listings import offer_flat
from portal.demo.messages import date_messages
from portal.extensions import db
from portal.households.models import HouseholdStatus
from portal.listings.models import District, Flat
from portal.placements import operations as ops
from portal.placements.models import SPECIALIST, Action, Placement, State

STEP_OFFSETS = {  # days after the proposal, up to the rent offer
    Action.ACCEPT: 2,
    Action.SCHEDULE_VIEWING: 3,
    Action.RECORD_VIEWING: 6,
    Action.SUBMIT_RENT_OFFER: 8,
}


def _flat_data(district: District, street: str, postcode: str, published: date, size: int, rng):
    rooms = Decimal(max(1, min(size, 4)))
    area = Decimal(38 + 13 * min(size, 5) + rng.randrange(0, 8))
    cold = (area * Decimal("6.40")).quantize(Decimal("1"))
    return {
        "street": street,
        "house_number": str(rng.randrange(2, 140)),
        "postcode": postcode,
        "district_id": district.id,
        "floor": rng.randrange(0, 5),
        "rooms": rooms,
        "living_area": area,
        "cold_rent": cold,
        "service_charges": (area * Decimal("2.10")).quantize(Decimal("1")),
        "heating_costs": (area * Decimal("1.30")).quantize(Decimal("1")),
        "warm_water": "central",
        "deposit": cold * 2,
        "has_balcony": rng.random() < 0.4,
        "energy_certificate_pending": True,
        "description": "Gepflegte Wohnung in einem Mehrfamilienhaus, Keller, Bad mit Wanne.",
        "available_from": published + timedelta(days=14),
    }


def _steps(placement: Placement, start: date, lease: date | None, specialist: User) -> list:
    """(action, day, data) of the steps up to the lease (to the rent offer without one)."""
    days = {action: start + timedelta(days=n) for action, n in STEP_OFFSETS.items()}
    viewing, offer = days[Action.RECORD_VIEWING], days[Action.SUBMIT_RENT_OFFER]
    office = (
        "Sozialamt Duisburg"
        if placement.household.cost_bearer == "sozialamt"
        else "Jobcenter Duisburg"
    )
    steps = [
        (Action.ACCEPT, days[Action.ACCEPT], {"on_behalf_of": "landlord"}),
        (
            Action.SCHEDULE_VIEWING,
            days[Action.SCHEDULE_VIEWING],
            {
                "viewing_at": at(viewing, 16, 0),
                "viewing_place": "Vor dem Hauseingang",
                "viewing_companion_id": specialist.id,
            },
        ),
        (
            Action.RECORD_VIEWING,
            viewing,
            {"viewing_outcome": "Beide Seiten möchten weitermachen."},
        ),
        (
            Action.SUBMIT_RENT_OFFER,
            offer,
            {"rent_offer_on": offer, "rent_offer_office": office},
        ),
    ]
    if lease is not None:
        approved = lease - timedelta(days=3)
        steps += [
            (Action.APPROVE_COSTS, approved, {"costs_approved_on": approved, "deposit_loan": True}),
            (
                Action.SIGN_LEASE,
                lease,
                {"lease_signed_on": lease, "rent_start_on": lease + timedelta(days=7)},
            ),
        ]
    return steps


def _date_back(placement: Placement, start: date, days: dict[str, date], last: date) -> None:
    """The placement's and its events' times on the days the steps stand for."""
    placement.created_at = at(start, 9)
    checks = {f.months: f.done_on for f in placement.follow_ups if f.done_on is not None}
    for event in placement.events:
        day = days.get(event.action, start)
        if event.action == "follow_up":  # an aftercare check, on the day it was recorded
            day = checks.get(event.data.get("months"), day)
        event.created_at = at(day, 10 + len(event.action) % 6)
    placement.state_changed_at = at(last, 15)
    db.session.flush()
    date_messages(placement)


def _follow_ups(placement, ending, overdue, worker: User, rng, today: date) -> dict[str, date]:
    """The checks recorded where due (the first always: no demo tenancy stays in
    ``moved_in``); ``ending`` ends the tenancy at the second or third check; ``overdue`` leaves
    the latest due check unrecorded. Returns the days of the aftercare's start and end."""
    checks = sorted(placement.follow_ups, key=lambda check: check.months)
    due_count = sum(check.due_on <= today for check in checks)
    # A return to a shelter is recorded at the 3-month check, an ended tenancy at the 6-month one.
    wanted = 1 if ending == "returned_to_shelter" else 2
    ends_at = min(due_count - 1, wanted) if ending and due_count >= 2 else None
    days: dict[str, date] = {}
    previous = None
    for index, check in enumerate(checks):
        if placement.state == State.COMPLETED:
            break
        if check.due_on > today or (overdue and index == due_count - 1 and index > 0):
            continue
        done = min(today, check.due_on + timedelta(days=rng.randrange(-3, 11)))
        outcome_on = None
        if index == ends_at:
            outcome = ending
            outcome_on = previous + timedelta(days=rng.randrange(1, max(2, (done - previous).days)))
        else:
            outcome = rng.choices(
                ["all_well", "needs_support", "rent_arrears", "conflict"], [75, 15, 5, 5]
            )[0]
        ops.record_follow_up(check, worker, outcome, FOLLOW_UP_NOTES[outcome], done, outcome_on)
        days.setdefault("start_aftercare", done)
        days["complete"] = done
        previous = done
    assert "start_aftercare" in days, "every demo move-in has its first check"  # noqa: S101 - demo data invariant
    return days


def _cancelled(flat: Flat, published: date, active: list[Plan], specialist: User, n: int) -> bool:
    """A placement on ``flat`` that failed before the household it was let to came along."""
    start = published + timedelta(days=3)
    candidates = sorted(
        (
            p
            for p in active
            if p.status == HouseholdStatus.VETTED and p.intake <= start - timedelta(days=14)
        ),
        key=lambda p: p.intake,
    )
    if not candidates:
        return False
    which = CANCELLED_ON.index(n)
    plan = candidates[-1 - which % len(candidates)]  # the most recent intakes before it
    reason, taken = CANCEL_STEPS[which % len(CANCEL_STEPS)]
    placement = ops.propose(flat, plan.household, specialist)
    days = {"propose": start}
    last = start
    for action, day, data in _steps(placement, start, None, specialist):
        if action.value not in taken:
            break
        ops.take_step(placement, action, specialist, SPECIALIST, **data)
        days[action.value] = last = day
    cancelled_on = last + timedelta(days=2)
    if reason == "landlord_declined":
        ops.take_step(
            placement, Action.DECLINE, specialist, SPECIALIST, on_behalf_of="landlord",
            note=CANCEL_NOTE,
        )  # fmt: skip
        days["decline"] = cancelled_on
    else:
        ops.take_step(
            placement, Action.CANCEL, specialist, SPECIALIST, cancel_reason=reason,
            note=CANCEL_NOTE,
        )  # fmt: skip
        days["cancel"] = cancelled_on
    db.session.flush()
    _date_back(placement, start, days, cancelled_on)
    return True


def create(
    placed: list[Plan],
    active: list[Plan],
    owners: list[User],
    districts: dict[str, District],
    users: dict[str, User],
    rng: random.Random,
    today: date,
) -> tuple[list[tuple[Placement, Flat]], int]:
    """A flat for each placed household and its placement up to the lease (and, for the older
    leases, the key handover and the checks since). Returns the placements with their flats
    and the number of failed placements."""
    specialist, worker = users["immobilien"], users["sozialarbeit"]
    moved = [p for p in placed if p.keys is not None]
    # Among the older half: their ends fall within the first six months after the move-in.
    endings = dict.fromkeys(rng.sample(range(len(moved) // 2), 4))
    for index, outcome in zip(endings, ["tenancy_ended", "returned_to_shelter"] * 2, strict=True):
        endings[index] = outcome
    overdue = set(rng.sample([i for i in range(len(moved)) if i not in endings], 2))
    made: list[tuple[Placement, Flat]] = []
    failed = 0
    moved_sorted = sorted(moved, key=lambda p: p.lease)  # oldest first: endings fit the checks
    for n, plan in enumerate([*moved_sorted, *[p for p in placed if p.keys is None]]):
        owner = owners[n % len(owners)]
        street, postcode, district = STREETS[n % len(STREETS)]
        cancelled_before = n in CANCELLED_ON
        gap = rng.randrange(60, 91) if cancelled_before else rng.randrange(30, 91)
        published = plan.lease - timedelta(days=gap)
        size = plan.adults + plan.children
        data = _flat_data(districts[district], street, postcode, published, size, rng)
        flat = offer_flat(owner, specialist, data)
        if cancelled_before:
            failed += _cancelled(flat, published, active, specialist, n)
        start = plan.lease - timedelta(days=rng.randrange(18, 29))
        placement = ops.propose(flat, plan.household, specialist)
        days = {"propose": start}
        for action, day, step_data in _steps(placement, start, plan.lease, specialist):
            ops.take_step(placement, action, specialist, SPECIALIST, **step_data)
            days[action.value] = day
        last = plan.lease
        if plan.keys is not None:
            ops.take_step(
                placement, Action.MOVE_IN, specialist, SPECIALIST, keys_handed_over_on=plan.keys
            )
            days["move_in"] = plan.keys
            db.session.flush()
            days |= _follow_ups(placement, endings.get(n), n in overdue, worker, rng, today)
            last = (
                days["complete"] if placement.state == State.COMPLETED else days["start_aftercare"]
            )
        db.session.flush()
        _date_back(placement, start, days, last)
        flat.created_at = at(published - timedelta(days=4), 9)
        flat.submitted_at = at(published - timedelta(days=2), 16)
        flat.published_at = at(published, 14)
        flat.status_changed_at = (
            at(plan.keys, 12)
            if plan.keys
            else at(start + timedelta(days=STEP_OFFSETS[Action.ACCEPT]))
        )
        made.append((placement, flat))
    db.session.flush()
    return made, failed
