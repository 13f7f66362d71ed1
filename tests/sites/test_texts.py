"""A site's own texts replace the configured contact, funding line and legal notice."""

from __future__ import annotations

from portal.core.outbox import queue_mail
from portal.extensions import db as _db
from portal.sites import operations as ops
from portal.sites.models import DEFAULT_SITE_ID, Site
from portal.sites.texts import site_text
from tests.factories import FlatFactory

CONFIG_FUNDING = "Gefördert aus Mitteln des Europäischen Sozialfonds"


def page(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def test_without_own_texts_the_pages_show_the_configuration(app, client, db):
    landing = page(client, "/")
    assert app.config["PROGRAMME_CONTACT_EMAIL"] in landing
    assert CONFIG_FUNDING in landing
    assert "This is the default text." in page(client, "/impressum")
    essen = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E")
    assert site_text(essen, "contact") == (
        f"{app.config['PROGRAMME_CONTACT_EMAIL']} · {app.config['PROGRAMME_CONTACT_PHONE']}"
    )
    assert site_text(essen, "funding") == app.config["PROGRAMME_FUNDING_LINE"]
    essen.funding_text = "  "
    assert site_text(essen, "funding") == app.config["PROGRAMME_FUNDING_LINE"]


def test_the_default_sites_texts_replace_the_configuration_on_every_page(app, client, db):
    site = _db.session.get(Site, DEFAULT_SITE_ID)
    ops.update_site(
        site,
        None,
        {
            "contact_text": "Kümmerer-Team Duisburg\nteam@duisburg.example",
            "funding_text": "Gefördert vom Land NRW (Standorttext).",
            "imprint_text": "Diakoniewerk Duisburg GmbH (Standort-Impressum)",
        },
    )
    _db.session.commit()
    for path in ("/", "/impressum", "/datenschutz"):
        html = page(client, path)
        assert "Kümmerer-Team Duisburg\nteam@duisburg.example" in html, path
        assert "Gefördert vom Land NRW (Standorttext)." in html
        assert CONFIG_FUNDING not in html
    imprint = page(client, "/impressum")
    assert "Standort-Impressum" in imprint and "This is the default text." not in imprint
    # Emptied again: the configuration once more, on the pages rendered once per process too.
    ops.update_site(site, None, {"contact_text": "", "funding_text": "", "imprint_text": ""})
    _db.session.commit()
    html = page(client, "/")
    assert "team@duisburg.example" not in html and CONFIG_FUNDING in html


def test_a_mail_about_a_flat_signs_with_its_sites_contact(app, db):
    essen = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E",
                 contact_text="Kümmerer-Team Essen · 0201 000000")  # fmt: skip
    _db.session.add(essen)
    _db.session.flush()
    flat = FlatFactory(site_id=essen.id)
    duisburg_flat = FlatFactory()
    with app.test_request_context():
        mail = queue_mail("a@example.org", "flat_published", name="A", flat=flat, url="x")
        other = queue_mail("b@example.org", "flat_published", name="B", flat=duisburg_flat, url="x")
    assert "Kümmerer-Team Essen · 0201 000000" in mail.body_text
    assert app.config["PROGRAMME_CONTACT_EMAIL"] not in mail.body_text
    assert app.config["PROGRAMME_CONTACT_EMAIL"] in other.body_text
