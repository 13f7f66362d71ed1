"""The funding body's exact figures (issue 17, DESIGN.md section 8): the ESF participant records
of a period, one row per participant, and the aggregated Annex I table (Regulation (EU)
2021/1057: the common output indicators on participants and the common immediate result
indicators, each by gender), exact, never suppressed. Only for staff who may export them
(``may_export``); the files and the audit are in ``reports/annex_files.py``.

Who counts in a period:

- at entry (output indicators): the participant records of the households whose intake lies in
  the period (the household's intake is the participant's entry into the operation);
- at exit (result indicators): the participant records whose exit lies in the period: the exit
  date recorded on the participant, else the household's exit date.

The figures count records. Persons of an entering household without a participant record are
shown on their own line, as are the records that lack a mandatory entry field and every
declined answer, so that no indicator is silently smaller. An indicator counts a record whose
field holds that answer (e.g. "homeless or affected by housing exclusion": the person answered
yes); "declined to answer" counts in no indicator, only in the total.

The rows come from one SELECT of just the needed columns (no ORM object per row): the per
participant file and the aggregated table are built from the same rows.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, true

from portal.accounts.models import Role
from portal.extensions import db
from portal.households.models import (
    ENTRY_FIELDS,
    EXIT_RESULTS,
    AgeBand,
    Answer,
    Education,
    Gender,
    Household,
    LabourStatus,
    Participant,
)
from portal.reports.labels import DECLINED_LABELS
from portal.reports.periods import Period

# Who may see the exact figures and download the per-participant export: the specialists (the
# programme's lead is one of them) and the admins, as for submitting a report.
EXPORTERS = (Role.SPECIALIST, Role.ADMIN)


def may_export(user: Any) -> bool:
    return getattr(user, "role", None) in EXPORTERS


# The columns of one participant row, in the order of the SELECT and of the file.
FIELDS = (
    "pseudonym",
    "entry_on",
    "exit_on",
    "gender",
    "birth_year",
    "age_band",
    "labour_status",
    "education",
    "disability",
    "third_country",
    "foreign_background",
    "minority",
    "homeless",
    "rural",
    "result_job_searching",
    "result_in_education",
    "result_qualification",
    "result_employed",
)
INDEX = {name: i for i, name in enumerate(FIELDS)}
# The mandatory entry fields that hold an answer (the birth year is a number, not an answer).
ENTRY_ANSWERS = tuple(name for name in ENTRY_FIELDS if name != "birth_year")
RESULTS = EXIT_RESULTS

NO_ANSWER = "no_answer"  # the declined answer of every field (Gender, Answer, ...)
GENDERS = (Gender.FEMALE.value, Gender.MALE.value, Gender.NON_BINARY.value)
TOTAL = "total"
COLUMNS = (*GENDERS, TOTAL)


# What an indicator counts: the records whose field ``name`` holds one of ``values`` (``name``
# None: every record).
Test = tuple[str | None, frozenset | None]


def _is(name: str, *values: str) -> Test:
    return (name, frozenset(values))


def _yes(name: str) -> Test:
    return _is(name, Answer.YES.value)


def _result(name: str) -> Test:
    return (name, frozenset({True}))


EVERY: Test = (None, None)


# The indicator list (Annex I, Regulation (EU) 2021/1057), with the codes of the Commission's
# SFC2021 list: (code, name, test of a participant row).
OUTPUT_INDICATORS = (
    (
        "EECO01",
        _l("Unemployed, including long-term unemployed"),
        _is(
            "labour_status",
            LabourStatus.UNEMPLOYED.value,
            LabourStatus.LONG_TERM_UNEMPLOYED.value,
        ),
    ),
    (
        "EECO02",
        _l("Long-term unemployed"),
        _is("labour_status", LabourStatus.LONG_TERM_UNEMPLOYED.value),
    ),
    ("EECO03", _l("Inactive"), _is("labour_status", LabourStatus.INACTIVE.value)),
    (
        "EECO04",
        _l("Employed, including self-employed"),
        _is("labour_status", LabourStatus.EMPLOYED.value),
    ),
    ("EECO05", _l("Children below 18 years of age"), _is("age_band", AgeBand.UNDER_18.value)),
    (
        "EECO06",
        _l("Young people between 18 and 29 years of age"),
        _is("age_band", AgeBand.FROM_18_TO_29.value),
    ),
    (
        "EECO07",
        _l("Participants 55 years of age and above"),
        _is("age_band", AgeBand.FROM_55.value),
    ),
    (
        "EECO08",
        _l("With lower secondary education or less (ISCED 0 to 2)"),
        _is("education", Education.ISCED_0_2.value),
    ),
    (
        "EECO09",
        _l("With upper secondary (ISCED 3) or post-secondary education (ISCED 4)"),
        _is("education", Education.ISCED_3_4.value),
    ),
    (
        "EECO10",
        _l("With tertiary education (ISCED 5 to 8)"),
        _is("education", Education.ISCED_5_8.value),
    ),
    ("EECO11", _l("Total number of participants"), EVERY),
    ("EECO12", _l("Participants with disabilities"), _yes("disability")),
    ("EECO13", _l("Third-country nationals"), _yes("third_country")),
    ("EECO14", _l("Participants with a foreign background"), _yes("foreign_background")),
    (
        "EECO15",
        _l("Minorities (including marginalised communities such as the Roma)"),
        _yes("minority"),
    ),
    ("EECO16", _l("Homeless or affected by housing exclusion"), _yes("homeless")),
    ("EECO17", _l("Participants from rural areas"), _yes("rural")),
)
RESULT_INDICATORS = (
    (
        "EECR01",
        _l("Participants engaged in job searching upon leaving"),
        _result("result_job_searching"),
    ),
    (
        "EECR02",
        _l("Participants in education or training upon leaving"),
        _result("result_in_education"),
    ),
    (
        "EECR03",
        _l("Participants gaining a qualification upon leaving"),
        _result("result_qualification"),
    ),
    (
        "EECR04",
        _l("Participants in employment, including self-employment, upon leaving"),
        _result("result_employed"),
    ),
)


@dataclass
class Line:
    """One line of the Annex I table: the indicator code ("" for the lines that explain the
    counts), its name, and the count per column of ``COLUMNS``."""

    code: str
    name: str
    counts: dict[str, int]
    key: str = ""  # the indicator code, or what a line under the indicators counts

    def __post_init__(self) -> None:
        self.key = self.key or self.code


@dataclass
class AnnexTable:
    period: Period
    outputs: list[Line] = field(default_factory=list)
    results: list[Line] = field(default_factory=list)
    notes_at_entry: list[Line] = field(default_factory=list)
    notes_at_exit: list[Line] = field(default_factory=list)

    def lines(self) -> list[Line]:
        return self.outputs + self.notes_at_entry + self.results + self.notes_at_exit

    def counts(self) -> dict[str, tuple[int, ...]]:
        """Every line's counts in ``COLUMNS`` order, by the line's key."""
        return {line.key: tuple(line.counts[c] for c in COLUMNS) for line in self.lines()}


def pseudonym_key() -> bytes:
    """The key of the pseudonymous participant ids, from ``ESF_PSEUDONYM_KEY`` (keep it as long
    as the funding body holds exports: another key gives other ids), else the ``SECRET_KEY``."""
    config = current_app.config
    secret = config.get("ESF_PSEUDONYM_KEY") or config["SECRET_KEY"]
    return hashlib.sha256(b"esf-participant-id:" + secret.encode()).digest()


def pseudonym(key: bytes, household_code: str, position: int) -> str:
    """A participant's id for the funding body: the same person (household and position) gets
    the same id in every export, and nobody can go back from it to the household without the
    key (keyed BLAKE2b, 60 bits in 15 hexadecimal digits)."""
    digest = hashlib.blake2b(f"{household_code}/{position}".encode(), key=key, digest_size=8)
    return "TN-" + digest.hexdigest()[:15].upper()


def _exit_day():
    return func.coalesce(Participant.exit_on, Household.exit_on)


def _of_sites(site_ids: tuple[int, ...] | None):
    return true() if site_ids is None else Household.site_id.in_(site_ids)


def participant_rows(period: Period, site_ids: tuple[int, ...] | None = None) -> list[tuple]:
    """The participant records that enter or leave in ``period``, one tuple per participant in
    ``FIELDS`` order (the pseudonym instead of the household code and position), ordered by
    entry; of the households of ``site_ids`` (None: every site). One SELECT of the needed
    columns; no ORM object is made (and it runs on the connection, past the session filter of
    a staff request: the sites are filtered here)."""
    exit_day = _exit_day()
    statement = (
        select(
            Household.code,
            Participant.position,
            Household.intake_on,
            exit_day,
            *(getattr(Participant, name) for name in FIELDS[3:]),
        )
        .select_from(Participant)
        .join(Household, Household.id == Participant.household_id)
        .where(
            or_(
                Household.intake_on.between(period.start, period.end),
                exit_day.between(period.start, period.end),
            ),
            _of_sites(site_ids),
        )
        .order_by(Household.intake_on, Household.id, Participant.position)
    )
    key = pseudonym_key()
    result = db.session.connection().execute(statement)
    return [(pseudonym(key, row[0], row[1]), *row[2:]) for row in result]


def persons_without_record(period: Period, site_ids: tuple[int, ...] | None = None) -> int:
    """Persons of the households (of ``site_ids``; None: every site) taken in during
    ``period`` who have no participant record."""
    entering = and_(Household.intake_on.between(period.start, period.end), _of_sites(site_ids))
    persons = db.session.scalar(
        select(func.coalesce(func.sum(Household.adults + Household.children), 0)).where(entering)
    )
    recorded = db.session.scalar(
        select(func.count(Participant.id))
        .join(Household, Household.id == Participant.household_id)
        .where(and_(entering, Participant.position < Household.adults + Household.children))
    )
    return int(persons or 0) - int(recorded or 0)


class _Tally:
    """Counts of some participant rows by gender and one field's value: one ``Counter`` of the
    (gender, value) pairs per field asked (C speed, whatever the number of rows)."""

    def __init__(self, rows: list[tuple]) -> None:
        self.columns = list(zip(*rows, strict=True)) if rows else [()] * len(FIELDS)
        self.genders = self.columns[INDEX["gender"]]
        self._pairs: dict[str, Counter] = {}

    def count(self, test: Test) -> dict[str, int]:
        name, values = test
        name = name or "gender"
        if name not in self._pairs:
            self._pairs[name] = Counter(zip(self.genders, self.columns[INDEX[name]], strict=True))
        return _by_gender(self._pairs[name], values)

    def flagged(self, flags: list[bool]) -> dict[str, int]:
        """The rows whose flag (one per row, in order) is set."""
        return _by_gender(Counter(zip(self.genders, flags, strict=True)), frozenset({True}))

    def column(self, name: str) -> tuple:
        return self.columns[INDEX[name]]


def _by_gender(pairs: Counter, values: frozenset | None) -> dict[str, int]:
    counts = dict.fromkeys(COLUMNS, 0)
    for (gender, value), n in pairs.items():
        if values is None or value in values:
            counts[TOTAL] += n
            if gender in counts:
                counts[gender] += n
    return counts


def _incomplete(tally: _Tally) -> list[bool]:
    """Per row: the record lacks a mandatory entry field (``Participant.missing_entry_fields``):
    an empty answer; the age counts as answered by the birth year or an age band."""
    answers = zip(*(tally.column(name) for name in ENTRY_ANSWERS), strict=True)
    ages = zip(tally.column("birth_year"), tally.column("age_band"), strict=True)
    return [
        (year is None and band is None) or None in given or "" in given
        for (year, band), given in zip(ages, answers, strict=True)
    ]


def annex_table(
    period: Period, rows: list[tuple] | None = None, site_ids: tuple[int, ...] | None = None
) -> AnnexTable:
    """The Annex I table of ``period``, exact, by gender (female, male, non-binary, total: the
    total also counts the records whose gender was not answered, shown on its own line); from
    ``rows`` (``participant_rows(period)``) when given."""
    rows = participant_rows(period, site_ids) if rows is None else rows
    first, last = period.start, period.end
    entry, leave = INDEX["entry_on"], INDEX["exit_on"]
    entrants = _Tally([row for row in rows if first <= row[entry] <= last])
    leavers = _Tally(
        [row for row in rows if row[leave] is not None and first <= row[leave] <= last]
    )
    table = AnnexTable(period)
    for code, name, test in OUTPUT_INDICATORS:
        table.outputs.append(Line(code, str(name), entrants.count(test)))
    for code, name, test in RESULT_INDICATORS:
        table.results.append(Line(code, str(name), leavers.count(test)))
    for name, label in DECLINED_LABELS.items():
        declined = entrants.count(_is(name, NO_ANSWER))
        table.notes_at_entry.append(Line("", str(label), declined, f"declined:{name}"))
    table.notes_at_entry.append(
        Line(
            "",
            str(_l("Records incomplete (a mandatory entry field empty)")),
            entrants.flagged(_incomplete(entrants)),
            "incomplete",
        )
    )
    missing = dict.fromkeys(COLUMNS, 0) | {TOTAL: persons_without_record(period, site_ids)}
    table.notes_at_entry.append(
        Line("", str(_l("Persons taken in without a participant record")), missing, "no_record")
    )
    table.notes_at_exit.append(
        Line("", str(_l("Participants leaving in the period")), leavers.count(EVERY), "leavers")
    )
    results = zip(*(leavers.column(name) for name in RESULTS), strict=True)
    table.notes_at_exit.append(
        Line(
            "",
            str(_l("Results at exit not recorded")),
            leavers.flagged([given == (None,) * len(RESULTS) for given in results]),
            "no_results",
        )
    )
    return table
