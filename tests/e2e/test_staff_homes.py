"""The back office by role in the browser: the specialist's home lists a flat to review, she asks
for changes, the landlord changes the rent and submits again, and the review page shows the
history with the difference; the social worker's home lists her draft, which she vets through
the checklist; the admin's home shows both as figures. Every page passes axe-core."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.accounts.models import Organisation, Role, User
from portal.core import clock
from portal.extensions import db
from portal.households.models import Consent, Household, HouseholdStatus
from portal.listings import operations as listings_ops
from portal.listings.models import Flat
from tests.e2e.conftest import person, published_flat

pytestmark = pytest.mark.e2e

PASSWORD = "Jede Rolle ihr Zuhause 2026"
SPECIALIST = "home-spec@example.org"
WORKER = "home-worker@example.org"
ADMIN = "home-admin@example.org"
LANDLORD = "home-owner@example.org"
CODE = "DU-2026-0970"


def seed(live_app) -> int:
    """A specialist, a social worker, an admin, a landlord's flat in review and a draft
    household of the social worker with a valid consent. Returns the flat's id."""
    with live_app.app_context():
        org = Organisation(kind="private", name="Hof am Rhein")
        person(SPECIALIST, "Pia Prüf", Role.SPECIALIST, PASSWORD)
        worker = person(WORKER, "Sara Sozial", Role.SOCIAL_WORKER, PASSWORD)
        person(ADMIN, "Alma Admin", Role.ADMIN, PASSWORD)
        landlord = person(LANDLORD, "Lars Hof", Role.LANDLORD, PASSWORD, organisation=org)
        db.session.flush()
        flat = published_flat(
            org,
            "Rheinhauser Straße",
            "7",
            status="submitted",
            published_at=None,
            description="Hell und ruhig, nahe der Straßenbahn.",
            created_by_id=landlord.id,
            submitted_by_id=landlord.id,
        )
        household = Household(
            code=CODE,
            status=HouseholdStatus.DRAFT.value,
            adults=1,
            children=0,
            needed_rooms=Decimal("1"),
            needed_area=Decimal("45"),
            max_gross_cold_rent=Decimal("450"),
            earliest_move_in=clock.today(),
            cost_bearer="jobcenter",
            waiting_since=clock.today() - timedelta(days=30),
            created_by_id=worker.id,
        )
        household.consents.append(
            Consent(
                given_on=clock.today() - timedelta(days=1),
                expires_on=clock.today() + timedelta(days=180),
            )
        )
        db.session.add_all([flat, household])
        db.session.commit()
        return flat.id


def landlord_lowers_the_rent(live_app, flat_id: int) -> None:
    with live_app.test_request_context():
        flat = db.session.get(Flat, flat_id)
        landlord = db.session.scalar(db.select(User).where(User.email == LANDLORD))
        listings_ops.update_flat(flat, landlord, {"cold_rent": Decimal("395.00")})
        listings_ops.submit_flat(flat, landlord)
        db.session.commit()


@pytest.mark.english
def test_each_role_has_its_home_and_the_review_page_shows_the_history(web, live_app):
    flat_id = seed(live_app)
    page = web.page
    main = page.locator("main")

    # The specialist: the flat waits for review; she asks for changes.
    web.log_in(SPECIALIST, PASSWORD)
    web.goto("/backoffice/")
    review = page.locator("section", has=page.get_by_role("heading", name="Flats to review"))
    # The browser tests share one database: other tests' flats may wait too.
    assert re.search(r"\b\d+ flats? waiting for review", review.inner_text())
    assert "My households" not in main.inner_text()
    review.get_by_role("link", name="Rheinhauser Straße 7, 47057 Duisburg").click()
    web.check()
    page.get_by_label("Ask the landlord for changes").check()
    page.get_by_label("Comment for the landlord").fill("Bitte die Kaltmiete prüfen.")
    page.get_by_role("button", name="Save decision").click()
    web.check()

    # The landlord lowers the rent and submits again; the review page shows what changed.
    landlord_lowers_the_rent(live_app, flat_id)
    web.goto(f"/backoffice/flats/{flat_id}")
    changed = page.locator("#changed-since")
    assert "1 field" in changed.inner_text()
    assert "€420.00" in changed.inner_text() and "€395.00" in changed.inner_text()
    requests = page.locator("#change-requests").inner_text()
    assert "Bitte die Kaltmiete prüfen." in requests and "Pia Prüf" in requests
    history = page.locator("#review-history").inner_text()
    assert "Changes requested" in history and "Lars Hof (landlord)" in history
    web.log_out()

    # The social worker: her draft, vetted through the checklist.
    web.log_in(WORKER, PASSWORD)
    web.goto("/backoffice/")
    assert "Flats to review" not in main.inner_text()
    mine = page.locator("section", has=page.get_by_role("heading", name="My households"))
    mine.get_by_role("link", name=CODE).click()
    web.check()
    vetting = page.locator("#vetting")
    vetting.get_by_label("The consent is signed").check()
    page.get_by_role("button", name="Mark as vetted").click()
    web.check()
    assert "please tick every item of the vetting checklist" in main.inner_text()
    vetting = page.locator("#vetting")
    assert vetting.get_by_label("The consent is signed").is_checked()  # the tick is kept
    vetting.get_by_label("needs are discussed").check()
    vetting.get_by_label("profile text is read").check()
    page.get_by_role("button", name="Mark as vetted").click()
    web.check()
    checklist = page.locator("#vetting-checklist").inner_text()
    assert "by Sara Sozial" in checklist and "profile text is read" in checklist
    web.log_out()

    # The admin: both homes as figures, no household code.
    web.log_in(ADMIN, PASSWORD)
    web.goto("/backoffice/")
    text = main.inner_text()
    assert "Real-estate specialists" in text and "Social workers" in text
    assert CODE not in text and "Rheinhauser" not in text
