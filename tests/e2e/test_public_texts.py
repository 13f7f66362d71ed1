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
