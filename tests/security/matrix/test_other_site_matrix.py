"""Staff of another site (issue 19): every back-office route of the attack world, as a staff
member of a second site holding a role the route allows.

- a route naming an object of the first site (a household, flat, placement, case, ...): 404,
  GET and POST (with a valid CSRF token), and nothing changes;
- a route naming no object (lists, the home page, the reports): the page, without one code,
  name or case number of the first site.
"""

from __future__ import annotations

import pytest

from tests.conftest import Browser
from tests.security import rules
from tests.security.routes import ROUTES, route_path, valid_form
from tests.security.rules import ADMIN, SOCIAL_WORKER, SPECIALIST
from tests.security.world import fingerprint, log_in

STAFF_ORDER = (SPECIALIST, SOCIAL_WORKER, ADMIN)
# URL arguments that name an object of the first site.
SITE_OBJECTS = frozenset(
    {
        "flat_id",
        "flat_key",
        "photo_key",
        "household_id",
        "consent_id",
        "placement_id",
        "placement_key",
        "follow_up_id",
        "item_id",
        "interest_id",
        "case_id",
        "case_key",
        "prevention_id",
        "submission_id",
        "slug",  # the first site itself (its admin page)
    }
)

# Routes on a staff account of the first site (a colleague's second factor).
STAFF_OBJECTS = frozenset({"backoffice.reset_second_factor"})


def _staff_role(endpoint: str, method: str) -> str | None:
    allowed = rules.allowed(endpoint, method)
    return next((role for role in STAFF_ORDER if role in allowed), None)


def cases():
    for endpoint, method, arguments in ROUTES:
        role = _staff_role(endpoint, method)
        if role is None:
            continue  # no staff role may use it: the route x role matrix covers it
        objects = (
            bool(SITE_OBJECTS & set(arguments)) or endpoint == "backoffice.reset_second_factor"
        )
        if method == "POST" and not objects:
            continue  # starting new work in one's own site (the domain tests)
        yield pytest.param(endpoint, method, arguments, role, objects, id=f"{endpoint}-{method}")


@pytest.mark.parametrize(("endpoint", "method", "arguments", "role", "objects"), list(cases()))
def test_other_site_staff(app, client, world, endpoint, method, arguments, role, objects):
    path = route_path(app, world, endpoint, arguments)
    log_in(client, world.other_site_users[role])
    before = fingerprint()
    if method == "GET":
        response = client.get(path)
    else:
        token = Browser(client).csrf("/")
        data = valid_form(endpoint, world)
        data["csrf_token"] = token
        for prefix in ("cancel", "note", "follow_up", "set", "csv"):
            data[f"{prefix}-csrf_token"] = token
        response = client.post(path, data=data, headers={"X-CSRFToken": token})
    body = response.get_data().decode("utf-8", "replace")  # CSV files may be in cp1252
    if objects:
        assert response.status_code == 404, (response.status_code, body[:300])
    else:
        assert response.status_code in (200, 302), (response.status_code, body[:300])
        if response.status_code == 302:
            assert not response.headers["Location"].startswith("/account/login")
        leaked = [marker for marker in world.site_markers if marker in body]
        assert leaked == [], f"{path} shows the other site's {leaked}"
        return  # an export of one's own site's figures is recorded in the audit trail
    assert fingerprint() == before, f"{method} {path} as another site's {role} changed the data"
