"""Issue 13.16: IP addresses in audit rows are kept for AUDIT_IP_RETENTION_DAYS (default 90),
then ``flask privacy purge`` removes them from the rows; the rows themselves stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.core import audit
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db


def _event(action: str, days_ago: int, ip: str | None = "192.0.2.10") -> AuditEvent:
    event = audit.record(action)
    event.ip_address = ip
    event.occurred_at = utcnow() - timedelta(days=days_ago)
    return event


def test_purge_removes_old_ip_addresses_and_keeps_the_rows(runner):
    old = _event("test.old", 91)
    recent = _event("test.recent", 89)
    db.session.commit()
    count = db.session.scalar(select(func.count(AuditEvent.id)))

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would purge the IP address of 1 audit event(s)" in dry.output
    db.session.expire_all()
    assert db.session.get(AuditEvent, old.id).ip_address == "192.0.2.10"

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged the IP address of 1 audit event(s)" in result.output
    db.session.expire_all()
    kept = db.session.get(AuditEvent, old.id)
    assert kept is not None and kept.ip_address is None and kept.action == "test.old"
    assert db.session.get(AuditEvent, recent.id).ip_address == "192.0.2.10"
    # The rows stay: only the summary event of the run is new.
    assert db.session.scalar(select(func.count(AuditEvent.id))) == count + 1
    summary = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "privacy.purged")
        .order_by(AuditEvent.id.desc())
    )
    assert summary.details["ips_forgotten"] == 1

    again = runner.invoke(args=["privacy", "purge"])
    assert "purged the IP address of 0 audit event(s)" in again.output


def test_the_ip_retention_comes_from_the_configuration(app, runner, monkeypatch):
    event = _event("test.old", 40)
    db.session.commit()
    monkeypatch.setitem(app.config, "AUDIT_IP_RETENTION_DAYS", 30)
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id).ip_address is None


def test_ip_retention_setting_default_and_environment(tmp_path):
    from portal.config import build_config

    assert build_config(str(tmp_path), {})["AUDIT_IP_RETENTION_DAYS"] == 90
    assert (
        build_config(str(tmp_path), {"AUDIT_IP_RETENTION_DAYS": "30"})["AUDIT_IP_RETENTION_DAYS"]
        == 30
    )
