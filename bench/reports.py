"""Report benchmark: every programme figure for one year over a programme-sized history.

    .venv/bin/python bench/reports.py            # SQLite file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portal_bench_reports \\
        .venv/bin/python bench/reports.py
    BENCH_EXPLAIN=retention .venv/bin/python bench/reports.py   # also print a figure's plans

The database is emptied and seeded with bulk inserts (dates over 2025 and 2026, "today" is
2026-11-25; a fixed random seed): 20,000 households (intakes from October 2024 on, three target
groups, some exits with every destination), ESF participant rows for the persons of nine in ten
households, 2,000 landlord organisations (private persons and housing companies) with 10,000
flats published over the last two years, 5,000 placements, each with its own flat and
household (about 15 % cancelled, some of them after the lease; open ones before the lease;
leases, key handovers 1-4 weeks later, follow-ups at 1, 3, 6 and 12 months with outcomes where
due, a few overdue, some tenancies ended or returned to a shelter with ``outcome_on``), and
3,000 mediation cases. On PostgreSQL the tables are analysed after seeding.

Measured: ``figures.all_tables(Period(2026-01-01, 2026-12-31), today=2026-11-25)`` and the two
chart series (``placements_per_month``, ``lease_time_per_month``): each figure timed on its own,
median of 5 runs after one warm-up; the total is the sum. Target (issue): all figures for a
year in under one second.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
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

TODAY = date(2026, 11, 25)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))
TARGET_SECONDS = 1.0
BATCH = 5000
FIRST_INTAKE = date(2024, 10, 1)
FIRST_PUBLICATION = date(2024, 11, 1)


def _insert(model, rows: list[dict]) -> None:
    from sqlalchemy import insert

    from portal.extensions import db

    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start : start + BATCH])


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, clock(7 + rng.randrange(11), rng.randrange(60)), UTC)


def _follow_ups(placement_id: int, keys: date, rng: random.Random) -> tuple[list[dict], str]:
    """The four checks after the key handover as the team would have recorded them by TODAY,
    and the placement state they leave (moved_in, aftercare or completed)."""
    from portal.core.dates import add_months
    from portal.placements.models import ENDED_OUTCOMES, FOLLOW_UP_MONTHS

    ends_at = rng.randrange(4) if rng.random() < 0.08 else None  # which check records the end
    rows, ended_on, stalled = [], None, False
    for index, months in enumerate(FOLLOW_UP_MONTHS):
        due = add_months(keys, months)
        row = {
            "placement_id": placement_id,
            "months": months,
            "due_on": due,
            "done_on": None,
            "outcome": None,
            "outcome_on": None,
        }
        if ended_on is not None:  # closed without outcome after the end
            row["done_on"] = ended_on
        elif not stalled:
            done = due + timedelta(days=rng.randrange(-5, 21))
            if done > TODAY or rng.random() < 0.05:
                stalled = True  # not recorded yet: overdue or not due
            elif index == ends_at:
                previous = keys if index == 0 else add_months(keys, FOLLOW_UP_MONTHS[index - 1])
                row["done_on"] = done
                row["outcome"] = rng.choice(ENDED_OUTCOMES)
                row["outcome_on"] = _day_between(rng, previous + timedelta(days=1), done)
                ended_on = done
            else:
                row["done_on"] = done
                row["outcome"] = rng.choices(
                    ["all_well", "needs_support", "rent_arrears", "conflict"], [70, 18, 7, 5]
                )[0]
        rows.append(row)
    done_count = sum(r["done_on"] is not None for r in rows)
    state = "moved_in" if done_count == 0 else "completed" if done_count == 4 else "aftercare"
    return rows, state


def seed(app, size: Size) -> dict[str, int]:
    """Empty the database and seed the history at ``size``; returns the row counts."""

    from sqlalchemy import func, select, text

    from portal.accounts.models import Organisation, User
    from portal.extensions import db
    from portal.households.models import (
        Consent,
        Household,
        HouseholdIdentity,
        Participant,
    )
    from portal.listings.models import District, Flat
    from portal.listings.reference import ensure_reference_data
    from portal.mediation.models import MediationCase
    from portal.placements.models import FollowUp, Placement

    rng = random.Random(2026)
    now = datetime.combine(TODAY, clock(12), UTC)
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_reference_data()
        districts = db.session.scalars(select(District.id)).all()
        _insert(
            Organisation,
            [
                {
                    "kind": "company" if i % 20 == 0 else "private",
                    "name": f"Vermieter {i}",
                    "created_at": now,
                }
                for i in range(size.organisations)
            ],
        )
        organisations = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
        companies = organisations[::20]
        staff = [("specialist", f"specialist{i}") for i in range(4)] + [
            ("social_worker", f"social{i}") for i in range(4)
        ]
        _insert(
            User,
            [
                {
                    "email": f"{local}@bench.example",
                    "full_name": local.title(),
                    "role": role,
                    "organisation_id": None,
                    "password_hash": "not-a-hash",
                    "locale": "de",
                    "session_token": f"token-{local}",
                    "created_at": now,
                    "is_active": True,
                    "is_org_admin": False,
                    "must_change_password": False,
                }
                for role, local in staff
            ],
        )
        users = dict(db.session.execute(select(User.email, User.id)).all())
        specialists = [users[f"specialist{i}@bench.example"] for i in range(4)]
        social = [users[f"social{i}@bench.example"] for i in range(4)]

        # Households: intakes from October 2024 to today; placements and exits decided below.
        groups = ["refugee_shared_accommodation", "homeless_municipal_shelter", "other"]
        households = []
        for i in range(size.households):
            persons = rng.choices([1, 2, 3, 4, 5, 6], [34, 22, 18, 14, 8, 4])[0]
            adults = min(persons, rng.choice([1, 2, 2]))
            intake = _day_between(rng, FIRST_INTAKE, TODAY)
            households.append(
                {
                    "code": f"DU-{intake.year}-{i + 1:05d}",
                    "status": "vetted",
                    "status_changed_at": now,
                    "created_at": _moment(intake, rng),
                    "updated_at": now,
                    "created_by_id": social[i % 4],
                    "adults": adults,
                    "children": persons - adults,
                    "needed_rooms": Decimal(min(persons + 1, 6)),
                    "needed_area": Decimal(50 + 15 * (persons - 1)),
                    "max_gross_cold_rent": Decimal(400 + 90 * persons),
                    "earliest_move_in": intake + timedelta(days=30),
                    "cost_bearer": "jobcenter",
                    "profile_text": "Benchmark",
                    "waiting_since": intake,
                    "vetted_at": _moment(intake + timedelta(days=14), rng),
                    "vetted_by_id": social[i % 4],
                    "intake_on": intake,
                    "target_group": rng.choices(groups, [55, 30, 15])[0],
                    "exit_on": None,
                    "exit_destination": None,
                }
            )

        # Placements: each its own household and flat.
        candidates = [
            i for i, h in enumerate(households) if h["intake_on"] <= TODAY - timedelta(30)
        ]
        chosen = rng.sample(candidates, size.placements)
        placements, flat_dates = [], []
        for n, index in enumerate(chosen):
            household = households[index]
            intake = household["intake_on"]
            kind = rng.random()
            lease = keys = None
            if kind < 0.12:  # cancelled before a lease
                state = "cancelled"
                created = _day_between(rng, intake + timedelta(7), TODAY - timedelta(3))
            elif kind < 0.15:  # cancelled after the lease (does not count as a lease)
                state = "cancelled"
                created = _day_between(rng, intake + timedelta(7), TODAY - timedelta(25))
                lease = min(created + timedelta(days=rng.randrange(14, 60)), TODAY - timedelta(3))
            elif kind < 0.27:  # still open, before the lease
                state = rng.choice(
                    [
                        "proposed",
                        "landlord_accepted",
                        "viewing_scheduled",
                        "viewing_done",
                        "rent_offer_submitted",
                        "costs_approved",
                    ]
                )
                created = _day_between(rng, max(intake, TODAY - timedelta(90)), TODAY)
            else:  # a lease: intake to lease mostly 1-12 months
                lease = intake + timedelta(days=rng.randrange(30, 365))
                if lease > TODAY - timedelta(2):
                    lease = _day_between(rng, intake + timedelta(14), TODAY - timedelta(2))
                created = lease - timedelta(days=rng.randrange(14, 60))
                created = max(created, intake)
                keys = lease + timedelta(days=rng.randrange(7, 29))
                state = "lease_signed" if keys > TODAY else "moved_in"
                if keys > TODAY:
                    keys = None
            placements.append(
                {
                    "flat_index": n,
                    "household_index": index,
                    "state": state,
                    "created": created,
                    "lease": lease,
                    "keys": keys,
                }
            )
            flat_dates.append(created - timedelta(days=rng.randrange(3, 90)))

        # Flats: the first ``size.placements`` belong to the placements, published before them.
        flats = []
        for i in range(size.flats):
            if i < size.placements:
                published = max(flat_dates[i], FIRST_PUBLICATION)
                status = "published"
            else:
                roll = rng.random()
                published = _day_between(rng, FIRST_PUBLICATION, TODAY)
                status = "published" if roll < 0.8 else "archived" if roll < 0.93 else "draft"
            cold = Decimal(rng.randrange(250, 700))
            published_at = _moment(published, rng) if status != "draft" else None
            changed = published_at or now
            if status == "archived":
                changed = _moment(min(TODAY, published + timedelta(rng.randrange(10, 200))), rng)
            flats.append(
                {
                    "organisation_id": (
                        rng.choice(companies) if rng.random() < 0.4 else rng.choice(organisations)
                    ),
                    "status": status,
                    "status_changed_at": changed,
                    "submitted_at": published_at,
                    "published_at": published_at,
                    "street": "Benchstraße",
                    "house_number": str(i + 1),
                    "postcode": "47057",
                    "district_id": rng.choice(districts),
                    "floor": i % 5,
                    "rooms": Decimal(rng.choice(["1", "2", "2.5", "3", "4"])),
                    "living_area": Decimal(rng.randrange(30, 110)),
                    "cold_rent": cold,
                    "service_charges": Decimal(rng.randrange(60, 200)),
                    "heating_costs": Decimal(rng.randrange(40, 120)),
                    "warm_water": "central",
                    "deposit": cold * 2,
                    "energy_certificate_pending": True,
                    "description": "Benchmark",
                    "available_from": published,
                    "created_at": changed,
                    "updated_at": changed,
                }
            )

        # Exits: a moved-in household leaves the programme at the key handover; about one in
        # eight of those without an open placement leaves otherwise.
        placed_households = {p["household_index"]: p for p in placements}
        destinations = [
            "own_tenancy_with_support",
            "other_accommodation",
            "dropped_out",
            "moved_away",
        ]
        for index, household in enumerate(households):
            placement = placed_households.get(index)
            if placement is not None and placement["state"] != "cancelled":
                if placement["keys"] is not None:
                    household["status"] = "housed"
                    household["exit_on"] = placement["keys"]
                    household["exit_destination"] = "own_tenancy_programme"
                continue
            if rng.random() < 0.13:
                exit_on = household["intake_on"] + timedelta(days=rng.randrange(20, 400))
                if exit_on <= TODAY:
                    household["status"] = "withdrawn"
                    household["exit_on"] = exit_on
                    household["exit_destination"] = rng.choice(destinations)
                    continue
            household["status"] = rng.choices(["vetted", "paused", "draft"], [85, 8, 7])[0]

        _insert(Household, households)
        household_ids = db.session.scalars(select(Household.id).order_by(Household.id)).all()
        _insert(
            HouseholdIdentity,
            [{"household_id": h, "main_tenant_name": f"Mieterin {h}"} for h in household_ids],
        )
        _insert(
            Consent,
            [
                {
                    "household_id": h,
                    "given_on": row["intake_on"],
                    "expires_on": row["intake_on"] + timedelta(days=182),
                    "recorded_by_id": row["created_by_id"],
                    "created_at": now,
                }
                for h, row in zip(household_ids, households, strict=True)
            ],
        )
        participants = []
        bands = ["18_29", "30_54", "30_54", "55_plus"]
        for h, row in zip(household_ids, households, strict=True):
            if rng.random() < 0.1:
                continue  # participant data not recorded
            for position in range(row["adults"] + row["children"]):
                adult = position < row["adults"]
                participants.append(
                    {
                        "household_id": h,
                        "position": position,
                        "gender": rng.choices(
                            ["female", "male", "non_binary", "no_answer"], [47, 48, 1, 4]
                        )[0],
                        "age_band": rng.choice(bands) if adult else "under_18",
                        "third_country": rng.choices(["yes", "no", "no_answer"], [60, 35, 5])[0],
                        "disability": rng.choices(["yes", "no", "no_answer"], [8, 80, 12])[0],
                    }
                )
        _insert(Participant, participants)

        # Flats as their placements leave them.
        holding = {
            "landlord_accepted",
            "viewing_scheduled",
            "viewing_done",
            "rent_offer_submitted",
            "costs_approved",
            "lease_signed",
        }
        for placement in placements:
            flat = flats[placement["flat_index"]]
            if placement["keys"] is not None:
                flat["status"] = "let"
                flat["status_changed_at"] = _moment(placement["keys"], rng)
            elif placement["state"] in holding:
                flat["status"] = "reserved"
                flat["status_changed_at"] = _moment(placement["created"], rng)
        _insert(Flat, flats)
        flat_ids = db.session.scalars(select(Flat.id).order_by(Flat.id)).all()

        rows = []
        for n, placement in enumerate(placements):
            state, lease, keys = placement["state"], placement["lease"], placement["keys"]
            rows.append(
                {
                    "flat_id": flat_ids[placement["flat_index"]],
                    "household_id": household_ids[placement["household_index"]],
                    "origin": "specialist",
                    "state": state,
                    "state_changed_at": _moment(keys or lease or placement["created"], rng),
                    "staff_id": specialists[n % 4],
                    "created_at": _moment(placement["created"], rng),
                    "viewing_sequence": 0,
                    "rent_offer_on": lease - timedelta(days=10) if lease else None,
                    "costs_approved_on": lease - timedelta(days=3) if lease else None,
                    "lease_signed_on": lease,
                    "rent_start_on": lease + timedelta(days=7) if lease else None,
                    "keys_handed_over_on": keys,
                    "cancel_reason": "other" if state == "cancelled" else None,
                }
            )
        _insert(Placement, rows)
        moved = db.session.execute(
            select(Placement.id, Placement.keys_handed_over_on)
            .where(Placement.keys_handed_over_on.is_not(None))
            .order_by(Placement.id)
        ).all()
        follow_ups, states = [], {}
        for placement_id, keys in moved:
            checks, state = _follow_ups(placement_id, keys, rng)
            follow_ups += checks
            states[placement_id] = state
        _insert(FollowUp, follow_ups)
        for state in ("aftercare", "completed"):
            ids = [p for p, s in states.items() if s == state]
            for start in range(0, len(ids), BATCH):
                db.session.execute(
                    Placement.__table__.update()
                    .where(Placement.id.in_(ids[start : start + BATCH]))
                    .values(state=state)
                )

        topics = ["rent_arrears", "neighbourhood", "damage", "communication", "other"]
        cases, numbers = [], {}
        for _ in range(size.mediation_cases):
            opened = _moment(_day_between(rng, date(2025, 1, 1), TODAY), rng)
            numbers[opened.year] = numbers.get(opened.year, 0) + 1
            answered = (
                opened + timedelta(hours=rng.randrange(2, 240)) if rng.random() < 0.9 else None
            )
            resolved = (
                answered + timedelta(days=rng.randrange(1, 60))
                if answered is not None and rng.random() < 0.75
                else None
            )
            if resolved is not None and resolved > now:
                resolved = None
            if answered is not None and answered > now:
                answered = None
            cases.append(
                {
                    "number": f"M-{opened.year}-{numbers[opened.year]:04d}",
                    "status": "resolved" if resolved else "in_progress" if answered else "new",
                    "sender_kind": rng.choice(["landlord", "tenant", "other"]),
                    "contact_by": "email",
                    "topic": rng.choice(topics),
                    "message": "Benchmark",
                    "locale": "de",
                    "assigned_to_id": rng.choice(specialists + social),
                    "first_answer_at": answered,
                    "resolved_at": resolved,
                    "created_at": opened,
                    "updated_at": resolved or answered or opened,
                }
            )
        _insert(MediationCase, cases)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Statistics, as autovacuum would gather them soon after such a load.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Household, Participant, Flat, Placement, FollowUp, MediationCase)
        }


def _jobs(period):
    from portal.reports import figures

    jobs = [
        (figure.__name__, lambda f=figure: f(period, figures.PROGRAMME, TODAY))
        for figure in figures.FIGURES
    ]
    jobs.append(("chart: placements_per_month", lambda: figures.placements_per_month(period)))
    jobs.append(("chart: lease_time_per_month", lambda: figures.lease_time_per_month(period)))
    return jobs


def measure(app, runs: int) -> tuple[dict[str, float], list[float], float]:
    """Seconds per figure (median of ``runs`` after a warm-up), the per-run totals, and the median
    of a whole ``all_tables`` call plus the charts."""
    from portal.reports import figures
    from portal.reports.periods import Period

    period = Period(*YEAR)
    with app.test_request_context():
        jobs = _jobs(period)
        for _name, job in jobs:  # warm-up: compiled statements, SQLite page cache
            job()
        samples: dict[str, list[float]] = {name: [] for name, _job in jobs}
        totals, whole = [], []
        for _ in range(runs):
            run_total = 0.0
            for name, job in jobs:
                start = time.perf_counter()
                job()
                elapsed = time.perf_counter() - start
                samples[name].append(elapsed)
                run_total += elapsed
            totals.append(run_total)
            start = time.perf_counter()
            figures.all_tables(period, today=TODAY)
            figures.placements_per_month(period)
            figures.lease_time_per_month(period)
            whole.append(time.perf_counter() - start)
    return (
        {name: statistics.median(values) for name, values in samples.items()},
        totals,
        statistics.median(whole),
    )


def headline(app) -> list[str]:
    """A few of the figures, to show the history is not empty."""
    from portal.reports import figures
    from portal.reports.periods import Period

    period = Period(*YEAR)
    with app.test_request_context():
        tables = {t.key: t for t in figures.all_tables(period, today=TODAY)}
        lines = []
        for key in ("intakes", "placements", "durations", "retention", "mediation"):
            table = tables[key]
            row = table.rows[0]
            cell = row.cells.get("all")
            lines.append(f"  {key}: {row.label} = {cell.value if cell else '?'}")
        months = figures.lease_time_per_month(period)
        lines.append(f"  lease_time_per_month 2026-06: {months.get('2026-06')}")
        return lines


def explain(app, name: str) -> None:
    """Print the query plans of one figure's statements (PostgreSQL: EXPLAIN ANALYZE)."""
    from portal.extensions import db
    from portal.reports.periods import Period

    period = Period(*YEAR)
    with app.test_request_context():
        jobs = dict(_jobs(period))
        captured: list[tuple[str, object]] = []
        from sqlalchemy import event

        def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
            captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            jobs[name]()
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        postgres = db.engine.dialect.name == "postgresql"
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        connection = db.session.connection()
        for statement, parameters in captured:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue  # BEGIN and the like
            start = time.perf_counter()
            connection.exec_driver_sql(statement, parameters).all()
            elapsed = time.perf_counter() - start
            print(f"\n--- {elapsed * 1000:.1f} ms\n{statement}\n{parameters}")
            for row in connection.exec_driver_sql(prefix + statement, parameters):
                print("   ", " | ".join(str(v) for v in row))


def run(size: Size) -> list[Row]:
    """Every figure of a year, timed; the total against the one-second target."""
    from portal.extensions import db

    base_url = os.environ.get("BENCH_DATABASE_URL")
    url = base_url or temp_sqlite_url("reports")[0]
    app = bench_app(url)
    seed(app, size)
    with app.app_context(), count_queries(db.engine) as statements, app.test_request_context():
        from portal.reports import figures
        from portal.reports.periods import Period

        figures.all_tables(Period(*YEAR), today=TODAY)
    per_figure, totals, whole = measure(app, size.runs)
    total = statistics.median(totals)
    slowest = sorted(per_figure.items(), key=lambda item: -item[1])[:3]
    with app.app_context():
        db.engine.dispose()
    return [
        Row(
            "reports",
            f"all figures of a year ({len(per_figure)} figures, {len(statements)} SQL statements)",
            f"{max(total, whole) * 1000:,.0f} ms",
            f"< {TARGET_SECONDS * 1000:,.0f} ms",
            max(total, whole) < TARGET_SECONDS,
        ),
        Row(
            "reports",
            "slowest figures",
            ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in slowest),
        ),
    ]


def main() -> None:
    from portal.extensions import db

    size = size_from_env()
    if not os.environ.get("BENCH_EXPLAIN"):
        print_table(run(size), "Report benchmark (bench/reports.py)")
        return
    base_url = os.environ.get("BENCH_DATABASE_URL")
    app = bench_app(base_url or temp_sqlite_url("reports")[0])
    print(f"seeded: {seed(app, size)}")
    print("\n".join(headline(app)))
    for name in os.environ["BENCH_EXPLAIN"].split(","):
        explain(app, name.strip())
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
