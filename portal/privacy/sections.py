"""What privacy shows on the staff page of a household (a hook of households,
portal.core.hooks): the household's data exports (who, when, why), for its social worker only
(issue 13.9)."""

from __future__ import annotations

from typing import Any

from portal.core.pagination import HOME_ROWS
from portal.households.backoffice import HOUSEHOLD_PAGE
from portal.households.models import Household
from portal.privacy.household_exports import latest_exports
from portal.privacy.labels import purpose_label


@HOUSEHOLD_PAGE.connect
def data_exports(household: Household, *, social_worker: bool) -> dict[str, Any]:
    """The newest exports and the number of all, for the social worker; the page links to all
    of them (privacy.backoffice.household_exports)."""
    exports, total = latest_exports(household.id, HOME_ROWS) if social_worker else ([], 0)
    return {"exports": exports, "exports_total": total, "purpose_label": purpose_label}
