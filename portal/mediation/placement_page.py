"""What mediation adds to the staff page of a placement (``PLACEMENT_PAGE``, a hook of the
placements floor below): the open case linked to it, if any. The page's rent-arrears proposal
offers to open a case only when there is none (``backoffice.page.open_for_placement``)."""

from __future__ import annotations

from typing import Any

from portal.mediation.labels import status_label
from portal.mediation.operations import open_case_for
from portal.placements.backoffice.common import PLACEMENT_PAGE
from portal.placements.models import Placement


@PLACEMENT_PAGE.connect
def mediation_of(placement: Placement) -> dict[str, Any]:
    case = open_case_for(placement)
    return {
        "mediation": {
            "open_case": case,
            "status_label": status_label(case.status) if case is not None else None,
        }
    }
