"""The ESF table's Annex I rows (issue 17) against a small history written here by hand,
independent of the report code: labour-market status, education, the special categories, the
incomplete records as their own row, and the immediate results at exit."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.households.models import Participant
from portal.reports import figures, suppression
from portal.reports.periods import Period
from portal.reports.tables import SUPPRESSED, display
from tests.factories import HouseholdFactory

TODAY = date(2026, 11, 25)
Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
BASE = dict(gender="female", third_country="no", disability="no")


def seed() -> None:
    # Entrant household (intake in Q2), two adults: one complete record, one incomplete
    # (labour-market status and rural area empty).
    a = HouseholdFactory(adults=2, children=0, intake_on=date(2026, 4, 10))
    # Leaver household (exit in Q2), an adult with a record and exit results, a child without.
    b = HouseholdFactory(
        adults=1,
        children=1,
        intake_on=date(2026, 1, 10),
        exit_on=date(2026, 5, 20),
        exit_destination="dropped_out",
    )
    # Outside the period: counts nowhere.
    c = HouseholdFactory(adults=1, children=0, intake_on=date(2026, 7, 1))
    db.session.flush()
    rows = [
        Participant(
            household_id=a.id,
            position=0,
            birth_year=1980,
            age_band="30_54",
            labour_status="unemployed",
            education="isced_0_2",
            foreign_background="yes",
            minority="no",
            homeless="yes",
            rural="no",
            **BASE,
        ),
        Participant(
            household_id=a.id,
            position=1,
            birth_year=2000,
            age_band="18_29",
            labour_status=None,
            education="isced_3_4",
            foreign_background="no",
            minority="no_answer",
            homeless="no",
            rural=None,
            **{**BASE, "gender": "male"},
        ),
        Participant(
            household_id=b.id,
            position=0,
            age_band="55_plus",
            labour_status="employed",
            education="isced_5_8",
            foreign_background="no_answer",
            minority="yes",
            homeless="yes",
            rural="yes",
            exit_on=date(2026, 5, 20),
            result_job_searching=True,
            result_in_education=False,
            result_qualification=False,
            result_employed=True,
            **BASE,
        ),
        Participant(
            household_id=c.id,
            position=0,
            birth_year=1970,
            age_band="55_plus",
            labour_status="inactive",
            education="none",
            foreign_background="yes",
            minority="yes",
            homeless="yes",
            rural="yes",
            **BASE,
        ),
    ]
    db.session.add_all(rows)
    db.session.flush()


def row(table, label) -> dict:
    found = next(r for r in table.rows if r.label == label)
    return {key: cell.value for key, cell in found.cells.items()}


def test_annex_rows_give_the_known_answers(db, english):
    seed()
    table = figures.esf(Q2, today=TODAY)
    assert row(table, "Persons") == {"entrants": 2, "exits": 2}
    assert row(table, "Participant data not recorded") == {"entrants": 0, "exits": 1}
    assert row(table, "Unemployed") == {"entrants": 1, "exits": 0}
    assert row(table, "Employed, including self-employed") == {"entrants": 0, "exits": 1}
    assert row(table, "Inactive") == {"entrants": 0, "exits": 0}
    assert row(table, "Labour-market status: not recorded") == {"entrants": 1, "exits": 0}
    assert row(table, "ISCED 0–2 (primary or lower secondary)") == {"entrants": 1, "exits": 0}
    assert row(table, "ISCED 3–4 (upper secondary or post-secondary)") == {
        "entrants": 1,
        "exits": 0,
    }
    assert row(table, "ISCED 5–8 (tertiary)") == {"entrants": 0, "exits": 1}
    assert row(table, "No formal education") == {"entrants": 0, "exits": 0}
    assert row(table, "Persons with a foreign background") == {"entrants": 1, "exits": 0}
    assert row(table, "Foreign background: no answer") == {"entrants": 0, "exits": 1}
    assert row(table, "Persons from a minority") == {"entrants": 0, "exits": 1}
    assert row(table, "Minority: no answer") == {"entrants": 1, "exits": 0}
    assert row(table, "Homeless or housing exclusion (as answered)") == {
        "entrants": 1,
        "exits": 1,
    }
    assert row(table, "Persons living in rural areas") == {"entrants": 0, "exits": 1}
    assert row(table, "Rural area: not recorded") == {"entrants": 1, "exits": 0}
    # The incomplete records have their own row: the second adult of the entrant household
    # (the child without any record is "not recorded", not "incomplete").
    assert row(table, "Participant records incomplete (a mandatory entry field empty)") == {
        "entrants": 1,
        "exits": 0,
    }
    assert row(table, "Result at exit: job searching")["exits"] == 1
    assert row(table, "Result at exit: in employment, including self-employed")["exits"] == 1
    assert row(table, "Result at exit: qualification gained")["exits"] == 0
    assert row(table, "Result at exit: in education or training")["exits"] == 0
    # Each field's rows and the persons without a record add up to the persons.
    for total, parts in table.sums:
        values = {
            key: sum(table.rows[table.index(p)].cells[key].value for p in parts)
            for key in ("entrants", "exits")
        }
        assert values == {
            k: table.rows[table.index(total)].cells[k].value for k in ("entrants", "exits")
        }, parts


def test_annex_rows_are_suppressed_like_the_rest(db, english):
    seed()
    fmt = lambda value, kind: str(value)  # noqa: E731
    (table,) = suppression.protect([figures.esf(Q2, today=TODAY)])
    cell = next(r for r in table.rows if r.label == "Unemployed").cells["entrants"]
    assert display(cell, fmt) == SUPPRESSED
    (exact,) = suppression.protect([figures.esf(Q2, today=TODAY)], exact=True)
    cell = next(r for r in exact.rows if r.label == "Unemployed").cells["entrants"]
    assert display(cell, fmt) == "1"
