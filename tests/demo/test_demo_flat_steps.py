"""Issue 15 in the demo data: the housing company has enough flats for the table of its flats,
and a private landlord's draft is halfway through the flat form's steps, its photo already
there."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import Organisation
from portal.dashboards import TABLE_FROM
from portal.extensions import db as _db
from portal.listings import operations as ops
from portal.listings import steps
from portal.listings.models import Flat


def test_demo_shows_the_company_table_and_a_draft_halfway(app, runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    # The demo's housing company (the year's history adds other companies: not this one).
    company = _db.session.scalar(
        select(Organisation).where(Organisation.name == "Rhein-Ruhr Wohnen eG")
    )
    flats = _db.session.scalar(
        select(func.count(Flat.id)).where(Flat.organisation_id == company.id)
    )
    assert flats >= TABLE_FROM
    draft = _db.session.scalar(select(Flat).where(Flat.street == "Sternbuschweg"))
    assert draft.status == "draft" and len(draft.photos) == 1
    gaps = {gap.step.name for gap in steps.completeness(ops.form_values(draft))}
    assert "address" not in gaps and "size" in gaps and "costs" in gaps
