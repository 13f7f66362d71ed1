"""``flask privacy purge``: exactly what is past its retention period goes (one day either side
of each period), the dry run lists it and changes nothing, and every removal is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.core import storage
from portal.core.audit import AuditEvent
from portal.core.dates import add_months
from portal.core.db import utcnow
from portal.core.outbox import OutboxMessage
from portal.extensions import db
from portal.households.models import HouseholdIdentity
from portal.listings.models import Flat
from tests.factories import FlatFactory, HouseholdFactory, IdentityFactory, UserFactory

DAY = timedelta(days=1)


def months_ago(months: int):
    now = utcnow()
    return now.replace(
        year=add_months(now.date(), -months).year,
        month=add_months(now.date(), -months).month,
        day=add_months(now.date(), -months).day,
    )


def household(code: str, status: str, changed_at, with_scan: bool = True):
    h = HouseholdFactory(code=code, status=status)
    h.status_changed_at = changed_at
    IdentityFactory(household=h)
    if with_scan:
        key = f"consents/{storage.new_key()}.pdf"
        storage.save(key, b"%PDF scan")
        h.consents[0].document_key = key
        h.consents[0].document_type = "application/pdf"
    return h


@pytest.fixture
def due(db):
    cutoff = months_ago(24)
    households = {
        "housed_old": household("DU-2020-0001", "housed", cutoff - DAY),
        "withdrawn_old": household("DU-2020-0002", "withdrawn", cutoff - DAY, with_scan=False),
        "housed_recent": household("DU-2020-0003", "housed", cutoff + DAY),
        "vetted_old": household("DU-2020-0004", "vetted", cutoff - DAY),
    }
    now = utcnow()
    old_unverified = UserFactory(email_verified_at=None, created_at=now - timedelta(days=31))
    FlatFactory(organisation=old_unverified.organisation)  # a draft goes with it
    company_member = UserFactory(email_verified_at=None, created_at=now - timedelta(days=31))
    UserFactory(organisation=company_member.organisation)  # a colleague keeps the company
    accounts = {
        "old_unverified": old_unverified,
        "company_member": company_member,
        "recent_unverified": UserFactory(
            email_verified_at=None, created_at=now - timedelta(days=29)
        ),
        "old_verified": UserFactory(created_at=now - timedelta(days=400)),
    }
    db.session.add(
        OutboxMessage(
            to_address=old_unverified.email, subject="Confirm", body_text="Link", status="pending"
        )
    )
    messages = {}
    for name, days, status in [
        ("sent_old", 91, "sent"),
        ("failed_old", 91, "failed"),
        ("sent_recent", 89, "sent"),
        ("pending_old", 91, "pending"),
    ]:
        message = OutboxMessage(
            to_address="someone@example.org",
            subject=name,
            body_text=f"body of {name}",
            attachment_text="BEGIN:VCALENDAR" if name == "sent_old" else None,
            status=status,
            created_at=now - timedelta(days=days),
        )
        db.session.add(message)
        messages[name] = message
    db.session.commit()
    return households, accounts, messages


def test_dry_run_lists_what_is_due_and_changes_nothing(runner, due):
    households, accounts, messages = due
    audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "dry run: nothing was changed" in out
    assert "would purge identity data of 2 household(s)" in out
    assert "DU-2020-0001" in out and "DU-2020-0002" in out
    assert "DU-2020-0003" not in out and "DU-2020-0004" not in out
    assert "would purge 2 unconfirmed landlord account(s)" in out
    assert f"user {accounts['old_unverified'].id}" in out
    assert f"user {accounts['recent_unverified'].id}" not in out
    assert "would purge the body of 2 e-mail(s)" in out
    assert db.session.scalar(select(func.count(HouseholdIdentity.id))) == 4
    for user in accounts.values():
        assert db.session.get(User, user.id) is not None
    for message in messages.values():
        db.session.refresh(message)
        assert message.body_text.startswith("body of")
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audit_before
    key = households["housed_old"].consents[0].document_key
    assert storage.exists(key)


def test_purge_removes_exactly_what_is_due(runner, due):
    households, accounts, messages = due
    scan = households["housed_old"].consents[0].document_key
    kept_scan = households["housed_recent"].consents[0].document_key
    org_id = accounts["old_unverified"].organisation_id
    company_id = accounts["company_member"].organisation_id
    ids = {name: user.id for name, user in accounts.items()}
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged identity data of 2 household(s)" in result.output
    assert f"organisation {org_id} removed with it" in result.output
    db.session.expire_all()

    for name, h in households.items():
        has_identity = db.session.scalar(
            select(func.count(HouseholdIdentity.id)).where(HouseholdIdentity.household_id == h.id)
        )
        assert bool(has_identity) == (name in ("housed_recent", "vetted_old")), name
        assert h.code and h.status  # the pseudonymous household stays
    assert households["housed_old"].consents[0].document_key is None
    assert not storage.exists(scan)
    assert storage.exists(kept_scan)

    assert db.session.get(User, ids["old_unverified"]) is None
    assert db.session.get(User, ids["company_member"]) is None
    assert db.session.get(User, ids["recent_unverified"]) is not None
    assert db.session.get(User, ids["old_verified"]) is not None
    assert db.session.get(Organisation, org_id) is None
    assert db.session.scalar(select(func.count(Flat.id)).where(Flat.organisation_id == org_id)) == 0
    assert db.session.get(Organisation, company_id) is not None

    bodies = {m.subject: (m.body_text, m.attachment_text) for m in messages.values()}
    assert bodies["sent_old"] == ("", None) and bodies["failed_old"] == ("", None)
    assert bodies["sent_recent"][0] == "body of sent_recent"
    assert bodies["pending_old"][0] == "body of pending_old"
    # The confirmation mail to the removed account is emptied with it.
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.subject == "Confirm")
        )
        == 0
    )

    actions = [
        (e.action, e.object_id, e.details)
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("privacy.%")).order_by(AuditEvent.id)
        )
    ]
    assert ("privacy.identity_purged", households["housed_old"].id, {}) in actions
    assert ("privacy.account_removed", ids["old_unverified"], {}) in actions
    assert ("privacy.organisation_removed", org_id, {}) in actions
    assert actions[-1] == ("privacy.purged", None, {"households": 2, "accounts": 2, "outbox": 2})

    # Nothing is due any more.
    again = runner.invoke(args=["privacy", "purge"])
    assert "purged identity data of 0 household(s)" in again.output
    assert "purged the body of 0 e-mail(s)" in again.output


def test_the_periods_come_from_the_configuration(app, runner, due, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_BODY_RETENTION_DAYS", 100)
    monkeypatch.setitem(app.config, "UNVERIFIED_ACCOUNT_DAYS", 10)
    monkeypatch.setitem(app.config, "HOUSEHOLD_IDENTITY_RETENTION_MONTHS", 36)
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert "would purge identity data of 0 household(s)" in result.output
    assert "would purge 3 unconfirmed landlord account(s)" in result.output
    assert "would purge the body of 0 e-mail(s)" in result.output


def test_settings_are_read_from_the_environment(tmp_path):
    from portal.config import build_config

    config = build_config(
        str(tmp_path),
        {
            "HOUSEHOLD_IDENTITY_RETENTION_MONTHS": "12",
            "UNVERIFIED_ACCOUNT_DAYS": "7",
            "OUTBOX_BODY_RETENTION_DAYS": "30",
            "ERASURE_LOG": "/var/lib/portal/erasures.jsonl",
        },
    )
    assert config["HOUSEHOLD_IDENTITY_RETENTION_MONTHS"] == 12
    assert config["UNVERIFIED_ACCOUNT_DAYS"] == 7
    assert config["OUTBOX_BODY_RETENTION_DAYS"] == 30
    assert config["ERASURE_LOG"] == "/var/lib/portal/erasures.jsonl"
    defaults = build_config(str(tmp_path), {})
    assert defaults["HOUSEHOLD_IDENTITY_RETENTION_MONTHS"] == 24
    assert defaults["UNVERIFIED_ACCOUNT_DAYS"] == 30
    assert defaults["OUTBOX_BODY_RETENTION_DAYS"] == 90
    assert defaults["ERASURE_LOG"] == str(tmp_path / "erasures.jsonl")
