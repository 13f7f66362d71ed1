"""The handover record and the Wohnungsgeberbestätigung as PDF, drawn with the shared form
base (portal/core/pdf.py: fonts, footer, wrapping and shrinking table cells).

The handover record is in the reader's language (staff or landlord); the
Wohnungsgeberbestätigung is always German: the household hands it to the Bürgeramt."""

from __future__ import annotations

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from portal.core.i18n import day
from portal.core.pdf import FormPdf
from portal.placements.paperwork.handover import MoveInSheet
from portal.placements.paperwork.models import HandoverRecord

FACTS = (45, 125)  # label and value columns, in mm of the text width


def meter_label(kind: str) -> str:
    return {
        "electricity": _("Electricity"),
        "gas": _("Gas"),
        "district_heat": _("District heat"),
        "water": _("Water"),
    }.get(kind, kind)


def _document(title: str) -> FormPdf:
    return FormPdf(
        title=title,
        programme=_("Endlich ein ZUHAUSE – Duisburg"),
        locale=str(get_locale() or "de"),
    )


def handover_pdf(record: HandoverRecord, flat_address: str, landlord_name: str) -> bytes:
    doc = _document(_("Handover record (Übergabeprotokoll)"))
    doc.rows(
        [
            (_("Flat"), flat_address),
            (_("Landlord"), landlord_name),
            (_("Handed over on"), day(record.handed_over_on)),
        ],
        FACTS,
    )
    doc.section(_("Meters"))
    doc.table_of(
        (_("Meter"), _("Meter number"), _("Reading")),
        [(meter_label(m["kind"]), m["number"], m["reading"]) for m in record.meters],
        (40, 75, 55),
    )
    doc.section(_("Keys handed over"))
    doc.table_of((_("Key"), _("Number")), [(k["kind"], k["count"]) for k in record.keys], (120, 50))
    doc.section(_("Condition of the rooms"))
    doc.table_of(
        (_("Room"), _("Condition")), [(r["room"], r["condition"]) for r in record.rooms], FACTS
    )
    doc.section(_("Signed"))
    doc.rows(
        [
            (_("For the landlord"), record.landlord_signed_by),
            (_("For the tenant"), record.tenant_signed_by),
            (_("Date"), day(record.signed_on)),
        ],
        FACTS,
    )
    return doc.output_bytes()


def move_in_pdf(sheet: MoveInSheet) -> bytes:
    with force_locale("de"):
        doc = _document(_("Landlord's confirmation of the move-in (Wohnungsgeberbestätigung)"))
        doc.paragraph(
            _("Confirmation under section 19 (3) of the Federal Registration Act (BMG)."), size=9
        )
        doc.section(_("Landlord"))
        doc.rows([(_("Name"), sheet.landlord_name), (_("Address"), sheet.landlord_address)], FACTS)
        if sheet.owner_name:
            doc.section(_("Owner (the landlord is not the owner)"))
            doc.rows(
                [(_("Name"), sheet.owner_name), (_("Address"), sheet.owner_address or "")], FACTS
            )
        doc.section(_("Move-in"))
        doc.rows(
            [
                (_("Moved in on"), day(sheet.move_in_on)),
                (_("Address of the flat"), sheet.flat_address),
                (_("Persons moving in"), ", ".join(sheet.adult_names) or sheet.main_tenant or ""),
                (_("Number of persons"), str(sheet.persons)),
            ],
            FACTS,
        )
        if sheet.children:
            # Children's names are not recorded in the portal: a line each, filled in by hand.
            doc.rows(
                [
                    (_("Child %(n)d (name, filled in by the household)", n=n), "")
                    for n in range(1, sheet.children + 1)
                ],
                FACTS,
            )
        doc.section(_("Confirmation"))
        confirmed = day(sheet.confirmed_on) if sheet.confirmed_on else _("not yet confirmed")
        doc.rows([(_("Confirmed online by the landlord on"), confirmed)], FACTS)
        return doc.output_bytes()
