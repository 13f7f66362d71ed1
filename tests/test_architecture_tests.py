"""The suite's own house rule: a test module imports shared helpers from ``tests/builders.py``,
``tests/factories.py``, ``tests/conftest.py`` or another helper module, never from another
``test_*.py`` module (importing one runs and registers its tests a second time, and ties tests
that have nothing to do with each other)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):  # also the imports inside functions
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:  # from .test_x import y
            found.append((node.lineno, "." * node.level + (node.module or "")))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def imports_a_test_module(module: str) -> bool:
    parts = module.lstrip(".").split(".")
    local = module.startswith(".")
    return (local or parts[0] == "tests") and any(part.startswith("test_") for part in parts)


def test_no_test_module_imports_from_another_test_module():
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, module in imported_modules(path)
        if imports_a_test_module(module)
    ]
    assert offenders == [], "move the shared helper to tests/builders.py:\n" + "\n".join(offenders)


def test_the_check_finds_such_imports():
    assert imports_a_test_module("tests.placements.test_backoffice")
    assert imports_a_test_module("tests.core.test_outbox.Collector")
    assert imports_a_test_module(".test_form")
    assert not imports_a_test_module("tests.builders")
    assert not imports_a_test_module("tests.security.routes.valid_form")
    assert not imports_a_test_module("portal.core.test_helpers")  # not a module of the suite
