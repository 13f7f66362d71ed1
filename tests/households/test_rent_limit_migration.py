"""Issue 16, migration 0021: a household's stored maximum gross cold rent is kept only as the
staff's override. It becomes NULL (the household follows the table in force) where there is no
override reason, or where it equals what the table in force today gives for its size."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations

from tests.builders import MIGRATIONS
from tests.factories import HouseholdFactory


def _migration():
    path = Path(MIGRATIONS) / "versions" / "20261206_0021_rent_limit_override.py"
    spec = importlib.util.spec_from_file_location("migration_0021", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_real_overrides_stay_stored(db):
    reason = {"override_reason": "Zusicherung des Jobcenters"}
    as_table = HouseholdFactory(max_gross_cold_rent=Decimal("564.00"), **reason)  # 3 persons
    override = HouseholdFactory(max_gross_cold_rent=Decimal("600.00"), **reason)
    no_reason = HouseholdFactory(max_gross_cold_rent=Decimal("600.00"), override_reason=None)
    big = HouseholdFactory(adults=2, children=5, max_gross_cold_rent=Decimal("900.00"), **reason)
    db.session.flush()
    context = MigrationContext.configure(db.session.connection())
    with Operations.context(context):
        _migration()._keep_only_overrides()
    db.session.expire_all()
    assert as_table.max_gross_cold_rent is None
    assert no_reason.max_gross_cold_rent is None
    assert override.max_gross_cold_rent == Decimal("600.00")
    assert big.max_gross_cold_rent == Decimal("900.00")
