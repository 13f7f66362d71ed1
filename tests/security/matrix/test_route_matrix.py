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

import tempfile
from pathlib import Path

import pytest
from flask import url_for

from portal import create_app
from portal.core import clock
from tests.conftest import Browser, base_config
from tests.security import rules
from tests.security.rules import ANONYMOUS, OTHER_LANDLORD, OWN, ROLES, RULES
from tests.security.world import (
    fingerprint,
    log_in,
    url_values_for,
)

METHODS = ("GET", "POST")


def registered_routes() -> list[tuple[str, str, tuple[str, ...]]]:
    """(endpoint, method, URL arguments) for every route but ``static``, read from an app built
    only for collecting the tests."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(base_config(Path(tmp), DATABASE_URL="sqlite://"))
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & set(METHODS)):
            routes.add((rule.endpoint, method, tuple(sorted(rule.arguments))))
    return sorted(routes)


ROUTES = registered_routes()
ENDPOINTS = {endpoint for endpoint, _, _ in ROUTES}


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


def _path(app, world, endpoint: str, arguments: tuple[str, ...]) -> str:
    with app.test_request_context():
        return url_for(endpoint, **url_values_for(world, endpoint, set(arguments)))


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


@pytest.mark.parametrize(("endpoint", "method", "arguments", "role"), CASES)
def test_route_role(app, client, world, endpoint, method, arguments, role):
    assert endpoint in RULES, f"{endpoint} has no rule in tests/security/rules.py"
    path = _path(app, world, endpoint, arguments)
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
        # No CSRF token: even the right person's browser cannot be made to send this.
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


def valid_form(endpoint: str, world) -> dict:
    """Data the form of ``endpoint`` would accept, so that only the rights refuse it."""
    from datetime import timedelta

    soon = (clock.today() + timedelta(days=14)).isoformat()
    return {
        "accounts.login": {"email": world.emails[OTHER_LANDLORD], "password": "x" * 12},
        "accounts.invite": {"email": "new.colleague@example.org"},
        "accounts.profile": {"full_name": "Mallory", "phone": "", "locale": "en"},
        "listings.create": {"street": "Angriffsweg", "action": "save"},
        "listings.edit": {"street": "Angriffsweg", "action": "save"},
        "listings.photo_caption": {"caption": "owned"},
        "listings_backoffice.review": {"decision": "publish", "comment": ""},
        "listings_backoffice.rent_limit_table": {
            "set-valid_from": soon,
            "set-source": "Angriff",
            **{f"set-amount_{n}": "999,00" for n in range(1, 6)},
        },
        "households.interest": {"flat": world.url_values["flat_key"], "message": "x"},
        "households_backoffice.create": {
            "adults": "1",
            "children": "0",
            "earliest_move_in": soon,
            "cost_bearer": "jobcenter",
        },
        "households_backoffice.edit": {
            "adults": "1",
            "children": "0",
            "earliest_move_in": soon,
            "cost_bearer": "jobcenter",
        },
        "households_backoffice.record_consent": {"given_on": clock.today().isoformat()},
        "households_backoffice.change_status": {"to": "paused"},
        "placements.viewing_times": {"slots": "Montag 10 Uhr"},
        "placements_backoffice.take_step": {"cancel-cancel_reason": "other", "cancel-note": "x"},
        "placements_backoffice.add_note": {"note-note": "Angriff"},
        "placements_backoffice.record_follow_up": {"follow_up-outcome": "all_well"},
        "mediation_backoffice.add_note": {"note": "Angriff"},
        "mediation_backoffice.reply": {"reply_text": "Angriff"},
        "mediation_backoffice.change_status": {"status": "resolved"},
        "mediation_backoffice.assign": {"assigned_to": str(world.specialist_id)},
        "mediation_backoffice.link_placement": {
            "placement_id": str(world.url_values["placement_id"])
        },
        "public.set_language": {"locale": "de"},
    }.get(endpoint, {})
