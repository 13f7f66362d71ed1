"""Issue 15: a landlord creates a flat on a 360×640 phone through every step of the flat form,
with a photo from the first step, reloads in the middle (the phone locked) and loses nothing;
errors show at once at their fields with the input kept and the sticky action bar covers no
field; the check shows the listing and what is missing; a housing company with many flats
sees a table it can filter and sort. Every page passes axe-core."""

import re

import pytest
from PIL import Image

from portal.accounts.models import Organisation, Role
from portal.extensions import db
from tests.e2e.conftest import person, published_flat

pytestmark = pytest.mark.e2e

PASSWORD = "Schritt für Schritt 2026"
PHONE = {"width": 360, "height": 640}

# Is any visible field of the step form under the sticky action bar once focused (the browser
# scrolls it into view as a phone's keyboard would)? Returns the names of those covered.
COVERED_FIELDS = """() => {
  const bar = document.querySelector('.sticky-actions');
  const covered = [];
  const fields = '.step-form input:not([type=hidden]), .step-form select, .step-form textarea';
  for (const el of document.querySelectorAll(fields)) {
    el.focus();
    const box = el.getBoundingClientRect();
    const barBox = bar.getBoundingClientRect();
    if (box.bottom > barBox.top && box.top < barBox.bottom) covered.push(el.name);
  }
  document.activeElement.blur();
  return covered;
}"""


@pytest.fixture(scope="module")
def users(live_app):
    with live_app.app_context():
        private = Organisation(kind="private", name="Familie Schritt")
        person(
            "schritt@example.org",
            "Sina Schritt",
            Role.LANDLORD,
            PASSWORD,
            organisation=private,
            locale="de",
        )
        company = Organisation(kind="company", name="Rhein Wohnen eG")
        person(
            "rhein@example.org",
            "Rolf Rhein",
            Role.LANDLORD,
            PASSWORD,
            organisation=company,
            locale="de",
        )
        for n in range(7):
            published_flat(company, f"Deichweg {n + 1}", "1", cold_rent=400 + 10 * n)
        db.session.commit()


def photo_file(tmp_path, name, color):
    path = tmp_path / name
    Image.new("RGB", (1400, 900), color).save(path, "JPEG")
    return str(path)


def save_and_continue(web):
    web.page.get_by_role("button", name="Speichern und weiter").click()
    web.check()


def assert_nothing_covered(web):
    assert web.page.evaluate(COVERED_FIELDS) == [], web.page.url


def go_to_step(web, title):
    web.page.locator(".step-progress").get_by_role("link", name=title).click()
    web.check()


@pytest.mark.phone
def test_flat_in_steps_on_a_small_phone(web, users, tmp_path):
    page = web.page
    page.set_viewport_size(PHONE)
    web.log_in("schritt@example.org", PASSWORD)
    page.get_by_role("link", name="Wohnung hinzufügen").first.click()
    web.check()
    assert "Schritt 1 von 7" in page.locator(".step-progress").inner_text()
    assert_nothing_covered(web)

    # Step 1, half done, and photos straight away.
    page.get_by_label("Straße").fill("Am Schrittweg")
    page.get_by_label("Hausnummer").fill("4")
    page.get_by_role("button", name="Speichern und Fotos hinzufügen").click()
    web.check()
    assert page.url.endswith("/edit/photos")
    page.get_by_label("Fotos hinzufügen").set_input_files(
        [photo_file(tmp_path, "wohnzimmer.jpg", (200, 180, 150))]
    )
    page.get_by_role("button", name="Fotos hochladen").click()
    page.wait_for_selector(".photo-item")
    page.reload()  # the upload reloads the page; so does a phone that was locked
    web.check()
    assert page.locator(".photo-item").count() == 1

    # Back to the address: what was typed before the photo is still there.
    go_to_step(web, "Adresse")
    assert page.get_by_label("Straße").input_value() == "Am Schrittweg"
    page.get_by_label("Postleitzahl").fill("47051")
    page.get_by_label("Stadtteil").select_option(label="Dellviertel")
    save_and_continue(web)

    # Size and rooms: every error at once, at its field, with the input kept.
    assert page.url.endswith("/edit/size")
    page.get_by_label("Zimmer", exact=True).fill("2,3")
    page.get_by_label(re.compile("Wohnfläche")).fill("9")
    page.get_by_label(re.compile("Etage|Stockwerk|Geschoss")).fill("1")
    save_and_continue(web)
    assert page.locator(".field.has-error").count() == 2
    assert page.get_by_label("Zimmer", exact=True).input_value() == "2,3"
    assert page.get_by_label(re.compile("Wohnfläche")).input_value() == "9"
    assert_nothing_covered(web)
    page.get_by_label("Zimmer", exact=True).fill("2,5")
    page.get_by_label(re.compile("Wohnfläche")).fill("64,5")
    save_and_continue(web)

    # Costs, then the phone locks (a reload) in the middle of the form.
    assert page.url.endswith("/edit/costs")
    assert_nothing_covered(web)
    page.get_by_label(re.compile("^Kaltmiete")).fill("410,00")
    page.get_by_label(re.compile("^Nebenkosten")).fill("130,00")
    page.get_by_label(re.compile("^Heizkosten")).fill("80,00")
    page.get_by_label(re.compile("Warmwasser")).select_option("central")
    page.get_by_label(re.compile("^Kaution")).fill("1.230,00")
    save_and_continue(web)
    page.reload()
    web.check()
    assert page.url.endswith("/edit/energy")
    go_to_step(web, "Größe und Zimmer")
    assert page.get_by_label("Zimmer", exact=True).input_value() == "2,5"
    go_to_step(web, "Kosten")
    assert page.get_by_label(re.compile("^Kaution")).input_value() == "1.230,00"

    # The check before the energy certificate: the list says what is missing and links there.
    go_to_step(web, "Prüfen und einreichen")
    assert page.get_by_role("button", name="Zur Prüfung einreichen").count() == 0
    assert page.locator(".gallery img").count() == 1  # the preview, as the team sees it
    page.get_by_role("link", name="Energieausweis fehlt").click()
    web.check()
    assert page.url.split("?")[0].endswith("/edit/energy")
    assert_nothing_covered(web)
    page.get_by_label(re.compile("Energieausweis liegt noch nicht vor")).check()
    save_and_continue(web)

    assert page.url.endswith("/edit/features")
    assert_nothing_covered(web)
    page.set_viewport_size({"width": 390, "height": 844})  # a taller phone: the bar is sticky
    bar = "getComputedStyle(document.querySelector('.sticky-actions')).position"
    assert page.evaluate(bar) == "sticky"
    assert_nothing_covered(web)
    page.set_viewport_size(PHONE)
    page.get_by_label("Beschreibung").fill("Ruhige Lage.\nNahe Hauptbahnhof.")
    page.get_by_label(re.compile("Verfügbar ab")).fill("2099-01-01")
    save_and_continue(web)
    assert page.url.endswith("/edit/photos")
    assert page.locator(".photo-item").count() == 1
    page.get_by_role("link", name="Weiter").click()
    web.check()

    assert page.url.endswith("/edit/check")
    main = page.locator("main").inner_text()
    assert "Alles, was für die Prüfung gebraucht wird, ist da." in main
    assert "Am Schrittweg 4" in main and "Ruhige Lage." in main
    page.get_by_role("button", name="Zur Prüfung einreichen").click()
    web.check()
    assert page.get_by_text("In Prüfung").first.is_visible()

    # The figures agree with the page: the flat in review is counted.
    web.goto("/flats/")
    figures = page.locator(".figures-strip").inner_text()
    assert re.search(r"Wohnungen in Prüfung\s+1", figures), figures
    assert re.search(r"Bisher angebotene Wohnungen\s+1", figures), figures
    web.log_out()


def test_a_housing_company_sees_its_flats_as_a_table(web, users):
    page = web.page
    web.log_in("rhein@example.org", PASSWORD)
    assert page.locator("table.flat-table tbody tr").count() == 7
    page.get_by_label("Sortieren nach").select_option("rent")
    page.get_by_role("button", name="Anzeigen").click()
    web.check()
    first = page.locator("table.flat-table tbody tr").first.inner_text()
    assert "Deichweg 1" in first
    page.get_by_label("Status").select_option("draft")
    page.get_by_role("button", name="Anzeigen").click()
    web.check()
    assert page.locator("table.flat-table tbody tr").count() == 0
    assert "0 Wohnungen angezeigt" in page.locator("main").inner_text()
