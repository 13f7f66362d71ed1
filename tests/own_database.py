"""Apps on a database of their own (whose work commits for real, which the per-test rollback
of ``tests/conftest.py`` cannot allow), and work in threads released together."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from portal import create_app
from portal.extensions import db as _db
from portal.listings.reference import ensure_reference_data
from tests.conftest import base_config


@contextmanager
def app_on_own_database(tmp: Path, url: str, **config: object) -> Iterator[Flask]:
    """An app on the empty database at ``url`` with the tables and the reference data; its
    connections closed afterwards."""
    app = create_app(base_config(tmp, DATABASE_URL=url, **config))
    with app.app_context():
        _db.create_all()
        ensure_reference_data()
        _db.session.commit()
    try:
        yield app
    finally:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


def in_threads(count: int, run: Callable[[int, threading.Barrier], None]) -> None:
    """Run ``run(index, barrier)`` in ``count`` threads that share one barrier (each waits on
    it to be released with the others), join them, and fail the test if one hangs."""
    barrier = threading.Barrier(count)
    threads = [
        threading.Thread(target=run, args=(index, barrier), daemon=True) for index in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hangs"


def at_once(app: Flask, count: int, work: Callable[[], object]) -> list:
    """Run ``work()`` in ``count`` threads released together, each in its own app context (so
    its own session and connection, as on separate hosts). Returns each thread's result, or the
    exception it raised."""
    results: list = [None] * count

    def run(index: int, barrier: threading.Barrier) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = work()
            except Exception as exc:  # noqa: BLE001 - reported as the thread's result
                barrier.abort()
                results[index] = exc
            finally:
                _db.session.remove()

    in_threads(count, run)
    return results
