"""The words for the reasons of a household export, in one place."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.privacy.models import ExportPurpose

PURPOSE_LABELS = {
    ExportPurpose.ACCESS_REQUEST: _l("The household asked for its data (access, Art. 15 GDPR)"),
    ExportPurpose.PORTABILITY: _l("The household asked to take its data along (Art. 20 GDPR)"),
    ExportPurpose.AUTHORITY: _l("Request of an authority or a court"),
    ExportPurpose.DATA_PROTECTION_OFFICER: _l("Check by the data-protection officer"),
    ExportPurpose.OTHER: _l("Other reason (explain below)"),
}


def purpose_label(value: str) -> str:
    label = PURPOSE_LABELS.get(value)  # type: ignore[call-overload]
    return str(label) if label is not None else value
