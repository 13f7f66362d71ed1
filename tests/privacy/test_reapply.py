"""After a backup is restored, ``flask privacy reapply-erasures`` erases again what had been
erased since the backup (the erasure log outside the database remembers it), and running it
twice changes nothing more."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

from sqlalchemy import func, select

from portal import create_app
from portal.core.audit import AuditEvent
from portal.extensions import db as _db
from portal.households.models import Household, HouseholdIdentity
from portal.listings.reference import ensure_reference_data
from portal.privacy import operations as ops
from portal.privacy import reapply
from portal.privacy.models import Erasure
from tests.conftest import APP_SESSION, base_config
from tests.factories import HouseholdFactory, IdentityFactory, StaffFactory, UserFactory


def test_reapply_after_restoring_an_sqlite_backup(tmp_path, monkeypatch):
    live, backup = tmp_path / "live.db", tmp_path / "backup.db"
    log = tmp_path / "erasures.jsonl"
    app = create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{live}", ERASURE_LOG=str(log)))
    monkeypatch.setattr(_db, "session", APP_SESSION)  # this test's own database, not the suite's
    with app.app_context():
        _db.create_all()
        ensure_reference_data()
        admin = StaffFactory(role="admin")
        household = IdentityFactory(main_tenant_name="Restored Tenant").household
        landlord = UserFactory(full_name="Restored Landlord")
        ids = household.id, landlord.id, admin.id
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
        shutil.copy(live, backup)  # the nightly backup, before the erasures

        household, landlord = (
            _db.session.get(Household, ids[0]),
            _db.session.get(type(landlord), ids[1]),
        )
        admin = _db.session.get(type(landlord), ids[2])
        ops.erase_household(household, admin, household.code)
        ops.erase_landlord(landlord, admin, landlord.email)
        _db.session.commit()
        assert len(log.read_text().splitlines()) == 2
        _db.session.remove()
        _db.engine.dispose()

        shutil.copy(backup, live)  # the restore: the erasures are undone
        assert _db.session.scalar(select(func.count(HouseholdIdentity.id))) == 1
        assert _db.session.scalar(select(func.count(Erasure.id))) == 0
        _db.session.remove()

        runner = app.test_cli_runner()
        result = runner.invoke(args=["privacy", "reapply-erasures"])
        assert result.exit_code == 0, result.output
        assert f"household {ids[0]}: reapplied" in result.output
        assert f"landlord {ids[1]}: reapplied" in result.output
        _db.session.remove()
        assert _db.session.scalar(select(func.count(HouseholdIdentity.id))) == 0
        landlord = _db.session.get(type(admin), ids[1])
        assert landlord.email == f"erased-{ids[1]}@invalid" and not landlord.is_active
        assert _db.session.scalar(select(func.count(Erasure.id))) == 2
        reapplied = select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "privacy.erasure_reapplied"
        )
        assert _db.session.scalar(reapplied) == 2
        _db.session.remove()

        # Idempotent: a second run finds everything erased and changes nothing.
        again = runner.invoke(args=["privacy", "reapply-erasures"])
        assert again.exit_code == 0, again.output
        assert "2 recorded erasure(s): 2 unchanged" in again.output
        assert _db.session.scalar(reapplied) == 2
        assert _db.session.scalar(select(func.count(Erasure.id))) == 2
        assert len(log.read_text().splitlines()) == 2  # no line written twice
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def test_an_id_now_held_by_a_newer_object_is_left_alone(app, erasure_log):
    household = IdentityFactory().household
    stale = household.created_at - timedelta(days=3)
    entry = {"kind": "household", "object_id": household.id, "object_created_at": stale.isoformat()}
    erasure_log.write_text(json.dumps(entry) + "\n" + "not json\n")
    assert reapply.reapply_erasures() == [("household", household.id, "different")]
    assert household.identity is not None


def test_an_erasure_of_an_object_not_in_this_database_is_reported(app, erasure_log):
    entry = {"kind": "landlord", "object_id": 987654, "object_created_at": None}
    erasure_log.write_text(json.dumps(entry) + "\n")
    assert reapply.reapply_erasures() == [("landlord", 987654, "absent")]


def test_a_row_missing_from_the_log_is_written_to_it(app, erasure_log):
    household = HouseholdFactory()
    ops.erase_household(household, None, household.code)
    erasure_log.unlink()  # e.g. a new server without the old log
    assert reapply.reapply_erasures() == [("household", household.id, "unchanged")]
    [line] = erasure_log.read_text().splitlines()
    assert json.loads(line)["object_id"] == household.id
