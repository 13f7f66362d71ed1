"""The report's files: CSV of every table (German number format, small numbers suppressed) and
the one-page PDF summary for the ministry. Used by the page and by ``flask reports export``.

The files leave the team: they take the tables of ``report.build`` (protected, not exact) and
never a list of cases (``Table.listing``: the overdue follow-ups with household codes and the
specialist's name stay on the back-office page)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF

from portal.core import audit
from portal.core.spreadsheet import csv_text
from portal.reports.periods import Period
from portal.reports.tables import Cell, Table, display

LEGEND = _l(
    "“< 3”: fewer than 3. “x”: 3 or more, withheld so that no “< 3” can be worked out from "
    "the other figures."
)

CSV_LOCALE = "de_DE"  # spreadsheets in German offices, whatever the user's language


def german(value, kind: str) -> str:
    """Numbers as a German spreadsheet reads them: ``1.234``, ``66,7``; dates ``31.03.2026``."""
    if kind == "date":
        return format_date(value, "dd.MM.yyyy", locale=CSV_LOCALE)
    if kind in ("rate", "days"):
        return format_decimal(Decimal(str(value)), format="#,##0.0", locale=CSV_LOCALE)
    if kind in ("count", "number"):
        return format_decimal(value, format="#,##0", locale=CSV_LOCALE)
    return str(value)


def table_rows(table: Table, fmt=german) -> Iterator[list[str]]:
    yield [table.title] + [label for _key, label in table.columns]
    for row in table.rows:
        label = ("  " * row.level) + row.label
        yield [label] + [display(row.cells.get(key), fmt) for key, _label in table.columns]


def csv_rows(tables: list[Table], period: Period) -> list[list[str]]:
    """Every table one after the other, each with its title row and a blank line between; the
    first line names the period, the last explains the marks; the cells as protected by
    ``suppression.protect``. Lists of cases are left out."""
    rows: list[list[str]] = [
        [_("Endlich ein ZUHAUSE – programme figures"), period_text(period)],
        [],
    ]
    for table in tables:
        if table.listing:
            continue
        rows.extend(table_rows(table))
        if table.note:
            rows.append([table.note])
        rows.append([])
    rows.append([str(LEGEND)])
    return rows


def render(kind: str, tables: list[Table], period: Period, today: date) -> bytes:
    """The file of ``kind`` (``csv`` or ``pdf``), for the page and the command line."""
    if kind == "csv":
        return csv_text(csv_rows(tables, period)).encode("utf-8")
    return pdf_for(tables, period, today)


def record(kind: str, period: Period, actor=None, **how) -> None:
    """Every download of figures leaves an audit event: format and period, no figures."""
    audit.record(
        "report.exported",
        actor=actor,
        format=kind,
        start=str(period.start),
        end=str(period.end),
        **how,
    )


MIMETYPES = {"csv": "text/csv", "pdf": "application/pdf"}


def period_text(period: Period) -> str:
    return f"{german(period.start, 'date')} – {german(period.end, 'date')}"


# The PDF ---------------------------------------------------------------------------------------

# The summary: (table key, row label index, column) per line; labels come from the tables.
SUMMARY = (
    ("intakes", 0),
    ("intakes", 1),
    ("caseload", 0),
    ("caseload", 2),
    ("placements", 0),
    ("placements", 1),
    ("placements", 4),
    ("durations", 1),
    ("flats", 0),
    ("flats", 1),
    ("landlords", 0),
    ("landlords", 1),
    ("aftercare", 2),
    ("mediation", 0),
    ("mediation", 1),
    ("prevention", 0),
    ("prevention", 2),
)


def _latin1(text: str) -> str:
    """The PDF's built-in fonts know Latin-1 only: dashes and the euro sign are spelt out."""
    replaced = text.replace("–", "-").replace("—", "-").replace("€", "EUR").replace("\u00a0", " ")
    return replaced.replace("“", '"').replace("”", '"').replace("„", '"').replace("’", "'")


def pdf_for(tables: list[Table], period: Period, today: date) -> bytes:
    """One A4 page: the period, the key figures for all target groups and per group, the ESF
    persons, the definitions' gist, the funding line. Small numbers suppressed."""
    by_key = {t.key: t for t in tables}
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_title(_latin1(_("Endlich ein ZUHAUSE – programme figures")))
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(
        0, 8, _latin1(_("Endlich ein ZUHAUSE – programme figures")), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        _latin1(
            _(
                "Period: %(period)s · as of %(day)s",
                period=period_text(period),
                day=german(min(period.end, today), "date"),
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    intakes = by_key["intakes"]
    columns = intakes.columns
    widths = [70] + [(180 - 70) / len(columns)] * len(columns)
    pdf.set_font("Helvetica", "B", 8.5)
    pdf.set_fill_color(230, 230, 230)
    pdf.cell(widths[0], 7, _latin1(_("Figure")), border=1, fill=True)
    for (_key, label), width in zip(columns, widths[1:], strict=True):
        pdf.cell(width, 7, _latin1(label), border=1, fill=True, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8.5)
    for key, index in SUMMARY:
        table = by_key[key]
        if index >= len(table.rows):
            continue
        row = table.rows[index]
        pdf.cell(widths[0], 6, _latin1(f"{table.title}: {row.label}")[:60], border=1)
        for (column, _label), width in zip(columns, widths[1:], strict=True):
            cell: Cell | None = row.cells.get(column)
            shown = display(cell, german) if cell is not None else ""
            pdf.cell(width, 6, _latin1(shown), border=1, align="R")
        pdf.ln()
    pdf.set_font("Helvetica", "I", 7.5)
    pdf.multi_cell(
        0,
        4,
        _latin1(
            _(
                "Flats, landlords and mediation are not split by target group (their figure is "
                'in the column "All"). Cells with fewer than 3 are shown as "< 3".'
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    esf = by_key["esf"]
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _latin1(esf.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8.5)
    half = (180 - 70) / 2
    pdf.set_font("Helvetica", "B", 8.5)
    pdf.cell(70, 6, "", border=1, fill=True)
    for _key, label in esf.columns:
        pdf.cell(half, 6, _latin1(label), border=1, fill=True, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8.5)
    for row in esf.rows:
        pdf.cell(70, 4.5, _latin1(("   " * row.level) + row.label), border=1)
        for key, _label in esf.columns:
            pdf.cell(half, 4.5, _latin1(display(row.cells.get(key), german)), border=1, align="R")
        pdf.ln()

    pdf.set_font("Helvetica", "I", 7.5)
    pdf.multi_cell(0, 4, _latin1(str(LEGEND)), new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(-25)
    pdf.set_font("Helvetica", "", 8)
    funding = current_app.config.get("PROGRAMME_FUNDING_LINE", "")
    pdf.multi_cell(0, 4, _latin1(funding), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.cell(
        0,
        4,
        _latin1(_("Made on %(day)s from the portal's data.", day=german(today, "date"))),
        align="C",
    )
    return bytes(pdf.output())
