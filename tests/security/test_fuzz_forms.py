"""The main forms under generated hostile input (hypothesis): very long strings, Unicode with
right-to-left marks, emoji and combining characters, NUL bytes, markup, template syntax and SQL
fragments, in every text field and in some numbers and dates.

For every input: no server error; no payload comes back unescaped, neither in the answer nor on
the page the answer redirects to (where stored values are shown); template syntax is never
evaluated; and a refused form stores nothing (row counts unchanged).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.core import clock
from portal.extensions import limiter
from portal.listings.models import District
from portal.placements.models import State
from tests.builders import placement_in, world
from tests.conftest import csrf_from
from tests.security.conftest import STATS
from tests.security.world import row_counts
from tests.services import TEST_PASSWORD

NASTY = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "javascript:alert(1)",
    "zz{{7*7}}zz",
    "{{1337*1337}}",
    "{% raw %}",
    "{% endraw %}{{ config }}",
    "{{ self.__init__.__globals__ }}",
    "${7*7}#{7*7}",
    "' OR 1=1 --",
    "'; DROP TABLE users; --",
    '" OR ""="',
    "1; SELECT pg_sleep(5)",
    "%s%s%s%n",
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: x=y",
    "\u202eevil\u202c.exe",
    "\u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f3e0",
    "e\u0301\u0302\u0303\u0304\u0305\u0306\u0307",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319",
    "\ufeff\ufffe\uffff",
    "A" * 10_000,
    "\u00e4" * 70_000,
    "../../../../etc/passwd",
    "0",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "",
    " ",
]
# What must never appear in a page: the evaluated template expressions and the raw script.
NEVER = ["<script>alert(1)</script>", "zz49zz", "1787569", "onerror=alert(1)>"]
MARKUP = re.compile(r"<[A-Za-z/!?]")

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(max_size=8),
        st.sampled_from(NASTY[:25]),
        st.text(max_size=8),
    ),
)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Target:
    """A form: where it is, what a valid submission holds, which fields get the payloads
    (``text``: free text; ``other``: choices, numbers and dates)."""

    path: str
    valid: dict[str, str]
    text: list[str]
    other: list[str] = field(default_factory=list)
    token_field: str = "csrf_token"
    page: str | None = None  # the page that shows the form (for the CSRF token and hidden fields)
    hidden: Callable[[str], dict[str, str]] = field(default=lambda html: {})  # from the page
    # Tables a refused submission may legitimately write to (a failed login is audited).
    may_write: tuple[str, ...] = ()
    unique_email: bool = False  # registration: a fresh address each time, so it can succeed


def run(browser, target: Target, payloads: dict[str, str]) -> None:
    limiter.reset()
    page = browser.client.get(target.page or target.path, follow_redirects=True)
    html = page.get_data(as_text=True)
    data = {**target.valid, **target.hidden(html), **payloads}
    if target.unique_email and "email" not in payloads:
        STATS["_n"] += 1
        data["email"] = f"fuzz{STATS['_n']}@example.org"
    data[target.token_field] = csrf_from(html)
    before = row_counts()
    response = browser.client.post(target.path, data=data)
    STATS["fuzz inputs (form submissions)"] += 1
    STATS["fuzz values (fields filled)"] += len(payloads)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    pages = [response.get_data(as_text=True)]
    if response.status_code == 302:
        STATS["fuzz inputs accepted and stored"] += 1
        location = response.headers["Location"]
        assert not urlsplit(location).netloc or urlsplit(location).netloc == "localhost"
        followed = browser.client.get(location)
        assert followed.status_code < 500
        pages.append(followed.get_data(as_text=True))
    else:
        after = row_counts()
        for table in target.may_write:
            before.pop(table), after.pop(table)
        assert after == before, "a refused form stored something"
    for html in pages:
        for never in NEVER:
            assert never not in html, (never, payloads)
        for value in payloads.values():
            if MARKUP.search(value) and len(value) < 5000:
                assert value not in html, value


def fuzz(target_fields: list[str]):
    """A payload for some of the fields; the others keep their valid value (``None``), so that
    hostile text also gets past validation into the database and onto the pages."""
    return st.fixed_dictionaries(
        {name: st.one_of(st.none(), values) for name in target_fields}
    ).map(lambda chosen: {k: v for k, v in chosen.items() if v is not None})


# The forms: each builds what it needs, logs in, and says where to post ----------------------


def registration(app, browser) -> Target:
    return Target(
        "/account/register",
        {
            "kind": "company",
            "organisation_name": "Ruhrort Wohnen GmbH",
            "full_name": "Anna Becker",
            "email": "anna@example.org",
            "phone": "0203 55555",
            "password": "lange sichere Passphrase 2026",
            "accept_privacy": "y",
        },
        ["organisation_name", "full_name", "phone", "password", "email"],
        ["kind"],
        unique_email=True,
    )


def login(app, browser) -> Target:
    return Target(
        "/account/login",
        {"email": "nobody@example.org", "password": TEST_PASSWORD},
        ["email", "password"],
        ["next"],
        may_write=("audit_events",),
    )


def flat(app, browser) -> Target:
    from portal.extensions import db

    browser.login("landlord")
    district = db.session.scalar(select(District.id).where(District.name == "Hochfeld"))
    valid = {
        "street": "Wanheimer Straße",
        "house_number": "12a",
        "postcode": "47053",
        "district_id": str(district),
        "floor": "1",
        "rooms": "2,5",
        "living_area": "61,5",
        "cold_rent": "395,00",
        "service_charges": "120,00",
        "heating_costs": "75,00",
        "warm_water": "central",
        "deposit": "1.185,00",
        "energy_certificate_pending": "y",
        "description": "Ruhig gelegen.",
        "available_from": (clock.today() + timedelta(days=14)).isoformat(),
        "action": "save",
    }
    return Target(
        "/flats/new",
        valid,
        ["street", "house_number", "postcode", "description"],
        ["rooms", "cold_rent", "available_from", "district_id", "action", "floor"],
    )


def household(app, browser) -> Target:
    browser.login("social_worker")
    valid = {
        "adults": "2",
        "children": "1",
        "earliest_move_in": (clock.today() + timedelta(days=30)).isoformat(),
        "cost_bearer": "jobcenter",
        "profile_text": "Wir sind eine ruhige Familie.",
        "main_tenant_name": "Amira Haddad",
    }
    text = ["profile_text", "main_tenant_name", "adult_names", "phone", "email"]
    text += ["current_accommodation", "case_notes", "override_reason"]
    return Target(
        "/backoffice/households/new",
        valid,
        text,
        ["adults", "earliest_move_in", "max_gross_cold_rent", "cost_bearer"],
    )


def _started(html: str) -> dict[str, str]:
    match = re.search(r'name="started"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="started"', html
    )
    assert match
    return {"started": match.group(1)}


def mediation(app, browser) -> Target:
    valid = {
        "sender_kind": "tenant",
        "name": "Mira Beispiel",
        "email": "mira@example.org",
        "contact_by": "email",
        "topic": "neighbourhood",
        "flat_address": "Musterstraße 1",
        "message": "Laute Musik nachts, seit Wochen.",
        "consent": "y",
        "website": "",
    }
    return Target(
        "/mediation/",
        valid,
        ["name", "email", "phone", "flat_address", "message"],
        ["topic", "website", "sender_kind"],
        hidden=_started,
    )


def _placement(app, browser, state=State.MOVED_IN):
    w = world()
    placement = placement_in(app, w, state)
    browser.login(w.specialist)
    return placement, f"/backoffice/placements/{placement.id}"


def placement_note(app, browser) -> Target:
    _, page = _placement(app, browser)
    return Target(
        f"{page}/notes", {"note-note": "x"}, ["note-note"], token_field="note-csrf_token", page=page
    )


def placement_cancel(app, browser) -> Target:
    _, page = _placement(app, browser)
    return Target(
        f"{page}/steps/cancel",
        {"cancel-cancel_reason": "other", "cancel-note": "x"},
        ["cancel-note"],
        ["cancel-cancel_reason"],
        token_field="cancel-csrf_token",
        page=page,
    )


def follow_up(app, browser) -> Target:
    placement, page = _placement(app, browser)
    return Target(
        f"{page}/follow-ups/{placement.follow_ups[0].id}",
        {"follow_up-outcome": "all_well"},
        ["follow_up-note"],
        ["follow_up-outcome", "follow_up-done_on"],
        token_field="follow_up-csrf_token",
        page=page,
    )


def rent_limit(app, browser) -> Target:
    browser.login("admin")
    return Target(
        "/backoffice/rent-limits",
        {
            "set-valid_from": (clock.today() + timedelta(days=400)).isoformat(),
            "set-source": "Ratsbeschluss",
            "set-size_1": "450,00",
        },
        ["set-source"],
        ["set-valid_from", "set-size_1", "set-size_3"],
        token_field="set-csrf_token",
    )


def profile(app, browser) -> Target:
    browser.login("landlord")
    return Target(
        "/account/", {"full_name": "Lara", "locale": "en"}, ["full_name", "phone"], ["locale"]
    )


def viewing_times(app, browser) -> Target:
    w = world()
    placement = placement_in(app, w, State.LANDLORD_ACCEPTED)
    browser.login(w.landlord)
    page = f"/placements/{placement.public_key}"
    return Target(f"{page}/viewing-times", {"slots": "Montag 10 Uhr"}, ["slots"], page=page)


FORMS = [
    registration,
    login,
    flat,
    household,
    mediation,
    placement_note,
    placement_cancel,
    follow_up,
    rent_limit,
    profile,
    viewing_times,
]


@pytest.fixture(params=FORMS, ids=lambda f: f.__name__)
def target(app, browser, request, monkeypatch) -> Target:
    # The mediation form may be sent at once (the other forms do not read this setting).
    monkeypatch.setitem(app.config, "MEDIATION_MIN_SECONDS", 0)
    return request.param(app, browser)


@given(data=st.data())
@FUZZ
def test_fuzz_form(browser, target, data):
    """Generated values in some fields, valid ones in the rest."""
    payloads = data.draw(fuzz(target.text + target.other), label="payloads")
    run(browser, target, payloads)


def test_every_payload_in_every_text_field(browser, target):
    """Each hand-picked payload once in all the form's text fields together (with the other
    fields valid, so that it reaches the database whenever the form allows its length)."""
    for payload in NASTY:
        run(browser, target, dict.fromkeys(target.text, payload))


@pytest.mark.parametrize(
    "path", ["/backoffice/households/?q=a%00b", "/backoffice/placements/?state=%00"]
)
def test_nul_in_query_parameters_is_refused(browser, path):
    """PostgreSQL cannot compare with a string holding NUL: refused before any query runs."""
    browser.login("specialist")
    assert browser.client.get(path).status_code == 400
