"""portal.js (confirm dialogs, photo uploads) is loaded by the layout, once, on every page that
extends it; no template loads it on its own (so no page can forget it, as the staff page did)."""

from __future__ import annotations

import re
from pathlib import Path

from tests import factories

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCRIPT = "js/portal.js"
SCRIPT_TAG = re.compile(r'<script src="/static/js/portal\.js\?v=[0-9a-f]+" defer></script>')


def test_only_the_layout_loads_the_script():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert base.count(SCRIPT) == 1
    others = [
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*.html")
        if path.name != "base.html" and SCRIPT in path.read_text(encoding="utf-8")
    ]
    assert others == []


def test_a_page_with_a_confirm_button_loads_the_script(app, auth):
    factories.user_for_role("specialist")  # enrolled: the admin's page offers a reset
    auth.login("admin")
    response = auth.client.get("/backoffice/staff")
    assert response.status_code == 200
    assert "data-confirm=" in response.text
    assert len(SCRIPT_TAG.findall(response.text)) == 1


def test_assets_are_fingerprinted_and_cached_by_their_fingerprint(client):
    """The layout links each file in static/ with a fingerprint of its content; asked for by
    that address the file may be kept a year by any cache (it is the same for everybody), by
    a plain or a stale address it is served as before."""
    page = client.get("/").text
    css = re.search(r'href="(/static/css/portal\.css\?v=([0-9a-f]{12}))"', page)
    assert css is not None
    fingerprinted = client.get(css.group(1))
    assert fingerprinted.status_code == 200
    assert fingerprinted.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for other in ("/static/css/portal.css", "/static/css/portal.css?v=000000000000"):
        response = client.get(other)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")
    assert "public" not in client.get("/").headers.get("Cache-Control", "")
