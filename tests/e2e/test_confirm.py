"""The layout loads portal.js on every page: a ``data-confirm`` button on the staff page (which
once lacked the script) asks first, and a dismissed question sends nothing."""

import pytest

from portal.accounts.models import Role
from portal.extensions import db
from tests.e2e.conftest import person

pytestmark = pytest.mark.e2e

PASSWORD = "Erst fragen, dann handeln 2026"


@pytest.mark.english
def test_reset_on_the_staff_page_asks_first(web, live_app):
    with live_app.app_context():
        person("admin.confirm@example.org", "Alma Admin", Role.ADMIN, PASSWORD)
        person("colleague.confirm@example.org", "Cem Kollege", Role.SPECIALIST, PASSWORD)
        db.session.commit()
    page = web.page
    web.log_in("colleague.confirm@example.org", PASSWORD)  # enrols the authenticator
    web.log_out()
    web.log_in("admin.confirm@example.org", PASSWORD)
    web.goto("/backoffice/staff")

    questions: list[str] = []
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Reset (lost phone) – Cem Kollege").click()
    page.wait_for_timeout(300)
    assert questions and questions[0].startswith("Reset the second factor of Cem Kollege?")
    assert posts == []
    assert page.url.endswith("/backoffice/staff")
    assert "is reset" not in page.content()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset (lost phone) – Cem Kollege").click()
    web.check()
    assert len(posts) == 1
    assert "The second factor of Cem Kollege is reset" in page.content()
