"""A landlord switches the second factor on in their profile and logs in with a code; an admin
sets up their authenticator at the first login and resets a colleague's. Every page passes
axe-core."""

import pyotp
import pytest

from portal.accounts.models import Organisation, Role
from portal.extensions import db
from tests.e2e.conftest import person

pytestmark = pytest.mark.e2e

PASSWORD = "Zwei Faktoren sind besser 2026"


def make_people(live_app):
    with live_app.app_context():
        org = Organisation(kind="private", name="Familie Berg")
        person("berg.2fa@example.org", "Hanna Berg", Role.LANDLORD, PASSWORD, organisation=org)
        person("admin.2fa@example.org", "Ada Admin", Role.ADMIN, PASSWORD)
        person("colleague.2fa@example.org", "Carl Kollege", Role.SPECIALIST, PASSWORD)
        db.session.commit()


@pytest.mark.english
def test_landlord_switches_on_and_admin_resets_a_colleague(web, live_app):
    make_people(live_app)
    page = web.page

    web.log_in("berg.2fa@example.org", PASSWORD)
    assert page.url.endswith("/flats/")
    web.goto("/account/security")
    page.get_by_role("link", name="Switch the second factor on").click()
    web.check()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and continue").click()
    web.check()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept my codes – continue").click()
    web.check()
    assert "You have 10 unused recovery codes." in page.content()
    web.log_out()

    # The login now asks for the code (made from the stored secret by the helper).
    web.log_in("berg.2fa@example.org", PASSWORD)
    assert page.url.endswith("/flats/")
    web.log_out()

    # The colleague enrols at the first login; the admin too, then resets the colleague's.
    web.log_in("colleague.2fa@example.org", PASSWORD)
    assert page.url.endswith("/backoffice/")
    web.log_out()
    web.log_in("admin.2fa@example.org", PASSWORD)
    web.goto("/backoffice/staff")
    page.once("dialog", lambda dialog: dialog.accept())  # the "are you sure?" question
    page.get_by_role("button", name="Reset (lost phone) – Carl Kollege").click()
    web.check()
    assert "The second factor of Carl Kollege is reset" in page.content()
    web.log_out()

    web.goto("/account/login")
    form = page.locator("main form[action^='/account/login']")
    form.locator("input[name=email]").fill("colleague.2fa@example.org")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    web.check()
    assert page.get_by_role("heading", name="Set up your authenticator app").is_visible()
