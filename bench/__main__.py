"""Every benchmark in one run, one table: ``make bench`` (or ``.venv/bin/python -m bench``).

BENCH_SIZE=tiny            the smoke size (seconds; proves the benchmarks run, measures nothing)
BENCH_ONLY=pages,reports   a subset
BENCH_DATABASE_URL=...     PostgreSQL instead of SQLite files (emptied and seeded)
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (  # noqa: E402
    annex,
    every_page,
    households,
    pages,
    photos,
    placements,
    render,
    reports,
)
from bench.common import hello_rows, print_table, size_from_env  # noqa: E402
from portal.core import clock  # noqa: E402

BENCHMARKS = {
    "pages": pages.run,
    "households": households.run,
    "placements": placements.run,
    "reports": reports.run,
    "annex": annex.run,
    "photos": photos.run,
    "every_page": every_page.run,
    "render": render.run,
}


def main() -> None:
    size = size_from_env()
    only = [n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()]
    chosen = {name: run for name, run in BENCHMARKS.items() if not only or name in only}
    rows = []
    started = time.perf_counter()
    for name, run in chosen.items():
        print(f"running {name} ({size.name} size) ...", flush=True)
        rows += run(size)
    database = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print()
    print_table(
        hello_rows() + rows,
        f"Benchmarks, {clock.now():%Y-%m-%d %H:%M} Berlin, {size.name} size, {database}, "
        f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, gunicorn 2 sync workers, 8 connections "
        f"({time.perf_counter() - started:.0f} s)",
    )


if __name__ == "__main__":
    main()
