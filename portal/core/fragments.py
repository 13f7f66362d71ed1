"""What the layout computes once instead of on every request.

``fragment``: a part of a template whose markup depends only on the language, the site's
address prefix and the keys the template names (the footer; the navigation of one kind of
user) is rendered once per process and reused::

    {% call fragment("nav", user.role if user.is_authenticated else "") %}...{% endcall %}

Nothing personal, nothing per request (a CSRF token, the current path, a flash message) may
stand inside such a block: whatever is not in its key is frozen at its first rendering.

``asset_url``: the address of a file in ``static/`` with a fingerprint of its content
(``/static/css/portal.css?v=3f2a…``), computed once per file; a fingerprinted address is
served with a year's ``immutable`` caching, so browsers stop asking again on every page and
a changed file still reaches them at once under its new address.

``row_link``: the address of each row of a list (``/placements/<key>``) built once per list
instead of once per row: ``url_for`` with a marker in place of the row's value, split there;
``link(value)`` then only joins three strings::

    {% set show = row_link("households.show", "household_id") %}
    {% for p in profiles %}<a href="{{ show(p.id) }}">{% endfor %}
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, request, url_for
from markupsafe import Markup
from werkzeug.routing import BuildError

from portal.core.i18n import current_locale_name

# Fragments per app and process: a handful of names times two languages times the kinds of
# user; the limit only guards against a key that would grow without bound.
FRAGMENT_LIMIT = 500
ASSET_MAX_AGE = 365 * 24 * 3600


def _request_root() -> str:
    return request.script_root if request else ""


# Put in place of the row's value: one for string and path arguments, one for int converters.
_MARKERS = ("rowlinkmarker", 9876543210123)


class RowLink:
    """``url_for(endpoint, **values, **{arg: value})`` for the rows of a list: the address is
    built once with a marker as ``arg`` and split there."""

    __slots__ = ("head", "tail")

    def __init__(self, endpoint: str, arg: str, **values: Any) -> None:
        for marker in _MARKERS:
            try:
                url = url_for(endpoint, **values, **{arg: marker})
            except (BuildError, ValueError):  # ValueError: an int converter given the string
                continue
            self.head, _marker, self.tail = url.partition(str(marker))
            return
        raise BuildError(endpoint, {**values, arg: "?"}, None)

    def __call__(self, value: Any) -> str:
        return f"{self.head}{quote(str(value), safe='')}{self.tail}"


def init_fragments(app: Flask) -> None:
    fragments: dict[tuple[Any, ...], Markup] = {}
    assets: dict[tuple[str, str], str] = {}
    fingerprints: dict[str, str] = {}

    def fragment(name: str, *key: Any, caller) -> Markup:
        cache_key = (name, key, current_locale_name(), _request_root())
        markup = fragments.get(cache_key)
        if markup is None:
            markup = Markup(caller())  # noqa: S704 - the template's own rendered markup
            if len(fragments) < FRAGMENT_LIMIT and not app.debug:  # debug: edits show at once
                fragments[cache_key] = markup
        return markup

    def fingerprint(filename: str) -> str:
        version = fingerprints.get(filename)
        if version is None or app.debug:  # debug: an edited file shows at once
            path = Path(app.static_folder or "", filename)
            version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            fingerprints[filename] = version
        return version

    def asset_url(filename: str) -> str:
        root = _request_root()
        url = assets.get((filename, root))
        if url is None or app.debug:
            url = url_for("static", filename=filename, v=fingerprint(filename))
            assets[(filename, root)] = url
        return url

    @app.after_request
    def cache_fingerprinted_assets(response: Response) -> Response:
        # Only a file asked for by its fingerprint: the same address always has the same
        # content, so any cache may keep it (the files are the same for everybody).
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and "v" in request.args
            and request.args["v"] == fingerprint(request.view_args["filename"])
        ):
            response.cache_control.no_cache = False  # what Flask sends without a max age
            response.cache_control.public = True
            response.cache_control.max_age = ASSET_MAX_AGE
            response.cache_control.immutable = True
        return response

    app.jinja_env.globals["fragment"] = fragment
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["row_link"] = RowLink
