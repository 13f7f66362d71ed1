"""The modules here share one world of objects (``tests/security/world.py``), built once per
module inside a transaction that is rolled back at its end."""

from __future__ import annotations

import pytest

from portal.extensions import limiter
from tests.security.world import build_world, module_transaction


@pytest.fixture(scope="module", autouse=True)
def db(app, tmp_path_factory):
    """The world's transaction, for the whole module (it replaces the per-test one)."""
    with pytest.MonkeyPatch.context() as patch:  # ``monkeypatch`` is per test, this per module
        patch.setitem(app.config, "UPLOAD_DIR", str(tmp_path_factory.mktemp("world-uploads")))
        with module_transaction(app):
            yield


@pytest.fixture(scope="module")
def world(app, db):
    return build_world(app)


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
