"""Issue 13, item 8: no landlord page and no e-mail to a landlord carries a sequential id of a
flat (or its photos), a placement or a mediation case, in a link, a form's action, an anchor or
a select's option; they carry public keys. Every landlord page of the attack world is rendered
for its owner (flats with a photo, placements at the viewing and in aftercare, an interest, a
mediation case)."""

from __future__ import annotations

import re

from flask import url_for

from tests.conftest import outbox
from tests.security import rules
from tests.security.routes import ROUTES
from tests.security.rules import OWNER
from tests.security.world import log_in, url_values_for

# An id in a path, a query or an anchor: digits alone between separators (a key is 22
# URL-safe characters, never digits alone).
NUMBERED = [
    re.compile(r"/(?:flats|placements|mediation/mine|photos)/\d+(?=[/\"'?#\s<]|$)"),
    re.compile(r"[?&]placement=\d+(?![\w-])"),
    re.compile(r"(?:placement|caption)-\d+(?![\w-])"),
]
FLAT_SELECT = re.compile(r'<select[^>]*name="flat"[^>]*>(.*?)</select>', re.S)
OPTION_VALUE = re.compile(r'<option[^>]*value="([^"]*)"')


def _numbered(text: str) -> list[str]:
    found = [m.group(0) for pattern in NUMBERED for m in pattern.finditer(text)]
    for select_html in FLAT_SELECT.findall(text):
        found += [f"option {v}" for v in OPTION_VALUE.findall(select_html) if v.isdigit()]
    return found


def _landlord_pages(app, world) -> list[str]:
    paths = []
    for endpoint, method, arguments in ROUTES:
        if method != "GET" or OWNER not in rules.allowed(endpoint, "GET"):
            continue
        if endpoint in ("listings.photo_file", "placements.landlord_handover_download"):
            continue  # the image itself, the handover record's PDF
        with app.test_request_context():
            paths.append(url_for(endpoint, **url_values_for(world, endpoint, set(arguments))))
    # The mediation form as reached from a placement, with the placement's flat preselected.
    paths.append(f"/mediation/?placement={world.url_values['placement_key']}")
    return paths


def test_no_landlord_page_carries_a_sequential_id(app, client, world):
    log_in(client, world.users[OWNER])
    seen, selects = {}, 0
    for path in _landlord_pages(app, world):
        response = client.get(path)
        assert response.status_code in (200, 302), (path, response.status_code)
        text = response.get_data(as_text=True) + response.headers.get("Location", "")
        seen[path] = _numbered(text)
        selects += len(FLAT_SELECT.findall(text))
    assert {path: found for path, found in seen.items() if found} == {}
    # The scan saw what it is about: the world's keys are on the pages, and a flat choice.
    pages = "".join(client.get(path).get_data(as_text=True) for path in seen)
    for key in ("flat_key", "placement_key", "case_key"):
        assert world.url_values[key] in pages, key
    assert selects >= 1


def test_the_scan_finds_what_the_pages_carried_before():
    # What the landlord pages carried before the public keys.
    flat_id, placement_id, case_id = "1234", "5678", "9012"
    old_page = (
        f'<a href="/flats/{flat_id}">x</a><form action="/flats/{flat_id}/edit">'
        f'<a href="/placements/{placement_id}">y</a><li id="placement-{placement_id}">'
        f'<a href="/mediation/?placement={placement_id}">z</a>'
        f'<a href="/mediation/mine/{case_id}">c</a>'
        f'<select id="flat" name="flat"><option value="">-</option>'
        f'<option selected value="{flat_id}">Musterstraße</option></select>'
    )
    assert len(_numbered(old_page)) == 7
    keyed = old_page.replace(flat_id, "Ab3_x-9Kq").replace(placement_id, "7Q-a")
    assert _numbered(keyed) == [f"/mediation/mine/{case_id}"]


def test_no_mail_to_the_landlord_carries_a_sequential_id(world):
    mails = outbox(world.emails[OWNER])
    assert mails  # the placements of the world told the landlord
    found = {m.subject: _numbered(m.body_text) for m in mails}
    assert {subject: ids for subject, ids in found.items() if ids} == {}
