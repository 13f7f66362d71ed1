"""Test worlds of the paperwork browser tests: a vetted household, and a placement driven
through the steps as the specialist takes them, today. Call inside the live app's request
context; nothing is committed here."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from portal.accounts.models import User, utcnow
from portal.core import clock
from portal.extensions import db
from portal.households.models import Consent, Household, HouseholdIdentity, HouseholdStatus
from portal.listings.models import Flat
from portal.placements import operations as ops
from portal.placements.models import ORDER, Action, Placement, State


def vetted_household(
    code: str,
    specialist: User,
    tenant: str | None = None,
    *,
    shares_payment_status: bool = False,
    **fields,
) -> Household:
    """A three-person household (fits ``published_flat``) with a valid consent and, given
    ``tenant``, the main tenant's name; ``fields`` override any column."""
    values = {
        "status": HouseholdStatus.VETTED.value,
        "adults": 2,
        "children": 1,
        "needed_rooms": Decimal("3"),
        "needed_area": Decimal("70"),
        "max_gross_cold_rent": Decimal("564"),
        "earliest_move_in": clock.today(),
        "cost_bearer": "jobcenter",
        "waiting_since": clock.today() - timedelta(days=100),
        "vetted_at": utcnow(),
        "vetted_by_id": specialist.id,
    }
    household = Household(code=code, **(values | fields))
    household.consents.append(
        Consent(
            given_on=clock.today() - timedelta(days=10),
            expires_on=clock.today() + timedelta(days=170),
            shares_payment_status=shares_payment_status,
        )
    )
    if tenant is not None:
        household.identity = HouseholdIdentity(main_tenant_name=tenant)
    db.session.add(household)
    return household


def _steps(specialist: User) -> list[tuple[State, Action, dict]]:
    today = clock.today()
    return [
        (State.LANDLORD_ACCEPTED, Action.ACCEPT, {}),
        (
            State.VIEWING_SCHEDULED,
            Action.SCHEDULE_VIEWING,
            {
                "viewing_at": clock.utcnow() - timedelta(minutes=5),
                "viewing_place": "Vor dem Haus",
                "viewing_companion_id": specialist.id,
            },
        ),
        (State.VIEWING_DONE, Action.RECORD_VIEWING, {"viewing_outcome": "gut"}),
        (
            State.RENT_OFFER_SUBMITTED,
            Action.SUBMIT_RENT_OFFER,
            {"rent_offer_on": today, "rent_offer_office": "Jobcenter"},
        ),
        (
            State.COSTS_APPROVED,
            Action.APPROVE_COSTS,
            {"costs_approved_on": today, "deposit_loan": True},
        ),
        (
            State.LEASE_SIGNED,
            Action.SIGN_LEASE,
            {"lease_signed_on": today, "rent_start_on": today},
        ),
        (State.MOVED_IN, Action.MOVE_IN, {"keys_handed_over_on": today}),
    ]


def placed(flat: Flat, household: Household, specialist: User, to: State) -> Placement:
    """The household proposed for the flat and taken through the steps up to ``to``."""
    db.session.flush()
    placement = ops.propose(flat, household, specialist)
    for reached, action, data in _steps(specialist):
        if ORDER.index(reached) > ORDER.index(to):
            break
        ops.take_step(placement, action, specialist, "specialist", **data)
    return placement
