"""Rent arrears in the browser (issue 16): the specialist records an aftercare check with
outcome "rent arrears", the placement page proposes the direct payment of rent and a mediation
case, each one button; after both, the proposal is gone and the page links the open case. Every
page passes axe-core. (English UI.)"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from portal.accounts.models import Organisation, Role, utcnow
from portal.core import clock
from portal.extensions import db
from portal.households.models import Consent, Household, HouseholdIdentity, HouseholdStatus
from portal.placements import operations as ops
from portal.placements.models import Action
from tests.e2e.conftest import person, published_flat

pytestmark = pytest.mark.e2e

PASSWORD = "Ein Zuhause für alle 2026"
SPECIALIST = "arrears-spec@example.org"
LANDLORD = "arrears-owner@example.org"
CODE = "DU-2026-1100"


def seed(live_app) -> int:
    """A household moved in through the steps 40 days ago: its first check is due."""
    with live_app.app_context(), live_app.test_request_context():
        org = Organisation(kind="company", name="Rückstand Wohnen GmbH")
        specialist = person(SPECIALIST, "Rita Rückstand", Role.SPECIALIST, PASSWORD)
        landlord = person(LANDLORD, "Rolf Landlord", Role.LANDLORD, PASSWORD, organisation=org)
        db.session.flush()
        flat = published_flat(
            org, "Rückstandweg", "3", created_by_id=landlord.id, submitted_by_id=landlord.id
        )
        household = Household(
            code=CODE,
            status=HouseholdStatus.VETTED.value,
            adults=2,
            children=1,
            needed_rooms=Decimal("3"),
            needed_area=Decimal("70"),
            max_gross_cold_rent=Decimal("564"),
            earliest_move_in=clock.today() - timedelta(days=60),
            cost_bearer="jobcenter",
            waiting_since=clock.today() - timedelta(days=200),
            vetted_at=utcnow(),
            vetted_by_id=specialist.id,
        )
        household.consents.append(
            Consent(
                given_on=clock.today() - timedelta(days=100),
                expires_on=clock.today() + timedelta(days=100),
            )
        )
        household.identity = HouseholdIdentity(main_tenant_name="Rana Beispiel")
        db.session.add_all([flat, household])
        db.session.flush()
        placement = ops.propose(flat, household, specialist)
        today = clock.today()
        moved = today - timedelta(days=40)
        steps = [
            (Action.ACCEPT, {}),
            (
                Action.SCHEDULE_VIEWING,
                {
                    "viewing_at": clock.utcnow() - timedelta(days=50),
                    "viewing_place": "Vor dem Haus",
                    "viewing_companion_id": specialist.id,
                },
            ),
            (Action.RECORD_VIEWING, {"viewing_outcome": "gut"}),
            (Action.SUBMIT_RENT_OFFER, {"rent_offer_on": moved, "rent_offer_office": "Jobcenter"}),
            (Action.APPROVE_COSTS, {"costs_approved_on": moved, "deposit_loan": True}),
            (Action.SIGN_LEASE, {"lease_signed_on": moved, "rent_start_on": moved}),
            (Action.MOVE_IN, {"keys_handed_over_on": moved}),
        ]
        for action, data in steps:
            ops.take_step(placement, action, specialist, "specialist", **data)
        db.session.commit()
        return placement.id


@pytest.mark.english
def test_rent_arrears_lead_to_direct_payment_and_a_mediation_case(web, live_app):
    placement_id = seed(live_app)
    page = web.page
    main = page.locator("main")
    web.log_in(SPECIALIST, PASSWORD)
    web.goto(f"/backoffice/placements/{placement_id}")
    follow_ups = main.locator("#follow-ups")
    form = follow_ups.locator(
        "form",
        has=page.get_by_role("heading", name="Record the follow-up after 1 month", exact=False),
    )
    form.get_by_label("Rent arrears", exact=True).check()
    form.get_by_role("button", name="Record the follow-up").click()
    web.check()
    box = main.locator("#arrears")
    assert "Rent arrears: what the team can do now" in box.inner_text()

    box.get_by_role("button", name="Request direct payment of the rent").click()
    web.check()
    assert (
        "The request for direct payment is recorded." in page.locator(".flash-success").inner_text()
    )
    box = main.locator("#arrears")
    assert box.get_by_role("button", name="Request direct payment of the rent").count() == 0

    box.get_by_role("button", name="Open a mediation case").click()
    web.check()
    assert "is opened and linked to the placement" in page.locator(".flash-success").inner_text()
    assert "/backoffice/mediation/" in page.url
    assert CODE in main.inner_text()

    web.goto(f"/backoffice/placements/{placement_id}")
    assert main.locator("#arrears").count() == 0
    assert main.locator("#open-mediation-case").count() == 1
