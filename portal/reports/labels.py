"""Labels of the report tables' columns and rows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.accounts.models import OrganisationKind
from portal.households.labels import AGE_BAND_LABELS
from portal.households.models import Answer, Education, Gender, LabourStatus, TargetGroup

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

# Rows of the ESF table for the Annex I fields added with issue 17 (each field's empty value:
# "not recorded", the record is incomplete).
LABOUR_STATUS_ROW_LABELS = {
    LabourStatus.UNEMPLOYED.value: _l("Unemployed"),
    LabourStatus.LONG_TERM_UNEMPLOYED.value: _l("Long-term unemployed"),
    LabourStatus.INACTIVE.value: _l("Inactive"),
    LabourStatus.EMPLOYED.value: _l("Employed, including self-employed"),
    LabourStatus.NO_ANSWER.value: _l("Labour-market status: no answer"),
    "": _l("Labour-market status: not recorded"),
}
EDUCATION_ROW_LABELS = {
    Education.ISCED_0_2.value: _l("ISCED 0–2 (primary or lower secondary)"),
    Education.ISCED_3_4.value: _l("ISCED 3–4 (upper secondary or post-secondary)"),
    Education.ISCED_5_8.value: _l("ISCED 5–8 (tertiary)"),
    Education.NONE.value: _l("No formal education"),
    Education.NO_ANSWER.value: _l("Education: no answer"),
    "": _l("Education: not recorded"),
}
FOREIGN_BACKGROUND_LABELS = {
    Answer.YES.value: _l("Persons with a foreign background"),
    Answer.NO.value: _l("Persons without a foreign background"),
    Answer.NO_ANSWER.value: _l("Foreign background: no answer"),
    "": _l("Foreign background: not recorded"),
}
MINORITY_LABELS = {
    Answer.YES.value: _l("Persons from a minority"),
    Answer.NO.value: _l("Persons not from a minority"),
    Answer.NO_ANSWER.value: _l("Minority: no answer"),
    "": _l("Minority: not recorded"),
}
HOMELESS_LABELS = {
    Answer.YES.value: _l("Homeless or housing exclusion (as answered)"),
    Answer.NO.value: _l("Not homeless, no housing exclusion (as answered)"),
    Answer.NO_ANSWER.value: _l("Homeless or housing exclusion: no answer"),
    "": _l("Homeless or housing exclusion: not recorded"),
}
RURAL_LABELS = {
    Answer.YES.value: _l("Persons living in rural areas"),
    Answer.NO.value: _l("Persons not living in rural areas"),
    Answer.NO_ANSWER.value: _l("Rural area: no answer"),
    "": _l("Rural area: not recorded"),
}
RESULT_LABELS = {
    "result_job_searching": _l("Result at exit: job searching"),
    "result_in_education": _l("Result at exit: in education or training"),
    "result_qualification": _l("Result at exit: qualification gained"),
    "result_employed": _l("Result at exit: in employment, including self-employed"),
}

# The Annex I table (reports/annex.py): its columns, by gender.
ANNEX_COLUMN_LABELS = {
    Gender.FEMALE.value: _l("Female"),
    Gender.MALE.value: _l("Male"),
    Gender.NON_BINARY.value: _l("Non-binary"),
    "total": _l("Total"),
}

# The lines under the indicators that show what the indicators do not count.
DECLINED_LABELS = {
    "gender": _l("Declined to answer: gender"),
    "labour_status": _l("Declined to answer: labour-market status"),
    "education": _l("Declined to answer: education"),
    "disability": _l("Declined to answer: disability"),
    "third_country": _l("Declined to answer: third-country national"),
    "foreign_background": _l("Declined to answer: foreign background"),
    "minority": _l("Declined to answer: minority"),
    "homeless": _l("Declined to answer: homeless or housing exclusion"),
    "rural": _l("Declined to answer: rural area"),
}
