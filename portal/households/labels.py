"""The words for households' statuses, cost bearers, target groups, exit destinations, consents'
badges, the reasons the profile text check marks a passage, and the ESF participant fields, in
one place (staff pages, forms, the reports); and what a landlord reads of the cost bearer."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.core.i18n import day
from portal.households.models import (
    AgeBand,
    Answer,
    Consent,
    CostBearer,
    Education,
    ExitDestination,
    Gender,
    HouseholdStatus,
    LabourStatus,
    TargetGroup,
)

STATUS_LABELS = {
    HouseholdStatus.DRAFT.value: _l("Draft"),
    HouseholdStatus.VETTED.value: _l("Vetted"),
    HouseholdStatus.PAUSED.value: _l("Paused"),
    HouseholdStatus.HOUSED.value: _l("Housed"),
    HouseholdStatus.WITHDRAWN.value: _l("Withdrawn"),
}
COST_BEARER_LABELS = {
    CostBearer.JOBCENTER.value: _l("Jobcenter"),
    CostBearer.SOZIALAMT.value: _l("Social welfare office (Sozialamt)"),
    CostBearer.OWN_INCOME.value: _l("Own income"),
}
TARGET_GROUP_LABELS = {
    TargetGroup.REFUGEE_SHARED_ACCOMMODATION.value: _l("Refugee in shared accommodation"),
    TargetGroup.HOMELESS_MUNICIPAL_SHELTER.value: _l("Homeless, in a municipal shelter"),
    TargetGroup.OTHER.value: _l("Other"),
}
EXIT_DESTINATION_LABELS = {
    ExitDestination.OWN_TENANCY_PROGRAMME.value: _l("Own tenancy through the programme"),
    ExitDestination.OWN_TENANCY_WITH_SUPPORT.value: _l(
        "Own tenancy found by the household, with our support"
    ),
    ExitDestination.OTHER_ACCOMMODATION.value: _l("Other accommodation"),
    ExitDestination.DROPPED_OUT.value: _l("Ended the support early"),
    ExitDestination.MOVED_AWAY.value: _l("Moved away from Duisburg"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def cost_bearer_label(value: str) -> str:
    return str(COST_BEARER_LABELS.get(value, value))


def target_group_label(value: str) -> str:
    return str(TARGET_GROUP_LABELS.get(value, value))


def exit_destination_label(value: str) -> str:
    return str(EXIT_DESTINATION_LABELS.get(value, value))


# What a landlord sees of a household, category by category: the one list the consent form
# (backoffice/households/_consent_text.html) and its printable PDF (households/consent_pdf.py)
# name, since health-related needs ask for explicit consent (GDPR Art. 9). The public privacy
# notice (public/_privacy_default.html) says the same in one sentence.
CONSENT_CATEGORIES = (
    _l(
        "the number of adults and children, the rooms and living area needed, the earliest "
        "move-in date and the preferred districts"
    ),
    _l(
        "who pays the rent (Jobcenter, Sozialamt or own income), whether the household has a "
        "WBS and for how many persons, pets"
    ),
    _l("needs that touch health: step-free access, a wheelchair-accessible flat"),
    _l("the profile text"),
    _l("the main tenant's name, once a viewing is arranged"),
    _l("if ticked below: whether rent is paid directly, and the deposit/shares status"),
)
# The ESF participant records are not part of the consent (Regulation (EU) 2021/1057).
CONSENT_ESF_NOTE = _l(
    "The ESF participant records rest on the funding law (Regulation (EU) 2021/1057, Annex I), "
    "not on this consent: withdrawing the consent does not delete them."
)


# Why the check of the profile text (households/textcheck.py) marks a passage.
# A consent's badge by its state (queries.consent_state); "withdrawn" names the day.
CONSENT_STATE_LABELS = {
    "valid": _l("valid"),
    "expired": _l("expired"),
    "future": _l("not yet valid"),
}


def consent_state_label(consent: Consent, state: str) -> str:
    """The words of ``consent``'s badge in ``state``."""
    if state == "withdrawn":
        return _("withdrawn on %(date)s", date=day(consent.withdrawn_on))
    return str(CONSENT_STATE_LABELS.get(state, CONSENT_STATE_LABELS["future"]))


HIT_REASONS = {
    "name": _l("a name of a household member"),
    "email": _l("an e-mail address"),
    "phone": _l("a phone number"),
    "date": _l("a date, perhaps a date of birth"),
    "origin": _l("about origin or nationality"),
    "religion": _l("about religion"),
    "health": _l(
        "about health or a disability (step-free or wheelchair access has its own fields above)"
    ),
    "residence": _l("about residence status or asylum"),
}


def hit_reason(category: str) -> str:
    return str(HIT_REASONS.get(category, category))


# What a landlord reads on a profile.
PUBLIC_COST_BEARER_LABELS = {
    CostBearer.JOBCENTER.value: _l("Rent paid via Jobcenter"),
    CostBearer.SOZIALAMT.value: _l("Rent paid via Sozialamt"),
    CostBearer.OWN_INCOME.value: _l("Own income"),
}


# The words of the ESF participant fields (participant_forms.py and the reports) -------------------

GENDER_LABELS = {
    Gender.FEMALE.value: _l("Female"),
    Gender.MALE.value: _l("Male"),
    Gender.NON_BINARY.value: _l("Non-binary"),
    Gender.NO_ANSWER.value: _l("No answer"),
}
AGE_BAND_LABELS = {
    AgeBand.UNDER_18.value: _l("Under 18"),
    AgeBand.FROM_18_TO_29.value: _l("18 to 29"),
    AgeBand.FROM_30_TO_54.value: _l("30 to 54"),
    AgeBand.FROM_55.value: _l("55 or older"),
}
ANSWER_LABELS = {
    Answer.YES.value: _l("Yes"),
    Answer.NO.value: _l("No"),
    Answer.NO_ANSWER.value: _l("No answer"),
}
LABOUR_STATUS_LABELS = {
    LabourStatus.UNEMPLOYED.value: _l("Unemployed"),
    LabourStatus.LONG_TERM_UNEMPLOYED.value: _l("Long-term unemployed"),
    LabourStatus.INACTIVE.value: _l("Inactive"),
    LabourStatus.EMPLOYED.value: _l("Employed, including self-employed"),
    LabourStatus.NO_ANSWER.value: _l("No answer"),
}
EDUCATION_LABELS = {
    Education.ISCED_0_2.value: _l("ISCED 0–2 (primary or lower secondary)"),
    Education.ISCED_3_4.value: _l("ISCED 3–4 (upper secondary or post-secondary)"),
    Education.ISCED_5_8.value: _l("ISCED 5–8 (tertiary)"),
    Education.NONE.value: _l("No formal education"),
    Education.NO_ANSWER.value: _l("No answer"),
}
YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No")}
# The words of each participant field (the form's headings and the completeness list).
PARTICIPANT_FIELD_LABELS = {
    "gender": _l("Gender"),
    "birth_year": _l("Birth year"),
    "labour_status": _l("Labour-market status"),
    "education": _l("Education"),
    "disability": _l("Disability"),
    "third_country": _l("Third-country national"),
    "foreign_background": _l("Foreign background"),
    "minority": _l("Minority"),
    "homeless": _l("Homeless or affected by housing exclusion"),
    "rural": _l("Living in a rural area"),
    "exit_on": _l("Exit date"),
    "result_job_searching": _l("Job searching at exit"),
    "result_in_education": _l("In education or training at exit"),
    "result_qualification": _l("Qualification gained at exit"),
    "result_employed": _l("In employment, including self-employed, at exit"),
}


def missing_fields_label(names) -> str:
    """The missing entry fields of a participant record, in words, comma-separated."""
    return ", ".join(str(PARTICIPANT_FIELD_LABELS.get(name, name)) for name in names)


# The vetting checklist (households/models.py VETTING_CHECKLIST).
VETTING_CHECKLIST_LABELS = {
    "consent_signed": _l("The consent is signed and its scan is stored"),
    "needs_discussed": _l("The household's needs are discussed with the household"),
    "profile_text_read": _l("The profile text is read with the household"),
}


def vetting_checklist_label(item: str) -> str:
    return str(VETTING_CHECKLIST_LABELS.get(item, item))


# Prevention cases (households/prevention.py) ----------------------------------------------------

THREAT_LABELS = {
    "notice_rent_arrears": _l("Notice to quit for rent arrears"),
    "notice_other": _l("Notice to quit for another reason"),
    "eviction_suit": _l("Eviction suit filed"),
    "other": _l("Other threat"),
}
PREVENTION_OUTCOME_LABELS = {
    "tenancy_kept": _l("Tenancy kept"),
    "moved": _l("Moved to another flat"),
    "lost": _l("Flat lost"),
}


def threat_label(value: str | None) -> str:
    return str(THREAT_LABELS.get(value or "", value or "–"))


def prevention_outcome_label(value: str | None) -> str:
    return str(PREVENTION_OUTCOME_LABELS.get(value or "", value or "–"))
