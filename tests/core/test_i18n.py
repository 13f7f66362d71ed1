from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from portal.core.i18n import area, day, moment, money

ROOT = Path(__file__).resolve().parents[2]


def test_german_is_the_default(client):
    html = client.get("/", headers={"Accept-Language": ""}).get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Vermieter" in html


def test_browser_language_is_used(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Register as a landlord" in html


def test_language_switch_remembers_choice(browser):
    response = browser.post("/language", {"locale": "de", "next": "/impressum"})
    assert response.headers["Location"] == "/impressum"
    html = browser.client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in html


def test_language_switch_stores_user_setting_and_refuses_foreign_next(browser, db):
    user = browser.login("landlord")
    response = browser.post("/language", {"locale": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "en"


def test_user_setting_applies_after_login(app, browser, db):
    browser.login("landlord", locale="de")
    html = browser.client.get("/account/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in html


# The language switch carries no CSRF token (so that reading a public page starts no session);
# a browser's request from another site is refused by its origin instead (core/security.py).
@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a neighbouring subdomain is another site too
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},  # the header counts
        {"Origin": "https://evil.example"},  # a browser without Sec-Fetch-Site
        {"Origin": "http://localhost.evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Origin": "https://localhost"},  # this host, but the page came over another scheme
    ],
)
def test_language_switch_from_another_site_is_refused(browser, db, headers):
    user = browser.login("landlord", locale="de")
    response = browser.client.post("/language", data={"locale": "en"}, headers=headers)
    assert response.status_code == 400
    assert "nicht von dieser Website geladen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "de"
    html = browser.client.get("/account/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in html


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed in or a bookmark
        {"Origin": "http://localhost"},  # a browser without Sec-Fetch-Site
        {},  # neither: no browser, or one too old to be led by another site's form
    ],
)
def test_language_switch_from_this_site_needs_no_token(client, headers):
    response = client.post(
        "/language", data={"locale": "en", "next": "/impressum"}, headers=headers
    )
    assert response.status_code == 302 and response.headers["Location"] == "/impressum"
    html = client.get("/impressum", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_public_texts_set_no_cookie(app):
    """Reading the public texts starts no session: no cookie before a form is opened."""
    client = app.test_client()
    for path in ("/", "/impressum", "/datenschutz", "/barrierefreiheit", "/leichte-sprache"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path
        assert 'name="csrf_token"' not in response.get_data(as_text=True), path
    # The login page's form needs a token, and with it the session that keeps it.
    assert "Set-Cookie" in client.get("/account/login").headers


def test_formatting_helpers(app):
    with app.test_request_context():
        with force_locale("de"):
            assert money(Decimal("1234.5")) == "1.234,50\xa0€"
            assert area(Decimal("65")) == "65\xa0m²"
            assert area(Decimal("72.5")) == "72,5\xa0m²"
            assert day(date(2026, 11, 25)) == "25.11.2026"
            assert moment(datetime(2026, 12, 3, 13, 0, tzinfo=UTC)) == "03.12.2026, 14:00"
        with force_locale("en"):
            assert money(Decimal("1234.5")) == "€1,234.50"
            assert area(Decimal("72.5")) == "72.5\xa0m²"


def test_every_string_has_a_german_translation(tmp_path):
    """The German catalogue covers every string in the code and templates, none fuzzy."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    extracted = {
        msg if isinstance(msg, str) else msg[0]
        for _file, _line, msg, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }
    with open(ROOT / "portal/translations/de/LC_MESSAGES/messages.po", "rb") as fileobj:
        catalog = read_po(fileobj)
    missing = sorted(m for m in extracted if not catalog.get(m) or not catalog.get(m).string)
    assert missing == [], f"{len(missing)} strings without German translation: {missing[:10]}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_each_catalogue_is_well_formed(language):
    """Every entry complete (a plural one with its forms): Babel reads a broken entry loosely,
    compiles it, and the English pages still work, so only a strict reading finds it (two
    entries merged from two branches had lost their ``msgstr[]`` lines)."""
    path = ROOT / f"portal/translations/{language}/LC_MESSAGES/messages.po"
    with open(path, "rb") as fileobj:
        catalog = read_po(fileobj, abort_invalid=True)
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(message.string) == catalog.num_plurals, message.id


def test_fast_translation_lookup_follows_force_locale(app):
    """Templates and labels find the catalogue through portal.core.i18n's fast lookup; a mail
    rendered in the recipient's language in the middle of a German request still switches it,
    and the request's own language comes back afterwards."""
    from decimal import Decimal

    from flask import render_template_string
    from flask_babel import force_locale, gettext

    from portal.core.i18n import money

    page = "{{ _('Log in') }} {{ 1234.5|money }}"
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert render_template_string(page) == "Anmelden 1.234,50\xa0€"
        with force_locale("en"):
            assert render_template_string(page) == "Log in €1,234.50"
            assert gettext("Log in") == "Log in"
            assert money(Decimal("2")) == "€2.00"
        assert render_template_string(page) == "Anmelden 1.234,50\xa0€"
        assert gettext("Log in") == "Anmelden"


def test_template_translations_keep_jinjas_new_style_semantics(app):
    """The fast template gettext (portal.core.i18n) behaves as Jinja's new-style gettext: the
    result is a format string (``%%`` becomes ``%``), values are escaped in HTML and not in
    plain-text mail, plurals follow the locale, and a cached text never leaks between
    languages."""
    from flask import render_template_string
    from flask_babel import force_locale

    env = app.jinja_env
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        html = env.from_string("{{ _('Household %(code)s', code=code) }}|{{ _('100%%') }}")
        assert html.render(code="<b>") == "Haushalt &lt;b&gt;|100%"
        plain = env.from_string(
            "{% autoescape false %}{{ _('Household %(code)s', code=code) }}|{{ _('Log in') }}"
            "{% endautoescape %}|{{ _('Log in') }}"
        )
        assert plain.render(code="<b>") == "Haushalt <b>|Anmelden|Anmelden"
        plural = "{{ ngettext('%(num)d household', '%(num)d households', n) }}"
        assert render_template_string(plural, n=1) == "1 Haushalt"
        assert render_template_string(plural, n=3) == "3 Haushalte"
        assert render_template_string("{{ _('Log in') }}") == "Anmelden"
        with force_locale("en"):
            assert render_template_string("{{ _('Log in') }}") == "Log in"
            assert render_template_string(plural, n=3) == "3 households"
        assert render_template_string("{{ _('Log in') }}") == "Anmelden"


def test_wtforms_own_messages_follow_the_language_and_load_once(app, monkeypatch):
    """WTForms' built-in messages ("Not a valid choice") are in the request's language; the
    catalogue is read from disk once per language and process, not in every request."""
    from babel.support import Translations
    from flask_babel import force_locale
    from flask_wtf import FlaskForm
    from wtforms import SelectField
    from wtforms.fields.choices import SelectChoice

    from portal.core import i18n

    class Choice(FlaskForm):
        class Meta:
            csrf = False

        pick = SelectField(choices=[SelectChoice("a", "A")])

    loads = []
    real_load = Translations.load
    monkeypatch.setattr(i18n, "_WTFORMS", {})
    monkeypatch.setattr(
        i18n.Translations, "load", lambda *a, **k: loads.append(1) or real_load(*a, **k)
    )

    def message(language: str) -> str:
        # A request of its own: its own ``g``, where the locale of the request is kept.
        with (
            app.app_context(),
            app.test_request_context(
                "/", method="POST", data={"pick": "z"}, headers={"Accept-Language": language}
            ),
        ):
            form = Choice()
            assert not form.validate()
            return form.pick.errors[0]

    assert message("de") == message("de") == "Keine gültige Auswahl."
    assert message("en") == "Not a valid choice."
    assert len(loads) == 2  # German once, English once
    with (
        app.app_context(),
        app.test_request_context("/", headers={"Accept-Language": "de"}),
        force_locale("en"),
    ):
        assert i18n._wtforms_translations().gettext("Not a valid choice.") == (
            "Not a valid choice."
        )
