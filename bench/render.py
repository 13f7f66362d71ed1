"""CPU per request of the public, landlord and staff pages, in-process (Flask's test client,
the demo data of ``make run``), next to a bare Flask "hello" measured the same way: what a
page costs without the server, the network and the load generator, which on a shared machine
move the requests-per-second figures more than a change to a page does.

    .venv/bin/python -m bench.render                 # or: BENCH_ONLY=render make bench
    BENCH_PROFILE=/flats/ .venv/bin/python -m bench.render   # and a pyinstrument profile

The figure is the best of three rounds of CPU time (``time.process_time``) per request.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Row,
    Size,
    login_client,
    print_table,
    size_from_env,
    temp_sqlite_url,  # noqa: E402
)
from bench.every_page import PASSWORD, _email, load_demo  # noqa: E402

# Who is measured on which pages (the demo logins of portal/demo/accounts.py).
PAGES = {
    "public": (None, ["/", "/impressum", "/datenschutz", "/mediation/", "/account/login"]),
    "landlord": ("vermieterin", ["/flats/", "/households/", "/placements/", "/account/"]),
    "company": ("wohnungsbau", ["/flats/", "/households/", "/placements/"]),
    "specialist": ("immobilien", ["/backoffice/", "/backoffice/flats/", "/backoffice/placements/"]),
}


def cpu_per_request(client, path: str, requests: int) -> float:
    """Seconds of CPU per request of ``path``: the best of three rounds after a warm-up."""
    for _ in range(5):
        client.get(path)
    rounds = []
    for _ in range(3):
        started = time.process_time()
        for _ in range(requests):
            client.get(path)
        rounds.append((time.process_time() - started) / requests)
    return min(rounds)


def _profile(client, path: str, requests: int) -> None:
    from pyinstrument import Profiler  # only for BENCH_PROFILE

    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(requests):
        client.get(path)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False), flush=True)


def run(size: Size) -> list[Row]:
    from bench.hello import app as hello_app

    tiny = size.name == "tiny"
    requests = 3 if tiny else 100
    app = load_demo(temp_sqlite_url("render")[0])
    hello = cpu_per_request(hello_app.test_client(), "/", requests * 10)
    rows = [Row("render", "bare Flask hello CPU per request", f"{hello * 1000:.2f} ms")]
    profile = os.environ.get("BENCH_PROFILE")
    for visitor, (login, paths) in PAGES.items():
        client = app.test_client()
        if login:
            login_client(app, client, _email(login), PASSWORD)
        for path in paths[:1] if tiny else paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            cpu = cpu_per_request(client, path, requests)
            rows.append(
                Row(
                    "render",
                    f"{visitor} {path} CPU per request",
                    f"{cpu * 1000:.2f} ms = {cpu / hello:.1f}x hello",
                )
            )
            if profile == path:
                _profile(client, path, requests)
    return rows


def main() -> None:
    print_table(run(size_from_env()), "CPU per request, in-process (bench/render.py)")


if __name__ == "__main__":
    main()
