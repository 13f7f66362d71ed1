"""The rules of the households domain: profiles, identities, consents, vetting, and what
landlords may do with a profile. Operations flush, audit and queue mail; they never commit and
never read the request.

One module per job: ``profiles`` (the profile, its text check and participant rows),
``consents``, ``vetting`` (the social worker's status moves), ``landlord_access`` and
``prevention`` (households threatened with losing their flat). Callers
import this package (``from portal.households import operations as ops``); it re-exports what
they use."""

from portal.households.operations.consents import (
    CONSENT_MONTHS,
    DOCUMENT_EXTENSIONS,
    ConsentDocument,
    discard_document,
    expire_consents,
    open_consent_document,
    record_consent,
    withdraw_consent,
)
from portal.households.operations.landlord_access import (
    has_published_flat,
    interest_blocked,
    landlord_may_register_interest,
    published_flat_of,
    record_view,
)
from portal.households.operations.prevention import (
    LINKABLE_MEDIATION_CASES,
    cases_of,
    link_mediation_case,
    linkable,
    open_case,
    open_case_of,
    open_cases,
    record_outcome,
)
from portal.households.operations.profiles import (
    CHECKED_STATUSES,
    FIELD_OF_REFUSAL,
    IDENTITY_FIELDS,
    PARTICIPANT_FIELDS,
    PUBLIC_FIELDS,
    REPORTING_FIELDS,
    TEXT_HITS,
    Proposal,
    create_household,
    next_code,
    open_text_hits,
    propose,
    save_participants,
    text_hits_of,
    update_household,
)
from portal.households.operations.vetting import (
    HOUSEHOLD_LEAVES,
    WITHDRAWAL_DESTINATIONS,
    change_status,
    vet,
)

__all__ = [
    "CHECKED_STATUSES",
    "FIELD_OF_REFUSAL",
    "TEXT_HITS",
    "CONSENT_MONTHS",
    "ConsentDocument",
    "DOCUMENT_EXTENSIONS",
    "HOUSEHOLD_LEAVES",
    "IDENTITY_FIELDS",
    "LINKABLE_MEDIATION_CASES",
    "PARTICIPANT_FIELDS",
    "PUBLIC_FIELDS",
    "Proposal",
    "REPORTING_FIELDS",
    "WITHDRAWAL_DESTINATIONS",
    "cases_of",
    "change_status",
    "create_household",
    "discard_document",
    "expire_consents",
    "has_published_flat",
    "interest_blocked",
    "landlord_may_register_interest",
    "link_mediation_case",
    "linkable",
    "next_code",
    "open_consent_document",
    "open_case",
    "open_case_of",
    "open_cases",
    "open_text_hits",
    "propose",
    "published_flat_of",
    "record_consent",
    "record_outcome",
    "record_view",
    "save_participants",
    "text_hits_of",
    "update_household",
    "vet",
    "withdraw_consent",
]
