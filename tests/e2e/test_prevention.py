"""A prevention case in the browser (issue 16): the social worker opens it on the household's
page (a refused date first), links the tenant's mediation case chosen from the list, and records
the outcome; the specialist finds the case on the list of open prevention cases before. Every
page passes axe-core. (English UI.)"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from portal.accounts.models import Role
from portal.core import clock
from portal.extensions import db
from portal.households.models import Household, HouseholdIdentity, HouseholdStatus
from portal.mediation.models import MediationCase
from tests.e2e.conftest import person

pytestmark = pytest.mark.e2e

PASSWORD = "Ein Zuhause für alle 2026"
WORKER = "prevention-sw@example.org"
SPECIALIST = "prevention-spec@example.org"
CODE = "DU-2026-1110"
CASE_NUMBER = "M-2026-1110"


def seed(live_app) -> int:
    """A household in its own flat (a draft profile, never offered) and the tenant's request."""
    with live_app.app_context():
        person(WORKER, "Petra Prävention", Role.SOCIAL_WORKER, PASSWORD)
        person(SPECIALIST, "Paul Prävention", Role.SPECIALIST, PASSWORD)
        household = Household(
            code=CODE,
            status=HouseholdStatus.DRAFT.value,
            adults=1,
            children=2,
            needed_rooms=Decimal("3"),
            needed_area=Decimal("80"),
            max_gross_cold_rent=Decimal("564"),
            earliest_move_in=clock.today(),
            cost_bearer="jobcenter",
            waiting_since=clock.today() - timedelta(days=20),
            intake_on=clock.today() - timedelta(days=20),
        )
        household.identity = HouseholdIdentity(main_tenant_name="Nadia Bedroht")
        db.session.add(household)
        db.session.add(
            MediationCase(
                number=CASE_NUMBER,
                status="in_progress",
                sender_kind="tenant",
                name="Nadia Bedroht",
                email="nadia.bedroht@example.org",
                topic="rent_arrears",
                message="Ich habe eine Kündigung bekommen.",
            )
        )
        db.session.commit()
        return household.id


@pytest.mark.english
def test_prevention_case_from_opening_to_outcome(web, live_app):
    household_id = seed(live_app)
    page = web.page

    web.log_in(WORKER, PASSWORD)
    web.goto(f"/backoffice/households/{household_id}")
    section = page.locator("#prevention")
    assert "No prevention case." in section.inner_text()
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    section.get_by_label("Case opened on").fill(tomorrow)
    section.get_by_label("What threatens the tenancy?").select_option("notice_rent_arrears")
    section.get_by_label("The household's landlord").fill("Hausverwaltung Beispiel")
    section.get_by_label("Note on the threat").fill("Two months of rent in arrears.")
    section.get_by_role("button", name="Open the prevention case").click()
    web.check()  # refused: the date lies in the future; what was typed is still there
    assert "The date cannot be in the future." in page.locator("main").inner_text()
    section = page.locator("#prevention")
    assert section.get_by_label("The household's landlord").input_value() == (
        "Hausverwaltung Beispiel"
    )
    section.get_by_label("Case opened on").fill(clock.today().isoformat())
    section.get_by_role("button", name="Open the prevention case").click()
    web.check()
    section = page.locator("#prevention")
    assert "Open prevention case since" in section.inner_text()

    # The tenant's mediation case is chosen from the list, never typed.
    choice = section.get_by_label("Mediation case with the landlord")
    label = next(o for o in choice.locator("option").all_inner_texts() if CASE_NUMBER in o)
    choice.select_option(label=label)
    section.get_by_role("button", name="Link the mediation case").click()
    web.check()
    assert "is linked to the chosen mediation case" in page.locator("main").inner_text()
    web.log_out()

    web.log_in(SPECIALIST, PASSWORD)
    web.goto("/backoffice/households/prevention")
    assert CODE in page.locator("main").inner_text()
    page.get_by_role("link", name=CODE).click()
    web.check()
    section = page.locator("#prevention")
    section.get_by_label("Outcome", exact=True).select_option("tenancy_kept")
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Record the outcome and close the case").click()
    web.check()
    assert "The outcome is recorded" in page.locator("main").inner_text()
    assert "Tenancy kept" in page.locator("#prevention").inner_text()
    web.goto("/backoffice/households/prevention")
    assert CODE not in page.locator("main").inner_text()
