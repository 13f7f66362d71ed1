"""The layout's navigation and footer are rendered once per role and language
(portal/core/fragments.py); what is personal or per request stays outside them."""

from __future__ import annotations

import re

from tests.conftest import CSRF_RE

NAV = re.compile(r'<nav class="main-nav".*?</nav>', re.S)


def nav_of(html: str) -> str:
    return NAV.search(html).group(0)


def test_each_role_and_language_has_its_own_navigation(app, client, browser):
    anonymous_en = nav_of(client.get("/").text)
    assert "Log in" in anonymous_en and "My flats" not in anonymous_en
    anonymous_de = nav_of(client.get("/", headers={"Accept-Language": "de"}).text)
    assert "Anmelden" in anonymous_de and "Log in" not in anonymous_de

    browser.login("landlord")
    landlord = nav_of(client.get("/flats/").text)
    assert "My flats" in landlord and "Log in" not in landlord and "Back office" not in landlord
    assert "Log out" in landlord
    browser.logout()

    browser.login("specialist")
    staff = nav_of(client.get("/backoffice/").text)
    assert "Back office" in staff and "My flats" not in staff
    # The anonymous navigation is unchanged by the pages rendered in between.
    browser.logout()
    assert nav_of(client.get("/").text) == anonymous_en


def test_the_logout_form_carries_the_sessions_own_token(app, browser):
    """The CSRF token stays outside the cached navigation: each session gets its own."""
    tokens = []
    for _ in range(2):
        browser.login("landlord")
        nav = nav_of(browser.client.get("/flats/").text)
        tokens.append(CSRF_RE.search(nav).group(1))
        browser.logout()
    assert tokens[0] != tokens[1]


def _site_texts(browser, contact: str, imprint: str):
    response = browser.post(
        "/backoffice/sites/duisburg",
        {
            "name": "Duisburg",
            "status": "active",
            "contact_text": contact,
            "funding_text": "",
            "imprint_text": imprint,
        },
    )
    assert response.status_code == 303


def test_public_texts_are_rendered_once_and_follow_the_sites_texts(
    app, client, browser, monkeypatch
):
    """The landing page, the legal and privacy notices, the accessibility statement and the
    easy-read page are the same for every visitor in a language: rendered once, keyed by the
    site's texts they show, so a text changed on the admin page shows at once."""
    pages = ("/", "/impressum", "/datenschutz", "/barrierefreiheit", "/leichte-sprache")
    rendered = []  # the fragments whose content was rendered, not taken from the cache
    cached = app.jinja_env.globals["fragment"]

    def counting(name, *key, caller):
        def render():
            rendered.append(name)
            return caller()

        return cached(name, *key, caller=render)

    monkeypatch.setitem(app.jinja_env.globals, "fragment", counting)

    def page(path: str, **headers) -> str:  # the CSRF token carries the second it was signed
        return CSRF_RE.sub("", client.get(path, headers=headers).text)

    for path in pages:
        english, german = page(path), page(path, **{"Accept-Language": "de"})
        assert english == page(path) and german != english, path
    assert "Register as a landlord" in client.get("/").text
    assert "Als Vermieter" in client.get("/", headers={"Accept-Language": "de"}).text

    browser.login("admin")
    _site_texts(browser, "Team Duisburg, Raum 12", "Diakoniewerk Duisburg, Musterstraße 1")
    browser.logout()
    rendered.clear()
    for _ in range(3):  # a new text is a new key: rendered once, then taken from the cache
        assert "Team Duisburg, Raum 12" in client.get("/").text
        assert "Diakoniewerk Duisburg, Musterstraße 1" in client.get("/impressum").text
    assert rendered.count("landing") == 1 and rendered.count("impressum") == 1

    browser.login("admin")
    _site_texts(browser, "", "")
    browser.logout()
    assert "Team Duisburg, Raum 12" not in client.get("/").text
    assert "Musterstraße 1" not in client.get("/impressum").text
