"""What mediation answers to lower floors (their hooks, portal.core.hooks): the mediation cases a
household's prevention case may be linked to."""

from __future__ import annotations

from sqlalchemy import case as when
from sqlalchemy import or_, select

from portal.core.i18n import day
from portal.extensions import db
from portal.households.operations import LINKABLE_MEDIATION_CASES
from portal.households.prevention import PreventionCase
from portal.mediation.labels import status_label, topic_label
from portal.mediation.models import OPEN_STATUSES, MediationCase
from portal.placements.models import Placement

LIMIT = 100


def label(case: MediationCase) -> str:
    return " · ".join(
        [
            case.number,
            str(topic_label(case.topic)),
            str(status_label(case.status)),
            day(case.created_at),
        ]
    )


@LINKABLE_MEDIATION_CASES.connect
def linkable_cases(prevention: PreventionCase) -> list[tuple[int, str]]:
    """The linked case, then the open cases linked to no other prevention case: those about a
    placement of the same household first, then the newest."""
    taken = select(PreventionCase.mediation_case_id).where(
        PreventionCase.mediation_case_id.is_not(None), PreventionCase.id != prevention.id
    )
    own_placements = select(Placement.id).where(Placement.household_id == prevention.household_id)
    cases = db.session.scalars(
        select(MediationCase)
        .where(
            or_(
                MediationCase.id == prevention.mediation_case_id,
                MediationCase.status.in_([s.value for s in OPEN_STATUSES])
                & MediationCase.id.not_in(taken),
            )
        )
        .order_by(
            when((MediationCase.id == prevention.mediation_case_id, 0), else_=1),
            when((MediationCase.placement_id.in_(own_placements), 0), else_=1),
            MediationCase.created_at.desc(),
            MediationCase.id.desc(),
        )
        .limit(LIMIT)
    )
    return [(c.id, label(c)) for c in cases]
