"""The words for mediation's sender kinds, topics, contact ways and case statuses, in one place:
the staff's words for a status (``status_label``) and the sender's (``SENDER_STATUS_LABELS``)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.mediation.models import CaseStatus

SENDER_KIND_LABELS = {
    "landlord": _l("Landlord"),
    "tenant": _l("Tenant"),
    "other": _l("Someone else"),
}
TOPIC_LABELS = {
    "rent_arrears": _l("Rent arrears"),
    "neighbourhood": _l("Conflict in the neighbourhood"),
    "damage": _l("Damage or defects"),
    "communication": _l("Communication"),
    "other": _l("Something else"),
}
CONTACT_BY_LABELS = {"email": _l("By e-mail"), "phone": _l("By phone")}
# What staff read.
STATUS_LABELS: dict[str, Callable[[], str]] = {
    CaseStatus.NEW: lambda: _("new"),
    CaseStatus.IN_PROGRESS: lambda: _("in progress"),
    CaseStatus.WAITING: lambda: _("waiting for a reply"),
    CaseStatus.RESOLVED: lambda: _("resolved"),
    CaseStatus.CLOSED: lambda: _("closed"),
}


def _label(labels: dict[str, Callable[[], str]], key: str | None) -> str:
    return labels[key]() if key in labels else (key or "–")


def status_label(status: str | None) -> str:
    return _label(STATUS_LABELS, status)


def topic_label(topic: str | None) -> str:
    # The same words the sender chose from on the form.
    return str(TOPIC_LABELS.get(topic or "", topic or "–"))


def sender_label(kind: str | None) -> str:
    return str(SENDER_KIND_LABELS.get(kind or "", kind or "–"))


# What the sender reads on the page of the case.
SENDER_STATUS_LABELS = {
    CaseStatus.NEW.value: _l("Received"),
    CaseStatus.IN_PROGRESS.value: _l("In progress"),
    CaseStatus.WAITING.value: _l("Waiting for a reply"),
    CaseStatus.RESOLVED.value: _l("Resolved"),
    CaseStatus.CLOSED.value: _l("Closed"),
}


# What the case history says happened (audit actions).
HISTORY_LABELS: dict[str, Callable[[], str]] = {
    "mediation.submitted": lambda: _("Request received"),
    "mediation.opened_for_placement": lambda: _("Opened by the team from the placement"),
    "mediation.status": lambda: _("Status changed"),
    "mediation.note": lambda: _("Internal note added"),
    "mediation.reply": lambda: _("Reply sent by e-mail"),
    "mediation.assigned": lambda: _("Assignment changed"),
    "mediation.linked": lambda: _("Placement link changed"),
    "mediation.purged": lambda: _("Contact data removed after the retention period"),
    "mediation.message": lambda: _("Message in the conversation with the landlord"),
    "mediation.claimed": lambda: _("Matched to the landlord's account by its confirmed address"),
}


def history_label(action: str) -> str:
    label = HISTORY_LABELS.get(action)
    return label() if label else action
