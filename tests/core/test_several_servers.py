"""Several application servers at once (issue 19): mail workers and scheduled jobs started on two
hosts at the same moment, each with its own database connection, against one real database that
commits (PostgreSQL in the suite's PostgreSQL pass, a SQLite file otherwise) and a real SMTP
server (aiosmtpd). Every message reaches the server exactly once; a job runs once."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from portal.core import clock
from portal.core.db import utcnow
from portal.core.jobs import JobRun, run_alone
from portal.core.outbox import OutboxMessage, deliver_pending, queue_mail
from portal.extensions import db as _db
from portal.households.models import Consent
from portal.placements.models import State
from tests.builders import Collector, placement_in, world
from tests.factories import HouseholdFactory, StaffFactory
from tests.own_database import app_on_own_database, at_once
from tests.services import database_url_under_test, free_port, fresh_postgres_database

WORKERS = 4
MESSAGES = 60


@pytest.fixture(autouse=True)
def db():
    """The workers commit for real here; no per-test rollback (see ``shared_app``)."""
    yield _db


class SlowCollector(Collector):
    """A server that takes a little time per message, so that the workers' sending overlaps."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        time.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def shared_app(tmp_path):
    """An app on its own empty database of the backend under test, with a started SMTP server;
    yields (app, collector). Small claim batches, so that the workers take turns often."""
    under_test = database_url_under_test()
    database = (
        fresh_postgres_database("portal_servers")
        if under_test and under_test.startswith("postgresql")
        else contextlib.nullcontext(f"sqlite:///{tmp_path / 'servers.db'}")
    )
    collector = SlowCollector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with (
            database as url,
            app_on_own_database(
                tmp_path,
                url,
                MAIL_PORT=controller.port,
                MAIL_CLAIM_BATCH=3,
                SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WORKERS + 2, "max_overflow": 0},
            ) as app,
        ):
            yield app, collector
    finally:
        controller.stop()


def received(collector) -> Counter:
    """How often each message (by its Message-ID) reached the server."""
    return Counter(
        message_from_bytes(content)["Message-ID"] for _, _, content in collector.messages
    )


def test_workers_on_several_hosts_send_each_message_once(shared_app):
    app, collector = shared_app
    with app.test_request_context():
        for n in range(MESSAGES):
            queue_mail(f"person{n}@example.org", "reset_password", "de", name="A", url="x")
        _db.session.commit()
    results = at_once(app, WORKERS, deliver_pending)
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["sent"] for r in results) == MESSAGES
    assert sum(r["retry"] + r["failed"] for r in results) == 0
    # Every worker got a share (they ran at the same time), and no message came twice.
    assert all(r["sent"] > 0 for r in results), results
    counts = received(collector)
    assert len(counts) == MESSAGES and set(counts.values()) == {1}
    with app.app_context():
        statuses = _db.session.scalars(select(OutboxMessage.status)).all()
        assert Counter(statuses) == {"sent": MESSAGES}
        assert _db.session.scalar(select(func.max(OutboxMessage.attempts))) == 1


def test_workers_take_over_a_dead_workers_claims_once(shared_app):
    app, collector = shared_app
    with app.test_request_context():
        for n in range(12):
            queue_mail(f"person{n}@example.org", "reset_password", "de", name="A", url="x")
        _db.session.commit()
        # A worker claimed half of them and died before sending.
        lease = timedelta(seconds=app.config["MAIL_CLAIM_LEASE_SECONDS"])
        for message in _db.session.scalars(select(OutboxMessage).limit(6)):
            message.status, message.claimed_by = "sending", "dead-host:1:x"
            message.claimed_at, message.attempts = utcnow() - lease - timedelta(seconds=1), 1
        _db.session.commit()
    results = at_once(app, WORKERS, deliver_pending)
    assert sum(r["sent"] for r in results) == 12, results
    counts = received(collector)
    assert len(counts) == 12 and set(counts.values()) == {1}


def command(group: str, name: str):
    """``flask <group> <name>`` as a function for a thread that has its app context (the test
    CLI runner swaps ``sys.stdout`` for the whole process, so threads cannot share it). Output
    goes to the test's captured stdout, one ``click.echo`` per line."""
    from portal.households.cli import bp as households
    from portal.placements.cli import bp as placements

    cli = {"households": households.cli, "placements": placements.cli}[group]
    return lambda: cli.commands[name].main(args=[], standalone_mode=False)


def test_the_daily_reminder_started_on_two_hosts_at_once_mails_once(shared_app, capsys):
    app, collector = shared_app
    with app.app_context():
        w = world()
        stuck = placement_in(app, w, State.VIEWING_DONE)
        stuck.state_changed_at = utcnow() - timedelta(days=20)
        email = w.specialist.email
        _db.session.commit()
    capsys.readouterr()
    results = at_once(app, WORKERS, command("placements", "remind"))
    assert not any(isinstance(r, Exception) for r in results), results
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("overdue 1") for line in lines) == 1, lines
    assert sum("already run on" in line for line in lines) == WORKERS - 1, lines
    # A later start the same day does nothing either.
    runner = app.test_cli_runner()
    assert "already run on" in runner.invoke(args=["placements", "remind"]).output
    with app.app_context():
        assert _db.session.scalar(select(func.count(JobRun.id))) == 1
        mails = _db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == email)
        ).all()
        assert len(mails) == 1
        deliver_pending()  # with the mails the placement's steps queued
    assert [rcpt for _, rcpt, _ in collector.messages].count([email]) == 1


def test_a_failed_daily_run_leaves_the_day_free(shared_app, monkeypatch):
    app, _ = shared_app
    from portal.placements import operations as ops

    def broken(today=None):
        raise RuntimeError("the job failed")

    monkeypatch.setattr(ops, "remind", broken)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["placements", "remind"]).exit_code != 0
    monkeypatch.undo()
    result = runner.invoke(args=["placements", "remind"])
    assert result.output.startswith("overdue 0"), result.output


def test_consent_reminders_started_on_two_hosts_at_once_go_out_once(shared_app, capsys):
    app, collector = shared_app
    with app.app_context():
        worker = StaffFactory(role="social_worker", email="engel@example.org")
        today = clock.today()
        for _ in range(3):
            _db.session.add(
                Consent(
                    household=HouseholdFactory(consent=False),
                    given_on=today - timedelta(days=170),
                    expires_on=today + timedelta(days=10),
                    recorded_by_id=worker.id,
                )
            )
        _db.session.commit()
    capsys.readouterr()
    results = at_once(app, WORKERS, command("households", "expire-consents"))
    assert not any(isinstance(r, Exception) for r in results), results
    lines = sorted(capsys.readouterr().out.splitlines())
    assert lines == ["expired 0, reminded 0"] * (WORKERS - 1) + ["expired 0, reminded 3"], lines
    with app.app_context():
        deliver_pending()
    assert len(collector.messages) == 3


def test_run_alone_makes_the_second_run_wait_for_the_first(shared_app):
    """The lock holds to the end of the first run's transaction, on both databases."""
    app, _ = shared_app
    events: list[tuple[str, float]] = []
    first_has_lock = threading.Event()

    def first():
        run_alone("test job")
        events.append(("first locked", time.monotonic()))
        first_has_lock.set()
        time.sleep(0.5)
        events.append(("first commits", time.monotonic()))
        _db.session.commit()

    def second():
        first_has_lock.wait(timeout=10)
        run_alone("test job")
        events.append(("second locked", time.monotonic()))
        _db.session.commit()

    threads = []
    for work in (first, second):

        def run(work=work):
            with app.app_context():
                try:
                    work()
                finally:
                    _db.session.remove()

        threads.append(threading.Thread(target=run, daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [name for name, _ in events] == ["first locked", "first commits", "second locked"]
