"""Definitions the code, its docstrings and the report's footnotes agree on: aftercare counts a
follow-up by the day the contact took place (not the day it was entered), and the
"publication to lease" figure leaves no lease out (the leases of flats never published, or
published only after the lease, are counted in their own line). Exact values over a small
history written here, independent of the report code."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.placements import operations as ops
from portal.placements.models import FollowUp, Placement
from portal.reports import figures, report
from portal.reports.periods import Period
from tests.factories import (
    CompanyFactory,
    FlatFactory,
    HouseholdFactory,
    OrganisationFactory,
    StaffFactory,
)

TODAY = date(2026, 11, 25)
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
JUL_TO_MID_SEP = Period(date(2026, 7, 1), date(2026, 9, 15))
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
ALL = "all"


@pytest.fixture(autouse=True)
def _english(english):
    yield


def row(table, label) -> dict:
    found = next(r for r in table.rows if r.label == label)
    return {key: cell.value for key, cell in found.cells.items()}


def lease(flat, household, signed, keys=None, state="moved_in") -> Placement:
    placement = Placement(
        flat_id=flat.id,
        household_id=household.id,
        origin="specialist",
        state=state,
        lease_signed_on=signed,
        keys_handed_over_on=keys,
    )
    db.session.add(placement)
    db.session.flush()
    return placement


# Aftercare -------------------------------------------------------------------------------------


def test_aftercare_counts_a_follow_up_by_the_day_of_the_contact(app, frozen_clock):
    """A check held on 20 June and entered on 1 October counts for June (and for a period whose
    90 days reach back to 20 June), not for October."""
    staff = StaffFactory(role="specialist")
    flat = FlatFactory(organisation=OrganisationFactory(), status="let")
    household = HouseholdFactory(target_group="other", intake_on=date(2026, 2, 1))
    placement = lease(flat, household, date(2026, 4, 20), keys=date(2026, 5, 1))
    for months, due in ((1, date(2026, 6, 1)), (3, date(2026, 8, 1))):
        db.session.add(FollowUp(placement_id=placement.id, months=months, due_on=due))
    db.session.flush()
    db.session.refresh(placement)

    frozen_clock.move_to("2026-10-01T10:00+02:00")
    check = next(f for f in placement.follow_ups if f.months == 1)
    ops.record_follow_up(check, staff, "all_well", None, date(2026, 6, 20))
    db.session.flush()
    entered = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "follow_up.recorded", AuditEvent.object_id == check.id
        )
    ).one()
    assert entered.occurred_at.astimezone(UTC).date() == date(2026, 10, 1)  # entered in October
    assert check.done_on == date(2026, 6, 20)  # the contact: June

    def coverage(period):
        table = figures.aftercare(period, today=TODAY)
        return (
            row(table, "Tenancies moved in within the last 12 months")[ALL],
            row(table, "with a follow-up in the last 90 days")[ALL],
        )

    assert coverage(Q2) == (1, 1)  # 20 June is in the 90 days up to 30 June
    assert coverage(JUL_TO_MID_SEP) == (1, 1)  # 18 June to 15 September
    assert coverage(OCTOBER) == (1, 0)  # 3 August to 31 October: entered then, not held then


def test_the_definitions_say_so(app):
    table = figures.aftercare(Q2, today=TODAY)
    assert "by the day the contact took place (not the day it was entered)" in table.definition
    assert "by the day the contact took place" in figures.aftercare.__doc__
    assert "``FollowUp.done_on``" in figures.aftercare.__doc__
    assert "never the day they were entered" in figures.__doc__


# Publication to lease ----------------------------------------------------------------------


@pytest.fixture
def leases():
    """Q2 leases: f2 (company, published 31 March, leased 1 April: 1 day), f3 (private,
    published 10 February, leased 30 June: 140 days), f8 (private, never published: offered by
    phone), f9 (company, published 1 August, after its lease on 15 June); a cancelled lease on
    a flat never published does not count. Q1: f1 (private, published 15 January, leased 31
    March)."""
    private, company = OrganisationFactory(), CompanyFactory()

    def flat(org, published):
        return FlatFactory(organisation=org, status="let", published_at=published)

    def household():
        return HouseholdFactory(target_group="refugee_shared_accommodation")

    at = lambda *parts: datetime(*parts, tzinfo=UTC)  # noqa: E731
    lease(flat(private, at(2026, 1, 15, 10)), household(), date(2026, 3, 31))
    lease(flat(company, at(2026, 3, 31, 9)), household(), date(2026, 4, 1))
    lease(flat(private, at(2026, 2, 10, 9)), household(), date(2026, 6, 30))
    lease(flat(private, None), household(), date(2026, 5, 10))
    lease(flat(company, at(2026, 8, 1, 9)), household(), date(2026, 6, 15))
    lease(flat(company, None), household(), date(2026, 5, 20), state="cancelled")


def test_leases_without_publication_have_their_own_line(app, leases):
    q2 = figures.flats(Q2, today=TODAY)
    assert row(q2, "Leased without publication") == {ALL: 2, "private": 1, "company": 1}
    median = next(r for r in q2.rows if r.label == "Publication to lease: median days")
    assert (median.cells[ALL].base, float(median.cells[ALL].value)) == (2, 70.5)  # 1 and 140
    assert (median.cells["private"].base, float(median.cells["private"].value)) == (1, 140.0)
    assert (median.cells["company"].base, float(median.cells["company"].value)) == (1, 1.0)
    # Every lease of the period is in one of the two lines: 2 published + 2 without.
    assert figures.durations(Q2, today=TODAY).rows[0].cells[ALL].value == 4
    q1 = figures.flats(Q1, today=TODAY)
    assert row(q1, "Leased without publication") == {ALL: 0, "private": 0, "company": 0}
    assert "counted apart" in q1.definition
    assert "leased without publication" in figures.flats.__doc__


def test_the_line_is_in_the_files_suppressed(app, leases):
    """1 per landlord kind: "< 3" in every file, as in the CSV."""
    flats = report.build(Q2, figures.PROGRAMME, TODAY).table("flats")
    line = next(r for r in flats.rows if r.key == "unpublished")
    assert line.cells["private"].hidden and line.cells["company"].hidden
