"""Shared pieces of the page benchmarks: a seeded database, SQL statement counting, gunicorn
servers and a load generator (wrk when installed, otherwise a threaded Python client)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPConnection
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def count_queries(engine):
    """Yields a list that receives every SQL statement executed on ``engine``."""
    from sqlalchemy import event

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@contextlib.contextmanager
def gunicorn(app_path: str, env: dict[str, str], workers: int = 2):
    """Serve ``app_path`` (module:variable) with gunicorn's sync workers; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
            app_path,
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(
                base + "/healthz" if "wsgi" in app_path else base + "/", timeout=1
            ):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(process.stderr.read().decode() if process.stderr else "no server")
    try:
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


# Staff log in with a second factor; the benchmarks' staff are enrolled with this secret.
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_staff(app, email: str) -> None:
    """Enrol the bench's staff user ``email`` with BENCH_TOTP_SECRET, as demo staff are, as
    staff of the default site (the benchmarks' rows are all there)."""
    from sqlalchemy import select

    from portal.accounts import twofactor
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.sites.models import DEFAULT_SITE_ID, Site

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if not user.sites:
            user.sites = [db.session.get(Site, DEFAULT_SITE_ID)]
        twofactor.enrol_with_secret(user, BENCH_TOTP_SECRET)
        db.session.commit()


def staff_code(app, email: str) -> str:
    """A code for the next login of ``email``. Each code works once and the benchmarks log in
    several times within 30 seconds, so the step claimed by the last login is released."""
    import pyotp
    from sqlalchemy import update

    from portal.accounts.models import User
    from portal.extensions import db

    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()
    return pyotp.TOTP(BENCH_TOTP_SECRET).now()


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def login_client(app, client, email: str, password: str) -> None:
    """Log the in-process test ``client`` in, with the second factor where the user has one."""
    token = CSRF.search(client.get("/account/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/account/login", data={"csrf_token": token, "email": email, "password": password}
    )
    if response.headers.get("Location") == "/account/login/code":
        page = client.get("/account/login/code").get_data(as_text=True)
        token = CSRF.search(page).group(1)
        client.post(
            "/account/login/code",
            data={"csrf_token": token, "code": staff_code(app, email)},
        )


def login_cookie(base: str, email: str, password: str, app=None) -> str:
    """Log in over HTTP like a browser (with the second factor where the user has one; ``app``
    then gives the code); returns the Cookie header value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/account/login").read().decode()
    token = CSRF.search(html).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    response = opener.open(base + "/account/login", data.encode())
    if response.url.endswith("/account/login/code") and app is not None:
        token = CSRF.search(response.read().decode()).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "code": staff_code(app, email)})
        opener.open(base + "/account/login/code", data.encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


@dataclass(frozen=True)
class Load:
    """What a load run measured: requests per second, and the 95th percentile of the time from
    sending a request to having read its whole answer (milliseconds)."""

    rps: float
    p95_ms: float


def measure_load(
    url: str, cookie: str | None = None, seconds: float = 8, connections: int = 8
) -> Load:
    """Load ``url`` with ``connections`` clients for ``seconds``: wrk when installed (as the
    issue measured; ``apt-get install wrk``), otherwise a threaded Python client. The Python
    client shares the two cores with the server and needs more of them than wrk: it lowers
    the fast pages (hello most of all) more than the slow ones, and its latencies include
    some waiting of its own (an upper bound)."""
    if shutil.which("wrk") and seconds >= 1:  # wrk runs whole seconds (the tiny size: less)
        return _wrk_load(url, cookie, seconds, connections)
    return _python_load(url, cookie, seconds, connections)


# wrk prints the 50th, 75th, 90th and 99th percentiles; this script asks it for the 95th.
WRK_P95 = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95.0)))
end
"""


def _wrk_load(url: str, cookie: str | None, seconds: float, connections: int) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_P95)
        script.flush()
        command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
        command += ["-s", script.name, url]
        if cookie:
            command[1:1] = ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise RuntimeError(f"{url} answered with errors:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p95_us = int(re.search(r"p95_us (\d+)", output).group(1))
    return Load(rps, p95_us / 1000)


def requests_per_second(
    url: str, cookie: str | None = None, seconds: float = 8, connections: int = 8
) -> float:
    """Requests per second that ``url`` serves (see ``measure_load``)."""
    return measure_load(url, cookie, seconds, connections).rps


def _python_load(url: str, cookie: str | None, seconds: float, connections: int) -> Load:
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]

    errors: list[str] = []

    def worker(index: int) -> None:
        try:
            _requests(index)
        except Exception as error:  # noqa: BLE001 - told to the caller below
            errors.append(str(error))

    def _requests(index: int) -> None:
        connection = HTTPConnection(parts.hostname, parts.port, timeout=10)
        headers = {"Cookie": cookie} if cookie else {}
        while True:  # at least one request each, however short the run
            sent = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies[index].append(time.perf_counter() - sent)
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
            if time.perf_counter() >= deadline:
                break
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:  # a page that fails under load is not measured
        raise RuntimeError(f"{url} answered with errors: {errors[0]}")
    every = sorted(t for per_connection in latencies for t in per_connection)
    if not every:
        raise RuntimeError(f"{url}: no request finished in {seconds} s")
    p95 = every[min(len(every) - 1, int(len(every) * 0.95))]
    return Load(len(every) / elapsed, p95 * 1000)


def temp_sqlite_url(name: str) -> tuple[str, Path]:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    return f"sqlite:///{folder / 'bench.db'}", folder


def bench_app(database_url: str):
    """The portal as the benchmarks run it in-process: no mail, no rate limits, quiet logs."""
    from portal import create_app

    return create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench",
            "MAIL_DELIVER_AFTER_REQUEST": False,
            "RATELIMIT_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
    )


def server_env(database_url: str) -> dict[str, str]:
    """The environment the portal runs with under gunicorn in the benchmarks."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "PORTAL_ENV": "development",
        "MAIL_DELIVER_AFTER_REQUEST": "0",
        "LOG_LEVEL": "WARNING",
        "LOGIN_SLOWDOWN_AFTER": "1000",
        "RATELIMIT_LOGIN_IP": "1000 per minute",
    }


# --- One table for every benchmark -------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    """How big a benchmark run is. ``FULL`` is the benchmark size the issues name; ``TINY`` only
    proves that a benchmark still runs (the suite's smoke test), it measures nothing."""

    name: str
    organisations: int
    flats: int
    households: int
    placements: int
    mediation_cases: int
    small_flats: int  # the small data set of the "same statement count at both sizes" checks
    small_placements: int
    load_seconds: float  # per page under gunicorn
    ranked_flats: int
    runs: int  # repeats of a timed call (median)
    photo: tuple[int, int]  # pixels of the benchmark photo


FULL = Size("full", 2000, 10_000, 20_000, 5_000, 3_000, 100, 50, 8, 30, 5, (6000, 4000))
TINY = Size("tiny", 4, 20, 12, 6, 4, 10, 3, 0.05, 2, 1, (600, 400))


def size_from_env() -> Size:
    """``BENCH_SIZE=tiny`` runs a benchmark at the smoke-test size; the default is full."""
    return TINY if os.environ.get("BENCH_SIZE", "full") == "tiny" else FULL


@dataclass(frozen=True)
class Row:
    """One measured figure: what, its value as printed, the target, and whether it is met
    (None where the figure has no target of its own, e.g. hello's requests per second)."""

    benchmark: str
    measure: str
    value: str
    target: str = ""
    met: bool | None = None


def share_row(benchmark: str, name: str, rps: float, bare: float, target: float) -> Row:
    share = rps / bare if bare else 0.0
    return Row(
        benchmark,
        f"{name} req/s",
        f"{rps:,.0f} = {share:.0%} of hello",
        f">= {target:.0%} of hello",
        share >= target,
    )


P95_TARGET_MS = 50


def load_rows(benchmark: str, name: str, load: Load, bare: float, target: float) -> list[Row]:
    """A page's requests per second next to hello's, and its 95th percentile latency."""
    return [
        share_row(benchmark, name, load.rps, bare, target),
        Row(
            benchmark,
            f"{name} p95 latency",
            f"{load.p95_ms:,.0f} ms",
            f"< {P95_TARGET_MS} ms",
            load.p95_ms < P95_TARGET_MS,
        ),
    ]


def print_table(rows: list[Row], title: str = "") -> None:
    """The rows as one plain-text table, with a verdict column."""
    headers = ("benchmark", "measure", "value", "target", "met")
    verdicts = {None: "", True: "yes", False: "NO"}
    cells = [(r.benchmark, r.measure, r.value, r.target, verdicts[r.met]) for r in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headers)]
    if title:
        print(title)
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-" * len(line))
    for c in cells:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)), flush=True)


_HELLO: dict[float, float] = {}


def hello_rps(env: dict[str, str], seconds: float) -> float:
    """Requests per second of the bare Flask app under the same gunicorn and client; measured
    once per process and load length, so that every page is compared with the same figure."""
    if seconds not in _HELLO:
        with gunicorn("bench.hello:app", env) as hello:
            _HELLO[seconds] = requests_per_second(hello + "/", seconds=seconds)
    return _HELLO[seconds]


def hello_rows() -> list[Row]:
    """The hello figures measured in this process, for the table."""
    return [
        Row("hello", f"bare Flask req/s ({seconds:g} s load)", f"{rps:,.0f}")
        for seconds, rps in _HELLO.items()
    ]
