"""Links between the pages of a paginated list that keep the list's filters."""

from __future__ import annotations

from flask import request, url_for


def page_url(number: int) -> str:
    """The current page's URL with ``page=number`` and every other query argument kept."""
    args = {key: values for key, values in request.args.lists() if key != "page"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, page=number)
