"""The handover record and the Wohnungsgeberbestätigung as PDF (fpdf2, DejaVu Sans so every
German letter prints). Labels and values sit in table cells that wrap, so a long name or
address grows its row instead of running out of its box.

To be folded onto portal/core/pdf.py by the lead (the same font files)."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF, FontFace

from portal.core.i18n import day
from portal.placements.paperwork.handover import MoveInSheet
from portal.placements.paperwork.models import HandoverRecord

FONTS = Path(__file__).resolve().parents[2] / "core" / "fonts"
FONT = "DejaVu"


def _document(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    return pdf


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)


def _table(pdf: FPDF, header: tuple[str, ...] | None, rows, widths: tuple[int, ...]) -> None:
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=widths,
        first_row_as_headings=header is not None,
        text_align="LEFT",
        line_height=5.5,
        headings_style=FontFace(emphasis="BOLD"),
    ) as table:
        if header is not None:
            row = table.row()
            for cell in header:
                row.cell(cell)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(str(value) if value not in (None, "") else "–")


def _facts(pdf: FPDF, facts: list[tuple[str, str]]) -> None:
    _table(pdf, None, facts, (45, 125))


def _output(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def meter_label(kind: str) -> str:
    return {
        "electricity": _("Electricity"),
        "gas": _("Gas"),
        "district_heat": _("District heat"),
        "water": _("Water"),
    }.get(kind, kind)


def handover_pdf(record: HandoverRecord, flat_address: str, landlord_name: str) -> bytes:
    pdf = _document(_("Handover record (Übergabeprotokoll)"))
    _facts(
        pdf,
        [
            (_("Flat"), flat_address),
            (_("Landlord"), landlord_name),
            (_("Handed over on"), day(record.handed_over_on)),
        ],
    )
    _heading(pdf, _("Meters"))
    _table(
        pdf,
        (_("Meter"), _("Meter number"), _("Reading")),
        [(meter_label(m["kind"]), m["number"], m["reading"]) for m in record.meters],
        (40, 75, 55),
    )
    _heading(pdf, _("Keys handed over"))
    _table(pdf, (_("Key"), _("Number")), [(k["kind"], k["count"]) for k in record.keys], (120, 50))
    _heading(pdf, _("Condition of the rooms"))
    _table(
        pdf,
        (_("Room"), _("Condition")),
        [(r["room"], r["condition"]) for r in record.rooms],
        (45, 125),
    )
    _heading(pdf, _("Signed"))
    _facts(
        pdf,
        [
            (_("For the landlord"), record.landlord_signed_by),
            (_("For the tenant"), record.tenant_signed_by),
            (_("Date"), day(record.signed_on)),
        ],
    )
    return _output(pdf)


def move_in_pdf(sheet: MoveInSheet) -> bytes:
    pdf = _document(_("Landlord's confirmation of the move-in (Wohnungsgeberbestätigung)"))
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        0,
        5,
        _("Confirmation under section 19 (3) of the Federal Registration Act (BMG)."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _heading(pdf, _("Landlord"))
    _facts(pdf, [(_("Name"), sheet.landlord_name), (_("Address"), sheet.landlord_address)])
    if sheet.owner_name:
        _heading(pdf, _("Owner (the landlord is not the owner)"))
        _facts(pdf, [(_("Name"), sheet.owner_name), (_("Address"), sheet.owner_address or "")])
    _heading(pdf, _("Move-in"))
    _facts(
        pdf,
        [
            (_("Moved in on"), day(sheet.move_in_on)),
            (_("Address of the flat"), sheet.flat_address),
            (_("Persons moving in"), sheet.main_tenant or ""),
            (_("Number of persons"), str(sheet.persons)),
        ],
    )
    _heading(pdf, _("Confirmation"))
    confirmed = day(sheet.confirmed_on) if sheet.confirmed_on else _("not yet confirmed")
    _facts(pdf, [(_("Confirmed online by the landlord on"), confirmed)])
    return _output(pdf)
