"""An admin's erasure of a household keeps the consent scans that prove its ESF participant
records while their retention period runs (GDPR Art. 17(3)(b), CPR Art. 82; issue 17), deletes
the others at once, and the purge deletes the kept ones at the retention end, even for a
household that was erased without leaving the programme first."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core import storage
from portal.core.funding import parse_funding_periods
from portal.extensions import db
from portal.households.models import Household
from portal.privacy import operations as ops
from portal.privacy import retention
from tests.factories import StaffFactory
from tests.privacy.test_esf_retention import household, persons, scan_of

PERIODS = "2021-2029:2030"  # kept until 2035-12-31


@pytest.fixture
def periods(app, monkeypatch):
    monkeypatch.setitem(app.config, "ESF_FUNDING_PERIODS", parse_funding_periods(PERIODS))


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
    assert scan_of(with_records) == kept and storage.path_for(kept).exists()
    consent = with_records.consents[0]
    assert consent.document_type == "application/pdf"
    assert consent.scope == ops.ERASED_SCOPE and consent.withdrawn_on is not None
    assert with_records.identity is None and persons(with_records) == 2
    # Nothing else of it is left to erase: the kept scan does not ask for a second erasure.
    assert not ops.household_needs_erasure(with_records)
    # Without participant records nothing holds the scan: it goes at once.
    assert scan_of(without) is None and not storage.path_for(gone).exists()


def test_erasure_after_the_retention_end_deletes_the_scans(db, periods, frozen_clock):
    frozen_clock.move_to("2036-01-02T10:00+01:00")
    h = household("DU-2022-0101", date(2022, 5, 1), "housed", "2023-06-01T12:00+02:00")
    db.session.commit()
    scan = scan_of(h)
    assert retention.esf_proof_kept(h, date(2036, 1, 2)) is False
    _erase(h)
    assert scan_of(h) is None and not storage.path_for(scan).exists()


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
    assert storage.path_for(scan).exists() and persons(h) == 2

    frozen_clock.move_to("2036-01-01T09:00+01:00")
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert "DU-2026-0103" in dry.output, dry.output
    result = runner.invoke(args=["privacy", "purge"])
    assert "purged ESF participant records of 1 household(s)" in result.output, result.output
    db.session.expire_all()
    assert scan_of(h) is None and not storage.path_for(scan).exists()
    assert persons(h) == 0
