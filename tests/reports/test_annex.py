"""The funding body's exact Annex I figures (issue 17): the table by gender for two periods
against a history written here by hand, independent of the report code; the per-participant
files (CSV, XLSX with the table as second sheet); the page and the download with a reason, its
audit, and the refusals."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.households.models import Participant
from portal.reports import annex, annex_files
from portal.reports.periods import Period
from tests.factories import HouseholdFactory

Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
NO = dict(disability="no", third_country="no", foreign_background="no", minority="no")
NO |= dict(homeless="no", rural="no")
RESULTS_NO = dict(
    result_job_searching=False,
    result_in_education=False,
    result_qualification=False,
    result_employed=False,
)


def person(household, position, **fields) -> Participant:
    return Participant(household_id=household.id, position=position, **fields)


@pytest.fixture
def history():
    """Five households; the answers each period must give are written out in the test."""

    def household(adults, children, intake, exit_on=None, **kw):
        return HouseholdFactory(
            adults=adults,
            children=children,
            intake_on=intake,
            exit_on=exit_on,
            exit_destination="dropped_out" if exit_on else None,
            **kw,
        )

    # Q1 entrants. h1: woman (leaves in Q2 on her own, job searching), man 66, girl.
    h1 = household(2, 1, date(2026, 1, 15))
    # h2: a non-binary adult (leaves with the household in Q1), a child without a record.
    h2 = household(1, 1, date(2026, 2, 20), date(2026, 3, 31), status="withdrawn")
    # Q2 entrants: h3, a man with education not recorded (incomplete) and a person who
    # declined every answer; both leave in Q2 (he with his own date, the other with the
    # household's, results not recorded).
    h3 = household(2, 0, date(2026, 4, 5), date(2026, 6, 20), status="withdrawn")
    # Entered before both periods, leaves in Q1 on her own date.
    h4 = household(1, 0, date(2025, 12, 10))
    # After both periods: counts nowhere.
    h5 = household(1, 0, date(2026, 7, 1))
    db.session.flush()
    rows = [
        person(
            h1,
            0,
            gender="female",
            birth_year=1990,
            age_band="30_54",
            labour_status="unemployed",
            education="isced_0_2",
            **NO | dict(third_country="yes", foreign_background="yes", homeless="yes"),
            exit_on=date(2026, 5, 10),
            **RESULTS_NO | dict(result_job_searching=True),
        ),
        person(
            h1,
            1,
            gender="male",
            birth_year=1960,
            age_band="55_plus",
            labour_status="long_term_unemployed",
            education="isced_3_4",
            **NO
            | dict(
                disability="yes",
                third_country="yes",
                foreign_background="yes",
                minority="no_answer",
                homeless="yes",
            ),
        ),
        person(
            h1,
            2,
            gender="female",
            birth_year=2015,
            age_band="under_18",
            labour_status="inactive",
            education="none",
            **NO | dict(third_country="yes", foreign_background="yes", homeless="yes"),
        ),
        person(
            h2,
            0,
            gender="non_binary",
            birth_year=2000,
            age_band="18_29",
            labour_status="employed",
            education="isced_5_8",
            **NO
            | dict(
                disability="no_answer", foreign_background="no_answer", minority="yes", rural="yes"
            ),
            exit_on=date(2026, 3, 31),
            **RESULTS_NO | dict(result_in_education=True, result_qualification=True),
        ),
        person(
            h3,
            0,
            gender="male",
            birth_year=2000,
            age_band="18_29",
            labour_status="unemployed",
            education=None,
            **NO,
            exit_on=date(2026, 6, 20),
            **RESULTS_NO | dict(result_employed=True),
        ),
        person(
            h3,
            1,
            gender="no_answer",
            birth_year=1980,
            age_band="30_54",
            labour_status="no_answer",
            education="no_answer",
            **{name: "no_answer" for name in NO},
        ),
        person(
            h4,
            0,
            gender="female",
            birth_year=1985,
            age_band="30_54",
            labour_status="unemployed",
            education="isced_0_2",
            **NO,
            exit_on=date(2026, 2, 28),
            **RESULTS_NO | dict(result_employed=True, result_qualification=True),
        ),
        person(
            h5,
            0,
            gender="female",
            birth_year=1990,
            age_band="30_54",
            labour_status="unemployed",
            education="isced_0_2",
            **NO,
        ),
    ]
    db.session.add_all(rows)
    db.session.flush()
    return [h1, h2, h3, h4, h5]


ZERO = (0, 0, 0, 0)
DECLINED = [
    "gender",
    "labour_status",
    "education",
    "disability",
    "third_country",
    "foreign_background",
    "minority",
    "homeless",
    "rural",
]
# (female, male, non-binary, total), worked out by hand from the history above.
EXPECTED = {
    Q1: {
        "EECO01": (1, 1, 0, 2),
        "EECO02": (0, 1, 0, 1),
        "EECO03": (1, 0, 0, 1),
        "EECO04": (0, 0, 1, 1),
        "EECO05": (1, 0, 0, 1),
        "EECO06": (0, 0, 1, 1),
        "EECO07": (0, 1, 0, 1),
        "EECO08": (1, 0, 0, 1),
        "EECO09": (0, 1, 0, 1),
        "EECO10": (0, 0, 1, 1),
        "EECO11": (2, 1, 1, 4),
        "EECO12": (0, 1, 0, 1),
        "EECO13": (2, 1, 0, 3),
        "EECO14": (2, 1, 0, 3),
        "EECO15": (0, 0, 1, 1),
        "EECO16": (2, 1, 0, 3),
        "EECO17": (0, 0, 1, 1),
        **{f"declined:{name}": ZERO for name in DECLINED},
        "declined:disability": (0, 0, 1, 1),
        "declined:foreign_background": (0, 0, 1, 1),
        "declined:minority": (0, 1, 0, 1),
        "incomplete": ZERO,
        "no_record": (0, 0, 0, 1),  # h2's child
        "EECR01": ZERO,
        "EECR02": (0, 0, 1, 1),
        "EECR03": (1, 0, 1, 2),
        "EECR04": (1, 0, 0, 1),
        "leavers": (1, 0, 1, 2),
        "no_results": ZERO,
    },
    Q2: {
        "EECO01": (0, 1, 0, 1),
        "EECO02": ZERO,
        "EECO03": ZERO,
        "EECO04": ZERO,
        "EECO05": ZERO,
        "EECO06": (0, 1, 0, 1),
        "EECO07": ZERO,
        "EECO08": ZERO,
        "EECO09": ZERO,
        "EECO10": ZERO,
        # The total counts the person who declined to give a gender.
        "EECO11": (0, 1, 0, 2),
        **{f"EECO{n}": ZERO for n in range(12, 18)},
        **{f"declined:{name}": (0, 0, 0, 1) for name in DECLINED},
        "incomplete": (0, 1, 0, 1),
        "no_record": ZERO,
        "EECR01": (1, 0, 0, 1),
        "EECR02": ZERO,
        "EECR03": ZERO,
        "EECR04": (0, 1, 0, 1),
        "leavers": (1, 1, 0, 3),
        "no_results": (0, 0, 0, 1),
    },
}


@pytest.mark.parametrize("period", [Q1, Q2], ids=["Q1", "Q2"])
def test_the_annex_table_by_gender_gives_the_known_answers(app, db, history, period):
    with app.test_request_context():
        table = annex.annex_table(period)
    assert table.counts() == EXPECTED[period]
    assert [line.code for line in table.outputs] == [f"EECO{n:02d}" for n in range(1, 18)]
    assert [line.code for line in table.results] == [f"EECR{n:02d}" for n in range(1, 5)]


def test_participant_rows_carry_a_stable_pseudonym_and_nothing_that_names_the_household(
    app, db, history
):
    with app.test_request_context():
        first = annex.participant_rows(Q1)
        again = annex.participant_rows(Q1)
        q2 = annex.participant_rows(Q2)
    # Q1: h1's three, h2's one, h4's one (left in Q1).
    assert len(first) == 5
    assert [row[0] for row in first] == [row[0] for row in again]
    assert len({row[0] for row in first}) == 5
    assert all(row[0].startswith("TN-") and len(row[0]) == 18 for row in first)
    # h1's woman enters in Q1 and leaves in Q2: the same id in both periods' files.
    assert {row[0] for row in first} & {row[0] for row in q2}
    codes = {h.code for h in history}
    assert not any(code in str(row) for row in first for code in codes)


def test_the_files_hold_every_participant_and_the_table(app, db, history):
    app.config["ESF_PROJECT_ID"] = "ESF-NRW-4711"
    with app.test_request_context():
        participants, count = annex_files.render("csv", Q1)
        table_file, _ = annex_files.render("table_csv", Q1)
        workbook_file, _ = annex_files.render("xlsx", Q1)
        table = annex.annex_table(Q1)
    assert count == 5
    rows = list(csv.reader(io.StringIO(participants.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Teilnehmende (Pseudonym)", "Projekt-ID", "Berichtszeitraum", "Eintritt"]
    assert len(rows) == 6
    woman = next(r for r in rows[1:] if r[3] == "15.01.2026" and r[6] == "1990")
    assert woman[1:3] == ["ESF-NRW-4711", "01.01.2026–31.03.2026"]
    assert woman[4] == "10.05.2026"
    assert woman[5] == "Weiblich"
    assert woman[-4:] == ["Ja", "Nein", "Nein", "Nein"]
    lines = list(csv.reader(io.StringIO(table_file.decode("utf-8-sig")), delimiter=";"))
    eeco11 = next(line for line in lines if line and line[0] == "EECO11")
    assert eeco11[2:] == ["2", "1", "1", "4"]

    workbook = openpyxl.load_workbook(io.BytesIO(workbook_file), read_only=True)
    first, second = workbook.worksheets
    sheet_rows = list(first.iter_rows(values_only=True))
    assert len(sheet_rows) == 6
    assert sheet_rows[0][0] == "Teilnehmende (Pseudonym)"
    assert {r[0] for r in sheet_rows[1:]} == {r[0] for r in rows[1:]}
    dated = next(r for r in sheet_rows[1:] if r[0] == woman[0])
    assert dated[3].date() == date(2026, 1, 15)
    assert dated[6] == 1990
    summary = {r[0]: r[2:6] for r in second.iter_rows(values_only=True) if r and r[0]}
    for line in table.outputs + table.results:
        assert summary[line.code] == tuple(line.counts[c] for c in annex.COLUMNS)


PAGE = "/backoffice/reports/annex?preset=custom&start=2026-01-01&end=2026-03-31"
EXPORT = "/backoffice/reports/annex/export?preset=custom&start=2026-01-01&end=2026-03-31"


def _exports():
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.annex_exported"))
    )


@pytest.mark.parametrize("role", ["specialist", "admin"])
def test_the_lead_and_the_admin_see_the_exact_table(browser, history, role):
    browser.login(role)
    response = browser.client.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "EECO11" in html and "EECR04" in html
    assert 'name="purpose"' in html and 'name="csrf_token"' in html


@pytest.mark.parametrize("role", ["social_worker", "landlord"])
def test_others_are_refused_the_table_and_the_export(browser, history, role):
    browser.login(role)
    assert browser.client.get(PAGE).status_code == 403
    response = browser.post(EXPORT, {"kind": "csv", "purpose": "query"})
    assert response.status_code == 403
    assert _exports() == []


@pytest.mark.parametrize(
    "data", [{"kind": "csv"}, {"kind": "csv", "purpose": ""}, {"kind": "csv", "purpose": "fun"}]
)
def test_a_download_without_a_reason_is_refused_with_the_form_back(browser, history, data):
    browser.login("specialist")
    response = browser.post(EXPORT, data, csrf_from_path=PAGE)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "The export was not made: please choose the file and why you need it." in html
    if data.get("purpose") != "fun":
        assert "Please choose why you download the participant data." in html
    else:
        assert "Not a valid choice." in html
    assert 'name="purpose"' in html
    assert _exports() == []


def test_a_download_without_the_csrf_token_is_refused(browser, history):
    browser.login("specialist")
    response = browser.client.post(EXPORT, data={"kind": "csv", "purpose": "query"})
    assert response.status_code == 400
    assert _exports() == []


@pytest.mark.parametrize("kind", ["csv", "table_csv", "xlsx"])
def test_each_download_is_audited_with_who_and_why(browser, history, kind):
    user = browser.login("specialist")
    response = browser.post(EXPORT, {"kind": kind, "purpose": "monitoring"}, csrf_from_path=PAGE)
    assert response.status_code == 200
    assert response.mimetype == annex_files.MIMETYPES[kind]
    assert "esf-annex-i-2026-01-01-2026-03-31" in response.headers["Content-Disposition"]
    (event,) = _exports()
    assert event.actor_id == user.id
    assert event.details == {
        "sites": "duisburg",  # the site whose participants were exported
        "format": kind,
        "start": "2026-01-01",
        "end": "2026-03-31",
        "rows": 5,
        "reason": "monitoring",
    }
