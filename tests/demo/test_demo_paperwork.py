"""The demo shows the paperwork and the money of issue 16: a Mietbescheinigung waiting for a demo
landlord's check and one confirmed; the handover record and the Wohnungsgeberbestätigung of a
moved-in placement; every one-off cost kind in every state; a direct payment confirmed that the
landlord may see. All written through the operations (each has its audit event)."""

from __future__ import annotations

from itertools import product

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.audit import AuditEvent
from portal.extensions import db as _db
from portal.placements.models import Placement, State
from portal.placements.paperwork import money
from portal.placements.paperwork.models import HandoverRecord, MoveInConfirmation
from portal.placements.paperwork.rent_certificate import RentCertificate, Status, normal_iban

DEMO_LANDLORDS = ("vermieterin@demo.zuhause.example", "wohnungsbau@demo.zuhause.example")


def _audited(action: str) -> set[int]:
    return set(
        _db.session.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.object_type == "placements", AuditEvent.action == action
            )
        )
    )


def test_the_demo_has_each_piece_of_paperwork_and_money(app, runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    landlords = {
        u.organisation_id: u.email
        for u in _db.session.scalars(select(User).where(User.email.in_(DEMO_LANDLORDS)))
    }
    assert len(landlords) == 2

    # Mietbescheinigungen of the demo landlords: one waiting for the check, one confirmed.
    certificates = [
        c
        for c in _db.session.scalars(select(RentCertificate))
        if c.placement.flat.organisation_id in landlords
    ]
    waiting = [c for c in certificates if c.status == Status.PREPARED.value]
    confirmed = [c for c in certificates if c.status == Status.CONFIRMED.value]
    assert any(c.placement.state == State.RENT_OFFER_SUBMITTED.value for c in waiting)
    assert confirmed and all(normal_iban(c.iban) and c.account_holder for c in confirmed)
    assert {c.placement_id for c in certificates} <= _audited("rent_certificate.prepared")
    assert {c.placement_id for c in confirmed} <= _audited("rent_certificate.confirmed")
    assert all(c.values.get("address") and c.values.get("cold_rent") for c in certificates)

    # A moved-in placement with its handover record and the confirmed Wohnungsgeberbestätigung.
    handed = {
        r.placement_id: r
        for r in _db.session.scalars(select(HandoverRecord))
        if r.meters and r.keys and r.rooms
    }
    confirmations = {
        c.placement_id: c
        for c in _db.session.scalars(select(MoveInConfirmation))
        if c.confirmed_at is not None and c.registered_on is not None
    }
    both = set(handed) & set(confirmations)
    assert any(_db.session.get(Placement, pid).state == State.MOVED_IN.value for pid in both)
    assert both <= _audited("paperwork.handover_recorded") & _audited("paperwork.move_in_confirmed")

    # Every cost kind in every state.
    items = _db.session.scalars(select(money.CostItem)).all()
    seen = {(i.kind, i.status) for i in items}
    missing = set(product(list(money.CostKind), list(money.CostStatus))) - seen
    assert not missing, sorted(missing)
    assert all(i.paid_to for i in items if i.status == money.CostStatus.PAID.value)

    # A direct payment confirmed, and its landlord may see it (the consent covers it).
    confirmed_payments = _db.session.scalars(
        select(money.DirectPayment).where(money.DirectPayment.confirmed_on.is_not(None))
    ).all()
    shown = [money.landlord_view(p.placement) for p in confirmed_payments]
    assert any(view and view.direct_from for view in shown)
