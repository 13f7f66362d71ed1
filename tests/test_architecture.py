"""The floors of the house (docs/architecture.md): a module imports only from its own domain and
from the floors below it, never from a floor above or from a neighbour on the same floor.

Floors, lowest first:

    ground      portal.config, portal.extensions and portal.core (everything stands on them)
    sites       the sites of a deployment and the one filter of staff queries by site: every
                domain's rows belong to a site, so it stands right above the ground
    accounts
    listings
    households
    placements  the workflow after a match: interests, placements, aftercare
    matching    which households fit which flats and why; reads listings and households and
                shows where a placement is under way, so it stands on placements (whose
                workflow does not use it: a placement starts from an interest or a proposal)
    mediation
    reports, privacy, sites   side by side: none imports another (sites: the admin's
                operations, command line and page; the site model, the staff filter and the
                site texts stand on the ground floor, as every floor's rows belong to a site)
    dashboards  the staff home and the landlord's own figures: they summarise the floors below
    demo        demo data (portal/demo, portal/*/demo.py): built through every floor
    roof        portal/__init__.py (create_app wires every floor together)

Every import counts, also one inside a function: an import moved into a function to dodge a
cycle is still a stair going up. A lower floor that needs a floor above asks through a hook
(``portal.core.hooks``) that the floor above connects to.
"""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

import pytest

PORTAL = Path(__file__).resolve().parents[1] / "portal"
FLOORS = {
    "core": 0,
    "accounts": 1,
    "listings": 2,
    "households": 3,
    "placements": 4,
    "matching": 5,
    "mediation": 6,
    "reports": 7,
    "privacy": 7,
    "sites": 7,
    "dashboards": 8,
    "demo": 9,
}
GROUND = {"config", "extensions"}
# The site foundation (DESIGN.md §9) every floor stands on: the rows of every floor belong to a
# site, and every staff query is filtered by it.
SITE_GROUND = {
    f"portal.sites{name}"
    for name in ("", ".models", ".labels", ".scope", ".texts", ".queries", ".choice")
}
ROOF = 100


# Imports up that are allowed (none: keep it so).
KNOWN: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def place(module: str) -> tuple[int, str]:
    """(floor, domain) of a module inside portal."""
    parts = module.split(".")
    if len(parts) == 1:
        return ROOF, "portal"
    top = parts[1]
    if top in GROUND or module in SITE_GROUND:
        return FLOORS["core"], "core"
    if top == "demo" or parts[-1] == "demo":
        return FLOORS["demo"], "demo"
    if top not in FLOORS:
        raise AssertionError(f"{module}: on no floor; add its domain to FLOORS")
    return FLOORS[top], top


def _imported(module: str, node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: resolve against the importing package
            base = module.split(".")[: -node.level]
            target = ".".join([*base, node.module] if node.module else base)
        else:
            target = node.module or ""
        # "from portal.placements import release" imports the module portal.placements.release
        return [f"{target}.{alias.name}" for alias in node.names] if target else []
    return []


def _target(name: str) -> str | None:
    """The portal module an imported name lives in (a name of a module counts as the module)."""
    if name != "portal" and not name.startswith("portal."):
        return None
    parts = name.split(".")
    while parts:
        candidate = PORTAL.parent.joinpath(*parts)
        if candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists():
            return ".".join(parts)
        parts.pop()
    return None


def stairs() -> list[str]:
    found = []
    for path in sorted(PORTAL.rglob("*.py")):
        module = _module_name(path)
        floor, domain = place(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported(module, node):
                target = _target(name)
                if target is None:
                    continue
                to_floor, to_domain = place(target)
                up = to_floor > floor or (to_floor == floor and to_domain != domain)
                known = any(
                    module == a and (target == b or (b.endswith("*.demo") and to_domain == "demo"))
                    for a, b in KNOWN
                )
                if up and not known:
                    where = f"{path.relative_to(PORTAL.parent)}:{node.lineno}"
                    found.append(f"{where} {module} -> {target}")
    return found


def test_no_import_goes_up_a_floor():
    found = stairs()
    assert not found, "imports going up a floor:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("portal", (ROOF, "portal")),
        ("portal.extensions", (0, "core")),
        ("portal.core.audit", (0, "core")),
        ("portal.matching", (5, "matching")),
        ("portal.reports.demo", (9, "demo")),
        ("portal.demo.reports", (9, "demo")),
        ("portal.dashboards", (8, "dashboards")),
    ],
)
def test_floors(module, expected):
    assert place(module) == expected


def test_the_checker_sees_an_import_inside_a_function():
    source = "def f():\n    from portal.placements import release\n"
    tree = ast.parse(source)
    names = [n for node in ast.walk(tree) for n in _imported("portal.listings.x", node)]
    assert names == ["portal.placements.release"]
    assert place(_target(names[0])) == (4, "placements")


def test_every_package_has_an_init():
    for folder in PORTAL.iterdir():
        if folder.is_dir() and any(folder.rglob("*.py")):
            assert (folder / "__init__.py").exists(), folder


def test_package_data_holds_every_data_file():
    """A wheel ships what pyproject's package-data names: every file under portal/ that is not
    Python must match one of its patterns (listings/data was missing once: a wheel install
    broke)."""
    import tomllib

    config = tomllib.loads((PORTAL.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["portal"]
    data = [
        path.relative_to(PORTAL).as_posix()
        for path in PORTAL.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    ]
    assert data

    # Path.match's "*" stays within one folder, like setuptools'.
    def matched(name: str) -> bool:
        path = PurePosixPath(name)
        return any(
            len(path.parts) == len(PurePosixPath(p).parts) and path.match(p) for p in patterns
        )

    assert [name for name in data if not matched(name)] == []


def test_labels_live_in_the_labels_module_of_their_domain():
    """State names, reasons and kinds (``*_LABELS``, ``*_TEXTS``) are defined in one place per
    domain, its labels.py, not in views, forms or presenters."""
    found = []
    for path in sorted(PORTAL.rglob("*.py")):
        if path.name == "labels.py" or place(_module_name(path))[1] == "demo":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                name = getattr(target, "id", "")
                if name.endswith(("_LABELS", "_TEXTS")):
                    found.append(f"{path.relative_to(PORTAL.parent)}:{node.lineno} {name}")
    assert found == []
