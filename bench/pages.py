"""Page benchmarks: SQL statements per page at two data sizes, and throughput under gunicorn
next to a bare Flask app served the same way in the same run.

    .venv/bin/python bench/pages.py            # SQLite file, 100 and 10,000 flats
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench .venv/bin/python bench/pages.py

Pages: the landlord's dashboard (``/flats/``) and the back-office list (``/backoffice/flats/``).
Targets (issue 3): a small constant number of statements, the same at 100 and at 10,000 flats;
each page at least 30 % of the bare app's requests per second.
"""

from __future__ import annotations

import os
import random
import sys
from datetime import timedelta
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
from portal.core import clock  # noqa: E402

PASSWORD = "benchmark password 2026"
PAGES = {
    "landlord dashboard": ("/flats/", "landlord"),
    "back-office list": ("/backoffice/flats/", "specialist"),
}


def seed(app, organisations: int, flats: int) -> None:
    """``organisations`` landlords with one user each, ``flats`` flats spread over them, plus a
    specialist. Bulk inserts: seeding 10,000 flats takes seconds."""
    from sqlalchemy import insert, select

    from portal.accounts.models import Organisation, User, utcnow
    from portal.accounts.passwords import hash_password
    from portal.extensions import db
    from portal.listings.models import District, Flat
    from portal.listings.reference import ensure_reference_data

    rng = random.Random(42)
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_reference_data()
        password_hash = hash_password(PASSWORD)
        now = utcnow()
        db.session.execute(
            insert(Organisation),
            [
                {
                    "kind": "company" if i % 10 == 0 else "private",
                    "name": f"Vermieter {i}",
                    "created_at": now,
                }
                for i in range(organisations)
            ],
        )
        org_ids = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"landlord{i}@bench.example",
                    "full_name": f"Landlord {i}",
                    "role": "landlord",
                    "organisation_id": org_id,
                    "is_org_admin": True,
                    "password_hash": password_hash,
                    "email_verified_at": now,
                    "locale": "de",
                    "session_token": f"token{i}",
                    "created_at": now,
                    "is_active": True,
                    "must_change_password": False,
                }
                for i, org_id in enumerate(org_ids)
            ],
        )
        db.session.execute(
            insert(User),
            [
                {
                    "email": "specialist@bench.example",
                    "full_name": "Specialist",
                    "role": "specialist",
                    "password_hash": password_hash,
                    "email_verified_at": now,
                    "locale": "de",
                    "session_token": "token-staff",
                    "created_at": now,
                    "is_active": True,
                    "must_change_password": False,
                    "is_org_admin": False,
                }
            ],
        )
        districts = db.session.scalars(select(District.id)).all()
        statuses = ["published"] * 5 + ["submitted", "draft", "reserved", "let", "archived"]
        rows = []
        for i in range(flats):
            cold = Decimal(rng.randrange(250, 700))
            rows.append(
                {
                    "organisation_id": org_ids[i % len(org_ids)],
                    "status": statuses[i % 10],
                    "street": "Benchstraße",
                    "house_number": str(i),
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
                    "available_from": clock.today() + timedelta(days=30),
                    "wbs_required": i % 7 == 0,
                    "is_step_free": i % 5 == 0,
                    "has_lift": False,
                    "has_balcony": False,
                    "pets_allowed": False,
                    "is_wheelchair_accessible": False,
                    "created_at": now,
                    "updated_at": now,
                    "status_changed_at": now,
                    "submitted_at": now - timedelta(minutes=i),
                }
            )
        for start in range(0, len(rows), 2000):
            db.session.execute(insert(Flat), rows[start : start + 2000])
        db.session.commit()


def statements_per_page(app) -> dict[str, int]:
    from portal.extensions import db

    counts = {}
    for name, (path, who) in PAGES.items():
        client = app.test_client()
        email = "landlord0@bench.example" if who == "landlord" else "specialist@bench.example"
        login_client(app, client, email, PASSWORD)
        client.get(path)  # warm caches
        with app.app_context(), count_queries(db.engine) as statements:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(statements)
    return counts


def run(size: Size) -> list[Row]:
    """Statement counts at the small and the large size, then requests per second of each page
    at the large size next to hello."""
    base_url = os.environ.get("BENCH_DATABASE_URL")
    counts = {}
    for organisations, flats in [
        (max(2, size.small_flats // 5), size.small_flats),
        (size.organisations, size.flats),
    ]:
        url = base_url or temp_sqlite_url(f"{flats}")[0]
        app = bench_app(url)
        seed(app, organisations, flats)
        enrol_staff(app, "specialist@bench.example")
        counts[flats] = statements_per_page(app)
    small, large = counts[size.small_flats], counts[size.flats]
    rows = [
        Row(
            "pages",
            f"{name}: SQL statements",
            f"{small[name]} at {size.small_flats:,} flats, {large[name]} at {size.flats:,}",
            "equal and small",
            small[name] == large[name],
        )
        for name in PAGES
    ]
    env = server_env(url)
    bare = hello_rps(env, size.load_seconds)
    with gunicorn("wsgi:app", env) as portal:
        for name, (path, who) in PAGES.items():
            email = "landlord0@bench.example" if who == "landlord" else "specialist@bench.example"
            cookie = login_cookie(portal, email, PASSWORD, app)
            load = measure_load(portal + path, cookie, seconds=size.load_seconds)
            rows += load_rows("pages", f"{name} ({path})", load, bare, 0.30)
    return rows


def main() -> None:
    rows = run(size_from_env())
    print_table(hello_rows() + rows, "Page benchmarks (bench/pages.py)")


if __name__ == "__main__":
    main()
