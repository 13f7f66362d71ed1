"""Every landlord route with an account whose e-mail address is not confirmed (issue 13.1/13.2).

Someone who registers another person's address must not act as that account before the owner
confirms. So every route that a landlord may use and a visitor may not (read from ``rules.py``)
sends such an account to the confirm-first page and changes nothing, for GET and for a POST
with a valid CSRF token; only the pages of ``UNCONFIRMED_ALLOWED`` open.
"""

from __future__ import annotations

import pytest

from portal.accounts.permissions import UNCONFIRMED_ALLOWED
from tests.conftest import Browser
from tests.security import rules
from tests.security.conftest import STATS
from tests.security.routes import ROUTES, route_path, valid_form
from tests.security.rules import ANONYMOUS, LANDLORDS
from tests.security.world import fingerprint, log_in

CONFIRM_FIRST = "/account/confirm"


def landlord_routes():
    for endpoint, method, arguments in ROUTES:
        allowed = rules.allowed(endpoint, method)
        if allowed & LANDLORDS and ANONYMOUS not in allowed:
            yield endpoint, method, arguments


LANDLORD_ROUTES = sorted(landlord_routes())
WALKED = [r for r in LANDLORD_ROUTES if r[0] not in UNCONFIRMED_ALLOWED]


def test_the_exempt_pages_are_exactly_the_account_pages_of_the_issue():
    assert {
        "accounts.confirm_first",
        "accounts.resend_verification",
        "accounts.change_email",
    } == UNCONFIRMED_ALLOWED
    # The walk below covers the households' pages, the point of issue 13.2.
    walked = {endpoint for endpoint, _, _ in WALKED}
    assert {"households.index", "households.show", "accounts.invite"} <= walked
    assert {"twofactor.enable", "accounts.profile", "accounts.colleagues"} <= walked


@pytest.mark.parametrize(
    ("endpoint", "method", "arguments"),
    WALKED,
    ids=[f"{endpoint}-{method}" for endpoint, method, _ in WALKED],
)
def test_unconfirmed_landlord_is_sent_to_confirm_first(
    app, client, world, endpoint, method, arguments
):
    path = route_path(app, world, endpoint, arguments)
    log_in(client, world.unconfirmed)
    token = Browser(client).csrf("/")
    before = fingerprint()
    if method == "GET":
        response = client.get(path)
    else:
        data = valid_form(endpoint, world)
        data["csrf_token"] = token
        for prefix in ("cancel", "note", "follow_up", "set", "csv", "regen", "disable"):
            data[f"{prefix}-csrf_token"] = token
        response = client.post(path, data=data, headers={"X-CSRFToken": token})
    assert response.status_code == 302, (
        response.status_code,
        response.get_data(as_text=True)[:300],
    )
    assert response.headers["Location"] == CONFIRM_FIRST
    STATS["landlord routes walked by an unconfirmed account"] += 1
    assert fingerprint() == before, (
        f"{method} {path} by an unconfirmed account changed the database"
    )


def test_unconfirmed_landlord_opens_the_confirm_first_page(client, world):
    log_in(client, world.unconfirmed)
    page = client.get(CONFIRM_FIRST)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "/account/verify/resend" in html and "/account/email" in html
    assert "/account/logout" in html
    assert client.get("/account/email").status_code == 200
