"""Numbers no database column can hold, in every id of every route and in the query strings
and forms that take whole numbers (issue 13, item 5).

Every route with an ``<int:...>`` argument is asked, as a role that may use it, with each of its
int arguments replaced by 2^63 (one past the largest BIGINT), 10^30, 2^31 (one past the largest
INTEGER, the type of every id) and 2^31 - 1 (the largest, which reaches the view and must find
nothing): 404 every time, never a server error (SQLite used to raise OverflowError, PostgreSQL
"integer out of range": 500). POST-only routes get a valid CSRF token, so that only the id
decides.
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from flask import url_for

from portal import create_app
from portal.core.converters import MAX_ID
from tests.conftest import Browser, base_config
from tests.security import rules
from tests.security.conftest import STATS
from tests.security.routes import valid_form
from tests.security.rules import ANONYMOUS, OWNER, ROLES
from tests.security.world import fingerprint, log_in, url_values_for

HUGE = (2**63, 10**30, MAX_ID + 1, MAX_ID)


def int_routes():
    """(endpoint, method, int arguments, all arguments) of every route with an int converter."""

    from werkzeug.routing import IntegerConverter as IdConverter

    with TemporaryDirectory() as tmp:
        app = create_app(base_config(Path(tmp), DATABASE_URL="sqlite://"))
    found = []
    for rule in app.url_map.iter_rules():
        ints = sorted(n for n, c in rule._converters.items() if isinstance(c, IdConverter))
        if not ints:
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            # GET when the route has it; POST only for POST-only routes.
            if method == "POST" and "GET" in rule.methods:
                continue
            found.append((rule.endpoint, method, tuple(ints), tuple(sorted(rule.arguments))))
    return sorted(found)


INT_ROUTES = int_routes()


def _role_for(endpoint: str, method: str) -> str:
    allowed = rules.allowed(endpoint, method)
    for role in (OWNER, *ROLES):
        if role in allowed and role != ANONYMOUS:
            return role
    return ANONYMOUS if ANONYMOUS in allowed else OWNER


def test_every_int_route_is_covered():
    # 47 (route, method) pairs at the time of writing; fewer means the walk lost some.
    assert len(INT_ROUTES) >= 30, INT_ROUTES


@pytest.mark.parametrize(
    ("endpoint", "method", "ints", "arguments"),
    INT_ROUTES,
    ids=[f"{e}-{m}" for e, m, _, _ in INT_ROUTES],
)
def test_numbers_beyond_any_id_answer_404(app, client, world, endpoint, method, ints, arguments):
    role = _role_for(endpoint, method)
    if role != ANONYMOUS:
        log_in(client, world.users[role])
    values = url_values_for(world, endpoint, set(arguments))
    token = Browser(client).csrf("/") if method == "POST" else None
    before = fingerprint() if method == "POST" else None
    for name in ints:
        for number in HUGE:
            with app.test_request_context():
                path = url_for(endpoint, **{**values, name: number})
            if method == "GET":
                response = client.get(path)
            else:
                data = valid_form(endpoint, world)
                data["csrf_token"] = token
                for prefix in ("cancel", "note", "follow_up", "set", "csv"):
                    data[f"{prefix}-csrf_token"] = token
                response = client.post(path, data=data, headers={"X-CSRFToken": token})
            assert response.status_code == 404, (path, role, response.status_code)
            STATS["large ids tried"] += 1
    STATS["routes with int ids"] += 1
    if method == "POST":
        assert fingerprint() == before
