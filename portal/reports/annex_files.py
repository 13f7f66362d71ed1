"""The funding body's exact export (issue 17): the participant records of a period, one row per
participant (CSV, or the first sheet of the XLSX), and the aggregated Annex I table (its own CSV,
or the XLSX's second sheet). Every download is audited with who, the period, the format, the
number of rows and why (a purpose from a fixed list: the audit trail takes no typed text).

The files are in German, whatever the language of whoever downloads them: the funding body
reads German, and a file sent must not depend on the button presser's language (as for
submitted reports). The XLSX is written by XlsxWriter, row by row (constant memory), never as
hand-written XML; its cells are plain values (no string becomes a formula or a link).
"""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import xlsxwriter
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.core import audit
from portal.core.refusals import BAD_INPUT, Refused
from portal.core.spreadsheet import csv_text, safe_cell
from portal.households import labels as household_labels
from portal.reports.annex import (
    COLUMNS,
    FIELDS,
    INDEX,
    RESULTS,
    AnnexTable,
    annex_table,
    participant_rows,
)
from portal.reports.labels import ANNEX_COLUMN_LABELS
from portal.reports.periods import Period

LOCALE = "de"

# Why an export is made; the word goes into the audit trail.
PURPOSES = {
    "monitoring": _l("Participant data for the managing authority's monitoring"),
    "payment_claim": _l("Evidence for a payment claim or the final report"),
    "audit": _l("Check by an audit or control body"),
    "query": _l("Answer to a question of the funding body"),
}

# What may be downloaded: the participant rows as CSV, the Annex I table as CSV, or both as
# the two sheets of one XLSX.
KINDS = {
    "csv": _l("Participants, one row each (CSV)"),
    "table_csv": _l("Annex I table (CSV)"),
    "xlsx": _l("Participants and Annex I table (XLSX, two sheets)"),
}
MIMETYPES = {
    "csv": "text/csv",
    "table_csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

HEADINGS = {
    "pseudonym": _l("Participant (pseudonym)"),
    "project": _l("Project id"),
    "period": _l("Reporting period"),
    "entry_on": _l("Entry"),
    "exit_on": _l("Exit"),
    "gender": _l("Gender"),
    "birth_year": _l("Birth year"),
    "age_band": _l("Age at entry"),
    "labour_status": _l("Labour-market status"),
    "education": _l("Education"),
    "disability": _l("Disability"),
    "third_country": _l("Third-country national"),
    "foreign_background": _l("Foreign background"),
    "minority": _l("Minority"),
    "homeless": _l("Homeless or affected by housing exclusion"),
    "rural": _l("Living in a rural area"),
    "result_job_searching": _l("Job searching at exit"),
    "result_in_education": _l("In education or training at exit"),
    "result_qualification": _l("Qualification gained at exit"),
    "result_employed": _l("In employment, including self-employed, at exit"),
}
WORDS = {
    "gender": household_labels.GENDER_LABELS,
    "age_band": household_labels.AGE_BAND_LABELS,
    "labour_status": household_labels.LABOUR_STATUS_LABELS,
    "education": household_labels.EDUCATION_LABELS,
    "disability": household_labels.ANSWER_LABELS,
    "third_country": household_labels.ANSWER_LABELS,
    "foreign_background": household_labels.ANSWER_LABELS,
    "minority": household_labels.ANSWER_LABELS,
    "homeless": household_labels.ANSWER_LABELS,
    "rural": household_labels.ANSWER_LABELS,
}
EXCEL_EPOCH = date(1899, 12, 30)


def _period_text(period: Period) -> str:
    return f"{period.start:%d.%m.%Y}–{period.end:%d.%m.%Y}"


def _lookup() -> list[dict | None]:
    """Per column of ``FIELDS``, the words of its values (in the current locale; nothing
    recorded: empty), or None for a column written as it is (pseudonym, dates, birth year); the
    results are yes/no."""
    words = household_labels.YES_NO_LABELS
    yes_no = {True: str(words["yes"]), False: str(words["no"]), None: ""}
    columns: list[dict | None] = []
    for name in FIELDS:
        if name in WORDS:
            columns.append({key: str(word) for key, word in WORDS[name].items()} | {None: ""})
        elif name in RESULTS:
            columns.append(yes_no)
        else:
            columns.append(None)
    return columns


def headings() -> list[str]:
    return [str(HEADINGS[name]) for name in ("pseudonym", "project", "period", *FIELDS[1:])]


# The file's columns: the pseudonym, the project id, the period, then FIELDS[1:].
FILE_DATES = (3, 4)
FILE_NUMBERS = (3 + INDEX["birth_year"] - 1,)


def project_id(site=None) -> str:
    """The ESF+ project number of ``site`` (a ``Site``), else the deployment's
    ``ESF_PROJECT_ID``."""
    own = getattr(site, "esf_project_id", None)
    return own or current_app.config.get("ESF_PROJECT_ID", "")


def file_columns(rows: list[tuple], period: Period, project: str | None = None) -> list[list]:
    """The participant rows as the files show them, column by column (each a list of one cell
    per participant, in the rows' order): the project id and the period after the pseudonym,
    each answer in words, empty where nothing was recorded; dates stay dates, the birth year a
    number. Column-wise, so each column is one pass of C-speed lookups."""
    fields = list(zip(*rows, strict=True)) if rows else [()] * len(FIELDS)
    project = safe_cell(project_id() if project is None else project)
    count = len(rows)
    columns: list[list] = [list(fields[0]), [project] * count, [_period_text(period)] * count]
    for values, words in zip(fields[1:], _lookup()[1:], strict=True):
        columns.append(list(values) if words is None else [words.get(v, v) for v in values])
    return columns


def participants_csv(rows: list[tuple], period: Period, project: str | None = None) -> bytes:
    """One line per participant. Every cell is the portal's own: a generated pseudonym, a
    date, a number or one of the words above, and the project id made safe once."""
    columns = file_columns(rows, period, project)
    days: dict = {None: ""}
    for i in FILE_DATES:
        columns[i] = [
            days[d] if d in days else days.setdefault(d, f"{d:%d.%m.%Y}") for d in columns[i]
        ]
    lines = zip(*columns, strict=True)
    return csv_text([headings(), *lines], cells_checked=True).encode("utf-8")


def table_rows(table: AnnexTable) -> Iterator[list]:
    """The Annex I table as the indicator list lays it out: code, name, the counts by gender."""
    labels = [str(ANNEX_COLUMN_LABELS[c]) for c in COLUMNS]
    yield [str(_l("Annex I, Regulation (EU) 2021/1057")), _period_text(table.period)]
    yield [str(_l("Common output indicators on participants (at entry)"))]
    yield [str(_l("Code")), str(_l("Indicator")), *labels]
    for line in table.outputs + table.notes_at_entry:
        yield [line.code, line.name, *(line.counts[c] for c in COLUMNS)]
    yield []
    yield [str(_l("Common immediate result indicators (upon leaving)"))]
    yield [str(_l("Code")), str(_l("Indicator")), *labels]
    for line in table.results + table.notes_at_exit:
        yield [line.code, line.name, *(line.counts[c] for c in COLUMNS)]


def table_csv(table: AnnexTable) -> bytes:
    return csv_text(table_rows(table)).encode("utf-8")


def xlsx(rows: list[tuple], table: AnnexTable, period: Period, project: str | None = None) -> bytes:
    """Both sheets in one workbook: the participants (dates as dates, the birth year a number)
    and the Annex I table (counts as numbers)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "dd.mm.yyyy"})
    sheet = workbook.add_worksheet(str(_l("Participants")))
    sheet.write_row(0, 0, headings(), bold)
    sheet.freeze_panes(1, 1)
    # Column by column: each column's cells have one type. A date is written as Excel writes
    # it, the number of days since 30 December 1899, with a date format.
    for c, column in enumerate(file_columns(rows, period, project)):
        if c in FILE_DATES:
            write, style = sheet.write_number, day
            serials: dict = {None: None}
            column = [
                serials[d] if d in serials else serials.setdefault(d, (d - EXCEL_EPOCH).days)
                for d in column
            ]
        elif c in FILE_NUMBERS:
            write, style = sheet.write_number, None
        else:
            write, style = sheet.write_string, None
        for r, value in enumerate(column, start=1):
            if value is not None and value != "":
                write(r, c, value, style)
    summary = workbook.add_worksheet(str(_l("Annex I table")))
    summary.set_column(1, 1, 60)
    for r, row in enumerate(table_rows(table)):
        for c, value in enumerate(row):
            if isinstance(value, int):
                summary.write_number(r, c, value)
            else:
                summary.write_string(r, c, value, bold if c < 2 and len(row) < 3 else None)
    workbook.close()
    return buffer.getvalue()


def file_name(kind: str, period: Period, site=None) -> str:
    where = f"-{site.slug}" if site is not None else ""
    stem = f"esf-annex-i-{period.start.isoformat()}-{period.end.isoformat()}{where}"
    return {
        "csv": f"{stem}-participants.csv",
        "table_csv": f"{stem}-table.csv",
        "xlsx": f"{stem}.xlsx",
    }[kind]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: building a file makes hundreds of thousands of small
    objects that all live until the file is done, and the collector would walk them again and
    again (a third of the XLSX's time at 20,000 participants). Nothing made here forms a cycle
    that must be freed early; the collector runs as before afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render(
    kind: str,
    period: Period,
    site_ids: tuple[int, ...] | None = None,
    project: str | None = None,
) -> tuple[bytes, int]:
    """The file of ``kind`` for ``period`` in German (of the households of ``site_ids``; None:
    every site), and how many participant rows it rests on. One SELECT of the participant rows;
    the table is counted from the same rows."""
    with _collector_paused():
        return _render(kind, period, site_ids, project)


def _render(
    kind: str, period: Period, site_ids: tuple[int, ...] | None, project: str | None
) -> tuple[bytes, int]:
    rows = participant_rows(period, site_ids)
    with force_locale(LOCALE):
        if kind == "csv":
            return participants_csv(rows, period, project), len(rows)
        table = annex_table(period, rows, site_ids)
        if kind == "table_csv":
            return table_csv(table), len(rows)
        return xlsx(rows, table, period, project), len(rows)


def export(kind: str, period: Period, purpose: str, actor, site=None) -> bytes:
    """The exact export of ``period`` for the funding body, of ``site`` (a ``Site``; None:
    every site), audited (``report.annex_exported``: who, the period, the site, the format, the
    number of participant rows and the purpose word). Refuses
    (``Refused``, 400) an unknown format or a missing or unknown purpose; nothing is written
    then. The caller checks the right (``annex.may_export``) first."""
    if kind not in KINDS:
        raise Refused("kind", status=BAD_INPUT)
    if purpose not in PURPOSES:
        raise Refused(
            "purpose",
            _l("Please choose why you download the participant data."),
            status=BAD_INPUT,
        )
    data, count = render(kind, period, None if site is None else (site.id,), project_id(site))
    audit.record(
        "report.annex_exported",
        actor=actor,
        sites=site.slug if site is not None else "",
        format=kind,
        start=str(period.start),
        end=str(period.end),
        rows=count,
        reason=purpose,
    )
    return data
