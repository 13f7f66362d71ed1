"""The report's files: CSV of every table (German number format, small numbers suppressed) and
the PDF of every table for the ministry. Used by the page and by ``flask reports export``.

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

from portal.core import audit
from portal.core.pdf import FormPdf
from portal.core.spreadsheet import csv_text
from portal.reports.periods import Period
from portal.reports.tables import Table, display

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


def site_text(site) -> str:
    """Whose figures: the site's name and official municipality key (AGS); every site for the
    state-level report (``site`` None)."""
    if site is None:
        return _("All sites (state level)")
    return _("%(site)s (AGS %(key)s)", site=site.name, key=site.municipality_key)


def csv_rows(tables: list[Table], period: Period, site=None) -> list[list[str]]:
    """Every table one after the other, each with its title row and a blank line between; the
    first line names the period, the second the site (``site_text``), the last explains the
    marks; the cells as protected by ``suppression.protect``. Lists of cases are left out."""
    rows: list[list[str]] = [
        [_("Endlich ein ZUHAUSE – programme figures"), period_text(period)],
        [_("Site"), site_text(site)],
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


def render(kind: str, tables: list[Table], period: Period, today: date, site=None) -> bytes:
    """The file of ``kind`` (``csv`` or ``pdf``) of ``site`` (None: the state-level report),
    for the page and the command line."""
    if kind == "csv":
        return csv_text(csv_rows(tables, period, site)).encode("utf-8")
    return pdf_for(tables, period, today, site)


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


def pdf_for(tables: list[Table], period: Period, today: date, site=None) -> bytes:
    """Every exported table, each with its own columns, its definition in small print under it
    and its note; then the legend of the marks and the funding line. Drawn with fpdf2's tables
    (cells wrap, widths fitted to the content, headings repeated on a new page) in the DejaVu
    fonts of ``portal.core.pdf``, so every character prints. The cells as in the CSV: small
    numbers suppressed, German number format."""
    title = _("Endlich ein ZUHAUSE – programme figures")
    doc = FormPdf(title=title, programme="Endlich ein ZUHAUSE", margin=15)
    doc.paragraph(_("Site: %(site)s", site=site_text(site)))
    doc.paragraph(
        _(
            "Period: %(period)s · as of %(day)s",
            period=period_text(period),
            day=german(min(period.end, today), "date"),
        )
    )
    for table in tables:
        if table.listing:
            continue
        doc.keep_with_next(30)
        doc.section(table.title)
        if table.rows:
            doc.grid(
                [_("Figure")] + [label for _key, label in table.columns],
                (
                    (
                        [row.label]
                        + [display(row.cells.get(key), german) for key, _label in table.columns],
                        row.level,
                    )
                    for row in table.rows
                ),
            )
        if table.note:
            doc.note(table.note)
        doc.note(table.definition)
    doc.ln(2)
    doc.note(str(LEGEND), size=8)
    funding = current_app.config.get("PROGRAMME_FUNDING_LINE", "")
    if funding:
        doc.note(funding, size=8)
    doc.note(_("Made on %(day)s from the portal's data.", day=german(today, "date")), size=8)
    return doc.output_bytes()
