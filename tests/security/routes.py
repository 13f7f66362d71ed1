"""Every route of the app as (endpoint, method, URL arguments), the path of each for the attack
world, and form data each would accept: shared by the route x role matrix and the other walks
over all routes (headers, unconfirmed accounts, large numbers, sequential ids)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import url_for

from portal import create_app
from portal.core import clock
from tests.conftest import base_config
from tests.security.rules import OTHER_LANDLORD
from tests.security.world import url_values_for

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


def route_path(app, world, endpoint: str, arguments: tuple[str, ...]) -> str:
    with app.test_request_context():
        return url_for(endpoint, **url_values_for(world, endpoint, set(arguments)))


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
        "households_backoffice.open_prevention": {
            "opened_on": clock.today().isoformat(),
            "threat": "other",
            "landlord_name": "Angriff",
        },
        "reports_backoffice.submit": {"recipient": "Angriff", "reason": "Angriff"},
        "reports_backoffice.annex_export": {"kind": "csv", "purpose": "query"},
        "households_backoffice.link_prevention": {
            "mediation_case_id": str(world.url_values["case_id"])
        },
        "households_backoffice.record_prevention_outcome": {
            "outcome": "lost",
            "outcome_on": clock.today().isoformat(),
        },
        "placements.viewing_times": {"slots": "Montag 10 Uhr"},
        "placements.write_message": {"message_body": "Angriff"},
        "placements_backoffice.write_message": {"message_body": "Angriff"},
        "mediation.write_message": {"message_body": "Angriff"},
        "mediation_backoffice.write_message": {"message_body": "Angriff"},
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
