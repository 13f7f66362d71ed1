"""Every benchmark runs at the tiny size, so that a benchmark broken by a change fails CI.
Nothing here measures speed (CONVENTIONS: timing goes in benchmarks): each benchmark runs as
``make bench`` runs it, in its own process, and its table is only checked to be there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS

pytestmark = pytest.mark.own_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_benchmark_runs_at_the_tiny_size(name):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PORTAL_ENV", "BENCH_DATABASE_URL", "DATABASE_URL"}
    }
    result = subprocess.run(
        [sys.executable, "-m", "bench"],
        cwd=ROOT,
        env={**env, "BENCH_SIZE": "tiny", "BENCH_ONLY": name},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout.split("\nbenchmark ", 1)[-1]
    rows = [line for line in table.splitlines()[2:] if line.startswith(name)]
    assert rows, result.stdout
