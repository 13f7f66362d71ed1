"""The three PDFs of a placement (Mietbescheinigung, Übergabeprotokoll, Wohnungsgeberbestätigung)
filled with long German values, rendered to PNG (pypdfium2, no poppler needed) and read back:
no page is blank, nothing is drawn in the outer margin band (text cut at the page edge), no two
text lines overlap (a label running into its value), and pypdf reads every filled value.
Two control documents show that the checks catch a cut and an overlap."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from portal.core.pdf import FAMILY, FormPdf
from portal.placements.models import State
from portal.placements.paperwork import handover
from portal.placements.paperwork import rent_certificate as rc
from portal.placements.paperwork.handover_pdf import handover_pdf, move_in_pdf
from tests.builders import placement_in, world

MM = 72 / 25.4  # points per millimetre
BAND = 8 * MM  # the outer band that stays empty (the footer sits 10 mm above the edge)
TOLERANCE = 0.3  # points two character boxes may touch by (neighbouring glyphs of one word)

ORGANISATION = "Gemeinnützige Wohnungsbaugenossenschaft Duisburg-Hochfeld und Rheinhausen eG"
ORG_ADDRESS = "Friedrich-Wilhelm-Straße 128a, Hinterhaus, 3. Obergeschoss, 47051 Duisburg"
STREET = "Oberbürgermeister-Karl-Jarres-Straße-Verlängerung"
OWNER = "Maximiliane Sophie Freifrau von Hohenzollern-Sigmaringen-Wittgenstein"
OWNER_ADDRESS = "Kaiser-Wilhelm-Straße 250, Gartenhaus links, 47169 Duisburg-Marxloh"
TENANT = "Aleksandra Katarzyna Wiśniewska-Schmidt-Özdemir"
HOLDER = "Grundstücksgemeinschaft Hohenzollern-Sigmaringen-Wittgenstein GbR"
ROOM = "Wohnzimmer mit offener Küche, Essbereich und Zugang zum Südbalkon"
CONDITION = (
    "Laminat im Eingangsbereich an drei Stellen zerkratzt, Fensterbank mit Wasserfleck, "
    "Heizkörperthermostat klemmt, sonst frisch renoviert und in einwandfreiem Zustand"
)


def squeezed(text: str) -> str:
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def char_boxes(page) -> list[tuple[float, float, float, float]]:
    """The boxes (left, bottom, right, top, in points) of the page's drawn characters: two
    lines drawn on one another, or a label run into its value, give characters whose boxes
    intersect (pdfium's line boxes would merge them into one)."""
    textpage = page.get_textpage()
    boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    textpage.close()
    return [box for box in boxes if box[2] - box[0] > 0 and box[3] - box[1] > 0]


def overlaps(a, b) -> bool:
    return (
        min(a[2], b[2]) - max(a[0], b[0]) > TOLERANCE
        and min(a[3], b[3]) - max(a[1], b[1]) > TOLERANCE
    )


def overlapping(boxes) -> list[tuple]:
    """Pairs of intersecting boxes (a sweep from left to right)."""
    found = []
    ordered = sorted(boxes)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b[0] >= a[2] - TOLERANCE:
                break
            if overlaps(a, b):
                found.append((a, b))
    return found


def layout_faults(data: bytes) -> list[str]:
    """Every fault of the rendered document: blank pages, ink in the outer band, text boxes
    leaving the page's inner area, two text boxes on one another."""
    faults = []
    document = pdfium.PdfDocument(data)
    for number, page in enumerate(document, start=1):
        width, height = page.get_size()
        image = page.render(scale=1).to_pil().convert("L")
        if image.getextrema()[0] == 255:
            faults.append(f"page {number} is blank")
        w, h = image.size
        band = round(BAND)
        for name, box in {
            "left": (0, 0, band, h),
            "right": (w - band, 0, w, h),
            "top": (0, 0, w, band),
            "bottom": (0, h - band, w, h),
        }.items():
            if image.crop(box).getextrema()[0] < 250:
                faults.append(f"page {number}: ink in the {name} margin band")
        boxes = char_boxes(page)
        for box in boxes:
            if box[0] < BAND or box[1] < BAND or box[2] > width - BAND or box[3] > height - BAND:
                faults.append(f"page {number}: a character at {box} leaves the inner area")
        for a, b in overlapping(boxes):
            faults.append(f"page {number}: characters at {a} and {b} overlap")
        page.close()
    document.close()
    return faults


@pytest.fixture
def long_placement(app, db, frozen_clock):
    """A moved-in placement whose landlord, owner, flat and tenant have long German names; its
    Mietbescheinigung confirmed, its handover recorded, its move-in confirmed."""
    w = world(
        street=STREET,
        house_number="117–119a",
        energy_carrier="district_heating",
        cold_rent=Decimal("512.35"),
        service_charges=Decimal("148.90"),
        heating_costs=Decimal("96.40"),
        deposit=Decimal("1537.05"),
    )
    w.landlord.organisation.name = ORGANISATION
    w.landlord.organisation.address = ORG_ADDRESS
    w.landlord.full_name = "Hans-Joachim Müller-Lüdenscheidt-Übelacker"
    w.household.identity.main_tenant_name = TENANT
    placement = placement_in(app, w, State.MOVED_IN)
    with app.test_request_context():
        cert = rc.for_placement(placement)
        rc.confirm(cert, w.landlord, "DE89 3704 0044 0532 0130 00", HOLDER)
        record = handover.record_handover(
            placement,
            w.specialist,
            handed_over_on=placement.lease_signed_on,
            meters=[
                {"kind": "electricity", "number": "1ESY1160456789012345", "reading": "24811.4"},
                {"kind": "district_heat", "number": "FW-2093-1177-4411", "reading": "1207"},
                {"kind": "water", "number": "WZ-88213-Kaltwasser-Küche", "reading": "315.72"},
            ],
            keys=[
                {"kind": "Wohnungstür, Haustür und Kellerabteil (Schließanlage)", "count": 3},
                {"kind": "Briefkastenschlüssel", "count": 2},
            ],
            rooms=[{"room": ROOM, "condition": CONDITION}],
            landlord_signed_by=OWNER,
            tenant_signed_by=TENANT,
            signed_on=placement.lease_signed_on,
        )
        handover.confirm_move_in(
            placement, w.landlord, owner_name=OWNER, owner_address=OWNER_ADDRESS
        )
    db.session.flush()
    return placement, cert, record


def documents(app, placement, cert, record, locale: str) -> dict[str, bytes]:
    with app.test_request_context(), force_locale(locale):
        address, landlord = placement.flat.address_line, placement.flat.organisation.name
        return {
            "Mietbescheinigung": rc.pdf_bytes(cert),
            "Übergabeprotokoll": handover_pdf(record, address, landlord),
            "Wohnungsgeberbestätigung": move_in_pdf(handover.sheet(placement)),
        }


@pytest.mark.parametrize("locale", ["de", "en"])
def test_the_three_pdfs_render_without_cut_or_overlapping_text(app, long_placement, locale):
    placement, cert, record = long_placement
    for name, data in documents(app, placement, cert, record, locale).items():
        assert data.startswith(b"%PDF"), name
        assert layout_faults(data) == [], name


def test_pypdf_reads_every_filled_value(app, long_placement):
    placement, cert, record = long_placement
    pdfs = {
        name: squeezed(pdf_text(data))
        for name, data in documents(app, placement, cert, record, "de").items()
    }
    expected = {
        "Mietbescheinigung": [
            ORGANISATION,
            STREET,
            "117–119a",
            "512,35 €",
            "148,90 €",
            "96,40 €",
            "757,65 €",
            "1.537,05 €",
            "DE89 3704 0044 0532 0130 00",
            HOLDER,
            "Fernwärme",
            "Vom Vermieter bestätigt",
        ],
        "Übergabeprotokoll": [
            ORGANISATION,
            STREET,
            "1ESY1160456789012345",
            "24811.4",
            "FW-2093-1177-4411",
            "WZ-88213-Kaltwasser-Küche",
            "Briefkastenschlüssel",
            ROOM,
            CONDITION,
            OWNER,
            TENANT,
            placement.lease_signed_on.strftime("%d.%m.%Y"),
        ],
        "Wohnungsgeberbestätigung": [
            ORGANISATION,
            ORG_ADDRESS,
            OWNER,
            OWNER_ADDRESS,
            STREET,
            TENANT,
            placement.keys_handed_over_on.strftime("%d.%m.%Y"),
            "§ 19",
        ],
    }
    for name, values in expected.items():
        for value in values:
            assert squeezed(value) in pdfs[name], (name, value)


def test_the_checks_catch_a_cut_and_an_overlap(app):
    """Controls: text run past the right edge, and two lines drawn on one another."""
    with app.app_context():
        cut = FormPdf(title="Kontrolle", programme="Test")
        cut.set_font(FAMILY, "", 12)
        cut.set_xy(150, 100)
        cut.cell(text="Oberbürgermeister-Karl-Jarres-Straße-Verlängerung")
        stacked = FormPdf(title="Kontrolle", programme="Test")
        stacked.set_font(FAMILY, "", 12)
        stacked.set_xy(30, 100)
        stacked.cell(text="Kaltmiete (monatliche Vorauszahlung)")  # a label run into
        stacked.set_xy(60, 100)
        stacked.cell(text="512,35 €")  # its value
        assert any("margin band" in f for f in layout_faults(cut.output_bytes()))
        assert any("overlap" in f for f in layout_faults(stacked.output_bytes()))


def test_a_word_too_long_for_its_cell_shrinks_and_stays_whole(app):
    word = "Grundstückseigentümergemeinschaft"  # too wide for the label column at 10 pt
    with app.app_context():
        doc = FormPdf(title="Kontrolle", programme="Test")
        doc.rows([(word, word)])
        data = doc.output_bytes()
    assert layout_faults(data) == []
    assert pdf_text(data).count(word) == 2  # shrunk, not broken inside
