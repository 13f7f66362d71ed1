"""The words for a site's states (keys: ``models.SiteStatus`` values)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "preparing": _l("In preparation"),
    "active": _l("Active"),
    "archived": _l("Archived"),
}
