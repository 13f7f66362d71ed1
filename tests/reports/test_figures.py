"""Every figure's exact value over a small, fully known history, for several periods and their
edges, on SQLite and on PostgreSQL (the suite runs on both).

The history (all dates 2025/2026; "today" is 2026-11-25):

  household  group     persons  intake      lease       keys        exit
  H1         refugee   2A 2C    2026-01-10  2026-03-31  2026-04-15  2026-04-15 programme
  H2         refugee   1A       2026-02-01  2026-04-01  2026-04-20  2026-04-20 programme
  H3         homeless  1A 1C    2026-03-31  2026-06-30  2026-07-01  2026-07-01 programme
  H4         homeless  2A       2026-04-01  –           –           2026-05-10 dropped out
  H5         other     1A 3C    2025-12-31  –           –           2026-06-30 with support
  H6         refugee   3A 1C    2026-01-05  (2026-04-01, cancelled)
  H7         refugee   1A       2026-07-01  –
  H8         other     2A       2025-06-01  2025-07-01  2025-07-15  2025-07-15 programme

Follow-ups: H1 all well at 1, 3 and 6 months; H2 returned to a shelter on 2026-08-01; H3 none
recorded (two overdue); H8 all well at 12 months (2026-07-20).

Prevention cases (opened, outcome): H7 2026-07-10 open; H4 2026-04-01, tenancy kept on
2026-06-30; H5 2026-01-15, lost on 2026-07-01; H6 2026-03-31, moved on 2026-05-05; H8 2025-07-01,
tenancy kept on 2025-09-01.
"""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from portal.reports import figures, suppression
from portal.reports.periods import Period, preset
from portal.reports.sql import interpolated_percentile
from portal.reports.tables import SUPPRESSED, display

TODAY = date(2026, 11, 25)
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
REF, HOME, OTHER, ALL = (
    "refugee_shared_accommodation",
    "homeless_municipal_shelter",
    "other",
    "all",
)


def row(table, label) -> dict:
    found = next(r for r in table.rows if r.label == label)
    return {key: cell.value for key, cell in found.cells.items()}


def num(value):
    return None if value is None else float(value)


@pytest.fixture(autouse=True)
def _english(english):
    yield


def test_intakes(history):
    q2 = figures.intakes(Q2, today=TODAY)
    assert row(q2, "Households taken in") == {ALL: 1, REF: 0, HOME: 1, OTHER: 0}
    assert row(q2, "Persons taken in") == {ALL: 2, REF: 0, HOME: 2, OTHER: 0}
    q1 = figures.intakes(Q1, today=TODAY)  # H3 on the quarter's last day counts, H5 does not
    assert row(q1, "Households taken in") == {ALL: 4, REF: 3, HOME: 1, OTHER: 0}
    assert row(q1, "Persons taken in") == {ALL: 11, REF: 9, HOME: 2, OTHER: 0}
    assert row(q1, "of whom adults") == {ALL: 7, REF: 6, HOME: 1, OTHER: 0}
    assert row(q1, "of whom children") == {ALL: 4, REF: 3, HOME: 1, OTHER: 0}


def test_caseload(history):
    table = figures.caseload(Q2, today=TODAY)
    # H3 leaves on 1 July: still active on 30 June; H5 leaves on 30 June: not.
    assert row(table, "Households active at the period's end") == {
        ALL: 2,
        REF: 1,
        HOME: 1,
        OTHER: 0,
    }
    assert row(table, "Persons active at the period's end") == {ALL: 6, REF: 4, HOME: 2, OTHER: 0}
    assert row(table, "Households served during the period") == {ALL: 6, REF: 3, HOME: 2, OTHER: 1}
    assert row(table, "Persons served during the period") == {ALL: 17, REF: 9, HOME: 4, OTHER: 4}


def test_placements_and_the_last_day_of_the_period(history):
    table = figures.placements(Q2, today=TODAY)
    # H2 on the first day and H3 on the last day count; H1 (31 March) and H6 (cancelled) not.
    assert row(table, "Households placed (lease signed)") == {ALL: 2, REF: 1, HOME: 1, OTHER: 0}
    assert row(table, "Persons placed") == {ALL: 3, REF: 1, HOME: 2, OTHER: 0}
    assert row(table, "of whom children") == {ALL: 1, REF: 0, HOME: 1, OTHER: 0}
    assert row(table, "Households that found a tenancy with support") == {
        ALL: 1,
        REF: 0,
        HOME: 0,
        OTHER: 1,
    }
    assert row(table, "Persons that found a tenancy with support")[ALL] == 4
    day_before = Period(date(2026, 4, 1), date(2026, 6, 29))
    assert (
        row(figures.placements(day_before, today=TODAY), "Households placed (lease signed)")[ALL]
        == 1
    )
    last_day = Period(date(2026, 6, 30), date(2026, 6, 30))
    assert (
        row(figures.placements(last_day, today=TODAY), "Households placed (lease signed)")[HOME]
        == 1
    )
    day_after = Period(date(2026, 7, 1), date(2026, 7, 31))
    assert (
        row(figures.placements(day_after, today=TODAY), "Households placed (lease signed)")[ALL]
        == 0
    )


def test_placement_rate_only_for_quarters_with_their_full_180_days(history):
    assert figures.placement_rate(Q2, today=TODAY).rows == []
    table = figures.placement_rate(YEAR, today=TODAY)  # Q1 only: Q2 + 180 days > 25 November
    assert [r.label for r in table.rows] == [
        "2026 Q1: households taken in",
        "2026 Q1: lease within 180 days",
        "2026 Q1: placement rate (%)",
    ]
    assert row(table, "2026 Q1: households taken in") == {ALL: 4, REF: 3, HOME: 1, OTHER: 0}
    assert row(table, "2026 Q1: lease within 180 days") == {ALL: 3, REF: 2, HOME: 1, OTHER: 0}
    rates = {k: num(v) for k, v in row(table, "2026 Q1: placement rate (%)").items()}
    assert rates == {ALL: 75.0, REF: 66.7, HOME: 100.0, OTHER: None}


def test_durations(history):
    table = figures.durations(Q2, today=TODAY)
    assert num(row(table, "Intake to lease: median days")[ALL]) == 75.0  # 59 and 91 days
    assert num(row(table, "Intake to lease: mean days")[ALL]) == 75.0
    assert num(row(table, "Intake to lease: 75th percentile, days")[ALL]) == 83.0
    assert num(row(table, "Intake to lease: median days")[REF]) == 59.0
    assert row(table, "Intake to lease: median days")[OTHER] is None
    assert num(row(table, "Lease to move-in: median days")[ALL]) == 17.0  # 15 and 19 days
    year = figures.durations(YEAR, today=TODAY)  # 59, 80, 91 days
    assert num(row(year, "Intake to lease: median days")[ALL]) == 80.0
    assert num(row(year, "Intake to lease: mean days")[ALL]) == 76.7
    assert num(row(year, "Intake to lease: 75th percentile, days")[ALL]) == 85.5


def test_flats(history):
    q2 = figures.flats(Q2, today=TODAY)
    assert row(q2, "Flats acquired") == {ALL: 2, "private": 1, "company": 1}
    assert row(q2, "Flats available, not yet placed, at the period's end") == {
        ALL: 2,
        "private": 2,
        "company": 0,
    }
    assert num(row(q2, "Publication to lease: median days")[ALL]) == 70.5  # 1 and 140 days
    q1 = figures.flats(Q1, today=TODAY)
    assert row(q1, "Flats acquired") == {ALL: 3, "private": 1, "company": 2}
    assert row(q1, "Flats available, not yet placed, at the period's end") == {
        ALL: 3,
        "private": 1,
        "company": 2,
    }


def test_landlords(history):
    assert row(figures.landlords(Q1, today=TODAY), "Landlords newly won") == {
        ALL: 2,
        "private": 1,
        "company": 1,
    }
    q2 = figures.landlords(Q2, today=TODAY)
    assert row(q2, "Landlords newly won")[ALL] == 0
    # Leases from 2025-07-01 (the first day of the twelve months) to 2026-06-30.
    assert row(q2, "Active landlords (a lease in the last 12 months)") == {
        ALL: 3,
        "private": 2,
        "company": 1,
    }


def test_retention_and_returns(history):
    table = figures.retention(YEAR, today=TODAY)
    assert row(table, "6 months: move-ins old enough") == {ALL: 3, REF: 2, HOME: 0, OTHER: 1}
    assert row(table, "6 months: held") == {ALL: 2, REF: 1, HOME: 0, OTHER: 1}
    assert row(table, "6 months: ended") == {ALL: 1, REF: 1, HOME: 0, OTHER: 0}
    assert row(table, "6 months: unknown")[ALL] == 0
    assert num(row(table, "6 months: held (%)")[ALL]) == 66.7
    assert row(table, "12 months: move-ins old enough")[ALL] == 1
    assert row(table, "12 months: held")[OTHER] == 1
    assert row(table, "24 months: move-ins old enough")[ALL] == 0
    # At the end of Q2 the 12-month follow-up of H8 (20 July) was not yet known.
    q2 = figures.retention(Q2, today=TODAY)
    assert row(q2, "6 months: move-ins old enough")[ALL] == 1
    assert row(q2, "6 months: unknown")[ALL] == 1
    back = figures.returns(YEAR, today=TODAY)
    assert row(back, "6 months: returned") == {ALL: 1, REF: 1, HOME: 0, OTHER: 0}
    assert num(row(back, "6 months: returned (%)")[ALL]) == 33.3
    assert row(back, "12 months: returned")[ALL] == 0


def test_aftercare_and_overdue_follow_ups(history):
    table = figures.aftercare(YEAR, today=TODAY)
    assert row(table, "Tenancies moved in within the last 12 months") == {
        ALL: 2,
        REF: 1,
        HOME: 1,
        OTHER: 0,
    }
    assert row(table, "with a follow-up in the last 90 days") == {ALL: 1, REF: 1, HOME: 0, OTHER: 0}
    assert num(row(table, "Coverage (%)")[ALL]) == 50.0
    overdue = figures.overdue_follow_ups(YEAR, today=TODAY)
    assert [
        (r.cells["months"].value, r.cells["due_on"].value, r.cells["days"].value)
        for r in overdue.rows
    ] == [(1, date(2026, 8, 1), 116), (3, date(2026, 10, 1), 55)]


def test_mediation_by_the_day_in_duisburg(history):
    table = figures.mediation(Q2, today=TODAY)
    assert row(table, "Cases opened")[ALL] == 3
    assert row(table, "Cases opened")["rent_arrears"] == 2
    assert row(table, "Cases opened")["neighbourhood"] == 0
    assert row(table, "Cases resolved")[ALL] == 1
    assert num(row(table, "Opening to first answer: median days")[ALL]) == 1.0
    assert num(row(table, "Opening to first answer: median days")["rent_arrears"]) == 2.0


def test_prevention_cases(history):
    q2 = figures.prevention(Q2, today=TODAY)
    assert row(q2, "Prevention cases opened") == {ALL: 1, REF: 0, HOME: 1, OTHER: 0}
    # H4's outcome on the quarter's last day counts; H5's on 1 July does not.
    assert row(q2, "Prevention cases closed") == {ALL: 2, REF: 1, HOME: 1, OTHER: 0}
    assert row(q2, "of which tenancy kept") == {ALL: 1, REF: 0, HOME: 1, OTHER: 0}
    assert row(q2, "of which moved to another flat") == {ALL: 1, REF: 1, HOME: 0, OTHER: 0}
    assert row(q2, "of which flat lost") == {ALL: 0, REF: 0, HOME: 0, OTHER: 0}
    assert row(q2, "Prevention cases open at the period's end") == {
        ALL: 1,
        REF: 0,
        HOME: 0,
        OTHER: 1,
    }
    q1 = figures.prevention(Q1, today=TODAY)  # H6 opened on the quarter's last day
    assert row(q1, "Prevention cases opened") == {ALL: 2, REF: 1, HOME: 0, OTHER: 1}
    assert row(q1, "Prevention cases closed")[ALL] == 0
    assert row(q1, "Prevention cases open at the period's end")[ALL] == 2
    year = figures.prevention(YEAR, today=TODAY)  # open at today's date: H7 only
    assert row(year, "Prevention cases opened") == {ALL: 4, REF: 2, HOME: 1, OTHER: 1}
    assert row(year, "Prevention cases closed") == {ALL: 3, REF: 1, HOME: 1, OTHER: 1}
    assert row(year, "of which flat lost") == {ALL: 1, REF: 0, HOME: 0, OTHER: 1}
    assert row(year, "Prevention cases open at the period's end") == {
        ALL: 1,
        REF: 1,
        HOME: 0,
        OTHER: 0,
    }
    own = figures.Scope(history["worker"].id)  # H4 was entered by the social worker
    assert row(figures.prevention(YEAR, own, TODAY), "Prevention cases opened")[ALL] == 1


def test_prevention_cells_are_suppressed(history):
    fmt = lambda value, kind: str(value)  # noqa: E731
    (table,) = suppression.protect([figures.prevention(Q2, today=TODAY)])
    closed = next(r for r in table.rows if r.label == "Prevention cases closed").cells
    assert display(closed[ALL], fmt) == SUPPRESSED
    assert display(closed[REF], fmt) == SUPPRESSED
    (exact,) = suppression.protect([figures.prevention(Q2, today=TODAY)], exact=True)
    assert next(r for r in exact.rows if r.label == "Prevention cases closed").cells[ALL].value == 2


def test_esf_participants(history):
    table = figures.esf(Q2, today=TODAY)
    assert row(table, "Households") == {"entrants": 1, "exits": 4}
    assert row(table, "Persons") == {"entrants": 2, "exits": 11}
    assert row(table, "Women") == {"entrants": 1, "exits": 3}
    assert row(table, "Men") == {"entrants": 1, "exits": 3}
    assert row(table, "18 to 29") == {"entrants": 2, "exits": 2}
    assert row(table, "Under 18") == {"entrants": 0, "exits": 2}
    assert row(table, "Third-country nationals") == {"entrants": 1, "exits": 5}
    assert row(table, "Persons with disabilities") == {"entrants": 0, "exits": 1}
    assert row(table, "Disability: no answer") == {"entrants": 1, "exits": 1}
    assert row(table, "Participant data not recorded") == {"entrants": 0, "exits": 5}
    # The history's records predate the Annex I fields of issue 17: every one is incomplete,
    # in its own row, and each new field counts them as "not recorded".
    incomplete = "Participant records incomplete (a mandatory entry field empty)"
    assert row(table, incomplete) == {"entrants": 2, "exits": 6}
    assert row(table, "Labour-market status: not recorded") == {"entrants": 2, "exits": 6}
    assert row(table, "Unemployed") == {"entrants": 0, "exits": 0}
    assert row(table, "Homeless or affected by housing exclusion") == {"entrants": 2, "exits": 7}


def test_small_numbers_are_suppressed_except_in_the_own_caseload_view(history):
    fmt = lambda value, kind: str(value)  # noqa: E731
    (table,) = suppression.protect([figures.esf(Q2, today=TODAY)])
    households = next(r for r in table.rows if r.label == "Households").cells
    persons = next(r for r in table.rows if r.label == "Persons").cells
    assert display(households["entrants"], fmt) == SUPPRESSED
    assert display(households["exits"], fmt) == "4"
    assert display(persons["entrants"], fmt) == SUPPRESSED
    (exact,) = suppression.protect([figures.esf(Q2, today=TODAY)], exact=True)
    assert (
        display(next(r for r in exact.rows if r.label == "Persons").cells["entrants"], fmt) == "2"
    )
    (rate,) = suppression.protect([figures.placement_rate(YEAR, today=TODAY)])
    refugees = next(r for r in rate.rows if r.label == "2026 Q1: placement rate (%)").cells
    assert display(refugees[REF], fmt) == SUPPRESSED  # 2 of 3
    zero = next(r for r in table.rows if r.label == "Under 18").cells["entrants"]
    assert display(zero, fmt) == "0"


def test_own_caseload(history):
    own = figures.Scope(history["worker"].id)
    # H1 and H4 were entered by the social worker; H3's placement is led by them.
    assert row(figures.intakes(Q1, own, TODAY), "Households taken in")[ALL] == 2
    assert row(figures.intakes(Q2, own, TODAY), "Households taken in")[ALL] == 1


def test_landlord_own_figures(history):
    from sqlalchemy import select

    from portal.accounts.models import Organisation
    from portal.dashboards import own_figures

    company = db.session.scalar(select(Organisation).where(Organisation.kind == "company"))
    own = own_figures(company.id)
    assert (own.flats_listed, own.flats_ever, own.placements, own.tenancies_running) == (0, 3, 2, 1)


def test_percentile_rule_matches_postgresql():
    assert interpolated_percentile([59, 91], 0.75) == 83.0
    assert interpolated_percentile([3], 0.5) == 3.0
    assert interpolated_percentile([], 0.5) is None


def test_presets():
    assert preset("last_quarter", TODAY) == Period(
        date(2026, 7, 1), date(2026, 9, 30), "last_quarter"
    )
    assert preset("this_month", date(2026, 2, 10)).end == date(2026, 2, 28)
    assert preset("funding_phase", TODAY).start == date(2025, 3, 1)
    assert Q2.as_of(TODAY) == date(2026, 6, 30)
    assert YEAR.as_of(TODAY) == TODAY
