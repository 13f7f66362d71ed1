"""Every route × every role, from ``app.url_map`` and ``rules.py``.

For each endpoint, method and role:

- allowed GET: the page (200) or a redirect that is not the login;
- refused GET or POST (a POST with a valid CSRF token, so that only the rights decide):
  anonymous visitors go to the login, everybody else gets 403 or 404 (another organisation's
  object: 404, so ids leak nothing), and not one row of the database changes;
- allowed POST without a CSRF token: 400, and nothing changes.

A route added without a line in ``rules.py`` fails here.
"""

from __future__ import annotations

import pytest

from tests.conftest import Browser
from tests.security import rules
from tests.security.routes import ENDPOINTS, ROUTES, route_path, valid_form
from tests.security.rules import ANONYMOUS, OTHER_LANDLORD, OWN, ROLES, RULES
from tests.security.world import fingerprint, log_in


def cases():
    for endpoint, method, arguments in ROUTES:
        for role in ROLES:
            yield pytest.param(endpoint, method, arguments, role, id=f"{endpoint}-{method}-{role}")


CASES = list(cases())


def test_every_endpoint_has_a_rule_and_every_rule_an_endpoint():
    assert sorted(ENDPOINTS - RULES.keys()) == [], "routes without a rule in rules.py"
    assert sorted(RULES.keys() - ENDPOINTS) == [], "rules for routes that do not exist"
    for endpoint, rule in RULES.items():
        if isinstance(rule, dict):
            methods = {m for e, m, _ in ROUTES if e == endpoint}
            assert set(rule) <= methods, f"{endpoint}: a rule for a method it does not take"
        roles = set().union(*rule.values()) if isinstance(rule, dict) else rule
        assert roles <= set(ROLES), endpoint


def _refused(response, role: str, endpoint: str) -> None:
    body = response.get_data(as_text=True)[:300]
    if role == ANONYMOUS:
        assert response.status_code == 302, body
        assert response.headers["Location"].startswith("/account/login"), response.headers
        return
    assert response.status_code in (403, 404), (response.status_code, body)
    if role == OTHER_LANDLORD and rules.allowed(endpoint, "GET") & OWN:
        # Organisation A's object: the other organisation must not learn that it exists.
        assert response.status_code == 404


# What a browser sends with a form another site made it submit.
CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
# The POSTs without a CSRF token, refused by their origin instead (core/security.py).
ORIGIN_CHECKED = {"public.set_language"}


@pytest.mark.parametrize(("endpoint", "method", "arguments", "role"), CASES)
def test_route_role(app, client, world, endpoint, method, arguments, role):
    assert endpoint in RULES, f"{endpoint} has no rule in tests/security/rules.py"
    path = route_path(app, world, endpoint, arguments)
    if role != ANONYMOUS:
        log_in(client, world.users[role])
    allowed = role in rules.allowed(endpoint, method)
    if method == "GET" and allowed:
        response = client.get(path)
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
        if response.status_code == 302:
            assert not response.headers["Location"].startswith("/account/login")
        return
    token = Browser(client).csrf("/") if not allowed else None
    before = fingerprint()
    if method == "GET":
        response = client.get(path)
    elif allowed:
        # No CSRF token, sent from another site as a forged form is: even the right person's
        # browser cannot be made to send this (the language switch, which has no token, is
        # refused by its origin: core/pages.py).
        response = client.post(path, data=valid_form(endpoint, world), headers=CROSS_SITE)
        assert response.status_code == 400, response.get_data(as_text=True)[:300]
        if endpoint not in ORIGIN_CHECKED:
            # And from no other site: only the listed POSTs may go without a token.
            response = client.post(path, data=valid_form(endpoint, world))
            assert response.status_code == 400, response.get_data(as_text=True)[:300]
    else:
        data = valid_form(endpoint, world)
        data["csrf_token"] = token
        for prefix in ("cancel", "note", "follow_up", "set", "csv"):
            data[f"{prefix}-csrf_token"] = token
        response = client.post(path, data=data, headers={"X-CSRFToken": token})
    if not (method == "POST" and allowed):
        _refused(response, role, endpoint)
    assert fingerprint() == before, f"{method} {path} as {role} changed the database"
