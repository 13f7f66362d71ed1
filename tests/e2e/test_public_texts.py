"""Issue 15: the accessibility statement and the programme in Leichte Sprache, reached from the
footer, in German and in English, on a desktop and on a phone. Every page passes axe-core."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e]


def test_footer_leads_to_statement_and_easy_read_in_german(web):
    web.goto("/")
    web.page.get_by_role("link", name="Erklärung zur Barrierefreiheit").click()
    web.check()
    assert web.page.get_by_role("heading", name="Durchsetzungsverfahren").is_visible()
    assert "Ombudsstelle für barrierefreie Informationstechnik" in web.page.content()
    web.page.get_by_role("link", name="Leichte Sprache").click()
    web.check()
    assert web.page.get_by_role("heading", name="Wer bezahlt die Miete?").is_visible()


@pytest.mark.english
@pytest.mark.phone
def test_statement_and_easy_read_in_english_on_a_phone(web):
    web.goto("/barrierefreiheit")
    assert web.page.get_by_role("heading", name="Enforcement procedure").is_visible()
    web.goto("/leichte-sprache")
    assert web.page.get_by_role("heading", name="Who pays the rent?").is_visible()


@pytest.mark.english
def test_size_hints_follow_the_household_size(web, live_app):
    """The hint is right from the server, and follows a changed size without a reload."""
    from portal.accounts.models import Role
    from portal.extensions import db
    from tests.e2e.conftest import person

    with live_app.app_context():
        person("hints.sw@example.org", "Hanna Hinweis", Role.SOCIAL_WORKER, "Ein Zuhause 2026!")
        db.session.commit()
    web.log_in("hints.sw@example.org", "Ein Zuhause 2026!")
    web.goto("/backoffice/households/new")
    rooms_hint = web.page.locator("#needed_rooms-hint")
    assert rooms_hint.inner_text().startswith("Proposed for 1 person (WNB rule): 1 room.")
    web.page.fill("#adults", "2")
    assert rooms_hint.inner_text().startswith("Proposed for 2 persons (WNB rule): 2 rooms.")
    assert (
        web.page.locator("#max_gross_cold_rent-hint")
        .inner_text()
        .startswith("Rent limit for 2 persons: €471.90.")
    )
    web.check()
