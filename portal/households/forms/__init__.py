"""Forms of the households domain (back office): the profile with its restricted identity
(``profile``), the consent with its optional scan (``consent``), and the status buttons
(``status``); the ESF participant rows are in ``participant_forms.py``. Callers import this
package; it re-exports what they use."""

from portal.households.forms.consent import (
    DEFAULT_SCOPE,
    MAX_DOCUMENT_BYTES,
    PDF_MAGIC,
    ConsentForm,
    check_document,
)
from portal.households.forms.prevention import (
    PreventionLinkForm,
    PreventionOpenForm,
    PreventionOutcomeForm,
)
from portal.households.forms.profile import PROFILE_TEXT_MAX, HouseholdForm, choose, initial_data
from portal.households.forms.status import StatusForm

__all__ = [
    "DEFAULT_SCOPE",
    "MAX_DOCUMENT_BYTES",
    "PDF_MAGIC",
    "PROFILE_TEXT_MAX",
    "ConsentForm",
    "HouseholdForm",
    "PreventionLinkForm",
    "PreventionOpenForm",
    "PreventionOutcomeForm",
    "StatusForm",
    "check_document",
    "choose",
    "initial_data",
]
