"""Registering interest is one step (issue 15): on the profile the landlord chooses the flat, may
write a message, and sends; the message is stored with the interest, shown to the specialist in
the back office (household page, and the placement page once the interest is taken up), and
the team's e-mail points to it without carrying it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from portal.placements.models import Interest
from tests.builders import published_flat
from tests.conftest import link_in, outbox
from tests.factories import HouseholdFactory, StaffFactory

WORDS = "We could show the flat on Saturday; Frau K. from your team knows us."


def test_one_step_from_the_profile_to_the_specialist(app, browser, db):
    landlord = browser.login("landlord")
    flat = published_flat(landlord.organisation)
    household = HouseholdFactory(max_gross_cold_rent=Decimal("687.80"))
    db.session.commit()
    profile = f"/households/{household.id}"
    html = browser.client.get(profile).get_data(as_text=True)
    form = html.split('class="interest-form"')[1].split("</form>")[0]
    # One form: the flat, the message (its limit in the reader's numbers) and one button.
    assert 'name="flat"' in form and 'name="message"' in form and form.count("<button") == 1
    assert "At most 1,000 characters." in form

    response = browser.post(profile, {"flat": flat.public_key, "message": WORDS})
    # Sent at once: back to the profile with the thanks, no page in between.
    assert response.status_code == 302 and response.headers["Location"] == profile
    interest = db.session.scalar(select(Interest))
    assert interest.message == WORDS

    [team] = outbox(app.config["PROGRAMME_CONTACT_EMAIL"])
    assert WORDS not in team.body_text and "Saturday" not in team.body_text
    assert "Der Vermieter hat dazu eine Nachricht geschrieben" in team.body_text  # German
    assert link_in(team) == f"/backoffice/households/{household.id}#interests-title"

    browser.logout()
    browser.login(StaffFactory(role="specialist"))
    html = browser.client.get(f"/backoffice/households/{household.id}").get_data(as_text=True)
    assert WORDS in html
    response = browser.post(
        f"/backoffice/placements/interests/{interest.id}/accept",
        {},
        csrf_from_path=f"/backoffice/households/{household.id}",
    )
    assert response.status_code == 302
    # Taken up, it is a placement; its page shows the landlord's words as well.
    assert response.headers["Location"].startswith("/backoffice/placements/")
    placement_page = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert WORDS in placement_page


def test_without_a_message_the_mail_says_nothing_of_one(app, browser, db):
    landlord = browser.login("landlord")
    flat = published_flat(landlord.organisation)
    household = HouseholdFactory(max_gross_cold_rent=Decimal("687.80"))
    db.session.commit()
    browser.post(
        f"/households/{household.id}",
        {"flat": flat.public_key, "message": "  "},
        csrf_from_path=f"/households/{household.id}",
    )
    [team] = outbox(app.config["PROGRAMME_CONTACT_EMAIL"])
    assert "Nachricht" not in team.body_text
    assert db.session.scalar(select(Interest.message)) is None
