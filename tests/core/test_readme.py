"""The README points only at files of the project, and its layout names every package of
portal/ (it once listed 5 of 8 domains and linked a design file outside the project)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_links_stay_inside_the_project_and_resolve():
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        assert "../shared/" not in text, doc.name
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # an address on the web, or mailto:
            assert (doc.parent / target).resolve().is_relative_to(ROOT), (doc.name, target)
            assert (doc.parent / target).exists(), (doc.name, target)


def test_layout_names_every_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    packages = sorted(
        path.name
        for path in (ROOT / "portal").iterdir()
        if path.is_dir() and any(path.glob("*.py"))
    )
    assert len(packages) >= 8
    missing = [name for name in packages if f"  {name}/" not in layout]
    assert missing == []
    assert "docs/architecture.md" in layout
