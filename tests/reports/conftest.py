"""The known history the report tests share (see test_figures.py for the table of it)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from portal.extensions import db
from portal.households.models import Participant
from portal.households.prevention import PreventionCase
from portal.mediation.models import MediationCase
from portal.placements.models import FollowUp, Placement
from tests.factories import (
    CompanyFactory,
    FlatFactory,
    HouseholdFactory,
    OrganisationFactory,
    StaffFactory,
)

REF, HOME, OTHER = "refugee_shared_accommodation", "homeless_municipal_shelter", "other"


@pytest.fixture
def english(app):
    # The labels are read in English here; the figures do not depend on the language.
    with app.test_request_context(), force_locale("en"):
        yield


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def history():
    worker = StaffFactory(role="social_worker")
    a, b, c = OrganisationFactory(), CompanyFactory(), OrganisationFactory()

    def flat(org, published, status, changed=None):
        return FlatFactory(
            organisation=org,
            status=status,
            published_at=published,
            status_changed_at=changed or published,
        )

    f1 = flat(a, utc(2026, 1, 15, 10), "let")
    # 2026-04-01 00:30 in Duisburg: acquired in Q2, not Q1.
    f2 = flat(b, utc(2026, 3, 31, 22, 30), "let")
    f3 = flat(b, utc(2026, 2, 10, 9), "let", changed=utc(2026, 7, 1, 9))
    flat(c, utc(2025, 11, 1, 9), "published")  # f4
    f5 = flat(a, utc(2026, 5, 5, 9), "published")
    flat(b, utc(2026, 1, 20, 9), "archived", changed=utc(2026, 5, 1, 9))  # f6
    f7 = flat(c, utc(2025, 6, 10, 9), "let")

    def household(group, adults, children, intake, exit_on=None, destination=None, **kw):
        return HouseholdFactory(
            target_group=group,
            adults=adults,
            children=children,
            intake_on=intake,
            exit_on=exit_on,
            exit_destination=destination,
            **kw,
        )

    h1 = household(
        REF,
        2,
        2,
        date(2026, 1, 10),
        date(2026, 4, 15),
        "own_tenancy_programme",
        created_by_id=worker.id,
        status="housed",
    )
    h2 = household(
        REF, 1, 0, date(2026, 2, 1), date(2026, 4, 20), "own_tenancy_programme", status="housed"
    )
    h3 = household(
        HOME, 1, 1, date(2026, 3, 31), date(2026, 7, 1), "own_tenancy_programme", status="housed"
    )
    h4 = household(
        HOME,
        2,
        0,
        date(2026, 4, 1),
        date(2026, 5, 10),
        "dropped_out",
        created_by_id=worker.id,
        status="withdrawn",
    )
    h5 = household(
        OTHER,
        1,
        3,
        date(2025, 12, 31),
        date(2026, 6, 30),
        "own_tenancy_with_support",
        status="withdrawn",
    )
    h6 = household(REF, 3, 1, date(2026, 1, 5))
    h7 = household(REF, 1, 0, date(2026, 7, 1))
    h8 = household(
        OTHER, 2, 0, date(2025, 6, 1), date(2025, 7, 15), "own_tenancy_programme", status="housed"
    )

    def placement(flat_, household_, state, lease=None, keys=None):
        p = Placement(
            flat_id=flat_.id,
            household_id=household_.id,
            origin="specialist",
            state=state,
            lease_signed_on=lease,
            keys_handed_over_on=keys,
            staff_id=worker.id if household_ is h3 else None,
        )
        db.session.add(p)
        db.session.flush()
        return p

    p1 = placement(f1, h1, "aftercare", date(2026, 3, 31), date(2026, 4, 15))
    p2 = placement(f2, h2, "completed", date(2026, 4, 1), date(2026, 4, 20))
    p3 = placement(f3, h3, "moved_in", date(2026, 6, 30), date(2026, 7, 1))
    placement(f5, h6, "cancelled", date(2026, 4, 1))
    p8 = placement(f7, h8, "completed", date(2025, 7, 1), date(2025, 7, 15))

    def follow_up(p, months, due, done=None, outcome=None, outcome_on=None):
        db.session.add(
            FollowUp(
                placement_id=p.id,
                months=months,
                due_on=due,
                done_on=done,
                outcome=outcome,
                outcome_on=outcome_on,
            )
        )

    follow_up(p1, 1, date(2026, 5, 15), date(2026, 5, 15), "all_well")
    follow_up(p1, 3, date(2026, 7, 15), date(2026, 7, 16), "needs_support")
    follow_up(p1, 6, date(2026, 10, 15), date(2026, 10, 14), "all_well")
    follow_up(p1, 12, date(2027, 4, 15))
    follow_up(p2, 1, date(2026, 5, 20), date(2026, 5, 20), "all_well")
    follow_up(p2, 3, date(2026, 7, 20), date(2026, 8, 5), "returned_to_shelter", date(2026, 8, 1))
    follow_up(p2, 6, date(2026, 10, 20), date(2026, 8, 5))
    follow_up(p2, 12, date(2027, 4, 20), date(2026, 8, 5))
    follow_up(p3, 1, date(2026, 8, 1))
    follow_up(p3, 3, date(2026, 10, 1))
    follow_up(p3, 6, date(2027, 1, 1))
    follow_up(p3, 12, date(2027, 7, 1))
    follow_up(p8, 12, date(2026, 7, 15), date(2026, 7, 20), "all_well")

    def participants(h, *rows):
        for position, (gender, age, third, disability) in enumerate(rows):
            db.session.add(
                Participant(
                    household_id=h.id,
                    position=position,
                    gender=gender,
                    age_band=age,
                    third_country=third,
                    disability=disability,
                )
            )

    participants(
        h1,
        ("female", "30_54", "yes", "no"),
        ("male", "30_54", "yes", "yes"),
        ("female", "under_18", "yes", "no"),
        ("male", "under_18", "yes", "no"),
    )
    participants(h4, ("male", "18_29", "yes", "no"), ("female", "18_29", "no_answer", "no_answer"))

    def case(number, topic, created, answered=None, resolved=None):
        db.session.add(
            MediationCase(
                number=number,
                sender_kind="landlord",
                topic=topic,
                message="…",
                status="resolved" if resolved else "in_progress",
                created_at=created,
                first_answer_at=answered,
                resolved_at=resolved,
            )
        )

    case("M-1", "rent_arrears", utc(2026, 4, 2, 10), utc(2026, 4, 3, 10), utc(2026, 4, 10, 9))
    case("M-2", "rent_arrears", utc(2026, 5, 1, 8), utc(2026, 5, 4, 8))
    # 23:30 in Duisburg on 30 June: in Q2; the next one is 00:30 on 1 July: not.
    case("M-3", "damage", utc(2026, 6, 30, 21, 30), utc(2026, 7, 1, 9, 30), utc(2026, 7, 2, 9))
    case("M-4", "neighbourhood", utc(2026, 6, 30, 22, 30))

    def prevention(h, opened, outcome=None, outcome_on=None):
        db.session.add(
            PreventionCase(
                household_id=h.id,
                opened_on=opened,
                threat="notice_rent_arrears",
                landlord_name="Vermieter",
                outcome=outcome,
                outcome_on=outcome_on,
            )
        )

    prevention(h7, date(2026, 7, 10))
    prevention(h4, date(2026, 4, 1), "tenancy_kept", date(2026, 6, 30))
    prevention(h5, date(2026, 1, 15), "lost", date(2026, 7, 1))
    prevention(h6, date(2026, 3, 31), "moved", date(2026, 5, 5))
    prevention(h8, date(2025, 7, 1), "tenancy_kept", date(2025, 9, 1))
    db.session.flush()
    return {"worker": worker}
