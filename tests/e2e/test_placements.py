"""The whole placement journey in the browser: a landlord suggests a household for a flat, the
specialist takes the interest up, the landlord accepts, the specialist takes every step to the
move-in, the landlord then sees the main tenant's name, and the first follow-up starts the
aftercare. Every page passes axe-core. (English UI.)"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.accounts.models import Organisation, Role, utcnow
from portal.core import clock
from portal.extensions import db
from portal.households.models import Consent, Household, HouseholdIdentity, HouseholdStatus
from tests.e2e.conftest import person, published_flat

pytestmark = pytest.mark.e2e

PASSWORD = "Ein Zuhause für alle 2026"
SPECIALIST = "placement-spec@example.org"
LANDLORD = "placement-owner@example.org"
ORGANISATION = "Rheinblick Wohnen GmbH"
CODE = "DU-2026-0900"
TENANT = "Layla Example"
ADDRESS = "Wanheimer Straße 12, 47057 Duisburg"


def seed(live_app) -> int:
    """A specialist, a verified landlord with one published flat, and a vetted household with
    a valid consent whose needs fit the flat. Returns the household's id."""
    with live_app.app_context():
        org = Organisation(kind="company", name=ORGANISATION)
        specialist = person(SPECIALIST, "Pia Platz", Role.SPECIALIST, PASSWORD)
        landlord = person(LANDLORD, "Lars Landlord", Role.LANDLORD, PASSWORD, organisation=org)
        db.session.flush()
        flat = published_flat(
            org,
            "Wanheimer Straße",
            "12",
            created_by_id=landlord.id,
            submitted_by_id=landlord.id,
            description="Hell, mit Balkon.",
        )
        household = Household(
            code=CODE,
            status=HouseholdStatus.VETTED.value,
            adults=2,
            children=1,
            needed_rooms=Decimal("3"),
            needed_area=Decimal("80"),
            max_gross_cold_rent=Decimal("564"),
            earliest_move_in=clock.today(),
            cost_bearer="jobcenter",
            waiting_since=clock.today() - timedelta(days=200),
            profile_text="We are a quiet family.",
            vetted_at=utcnow(),
            vetted_by_id=specialist.id,
        )
        household.identity = HouseholdIdentity(main_tenant_name=TENANT)
        household.consents.append(
            Consent(
                given_on=clock.today() - timedelta(days=10),
                expires_on=clock.today() + timedelta(days=170),
            )
        )
        db.session.add_all([flat, household])
        db.session.commit()
        return household.id


def click(web, scope, button):
    scope.get_by_role("button", name=button).click()
    web.check()


def flash(page) -> str:
    return page.locator(".flash-success").inner_text()


def state(page) -> str:
    """The state badge under the placement page's heading (staff and landlord pages)."""
    return page.locator("main h1 ~ p .badge").first.inner_text()


def step_form(page, title):
    """One step's form on the staff placement page, found by its heading."""
    return page.locator("form", has=page.get_by_role("heading", name=title, exact=True))


@pytest.mark.english
def test_placement_from_interest_to_first_follow_up(web, live_app):
    household_id = seed(live_app)
    page = web.page
    main = page.locator("main")
    today = clock.today()

    # 1. The landlord suggests the household for the flat.
    web.log_in(LANDLORD, PASSWORD)
    web.goto(f"/households/{household_id}")
    assert f"{ADDRESS} fits" in main.inner_text()
    assert TENANT not in main.inner_text()
    interest = page.locator("form.interest-form")
    interest.get_by_label("Which of your flats?").select_option(label=ADDRESS)
    click(web, interest, "Send to the Kümmerer team")
    assert f"household {CODE} could live in your flat {ADDRESS}" in flash(page)
    web.log_out()

    # 2. The specialist takes the interest up: the placement is proposed.
    web.log_in(SPECIALIST, PASSWORD)
    web.goto("/backoffice/")
    interests = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("Open landlord interests"))
    )
    assert ORGANISATION in interests.inner_text()
    interests.get_by_role("link", name=CODE).click()
    web.check()
    main.get_by_role("button", name=f"Accept the interest of {ORGANISATION}").click()
    web.check()
    assert "The interest is accepted" in flash(page)
    assert state(page) == "Proposed"
    placement_path = re.search(r"/backoffice/placements/\d+$", page.url).group(0)
    web.log_out()

    # 3. The landlord accepts; the household's name is not shown yet.
    web.log_in(LANDLORD, PASSWORD)
    web.goto("/placements/")
    main.get_by_role("link", name=f"Household {CODE}").click()
    web.check()
    assert state(page) == "Proposed to you"
    click(web, main, "Yes, I would like to meet the household")
    assert f"You have agreed to meet household {CODE}" in flash(page)
    assert state(page) == "You agreed to a viewing"
    assert TENANT not in main.inner_text()
    web.log_out()

    # 4. The specialist takes every step up to the move-in.
    web.log_in(SPECIALIST, PASSWORD)
    web.goto(placement_path)
    assert state(page) == "Landlord accepted"

    # The viewing took place yesterday: its outcome can be recorded only once it has happened.
    viewing_day = today - timedelta(days=1)
    form = step_form(page, "Schedule the viewing")
    form.get_by_label("Date", exact=True).fill(viewing_day.isoformat())
    form.get_by_label("Time", exact=True).fill("14:00")
    form.get_by_label("Place", exact=True).fill("In front of the house")
    form.get_by_label("Accompanied by").select_option(label="Pia Platz")
    click(web, form, "Schedule the viewing")
    assert "The viewing is scheduled" in flash(page)
    assert state(page) == "Viewing scheduled"
    agreed = main.locator("section", has=page.get_by_role("heading", name="Agreed so far"))
    assert "In front of the house (with Pia Platz)" in agreed.inner_text()

    form = step_form(page, "Record the viewing")
    form.get_by_label("Outcome of the viewing").fill("Both sides want to go on.")
    click(web, form, "Record the viewing")
    assert flash(page) == "The viewing is recorded."
    assert state(page) == "Viewing done"

    form = step_form(page, "Record the rent offer")
    form.get_by_label("Rent offer sent on").fill(today.isoformat())
    form.get_by_label("Sent to", exact=True).fill("Jobcenter Duisburg-Mitte")
    click(web, form, "Record the rent offer")
    assert flash(page) == "The rent offer is recorded."
    assert state(page) == "Rent offer submitted"

    form = step_form(page, "Record the cost approval")
    form.get_by_label("Written approval (Zusicherung) dated").fill(today.isoformat())
    form.get_by_label("yes", exact=True).check()
    click(web, form, "Record the cost approval")
    assert flash(page) == "The cost approval is recorded."
    assert state(page) == "Costs approved"

    form = step_form(page, "Record the lease")
    form.get_by_label("Lease signed on").fill(today.isoformat())
    form.get_by_label("Rent starts on").fill(today.isoformat())
    click(web, form, "Record the lease")
    assert flash(page).startswith("The lease is recorded.")
    assert state(page) == "Lease signed"

    form = step_form(page, "Record the move-in")
    form.get_by_label("Keys handed over on").fill(today.isoformat())
    click(web, form, "Record the move-in")
    assert flash(page).startswith("The move-in is recorded")
    assert state(page) == "Moved in"
    web.log_out()

    # 5. The landlord now sees the main tenant's name, with the viewing in the timeline.
    web.log_in(LANDLORD, PASSWORD)
    web.goto("/placements/")
    main.get_by_role("link", name=f"Household {CODE}").click()
    web.check()
    assert state(page) == "Moved in"
    assert TENANT in main.inner_text()
    history = main.locator(
        "section", has=page.get_by_role("heading", name="What has happened so far")
    )
    assert "Viewing on" in history.inner_text()
    assert "In front of the house" in history.inner_text()
    assert f"You meet {TENANT}, the main tenant." in history.inner_text()
    web.log_out()

    # 6. The specialist records the first follow-up: the placement is in aftercare.
    web.log_in(SPECIALIST, PASSWORD)
    web.goto(placement_path)
    follow_ups = main.locator("#follow-ups")
    form = follow_ups.locator("form", has=page.get_by_role("heading", name=re.compile("1 month")))
    form.get_by_label("All well", exact=True).check()
    click(web, form, "Record the follow-up")
    assert flash(page) == "The follow-up is recorded."
    assert state(page) == "Aftercare"
    first_row = follow_ups.locator("tbody tr").first
    assert "All well" in first_row.inner_text()
    assert "Pia Platz" in first_row.inner_text()
    assert page.locator(".flash-warning").count() == 0
