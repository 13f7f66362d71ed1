"""The words for a site's states."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.sites.models import SiteStatus

STATUS_LABELS = {
    SiteStatus.PREPARING: _l("In preparation"),
    SiteStatus.ACTIVE: _l("Active"),
    SiteStatus.ARCHIVED: _l("Archived"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS[SiteStatus(status)])
