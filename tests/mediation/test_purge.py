"""``flask mediation purge``: the sender's contact data of resolved or closed cases goes after
MEDIATION_RETENTION_MONTHS; open and recent cases keep it; every purge is audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from tests.builders import make_case


def setup_cases():
    old = utcnow() - timedelta(days=30 * 25)
    return {
        "resolved_old": make_case(None, "M-2024-0001", status="resolved", resolved_at=old),
        "closed_old": make_case(None, "M-2024-0002", status="closed", resolved_at=old),
        "resolved_recent": make_case(
            None, "M-2026-0003", status="resolved", resolved_at=utcnow() - timedelta(days=30)
        ),
        "open_old": make_case(
            None, "M-2024-0004", status="in_progress", created_at=old, resolved_at=None
        ),
    }


def purged_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mediation.purged"))
    )


def test_dry_run_lists_and_changes_nothing(app, runner):
    cases = setup_cases()
    db.session.commit()
    result = runner.invoke(args=["mediation", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: 2 case(s) older than 24 months" in result.output
    assert "M-2024-0001" in result.output and "M-2024-0002" in result.output
    assert "M-2026-0003" not in result.output and "M-2024-0004" not in result.output
    for case in cases.values():
        db.session.refresh(case)
        assert case.name == "Lara Landlord" and case.contact_purged_at is None
    assert purged_events() == []


def test_purge_removes_contact_data_of_old_resolved_cases_only(app, runner):
    cases = setup_cases()
    cases["resolved_old"].phone = "0203 123"
    db.session.commit()
    result = runner.invoke(args=["mediation", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged 2 case(s) older than 24 months" in result.output
    for key, case in cases.items():
        db.session.refresh(case)
        if key in ("resolved_old", "closed_old"):
            assert case.name is None and case.email is None and case.phone is None
            assert case.contact_purged_at is not None
            assert case.message  # the request itself stays for the statistics
        else:
            assert case.name == "Lara Landlord" and case.email == "lara@example.org"
    events = purged_events()
    assert sorted(e.details["number"] for e in events) == ["M-2024-0001", "M-2024-0002"]
    # Run again: nothing left to do.
    again = runner.invoke(args=["mediation", "purge"])
    assert "purged 0 case(s)" in again.output


def test_period_comes_from_the_config(app, runner, monkeypatch):
    setup_cases()
    db.session.commit()
    monkeypatch.setitem(app.config, "MEDIATION_RETENTION_MONTHS", 36)
    result = runner.invoke(args=["mediation", "purge", "--dry-run"])
    assert "dry run: 0 case(s) older than 36 months" in result.output


def test_config_default_and_environment():
    from portal.config import build_config

    assert build_config("/tmp/x", {"SECRET_KEY": "k"})["MEDIATION_RETENTION_MONTHS"] == 24
    config = build_config(
        "/tmp/x",
        {
            "SECRET_KEY": "k",
            "MEDIATION_RETENTION_MONTHS": "12",
            "MEDIATION_MIN_SECONDS": "5",
            "RATELIMIT_MEDIATION": "3 per hour",
        },
    )
    assert config["MEDIATION_RETENTION_MONTHS"] == 12
    assert config["MEDIATION_MIN_SECONDS"] == 5
    assert config["RATELIMIT_MEDIATION"] == "3 per hour"
    defaults = build_config("/tmp/x", {"SECRET_KEY": "k"})
    assert (
        defaults["MEDIATION_MIN_SECONDS"] == 3 and defaults["RATELIMIT_MEDIATION"] == "5 per hour"
    )
