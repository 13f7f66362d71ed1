"""The two load generators of the benchmarks (wrk, and the Python client where wrk is missing)
run and read their figures: requests per second and the 95th percentile. Nothing here measures
speed; the figures are only checked to be there and an error page to be refused."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bench.common import _python_load, _wrk_load
from tests.services import missing

pytestmark = pytest.mark.own_database  # no database: once per CI run is enough


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = Flask("load")
    app.add_url_rule("/", "hello", lambda: "hello")
    app.add_url_rule("/broken", "broken", lambda: ("broken", 500))
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{served.server_port}"
    served.shutdown()


def _wrk_or_missing() -> None:
    if shutil.which("wrk") is None:
        missing("wrk (apt-get install wrk)")


@pytest.mark.parametrize("client", ["wrk", "python"])
def test_a_load_run_reads_requests_per_second_and_the_95th_percentile(server, client):
    if client == "wrk":
        _wrk_or_missing()
        load = _wrk_load(server + "/?q=1", "a=b", 1, 2)
    else:
        load = _python_load(server + "/?q=1", "a=b", 0.2, 2)
    assert load.rps > 0
    assert 0 < load.p95_ms < 10_000


@pytest.mark.parametrize("client", ["wrk", "python"])
def test_an_error_page_is_not_measured(server, client):
    if client == "wrk":
        _wrk_or_missing()
        with pytest.raises(RuntimeError, match="errors"):
            _wrk_load(server + "/broken", None, 1, 2)
    else:
        with pytest.raises(RuntimeError, match="errors: .* answered 500"):
            _python_load(server + "/broken", None, 0.2, 2)
