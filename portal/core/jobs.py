"""Scheduled jobs started on several hosts at once (issue 19).

Every host of a deployment with several application servers may carry the same cron lines or
systemd timers, so that the jobs still run when one host is down. Two kinds of job:

- Jobs that would repeat themselves (``placements remind`` mails everyone again on every run;
  ``placements digest`` is "one summary a day") run once a day: ``claim_daily_run`` inserts a
  ``job_runs`` row (job name, the day in Berlin, the host) that a unique constraint allows once,
  in the same transaction as the job's own changes and the mails it queues.
- Jobs whose every item carries its own "done" mark (the purges, ``expire-consents``) may run
  again the same day and then find nothing to do; they only must not overlap, or both runs would
  handle the same items. ``run_alone`` takes a lock held to the end of the transaction:
  ``pg_advisory_xact_lock`` on PostgreSQL, the database's write lock on SQLite.

For the daily row:

- Two hosts at once: on PostgreSQL the second INSERT waits on the unique index until the first
  transaction ends; when it commits, the second sees a unique violation and skips the job; when it
  rolls back (the job failed), the second takes over and runs it. On SQLite (one host) the second
  process waits for the database lock (``busy_timeout``) and then does the same; a run longer than
  that is reported as busy and skipped.
- A job that fails leaves no row behind (its transaction rolls back), so a later start the same
  day runs it.
- Why not PostgreSQL advisory locks for these: they exclude runs at the same moment only. A host
  whose timer fires a minute after the first host finished would run the job a second time, and
  the lock leaves no record of which host ran what and when; the row does both, on both
  databases.
"""

from __future__ import annotations

import hashlib
import socket
from datetime import date, datetime

from sqlalchemy import String, UniqueConstraint, delete, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import clock
from portal.core.db import Base, UTCDateTime, utcnow
from portal.extensions import db


class JobRun(Base):
    """One run of a scheduled job on one day (Berlin), by one host."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    day: Mapped[date]
    host: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.day} {self.host}>"


def claim_daily_run(job: str, day: date | None = None) -> JobRun | str:
    """Record today's run of ``job`` in the current transaction (commit it with the job's work).

    Returns the new ``JobRun``, or a sentence saying why the job must not run now (already run
    today, with the host and time; or another run holding the database)."""
    day = day or clock.today()
    run = JobRun(job=job, day=day, host=socket.gethostname()[:100], started_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        earlier = db.session.scalars(
            select(JobRun).where(JobRun.job == job, JobRun.day == day)
        ).first()
        if earlier is None:  # pragma: no cover - the winner's row vanished again
            return f"{job}: another run today was being recorded; not run"
        started = earlier.started_at.astimezone(clock.BERLIN).strftime("%H:%M")
        return f"{job}: already run on {day.isoformat()} by {earlier.host} at {started}; not run"
    except OperationalError as exc:
        if "locked" not in str(exc.orig).lower():
            raise
        db.session.rollback()
        return f"{job}: another run holds the database; not run"
    return run


class JobLock(Base):
    """SQLite's ``run_alone``: a row written and removed again in the job's transaction, which
    takes the database's write lock until that transaction ends (never holds rows at rest)."""

    __tablename__ = "job_locks"

    job: Mapped[str] = mapped_column(String(60), primary_key=True)


def _lock_key(job: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` (the same on every host)."""
    return int.from_bytes(
        hashlib.sha256(f"portal-job:{job}".encode()).digest()[:8], "big", signed=True
    )


def run_alone(job: str) -> None:
    """Wait until no other run of ``job`` is inside its transaction, then hold the lock until
    this transaction ends (commit or rollback). Call it first in the job's transaction."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(job)})
        return
    db.session.execute(insert(JobLock).values(job=job))
    db.session.execute(delete(JobLock).where(JobLock.job == job))
