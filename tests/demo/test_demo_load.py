"""``flask demo load`` builds its data through the operations (issue 14): every organisation
has a user, every state was reached by a step that left its audit event and (for placements)
an unbroken timeline, and the demo package is the top floor that no domain imports."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.core.audit import AuditEvent
from portal.core.outbox import OutboxMessage
from portal.extensions import db as _db
from portal.households.models import Household
from portal.households.prevention import PreventionCase
from portal.listings.models import Flat
from portal.mediation.models import MediationCase
from portal.placements.messages import Message
from portal.placements.models import Placement, PlacementEvent, State
from portal.placements.paperwork.money import CostItem, DirectPayment
from portal.reports.models import SubmittedReport

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _audited(object_type: str, action: str) -> set[int]:
    return set(
        _db.session.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.object_type == object_type, AuditEvent.action == action
            )
        )
    )


def test_demo_data_is_built_through_the_operations(app, runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    # The same seven demo logins, the specialist and social worker of Essen and the state-level
    # reader (issue 19).
    logins = _db.session.scalars(
        select(User.email).where(User.email.like("%@demo.zuhause.example"))
    ).all()
    assert len(logins) == 10
    # No organisation without a user: landlords register, organisations are not inserted.
    empty = _db.session.scalars(
        select(Organisation.id).where(
            ~select(User.id).where(User.organisation_id == Organisation.id).exists()
        )
    ).all()
    assert empty == []
    # Every flat beyond a draft was submitted by its landlord, every published one published.
    flats = _db.session.scalars(select(Flat)).all()
    submitted = _audited("flats", "flat.submitted")
    assert {f.id for f in flats if f.status != "draft"} <= submitted
    assert {f.id for f in flats if f.published_at is not None} <= _audited(
        "flats", "flat.published"
    )
    # Every vetted household was vetted by the social worker.
    vetted = _db.session.scalars(select(Household.id).where(Household.vetted_at.is_not(None)))
    assert set(vetted) <= _audited("households", "household.vetted")
    # Every placement's timeline runs from the proposal to its state, step by audited step.
    placements = _db.session.scalars(select(Placement)).all()
    assert len(placements) >= 30
    for placement in placements:
        events = _db.session.scalars(
            select(PlacementEvent)
            .where(
                PlacementEvent.placement_id == placement.id,
                # Timeline entries, not steps: notes, and aftercare checks (audited as such).
                PlacementEvent.action.not_in(("note", "follow_up")),
            )
            .order_by(PlacementEvent.id)
        ).all()
        state = ""
        for event in events:
            assert event.from_state == state, (placement.id, event.action)
            state = event.to_state
        assert state == placement.state
        steps = _db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.object_type == "placements",
                AuditEvent.object_id == placement.id,
                AuditEvent.action.like("placement.%"),
                # Notes and thread messages are no steps.
                AuditEvent.action.not_in(["placement.note", "placement.message"]),
            )
        )
        assert steps == len(events), placement.id
    # Every state can be seen with the messages its landlord received (issue 15).
    topics = set(_db.session.scalars(select(OutboxMessage.topic)))
    with_messages = {p.state for p in placements if f"placement:{p.id}" in topics}
    assert with_messages == {state.value for state in State}
    # Each one-off cost kind and each state, and a confirmed direct payment (issue 16).
    items = _db.session.scalars(select(CostItem)).all()
    assert {i.kind for i in items} == {"deposit", "shares", "moving", "furnishing"}
    assert {i.status for i in items} == {"requested", "approved", "refused", "paid"}
    assert {i.id for i in items} <= _audited("placement_cost_items", "placement.cost_requested")
    assert _db.session.scalar(
        select(func.count(DirectPayment.id)).where(DirectPayment.confirmed_on.is_not(None))
    )
    # Every mediation case came in as a request, or the team opened it from a placement's
    # rent-arrears check (issue 16).
    cases = set(_db.session.scalars(select(MediationCase.id)))
    assert cases and cases <= _audited("mediation_cases", "mediation.submitted") | _audited(
        "mediation_cases", "mediation.opened_for_placement"
    )
    # From the lease on, the household is off the market (issue 16): set by the lease step.
    leased = {
        p.household_id
        for p in placements
        if p.state in ("lease_signed", "moved_in", "aftercare", "completed")
    }
    off = set(_db.session.scalars(select(Household.id).where(Household.off_market_at.is_not(None))))
    assert leased and leased == off
    # Prevention cases (issue 16): one open, linked to an open mediation case; one closed with
    # the tenancy kept; both opened, linked and (the closed one) closed by the operations.
    prevention = _db.session.scalars(select(PreventionCase).order_by(PreventionCase.id)).all()
    assert [c.outcome for c in prevention] == [None, "tenancy_kept"]
    current = prevention[0]
    assert current.mediation_case_id is not None
    assert _db.session.get(MediationCase, current.mediation_case_id).is_open
    assert {c.id for c in prevention} <= _audited("prevention_cases", "prevention.opened")
    assert {c.id for c in prevention} <= _audited("prevention_cases", "prevention.linked")
    assert {prevention[1].id} == _audited("prevention_cases", "prevention.closed")
    for case in prevention:  # kept off the market
        assert _db.session.get(Household, case.household_id).status == "draft"
    # A placement and a case with a conversation (issue 15), written through the operations.
    talk = _db.session.scalars(select(Message)).all()
    assert {m.side for m in talk} == {"landlord", "staff"}
    assert any(m.placement_id for m in talk) and any(m.mediation_case_id for m in talk)
    assert {m.placement_id for m in talk if m.placement_id} <= _audited(
        "placements", "placement.message"
    )
    assert {m.mediation_case_id for m in talk if m.mediation_case_id} <= _audited(
        "mediation_cases", "mediation.message"
    )
    # A report submitted to the ministry (issue 17), through the operation.
    sent = _db.session.scalars(select(SubmittedReport)).all()
    assert [(s.version, s.recipient) for s in sent] == [(1, "MAGS Zwischenbericht")]
    assert {sent[0].id} == _audited("submitted_reports", "report.submitted")


def test_no_domain_imports_the_demo_package():
    for path in PORTAL.rglob("*.py"):
        relative = path.relative_to(PORTAL)
        if relative.parts[0] == "demo" or relative == Path("__init__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("portal.demo"), relative
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("portal.demo") for a in node.names), relative
