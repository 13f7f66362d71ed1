"""What privacy shows on the staff page of a household (a hook of households,
portal.core.hooks): the household's data exports (who, when, why), for its social worker only
(issue 13.9)."""

from __future__ import annotations

from typing import Any

from portal.households.backoffice import HOUSEHOLD_PAGE
from portal.households.models import Household
from portal.privacy import export as export_ops
from portal.privacy.labels import purpose_label


@HOUSEHOLD_PAGE.connect
def data_exports(household: Household, *, social_worker: bool) -> dict[str, Any]:
    exports = export_ops.exports_of(household) if social_worker else []
    return {"exports": exports, "purpose_label": purpose_label}
