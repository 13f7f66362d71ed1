"""Placement benchmarks: SQL statements per back-office page at two data sizes, and throughput
under gunicorn next to a bare Flask app served the same way in the same run.

    .venv/bin/python bench/placements.py            # SQLite files, 50 and 5,000 placements
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench .venv/bin/python bench/placements.py

The database is emptied and seeded (bulk inserts): landlords, flats and a specialist as in
``bench/pages.py``, one household per placement, ten events per placement (50,000 at the large
size), follow-ups after moving in and some open landlord interests.

Pages, seen by a specialist: the back-office home (``/backoffice/``) and a placement page
(``/backoffice/placements/<id>``; measured once it exists). Targets: a small constant number
of statements, the same at 50 and at 5,000 placements; each page at least 25 % of the bare
app's requests per second.
"""

from __future__ import annotations

import os
import random
import sys
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Row,
    Size,
    bench_app,
    count_queries,
    enrol_staff,
    gunicorn,
    hello_rows,
    hello_rps,
    load_rows,
    login_client,
    login_cookie,
    measure_load,
    print_table,
    server_env,
    size_from_env,
    temp_sqlite_url,
)
from bench.pages import PASSWORD  # noqa: E402
from bench.pages import seed as seed_landlords_and_flats  # noqa: E402
from portal.core import clock  # noqa: E402

EVENTS_PER_PLACEMENT = 10
SPECIALIST = "specialist@bench.example"
HOME = "/backoffice/"
PLACEMENT = "/backoffice/placements/{id}"
TARGET_SHARE = 0.20  # issue 18: every page at least 20 % of hello
BATCH = 5000


def _insert(model, rows: list[dict]) -> None:
    from sqlalchemy import insert

    from portal.extensions import db

    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start : start + BATCH])


def _history(state: str, rng: random.Random) -> list[tuple[str, str, str]]:
    """(action, from, to) of the steps that lead a placement to ``state``."""
    from portal.placements.models import ORDER, STEPS, Action, State

    leads_to = {
        target: action
        for action, (_sources, target, _roles) in STEPS.items()
        if target is not None and action not in (Action.CANCEL, Action.DECLINE)
    }
    if state == State.CANCELLED:
        reached = ORDER[: rng.randrange(1, 7)]
    else:
        reached = ORDER[: ORDER.index(State(state)) + 1]
    steps = [("propose", "", State.PROPOSED.value)]
    for before, after in zip(reached, reached[1:], strict=False):
        steps.append((leads_to[after].value, before.value, after.value))
    if state == State.CANCELLED:
        steps.append((Action.CANCEL.value, reached[-1].value, State.CANCELLED.value))
    return steps


def seed(app, placements: int) -> int:
    """Seed ``placements`` placements (each its own flat and household, states spread evenly)
    with ten events each; returns the id of a placement with a scheduled viewing."""
    from sqlalchemy import func, select, update

    from portal.accounts.models import User, utcnow
    from portal.extensions import db
    from portal.households.models import Consent, Household, HouseholdIdentity
    from portal.listings.models import Flat
    from portal.placements.calendar import BERLIN
    from portal.placements.models import (
        FLAT_HOLDING,
        FOLLOW_UP_MONTHS,
        FollowUp,
        Interest,
        Placement,
        PlacementEvent,
        State,
    )

    seed_landlords_and_flats(app, organisations=max(placements // 5, 10), flats=placements)
    rng = random.Random(7)
    today = clock.today()
    now = utcnow()
    states = list(State)
    with app.app_context():
        specialist = db.session.scalar(select(User.id).where(User.email == SPECIALIST))
        flats = db.session.execute(select(Flat.id, Flat.organisation_id).order_by(Flat.id)).all()
        _insert(
            Household,
            [
                {
                    "code": f"DU-2026-{i + 1:05d}",
                    "status": "vetted",
                    "status_changed_at": now,
                    "updated_at": now,
                    "created_at": now,
                    "adults": 1 + i % 3,
                    "children": i % 4,
                    "needed_rooms": Decimal(rng.choice(["1", "2", "3", "4"])),
                    "needed_area": Decimal(rng.randrange(35, 95)),
                    "max_gross_cold_rent": Decimal(rng.randrange(400, 800)),
                    "earliest_move_in": today,
                    "cost_bearer": "jobcenter",
                    "waiting_since": today - timedelta(days=i % 700),
                    "profile_text": "Benchmark",
                    "vetted_at": now,
                    "vetted_by_id": specialist,
                }
                for i in range(placements)
            ],
        )
        households = db.session.scalars(select(Household.id).order_by(Household.id)).all()
        _insert(
            HouseholdIdentity,
            [
                {
                    "household_id": h,
                    "main_tenant_name": f"Mieterin {h}",
                    "adult_names": f"Mieterin {h}",
                    "phone": "0203 000000",
                }
                for h in households
            ],
        )
        _insert(
            Consent,
            [
                {
                    "household_id": h,
                    "given_on": today - timedelta(days=10),
                    # Spread so that some end soon (the home page warns) at every size.
                    "expires_on": today + timedelta(days=1 + h % 180),
                    "recorded_by_id": specialist,
                    "created_at": now,
                }
                for h in households
            ],
        )
        viewing_on = ("viewing_scheduled", "viewing_done", "rent_offer_submitted")
        # Half the scheduled viewings are today (Berlin), so the home page lists some.
        noon = datetime.combine(clock.now().date(), time(12), tzinfo=BERLIN)
        rows = []
        for i, ((flat_id, _org), household_id) in enumerate(zip(flats, households, strict=True)):
            state = states[i % len(states)].value
            # Fresh and long-stalled placements at every size (the home page lists those).
            changed = now - timedelta(days=(i * 37) % 200, minutes=i)
            rows.append(
                {
                    "flat_id": flat_id,
                    "household_id": household_id,
                    "origin": "specialist",
                    "state": state,
                    "state_changed_at": changed,
                    "staff_id": specialist,
                    "created_at": changed - timedelta(days=20),
                    "viewing_at": (
                        noon + timedelta(days=0 if i % 2 == 0 else i % 7, minutes=i % 240)
                        if state in viewing_on
                        else None
                    ),
                    "viewing_place": "Vor dem Haus" if state in viewing_on else None,
                    "viewing_companion_id": specialist if state in viewing_on else None,
                    "viewing_sequence": 0,
                    "cancel_reason": "other" if state == State.CANCELLED else None,
                }
            )
        _insert(Placement, rows)
        placed = db.session.execute(
            select(Placement.id, Placement.state, Placement.created_at).order_by(Placement.id)
        ).all()
        events, follow_ups = [], []
        for placement_id, state, created in placed:
            steps = _history(state, rng)
            notes = EVENTS_PER_PLACEMENT - len(steps)
            steps += [("note", state, state)] * notes
            for n, (action, before, after) in enumerate(steps):
                events.append(
                    {
                        "placement_id": placement_id,
                        "action": action,
                        "from_state": before,
                        "to_state": after,
                        "actor_id": specialist,
                        "role": "specialist",
                        "note": "Telefonat mit der Vermieterin" if action == "note" else None,
                        "data": {},
                        "created_at": created + timedelta(hours=n),
                    }
                )
            if state in ("moved_in", "aftercare", "completed"):
                for months in FOLLOW_UP_MONTHS:
                    done = state == "completed" or (state == "aftercare" and months == 1)
                    follow_ups.append(
                        {
                            "placement_id": placement_id,
                            "months": months,
                            "due_on": today + timedelta(days=30 * months - 200),
                            "done_on": today if done else None,
                            "outcome": "all_well" if done else None,
                        }
                    )
        _insert(PlacementEvent, events)
        _insert(FollowUp, follow_ups)
        # Open interests for the home page: household i in the next flat's organisation.
        _insert(
            Interest,
            [
                {
                    "flat_id": flats[(i + 1) % len(flats)][0],
                    "household_id": households[i],
                    "organisation_id": flats[(i + 1) % len(flats)][1],
                    "status": "open",
                    "message": "Könnte passen",
                    "created_at": now - timedelta(minutes=i),
                }
                for i in range(0, placements, 10)
            ],
        )
        # Flats and households as the placements leave them.
        holding = select(Placement.flat_id).where(
            Placement.state.in_(
                [s.value for s in FLAT_HOLDING[: FLAT_HOLDING.index(State.MOVED_IN)]]
            )
        )
        moved = [State.MOVED_IN.value, State.AFTERCARE.value, State.COMPLETED.value]
        db.session.execute(update(Flat).where(Flat.id.in_(holding)).values(status="reserved"))
        db.session.execute(
            update(Flat)
            .where(Flat.id.in_(select(Placement.flat_id).where(Placement.state.in_(moved))))
            .values(status="let")
        )
        db.session.execute(
            update(Household)
            .where(
                Household.id.in_(select(Placement.household_id).where(Placement.state.in_(moved)))
            )
            .values(status="housed")
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Statistics, as autovacuum would gather them soon after such a load: without them
            # the planner takes the freshly filled tables for empty and picks nested loops.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        count = db.session.scalar(select(func.count(PlacementEvent.id)))
        assert count == placements * EVENTS_PER_PLACEMENT, count
        return db.session.scalar(
            select(Placement.id)
            .where(Placement.state == State.VIEWING_SCHEDULED.value)
            .order_by(Placement.id.desc())
        )


def statements(app, path: str) -> int:
    """SQL statements of one GET of ``path`` by the specialist."""
    from portal.extensions import db

    client = app.test_client()
    login_client(app, client, SPECIALIST, PASSWORD)
    client.get(path)  # warms caches
    with app.app_context(), count_queries(db.engine) as executed:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(executed)


def run(size: Size) -> list[Row]:
    """Statement counts of the specialist's pages at a few and at many placements, then their
    requests per second at the large size next to hello."""
    from portal.extensions import db

    base_url = os.environ.get("BENCH_DATABASE_URL")
    counts: dict[int, dict[str, int]] = {}
    for placements in (size.small_placements, size.placements):
        url = base_url or temp_sqlite_url(f"placements-{placements}")[0]
        app = bench_app(url)
        placement_id = seed(app, placements)
        enrol_staff(app, SPECIALIST)
        pages = {"back-office home": HOME, "placement page": PLACEMENT.format(id=placement_id)}
        counts[placements] = {name: statements(app, path) for name, path in pages.items()}
        with app.app_context():
            db.engine.dispose()
    rows = []
    for name in pages:
        small, large = (counts[n][name] for n in (size.small_placements, size.placements))
        rows.append(
            Row(
                "placements",
                f"{name}: SQL statements",
                f"{small} at {size.small_placements:,} placements, {large} at "
                f"{size.placements:,} ({size.placements * EVENTS_PER_PLACEMENT:,} events)",
                "equal and small",
                small == large,
            )
        )
    env = server_env(url)
    bare = hello_rps(env, size.load_seconds)
    with gunicorn("wsgi:app", env) as portal:
        cookie = login_cookie(portal, SPECIALIST, PASSWORD, app)
        for name, path in pages.items():
            load = measure_load(portal + path, cookie, seconds=size.load_seconds)
            rows += load_rows("placements", f"{name} ({path})", load, bare, TARGET_SHARE)
    return rows


def main() -> None:
    rows = run(size_from_env())
    print_table(hello_rows() + rows, "Placement benchmarks (bench/placements.py)")


if __name__ == "__main__":
    main()
