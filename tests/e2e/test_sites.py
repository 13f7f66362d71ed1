"""The admin's site page in the browser (issue 19): the "Site" link, the site's texts, a
colleague added and taken out again, a new site refused with the input kept, then created.
Every page passes axe-core."""

import pytest

from portal.accounts.models import Role
from portal.extensions import db
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.e2e.conftest import person

pytestmark = pytest.mark.e2e

PASSWORD = "Ein Standort für alle 2026"
ADMIN = "site-admin@example.org"
COLLEAGUE = "site-colleague@example.org"


def seed(live_app) -> None:
    with live_app.app_context():
        default = db.session.get(Site, DEFAULT_SITE_ID)
        person(ADMIN, "Ada Standort", Role.ADMIN, PASSWORD).sites = [default]
        colleague = person(COLLEAGUE, "Selin Standortwechsel", Role.SPECIALIST, PASSWORD)
        colleague.sites = []  # the admin adds her
        db.session.commit()


@pytest.mark.english
def test_an_admin_manages_the_site(web, live_app):
    seed(live_app)
    page = web.page
    main = page.locator("main")
    web.log_in(ADMIN, PASSWORD)
    page.locator("header nav").get_by_role("link", name="Site", exact=True).click()
    web.check()
    main.get_by_role("link", name="Duisburg").click()
    web.check()

    page.get_by_label("Funding line").fill("Gefördert vom Land NRW und der EU.")
    page.get_by_role("button", name="Save").click()
    web.check()
    assert "The site's details are saved." in main.inner_text()
    assert "Gefördert vom Land NRW und der EU." in page.locator("footer").inner_text()
    page.get_by_label("Funding line").fill("")  # the browser tests share one database
    page.get_by_role("button", name="Save").click()
    web.check()
    assert "Europäischen Sozialfonds" in page.locator("footer").inner_text()

    page.get_by_label("E-mail address of the staff account").fill(COLLEAGUE)
    page.get_by_role("button", name="Add", exact=True).click()
    web.check()
    assert "Selin Standortwechsel now works for Duisburg." in main.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove – Selin Standortwechsel").click()
    web.check()
    assert "Selin Standortwechsel no longer works for Duisburg." in main.inner_text()

    web.goto("/backoffice/sites/new")
    page.get_by_label("Name", exact=True).fill("Kreis Wesel")
    page.get_by_label("Short name").fill("kreis-wesel")
    page.get_by_label("Municipality key (AGS)").fill("0517")
    page.get_by_label("Household code prefix").fill("WES")
    page.get_by_role("button", name="Create the site").click()
    web.check()
    assert "exactly 8 digits" in main.inner_text()
    assert page.get_by_label("Short name").input_value() == "kreis-wesel"
    page.get_by_label("Municipality key (AGS)").fill("05170000")
    page.get_by_role("button", name="Create the site").click()
    web.check()
    assert "The site Kreis Wesel is created; you work for it." in main.inner_text()
    assert "Ada Standort" in main.inner_text()
