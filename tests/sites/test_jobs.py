"""The daily jobs run over every site (no request, no filter), and tell only the staff of the
site a case belongs to."""

from __future__ import annotations

from datetime import timedelta

from portal.core.db import utcnow
from portal.extensions import db
from portal.placements.models import State
from tests.builders import placement_in, world
from tests.conftest import outbox
from tests.factories import StaffFactory


def test_an_unassigned_stuck_placement_is_reminded_to_its_sites_specialists(app, runner, essen):
    w = world()
    stuck = placement_in(app, w, State.VIEWING_DONE)
    stuck.state_changed_at = utcnow() - timedelta(days=20)
    stuck.staff_id = None  # nobody in charge: every specialist of the site is told
    for row in (stuck, stuck.household, stuck.flat):
        row.site_id = essen.id
    in_essen = StaffFactory(sites=[essen])
    in_duisburg = StaffFactory()
    db.session.flush()
    result = runner.invoke(args=["placements", "remind"])
    assert result.exit_code == 0, result.output
    assert f"/backoffice/placements/{stuck.id}" in outbox(in_essen.email)[-1].body_text
    assert outbox(in_duisburg.email) == []
    assert outbox(w.specialist.email) == []  # a Duisburg specialist too
