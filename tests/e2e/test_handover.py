"""The Wohnungsgeberbestätigung in the browser (issue 16): the landlord confirms the move-in
with the one button on the placement page (naming the owner), the specialist sees the
confirmation on the placement's paperwork page and records the handover there. Every page
passes axe-core. (English UI.)"""

from __future__ import annotations

import pytest

from portal.accounts.models import Organisation, Role
from portal.extensions import db
from portal.placements.models import State
from tests.e2e.conftest import person, published_flat
from tests.e2e.placement_world import placed, vetted_household

pytestmark = pytest.mark.e2e

PASSWORD = "Ein Zuhause für alle 2026"
SPECIALIST = "handover-spec@example.org"
LANDLORD = "handover-owner@example.org"
TENANT = "Selin Übergabe"


def seed(live_app) -> tuple[str, int]:
    """A landlord's flat, and a household moved in through the steps today."""
    with live_app.app_context(), live_app.test_request_context():
        org = Organisation(
            kind="company", name="Übergabe Wohnen GmbH", address="Hafenstraße 2, 47119 Duisburg"
        )
        specialist = person(SPECIALIST, "Uta Übergabe", Role.SPECIALIST, PASSWORD)
        landlord = person(LANDLORD, "Ludwig Landlord", Role.LANDLORD, PASSWORD, organisation=org)
        db.session.flush()
        flat = published_flat(
            org, "Übergabeweg", "9", created_by_id=landlord.id, submitted_by_id=landlord.id
        )
        household = vetted_household("DU-2026-0980", specialist, TENANT)
        placement = placed(flat, household, specialist, State.MOVED_IN)
        db.session.commit()
        return placement.public_key, placement.id


@pytest.mark.english
def test_landlord_confirms_the_move_in(web, live_app):
    placement_key, placement_id = seed(live_app)
    page = web.page

    web.log_in(LANDLORD, PASSWORD)
    web.goto(f"/placements/{placement_key}")
    section = page.locator("#move-in")
    assert TENANT in section.inner_text()
    assert "Übergabeweg 9" in section.inner_text()
    section.get_by_label("Owner's name").fill("Erika Eigentum")
    section.get_by_label("Owner's address").fill("Am Deich 3, 47198 Duisburg")
    section.get_by_role("button", name="Confirm the move-in").click()
    web.check()
    assert "The move-in is confirmed" in page.locator(".flash-success").inner_text()
    assert "You confirmed the move-in on" in page.locator("#move-in-confirmed").inner_text()
    assert page.locator("#confirm-move-in").count() == 0
    web.log_out()

    web.log_in(SPECIALIST, PASSWORD)
    web.goto(f"/backoffice/placements/{placement_id}/paperwork")
    assert "Erika Eigentum" in page.locator("#move-in").inner_text()
    assert page.locator("#confirmed-on").inner_text() != "–"
    form = page.locator("#handover form")
    form.locator("input[name='meters-0-number']").fill("1ESY-4711")
    form.locator("input[name='meters-0-reading']").fill("-3")
    form.locator("input[name='landlord_signed_by']").fill("Ludwig Landlord")
    form.locator("input[name='tenant_signed_by']").fill(TENANT)
    form.get_by_role("button", name="Save the handover record").click()
    web.check()
    assert "A meter reading cannot be negative." in page.locator("#handover").inner_text()
    form = page.locator("#handover form")
    assert form.locator("input[name='meters-0-number']").input_value() == "1ESY-4711"
    form.locator("input[name='meters-0-reading']").fill("4711.5")
    form.get_by_role("button", name="Save the handover record").click()
    web.check()
    assert "The handover record is saved." in page.locator(".flash-success").inner_text()
    assert page.locator("#handover-pdf").count() == 1
