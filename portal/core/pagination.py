"""Links between the pages of a paginated list that keep the list's filters."""

from __future__ import annotations

from flask import request, url_for

# One page size for every list of the portal (landlord, staff and public), so that a page of
# households, flats, placements or cases always holds as many rows. The audit log shows twice as
# many: it is read by scrolling through events, one line each.
PER_PAGE = 25
AUDIT_PER_PAGE = 2 * PER_PAGE


def page_url(number: int) -> str:
    """The current page's URL with ``page=number`` and every other query argument kept."""
    args = {key: values for key, values in request.args.lists() if key != "page"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, page=number)
