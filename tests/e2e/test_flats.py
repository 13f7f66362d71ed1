"""A landlord lists a flat on a phone step by step, uploads two photos and submits; the
specialist approves; the landlord sees "published". Every page passes axe-core."""

import re

import pytest
from PIL import Image

from portal.accounts.models import Organisation, Role
from portal.extensions import db
from tests.e2e.conftest import person

pytestmark = pytest.mark.e2e

PASSWORD = "Wohnung am Rhein 2026"


def make_users(live_app):
    with live_app.app_context():
        org = Organisation(kind="private", name="Familie Kaya")
        person(
            "kaya@example.org", "Deniz Kaya", Role.LANDLORD, PASSWORD, organisation=org, locale="de"
        )
        person("fach@example.org", "Frau Fach", Role.SPECIALIST, PASSWORD, locale="de")
        db.session.commit()


def photo_file(tmp_path, name, color):
    path = tmp_path / name
    Image.new("RGB", (1400, 900), color).save(path, "JPEG")
    return str(path)


@pytest.mark.phone
def test_landlord_lists_flat_and_specialist_publishes(web, live_app, tmp_path):
    make_users(live_app)
    page = web.page
    web.log_in("kaya@example.org", PASSWORD)
    assert page.url.endswith("/flats/")
    page.get_by_role("link", name="Wohnung hinzufügen").first.click()
    web.check()

    def save_and_continue():
        page.get_by_role("button", name="Speichern und weiter").click()
        web.check()

    page.get_by_label("Straße").fill("Am Buchenbaum")
    page.get_by_label("Hausnummer").fill("17")
    page.get_by_label("Postleitzahl").fill("47051")
    page.get_by_label("Stadtteil").select_option(label="Dellviertel")
    save_and_continue()
    assert "/edit/size" in page.url, page.locator("main").inner_text()
    page.get_by_label("Zimmer", exact=True).fill("2,5")
    page.get_by_label(re.compile("Wohnfläche")).fill("64,5")
    page.get_by_label(re.compile("Etage|Stockwerk|Geschoss")).fill("1")
    save_and_continue()
    page.get_by_label(re.compile("^Kaltmiete")).fill("410,00")
    page.get_by_label(re.compile("^Nebenkosten")).fill("130,00")
    page.get_by_label(re.compile("^Heizkosten")).fill("80,00")
    page.get_by_label(re.compile("Warmwasser")).select_option("central")
    page.get_by_label(re.compile("^Kaution")).fill("1.230,00")
    save_and_continue()
    page.get_by_label(re.compile("Energieausweis liegt noch nicht vor")).check()
    save_and_continue()
    page.get_by_label("Beschreibung").fill("Ruhige Lage.\nNahe Hauptbahnhof.")
    page.get_by_label(re.compile("Verfügbar ab")).fill("2099-01-01")
    save_and_continue()
    assert "/edit/photos" in page.url, page.locator("main").inner_text()

    page.get_by_label("Fotos hinzufügen").set_input_files(
        [
            photo_file(tmp_path, "wohnzimmer.jpg", (200, 180, 150)),
            photo_file(tmp_path, "kueche.jpg", (150, 190, 210)),
        ]
    )
    page.get_by_role("button", name="Fotos hochladen").click()
    page.wait_for_selector(".photo-item >> nth=1")
    web.check()
    assert page.locator(".photo-item").count() == 2
    page.get_by_role("link", name="Weiter").click()
    web.check()

    page.get_by_role("button", name="Zur Prüfung einreichen").click()
    web.check()
    assert page.get_by_text("In Prüfung").first.is_visible()
    page.get_by_role("button", name="Abmelden").click()
    web.check()

    web.log_in("fach@example.org", PASSWORD)
    web.goto("/backoffice/flats/")
    page.get_by_role("link", name=re.compile("Am Buchenbaum 17")).first.click()
    web.check()
    assert page.locator(".gallery img").count() == 2
    page.get_by_label("Wohnung veröffentlichen").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    web.check()
    page.get_by_role("button", name="Abmelden").click()
    web.check()

    web.log_in("kaya@example.org", PASSWORD)
    card = page.locator(".flat-card").filter(has_text="Am Buchenbaum")
    assert "Veröffentlicht" in card.inner_text()
    card.get_by_role("link", name=re.compile("Am Buchenbaum")).click()
    web.check()
    assert page.get_by_text(re.compile("Bezahlbar für Haushalte|Haushalte mit")).count() >= 1
