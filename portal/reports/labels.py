"""Labels of the report tables' columns and rows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.accounts.models import OrganisationKind
from portal.households.labels import AGE_BAND_LABELS
from portal.households.models import Answer, Gender, TargetGroup

ALL = "all"
TARGET_GROUPS = [g.value for g in TargetGroup]
TARGET_GROUP_LABELS = {
    TargetGroup.REFUGEE_SHARED_ACCOMMODATION.value: _l("Refugees in shared accommodation"),
    TargetGroup.HOMELESS_MUNICIPAL_SHELTER.value: _l("Homeless in a municipal shelter"),
    TargetGroup.OTHER.value: _l("Other"),
}
LANDLORD_KIND_LABELS = {
    OrganisationKind.PRIVATE.value: _l("Private landlords"),
    OrganisationKind.COMPANY.value: _l("Housing companies"),
}
# Rows of the ESF table ("Women"), not the answers of the participant form
# (households.labels.GENDER_LABELS, "Female"): a count's heading, so other words.
GENDER_ROW_LABELS = {
    Gender.FEMALE.value: _l("Women"),
    Gender.MALE.value: _l("Men"),
    Gender.NON_BINARY.value: _l("Non-binary"),
    Gender.NO_ANSWER.value: _l("Gender: no answer"),
}
AGE_LABELS = AGE_BAND_LABELS  # the same words as on the participant page
THIRD_COUNTRY_LABELS = {
    Answer.YES.value: _l("Third-country nationals"),
    Answer.NO.value: _l("Not third-country nationals"),
    Answer.NO_ANSWER.value: _l("Third-country national: no answer"),
}
DISABILITY_LABELS = {
    Answer.YES.value: _l("Persons with disabilities"),
    Answer.NO.value: _l("Persons without disabilities"),
    Answer.NO_ANSWER.value: _l("Disability: no answer"),
}

# Rows of the prevention table (issue 16): the outcomes of the cases closed in the period.
PREVENTION_OUTCOME_ROWS = {
    "tenancy_kept": _l("of which tenancy kept"),
    "moved": _l("of which moved to another flat"),
    "lost": _l("of which flat lost"),
}


def by_target_group() -> list[tuple[str, str]]:
    return [(ALL, str(_l("All")))] + [(g, str(TARGET_GROUP_LABELS[g])) for g in TARGET_GROUPS]


def by_landlord_kind() -> list[tuple[str, str]]:
    return [(ALL, str(_l("All")))] + [(k, str(v)) for k, v in LANDLORD_KIND_LABELS.items()]


# The period picker's presets.
PRESET_LABELS = {
    "this_month": _l("This month"),
    "last_quarter": _l("Last quarter"),
    "this_year": _l("This year"),
    "funding_phase": _l("Funding phase (1 March 2025 to 31 December 2027)"),
    "custom": _l("Own period (below)"),
}
