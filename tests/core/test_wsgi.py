"""The serving entry point (``wsgi.py``) freezes what starting the app built, so that the
garbage collector does not walk it again in the requests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_served_app_leaves_its_start_to_the_permanent_generation(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.db'}",
        "SECRET_KEY": "test",
        "PORTAL_ENV": "development",
    }
    script = "import gc, wsgi; print(gc.get_freeze_count(), wsgi.app.name)"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    frozen, name = done.stdout.split()
    assert name == "portal"
    assert int(frozen) > 10_000  # the app, its routes, templates' code and translations
