"""Annex I export benchmark (issue 17): the funding body's exact export of a year with 20,000
participants.

    .venv/bin/python bench/annex.py            # SQLite file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portal_bench_annex \\
        .venv/bin/python bench/annex.py

The database is emptied and seeded with bulk inserts (a fixed random seed): households taken in
during 2026 with one to five persons until there are ``size.households`` participant records
(20,000 at the full size), every Annex I field filled at random (a few declined answers and
empty fields), one in four participants with an exit and its results. On PostgreSQL the tables
are analysed after seeding.

Measured, each the median of ``size.runs`` runs after one warm-up, inside a request context as
the download runs: ``annex_files.render`` for the participants' CSV, the Annex I table's CSV
and the XLSX (participants and table, two sheets), each from the SELECT of the rows to the
file's bytes; and the table alone as the back-office page counts it. Target (issue): the export
in under 2 s, each file.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Row,
    Size,
    bench_app,
    count_queries,
    print_table,
    size_from_env,
    temp_sqlite_url,
)

YEAR = (date(2026, 1, 1), date(2026, 12, 31))
TODAY = date(2026, 11, 25)
TARGET_SECONDS = 2.0
BATCH = 5000
KINDS = ("csv", "table_csv", "xlsx")


def _insert(model, rows: list[dict]) -> None:
    from sqlalchemy import insert

    from portal.extensions import db

    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start : start + BATCH])


def _answer(rng: random.Random, yes: int, empty: int = 0) -> str | None:
    roll = rng.randrange(100)
    if roll < empty:
        return None
    if roll < empty + 4:
        return "no_answer"
    return "yes" if roll < empty + 4 + yes else "no"


def seed(app, participants: int) -> int:
    """Empty the database and seed households of 2026 with ``participants`` participant records;
    returns the number of participant rows."""
    from sqlalchemy import func, select, text

    from portal.extensions import db
    from portal.households.models import Household, Participant, age_band_at
    from portal.listings.reference import ensure_default_site

    rng = random.Random(2026)
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_default_site()  # every household belongs to a site
        households, sizes = [], []
        total = 0
        while total < participants:
            persons = rng.choices([1, 2, 3, 4, 5], [35, 25, 20, 13, 7])[0]
            persons = min(persons, participants - total)
            adults = min(persons, rng.choice([1, 2, 2]))
            intake = YEAR[0] + timedelta(days=rng.randrange((TODAY - YEAR[0]).days))
            leaves = rng.random() < 0.25 and intake + timedelta(days=30) < TODAY
            exit_on = intake + timedelta(days=rng.randrange(30, max(31, (TODAY - intake).days)))
            households.append(
                {
                    "code": f"DU-2026-{len(households) + 1:05d}",
                    "status": "withdrawn" if leaves else "vetted",
                    "status_changed_at": now,
                    "created_at": now,
                    "updated_at": now,
                    "adults": adults,
                    "children": persons - adults,
                    "needed_rooms": Decimal(min(persons + 1, 6)),
                    "needed_area": Decimal(50 + 15 * (persons - 1)),
                    "earliest_move_in": intake,
                    "cost_bearer": "jobcenter",
                    "waiting_since": intake,
                    "intake_on": intake,
                    "target_group": "other",
                    "exit_on": exit_on if leaves else None,
                    "exit_destination": "dropped_out" if leaves else None,
                }
            )
            sizes.append((adults, persons))
            total += persons
        _insert(Household, households)
        ids = db.session.scalars(select(Household.id).order_by(Household.id)).all()
        rows = []
        for household_id, row, (adults, persons) in zip(ids, households, sizes, strict=True):
            for position in range(persons):
                adult = position < adults
                born = rng.randrange(1950, 2008) if adult else rng.randrange(2009, 2026)
                done = row["exit_on"] is not None
                rows.append(
                    {
                        "household_id": household_id,
                        "position": position,
                        "gender": rng.choices(
                            ["female", "male", "non_binary", "no_answer"], [47, 47, 2, 4]
                        )[0],
                        "birth_year": born,
                        "age_band": age_band_at(born, row["intake_on"]).value,
                        "labour_status": rng.choice(
                            ["unemployed", "long_term_unemployed", "inactive", "employed"]
                        )
                        if adult
                        else "inactive",
                        "education": rng.choice(
                            ["isced_0_2", "isced_3_4", "isced_5_8", "none", "no_answer", None]
                        ),
                        "disability": _answer(rng, 8) or "no",
                        "third_country": _answer(rng, 55) or "no",
                        "foreign_background": _answer(rng, 60, empty=3),
                        "minority": _answer(rng, 10, empty=3),
                        "homeless": _answer(rng, 70, empty=3),
                        "rural": _answer(rng, 2, empty=3),
                        "exit_on": row["exit_on"] if done else None,
                        "result_job_searching": rng.random() < 0.4 if done else None,
                        "result_in_education": rng.random() < 0.1 if done else None,
                        "result_qualification": rng.random() < 0.05 if done else None,
                        "result_employed": rng.random() < 0.15 if done else None,
                    }
                )
        _insert(Participant, rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return db.session.scalar(select(func.count()).select_from(Participant))


def measure(app, runs: int) -> tuple[dict[str, tuple[float, float]], dict[str, int], int]:
    """Seconds per file, wall clock and this process's CPU time (each the median of ``runs``
    after a warm-up; the CPU time shows what the machine's other load adds to the wall clock),
    the files' sizes in bytes, and the SQL statements one XLSX takes."""
    from portal.extensions import db
    from portal.reports import annex, annex_files
    from portal.reports.periods import Period

    period = Period(*YEAR)
    jobs = {kind: (lambda k=kind: annex_files.render(k, period)[0]) for kind in KINDS}
    jobs["table (page)"] = lambda: annex.annex_table(period)
    seconds, sizes = {}, {}
    with app.test_request_context():
        with count_queries(db.engine) as statements:
            annex_files.render("xlsx", period)
        for name, job in jobs.items():
            result = job()  # warm-up: compiled statements, page cache
            if isinstance(result, bytes):
                sizes[name] = len(result)
            wall, cpu = [], []
            for _ in range(runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                job()
                wall.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            seconds[name] = (statistics.median(wall), statistics.median(cpu))
    return seconds, sizes, len(statements)


def run(size: Size) -> list[Row]:
    """The export's files over ``size.households`` participants, timed against the target."""
    from portal.extensions import db

    url = os.environ.get("BENCH_DATABASE_URL") or temp_sqlite_url("annex")[0]
    app = bench_app(url)
    participants = seed(app, size.households)
    seconds, sizes, statements = measure(app, size.runs)
    with app.app_context():
        db.engine.dispose()
    rows = []
    load = os.getloadavg()[0]
    for name, (elapsed, cpu) in seconds.items():
        what = f"{name}, {participants:,} participants"
        if name in sizes:
            what += f" ({sizes[name] / 1024:,.0f} KiB)"
        if name == "xlsx":
            what += f", {statements} SQL statements"
        rows.append(
            Row(
                "annex",
                what,
                f"{elapsed * 1000:,.0f} ms (CPU {cpu * 1000:,.0f} ms, load {load:.1f})",
                f"< {TARGET_SECONDS * 1000:,.0f} ms",
                elapsed < TARGET_SECONDS,
            )
        )
    return rows


def main() -> None:
    print_table(run(size_from_env()), "Annex I export benchmark (bench/annex.py)")


if __name__ == "__main__":
    main()
