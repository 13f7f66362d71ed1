"""portal.js (confirm dialogs, photo uploads) is loaded by the layout, once, on every page that
extends it; no template loads it on its own (so no page can forget it, as the staff page did)."""

from __future__ import annotations

from pathlib import Path

from tests import factories

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCRIPT = "js/portal.js"


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
    assert response.text.count('<script src="/static/js/portal.js" defer></script>') == 1
