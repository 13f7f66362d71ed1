"""The sites' operations: checks, audit events, and a household's code from its site."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.extensions import db as _db
from portal.households import operations as households_ops
from portal.sites import operations as ops
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.factories import StaffFactory, UserFactory


def essen(**kw) -> Site:
    return ops.create_site("essen", "Essen", "05113000", "E", **kw)


def test_create_site_checks_and_audits(db):
    admin = StaffFactory(role="admin")
    site = essen(actor=admin)
    assert site.status == "preparing"
    assert [s.slug for s in admin.sites] == ["duisburg", "essen"]
    actions = _db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["site.created", "site.staff_added"]
    for args, code in [
        (("wesel", "Wesel", "0517000", "WES"), "municipality_key"),
        (("wesel", "Wesel", "05170000", "We"), "code_prefix"),
        (("Wesel", "Wesel", "05170000", "WES"), "slug"),
        (("-wesel", "Wesel", "05170000", "WES"), "slug"),
        (("essen", "Wesel", "05170000", "WES"), "slug_taken"),
        (("wesel", "Wesel", "05170000", "E"), "prefix_taken"),
        (("wesel", "  ", "05170000", "WES"), "name"),
    ]:
        with pytest.raises(Refused) as refused:
            ops.create_site(*args)
        assert refused.value.code == code, args
    with pytest.raises(Refused) as refused:
        ops.create_site("wesel", "Wesel", "05170000", "WES", status="open")
    assert refused.value.code == "status"


def test_update_site_records_field_names_only(db):
    site = essen()
    assert ops.update_site(site, None, {"name": "Essen", "contact_text": "  "}) == []
    changed = ops.update_site(
        site, None, {"status": "active", "contact_text": " Team Essen\r\n0201 1 ", "name": "Essen"}
    )
    assert changed == ["status", "contact_text"]
    assert site.contact_text == "Team Essen\n0201 1"
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "site.updated"))
    assert event.details == {"fields": "status,contact_text", "status": "active"}
    with pytest.raises(Refused):
        ops.update_site(site, None, {"imprint_text": "x" * 2001})


def test_members_landlords_and_the_last_admin(db):
    site = essen()
    landlord = UserFactory()
    with pytest.raises(Refused) as refused:
        ops.add_member(site, landlord)
    assert refused.value.code == "not_staff"
    admin = StaffFactory(role="admin", sites=[site])
    with pytest.raises(Refused) as refused:
        ops.remove_member(site, admin)
    assert refused.value.code == "last_admin"
    worker = StaffFactory(role="social_worker", sites=[site])
    ops.remove_member(site, worker, admin)  # a worker may be left with no site
    assert worker.sites == [] and ops.staff_counts([site]) == {site.id: 1}
    with pytest.raises(Refused) as refused:
        ops.remove_member(site, worker, admin)
    assert refused.value.code == "not_member"


def test_a_household_gets_its_sites_code(db):
    site = essen(status="active")
    worker = StaffFactory(role="social_worker", sites=[site])
    data = {"adults": 1, "children": 0, "earliest_move_in": clock.today() + timedelta(days=7)}
    first = households_ops.create_household(worker, data, [])
    second = households_ops.create_household(worker, data, [])
    year = clock.today().year
    assert (first.code, second.code) == (f"E-{year}-0001", f"E-{year}-0002")
    assert first.site_id == site.id
    duisburg = households_ops.create_household(StaffFactory(role="social_worker"), data, [])
    assert duisburg.code.startswith(f"DU-{year}-") and duisburg.site_id == DEFAULT_SITE_ID
