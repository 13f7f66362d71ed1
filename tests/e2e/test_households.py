"""A social worker creates and vets a household with consent; a landlord finds it with a filter,
opens it and registers interest for a flat; the specialist sees the interest. Every page passes
axe-core. (English UI: the German one is covered by the other journeys.)"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.accounts.models import Organisation, Role, User, utcnow
from portal.accounts.passwords import hash_password
from portal.extensions import db
from portal.listings.models import District, Flat

pytestmark = pytest.mark.e2e

PASSWORD = "Ein Zuhause für alle 2026"


def make_people(live_app):
    with live_app.app_context():
        org = Organisation(kind="company", name="Wohnen am Rhein GmbH")
        people = [
            User(email="sw@example.org", full_name="Sara Sozial", role=Role.SOCIAL_WORKER),
            User(email="spec@example.org", full_name="Ingo Immo", role=Role.SPECIALIST),
            User(
                email="owner@example.org",
                full_name="Olga Owner",
                role=Role.LANDLORD,
                organisation=org,
                is_org_admin=True,
            ),
        ]
        for person in people:
            person.locale = "en"
            person.password_hash = hash_password(PASSWORD)
            person.email_verified_at = utcnow()
        db.session.add_all([org, *people])
        db.session.flush()
        district = db.session.scalar(select(District).where(District.name == "Neudorf-Nord"))
        db.session.add(
            Flat(
                organisation_id=org.id,
                status="published",
                street="Lotharstraße",
                house_number="8",
                postcode="47057",
                district=district,
                floor=1,
                rooms=Decimal("3"),
                living_area=Decimal("75"),
                cold_rent=Decimal("420"),
                service_charges=Decimal("120"),
                heating_costs=Decimal("80"),
                warm_water="central",
                deposit=Decimal("840"),
                energy_certificate_pending=True,
                description="Hell.",
                available_from=date.today() + timedelta(days=20),
                submitted_at=utcnow(),
                published_at=utcnow(),
            )
        )
        db.session.commit()


@pytest.mark.english
def test_household_from_vetting_to_landlord_interest(web, live_app):
    make_people(live_app)
    page = web.page

    web.log_in("sw@example.org", PASSWORD)
    web.goto("/backoffice/households/new")
    page.get_by_label("Adults", exact=True).fill("2")
    page.get_by_label("Children", exact=True).fill("1")
    page.get_by_label("Earliest move-in").fill(date.today().isoformat())
    page.get_by_label("Profile text").fill("We are a quiet family and like gardening.")
    page.get_by_label("Main tenant's name").fill("Layla Example")
    page.get_by_role("button", name="Save").click()
    web.check()
    code = re.search(r"DU-\d{4}-\d{4}", page.locator("h1").inner_text()).group(0)

    page.get_by_label("Consent given on").fill(date.today().isoformat())
    page.get_by_role("button", name="Record consent").click()
    web.check()
    page.get_by_role("button", name="Mark as vetted").click()
    web.check()
    assert "Vetted" in page.locator("main").inner_text()
    web.log_out()

    web.log_in("owner@example.org", PASSWORD)
    web.goto("/households/")
    page.get_by_label("Household size").select_option("3")
    page.get_by_label("Fits one of my flats").check()
    page.get_by_role("button", name="Show").click()
    web.check()
    page.get_by_role("link", name=re.compile(code)).first.click()
    web.check()
    main = page.locator("main").inner_text()
    assert "Layla" not in main and "Lotharstraße" in main
    assert "gross cold rent within the" in main
    page.get_by_role("button", name="Send to the Kümmerer team").click()
    web.check()
    assert page.locator(".flash-success").count() == 1
    web.log_out()

    web.log_in("spec@example.org", PASSWORD)
    web.goto("/backoffice/")
    interests = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("Open landlord interests"))
    )
    assert code in interests.inner_text()
    interests.get_by_role("link", name=code).click()
    web.check()
    assert "Layla Example" in page.locator("main").inner_text()  # staff see tier 2
