"""Retention by the funding rules (issue 17): ESF participant records and the consent scans that
prove them are kept until the retention end of the funding period the intake falls in (CPR
Art. 82: five years from 31 December of the year of the last payment), then the purge deletes
them; the identity goes earlier, after HOUSEHOLD_IDENTITY_RETENTION_MONTHS, as before."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from portal.config import ConfigurationError, build_config
from portal.core import clock, storage
from portal.core.audit import AuditEvent
from portal.core.funding import FundingPeriod, parse_funding_periods, period_for
from portal.extensions import db
from portal.households.models import Household, HouseholdIdentity, Participant
from portal.privacy import operations as ops
from portal.privacy import retention
from tests.factories import HouseholdFactory, IdentityFactory, StaffFactory

# ESF+ 2021-2027 as by default (kept until 2035-12-31), and a later period kept until 2043.
PERIODS = "2021-2029:2030; 2030-2036:2038"


def household(code, intake_on, status, changed, persons=2, scan=True, identity=True):
    h = HouseholdFactory(code=code, status=status, intake_on=intake_on)
    h.status_changed_at = clock.parse(changed)
    if identity:
        IdentityFactory(household=h)
    for position in range(persons):
        db.session.add(
            Participant(
                household=h,
                position=position,
                gender=("female", "male")[position % 2],
                age_band="30_54",
            )
        )
    if scan:
        key = f"consents/{storage.new_key()}.pdf"
        storage.save(key, b"%PDF signed consent form")
        h.consents[0].document_key = key
        h.consents[0].document_type = "application/pdf"
    db.session.flush()
    return h


def persons(h: Household) -> int:
    return db.session.scalar(
        select(func.count(Participant.id)).where(Participant.household_id == h.id)
    )


def has_identity(h: Household) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(HouseholdIdentity.id)).where(HouseholdIdentity.household_id == h.id)
        )
    )


def scan_of(h: Household) -> str | None:
    return h.consents[0].document_key


@pytest.fixture
def periods(app, monkeypatch):
    monkeypatch.setitem(app.config, "ESF_FUNDING_PERIODS", parse_funding_periods(PERIODS))


@pytest.fixture
def history(db, periods, frozen_clock):
    frozen_clock.move_to("2036-01-02T10:00+01:00")
    world = {
        # Intake in ESF+ 2021-2027: its retention ended on 2035-12-31.
        "ended": household("DU-2022-0001", date(2022, 5, 1), "housed", "2023-06-01T12:00+02:00"),
        # Intake in the next period: kept until 2043-12-31; the identity is long past 24 months.
        "inside": household(
            "DU-2030-0001", date(2030, 3, 1), "withdrawn", "2031-06-01T12:00+02:00"
        ),
        # Housed half a year ago: everything stays.
        "recent": household("DU-2033-0001", date(2033, 1, 10), "housed", "2035-06-01T12:00+02:00"),
        # No participant records: the scan goes with the identity, as before.
        "no_records": household(
            "DU-2030-0002", date(2030, 4, 1), "housed", "2031-06-01T12:00+02:00", persons=0
        ),
        # Still in the programme in 2036 with an intake of 2021: its records are in use.
        "active": household("DU-2021-0001", date(2021, 9, 1), "vetted", "2022-01-10T12:00+01:00"),
    }
    db.session.commit()
    return world


def test_records_inside_the_retention_period_survive_and_those_past_it_are_gone(
    runner, history, frozen_clock
):
    files = {name: scan_of(h) for name, h in history.items()}
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged ESF participant records of 1 household(s)" in result.output
    assert "purged identity data of 3 household(s)" in result.output, result.output
    db.session.expire_all()

    ended, inside = history["ended"], history["inside"]
    # Past the retention end: participant records and the consent scan are gone; the
    # pseudonymous household row stays.
    assert persons(ended) == 0 and not has_identity(ended)
    assert scan_of(ended) is None and not storage.exists(files["ended"])
    assert db.session.get(Household, ended.id).code == "DU-2022-0001"
    # Inside it: pseudonymised (the identity went after 24 months), records and scan kept.
    assert persons(inside) == 2 and not has_identity(inside)
    assert scan_of(inside) == files["inside"], result.output
    assert storage.exists(files["inside"])
    # Recent and active households keep everything.
    for name in ("recent", "active"):
        h = history[name]
        assert persons(h) == 2 and has_identity(h), name
        assert storage.exists(files[name]), name
    # Without ESF records the scan goes with the identity.
    assert scan_of(history["no_records"]) is None
    assert not storage.exists(files["no_records"])

    events = [
        (e.action, e.object_id, e.details)
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("privacy.%")).order_by(AuditEvent.id)
        )
    ]
    assert ("privacy.esf_records_purged", ended.id, {"persons": 2}) in events
    assert ("privacy.identity_purged", inside.id, {}) in events
    assert events[-1] == (
        "privacy.purged",
        None,
        {"households": 3, "accounts": 0, "outbox": 0, "esf_records": 1},
    )

    # Eight years on, the later period has ended too: its records and scan go.
    frozen_clock.move_to("2044-01-01T09:00+01:00")
    later = runner.invoke(args=["privacy", "purge"])
    assert "purged ESF participant records of 2 household(s)" in later.output
    db.session.expire_all()
    assert persons(inside) == 0 and scan_of(inside) is None
    assert not storage.exists(files["inside"])
    # "recent" (intake 2033, the same period) goes with it; "active" is still in the programme.
    assert persons(history["recent"]) == 0
    assert persons(history["active"]) == 2

    again = runner.invoke(args=["privacy", "purge"])
    assert "purged ESF participant records of 0 household(s)" in again.output


def test_the_last_day_of_the_period_keeps_the_records_by_berlin_time(runner, history, frozen_clock):
    # 23:30 on 31 December in Berlin (22:30 UTC): still inside.
    frozen_clock.move_to("2035-12-31T23:30+01:00")
    out = runner.invoke(args=["privacy", "purge", "--dry-run"]).output
    assert "would purge ESF participant records of 0 household(s)" in out
    # 00:30 on 1 January in Berlin is 23:30 UTC on 31 December: the period has ended.
    frozen_clock.move_to("2036-01-01T00:30+01:00")
    out = runner.invoke(args=["privacy", "purge", "--dry-run"]).output
    assert "would purge ESF participant records of 1 household(s)" in out
    assert "DU-2022-0001" in out


def test_dry_run_lists_each_household_with_its_rule_and_date_and_changes_nothing(runner, history):
    audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "dry run: nothing was changed" in out
    assert (
        "  household DU-2022-0001: participant records (2) and 1 consent scan(s): ESF retention "
        "ended 2035-12-31 (funding period 2021-2029, intake 2022-05-01)"
    ) in out
    assert (
        "  household DU-2022-0001: identity data: housed on 2023-06-01, "
        "24-month period ended 2025-06-01 (consent scans go with the ESF records)"
    ) in out
    assert (
        "  household DU-2030-0001: identity data: withdrawn on 2031-06-01, 24-month period "
        "ended 2033-06-01 (consent scans kept with the ESF records until 2043-12-31)"
    ) in out
    assert (
        "  household DU-2030-0002: identity data and 1 consent scan(s): housed on 2031-06-01, "
        "24-month period ended 2033-06-01"
    ) in out
    assert "DU-2033-0001" not in out and "DU-2021-0001" not in out

    db.session.expire_all()
    for h in history.values():
        assert persons(h) == (0 if h.code == "DU-2030-0002" else 2)
        assert has_identity(h)
        assert scan_of(h) is not None and storage.exists(scan_of(h))
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audit_before


def test_records_no_funding_period_covers_are_kept_and_named(app, runner, history, monkeypatch):
    monkeypatch.setitem(app.config, "ESF_FUNDING_PERIODS", parse_funding_periods("2030-2036:2038"))
    out = runner.invoke(args=["privacy", "purge"]).output
    assert "purged ESF participant records of 0 household(s)" in out
    assert (
        "  household DU-2022-0001: participant records kept, no funding period covers intake "
        "year 2022 (set ESF_FUNDING_PERIODS)"
    ) in out
    db.session.expire_all()
    ended = history["ended"]
    assert persons(ended) == 2 and not has_identity(ended)
    assert scan_of(ended) is not None  # the proof stays with the records


def test_the_purge_function_reports_without_the_cli(app, history):
    result = retention.purge(dry_run=True)
    assert result.esf_households == ["DU-2022-0001"]
    assert result.esf_reasons["DU-2022-0001"].endswith(
        "ESF retention ended 2035-12-31 (funding period 2021-2029, intake 2022-05-01)"
    )
    db.session.rollback()


# -- the setting ---------------------------------------------------------------------------


def test_the_default_is_esf_plus_2021_2027_kept_until_2035(tmp_path):
    config = build_config(str(tmp_path), {"PORTAL_ENV": "testing"})
    assert config["ESF_FUNDING_PERIODS"] == (FundingPeriod(2021, 2029, date(2035, 12, 31)),)


def test_periods_are_read_from_the_environment(tmp_path):
    config = build_config(
        str(tmp_path),
        {"PORTAL_ENV": "testing", "ESF_FUNDING_PERIODS": "2021-2029:2036-06-30, 2014-2020:2024"},
    )
    periods = config["ESF_FUNDING_PERIODS"]
    assert periods == (
        FundingPeriod(2014, 2020, date(2029, 12, 31)),
        FundingPeriod(2021, 2029, date(2036, 6, 30)),
    )
    assert period_for(periods, date(2020, 12, 31)).label == "2014-2020"
    assert period_for(periods, date(2029, 1, 1)).label == "2021-2029"
    assert period_for(periods, date(2030, 1, 1)) is None
    empty = build_config(str(tmp_path), {"PORTAL_ENV": "testing", "ESF_FUNDING_PERIODS": ""})
    assert empty["ESF_FUNDING_PERIODS"] == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2021-2027", "is not <first intake year>-<last intake year>:<end>"),
        ("2021:2030", "is not <first intake year>"),
        ("ESF+ 2021-2027", "is not <first intake year>"),
        ("2021-2029:2030-12", "is not <first intake year>"),
        ("2029-2021:2030", "ends before it starts"),
        ("2021-2029:2028", "the last payment cannot come before the last intake year"),
        ("2021-2029:2029-06-30", "the retention end must lie after the last intake year"),
        ("2021-2029:2035-02-30", "2035-02-30 is not a date"),
        ("2014-2021:2026; 2021-2029:2030", "the periods 2014-2021 and 2021-2029 overlap"),
    ],
)
def test_a_bad_value_is_refused_with_a_clear_message(tmp_path, value, message):
    with pytest.raises(ConfigurationError, match="ESF_FUNDING_PERIODS") as refused:
        build_config(str(tmp_path), {"PORTAL_ENV": "testing", "ESF_FUNDING_PERIODS": value})
    assert message in str(refused.value)


def test_a_bad_value_stops_the_start(tmp_path, monkeypatch):
    from portal import create_app
    from tests.conftest import base_config

    monkeypatch.setenv("ESF_FUNDING_PERIODS", "2021-2027")
    with pytest.raises(ConfigurationError, match="ESF_FUNDING_PERIODS"):
        create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"))


def test_the_esf_end_does_not_touch_scans_without_records_nor_a_recent_identity(runner, history):
    # Intake in the ended period, housed half a year ago: its records go at the ESF end; the
    # identity stays until its own period ends. A household without records keeps its scan
    # until its identity goes.
    with_records = household("DU-2023-0001", date(2023, 1, 5), "housed", "2035-07-01T12:00+02:00")
    without = household(
        "DU-2023-0002", date(2023, 2, 5), "housed", "2035-07-01T12:00+02:00", persons=0
    )
    db.session.commit()
    out = runner.invoke(args=["privacy", "purge"]).output
    assert "purged ESF participant records of 2 household(s)" in out
    db.session.expire_all()
    assert persons(with_records) == 0 and has_identity(with_records)
    assert scan_of(with_records) is None
    assert has_identity(without) and scan_of(without) is not None
    assert storage.exists(scan_of(without))


# Erasure (issue 17): an admin's erasure keeps the consent scans that prove ESF participant
# records while their retention period runs (GDPR Art. 17(3)(b), CPR Art. 82), deletes the others
# at once, and the purge deletes the kept ones at the retention end, even for a household erased
# without leaving the programme first.


def _erase(h: Household) -> None:
    ops.erase_household(h, StaffFactory(role="admin"), h.code)
    db.session.commit()
    db.session.expire_all()


def test_erasure_keeps_the_scans_that_prove_esf_records_inside_the_retention_period(
    db, periods, frozen_clock
):
    frozen_clock.move_to("2027-03-01T10:00+01:00")
    with_records = household("DU-2026-0101", date(2026, 2, 1), "vetted", "2026-02-10T12:00+01:00")
    without = household(
        "DU-2026-0102", date(2026, 2, 1), "vetted", "2026-02-10T12:00+01:00", persons=0
    )
    db.session.commit()
    kept, gone = scan_of(with_records), scan_of(without)
    assert retention.esf_proof_kept(with_records, date(2027, 3, 1)) == date(2035, 12, 31)

    _erase(with_records)
    _erase(without)

    # The proof stays: file, key and type; the consent itself ended and its scope is erased.
    assert scan_of(with_records) == kept and storage.exists(kept)
    consent = with_records.consents[0]
    assert consent.document_type == "application/pdf"
    assert consent.scope == ops.ERASED_SCOPE and consent.withdrawn_on is not None
    assert with_records.identity is None and persons(with_records) == 2
    # Nothing else of it is left to erase: the kept scan does not ask for a second erasure.
    assert not ops.household_needs_erasure(with_records)
    # Without participant records nothing holds the scan: it goes at once.
    assert scan_of(without) is None and not storage.exists(gone)


def test_erasure_after_the_retention_end_deletes_the_scans(db, periods, frozen_clock):
    frozen_clock.move_to("2036-01-02T10:00+01:00")
    h = household("DU-2022-0101", date(2022, 5, 1), "housed", "2023-06-01T12:00+02:00")
    db.session.commit()
    scan = scan_of(h)
    assert retention.esf_proof_kept(h, date(2036, 1, 2)) is False
    _erase(h)
    assert scan_of(h) is None and not storage.exists(scan)


def test_the_purge_deletes_a_kept_scan_at_the_retention_end(runner, db, periods, frozen_clock):
    frozen_clock.move_to("2027-03-01T10:00+01:00")
    # Erased while still "vetted": the erasure does not make it leave the programme.
    h = household("DU-2026-0103", date(2026, 2, 1), "vetted", "2026-02-10T12:00+01:00")
    db.session.commit()
    scan = scan_of(h)
    _erase(h)

    frozen_clock.move_to("2035-12-31T20:00+01:00")  # the last day: still kept
    result = runner.invoke(args=["privacy", "purge"])
    assert "purged ESF participant records of 0 household(s)" in result.output
    db.session.expire_all()
    assert storage.exists(scan) and persons(h) == 2

    frozen_clock.move_to("2036-01-01T09:00+01:00")
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert "DU-2026-0103" in dry.output, dry.output
    result = runner.invoke(args=["privacy", "purge"])
    assert "purged ESF participant records of 1 household(s)" in result.output, result.output
    db.session.expire_all()
    assert scan_of(h) is None and not storage.exists(scan)
    assert persons(h) == 0


def test_a_scan_kept_as_proof_is_not_handed_out(browser, db, periods, frozen_clock):
    """The kept scan proves the records to an auditor; in daily work the erased household's
    signed form is gone: no link, the download answers 404, the export leaves it out."""
    frozen_clock.move_to("2027-03-01T10:00+01:00")
    h = household("DU-2026-0104", date(2026, 2, 1), "vetted", "2026-02-10T12:00+01:00")
    db.session.commit()
    _erase(h)
    consent = h.consents[0]
    assert consent.is_proof_only and storage.exists(consent.document_key)

    browser.login("social_worker")
    html = browser.client.get(f"/backoffice/households/{h.id}").get_data(as_text=True)
    document = f"/backoffice/households/{h.id}/consents/{consent.id}/document"
    assert "Kept as ESF proof" in html and document not in html
    assert browser.client.get(document).status_code == 404
