"""The declarative base, column types and mixins every domain's models use."""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, scoped_session
from sqlalchemy.types import TypeDecorator

from portal.core import clock

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


def utcnow() -> datetime:
    return clock.utcnow()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are stored as naive
    UTC and given their zone back when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use UTC-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


PUBLIC_KEY_LENGTH = 32  # room above the 22 characters new_public_key makes


def new_public_key() -> str:
    """128 random bits in 22 URL-safe characters: the name of an object in landlord URLs and
    e-mails, where a sequential id would let a landlord count the programme's objects."""
    return secrets.token_urlsafe(16)


class PublicKeyMixin:
    """An opaque, unique key made on creation, for URLs outside the back office (landlord pages
    and their e-mails); staff URLs keep the integer id."""

    public_key: Mapped[str] = mapped_column(
        String(PUBLIC_KEY_LENGTH), unique=True, index=True, default=new_public_key
    )


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    # pysqlite's own transaction handling breaks SAVEPOINTs and defers BEGIN; hand both to
    # SQLAlchemy (see the SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional
    # DDL"), and turn on foreign keys, which SQLite leaves off by default.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # 2 MB of page cache by default: at the benchmark size the households table alone is
        # 4 MB, and every ranking or list read it again from the operating system.
        cursor.execute("PRAGMA cache_size=-32000")
        cursor.close()


# Set while ``begin_writing`` begins a transaction: on SQLite it then takes the write lock.
_BEGIN_IMMEDIATE: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _BEGIN_IMMEDIATE.get() else "BEGIN")


def begin_writing(session: Session | scoped_session) -> None:
    """End what ``session`` has read so far (a commit) and begin the transaction that writes.

    For a GET that writes a row of its own after reading (a profile view, the audit event of a
    look). SQLite cannot turn a read transaction into a write one while another connection
    writes: it answers "database is locked" at once instead of waiting (it would be a
    deadlock), and the visitor got the 503 page whenever two such requests overlapped. A
    transaction begun with ``BEGIN IMMEDIATE`` takes the write lock first and waits for it
    (``busy_timeout``). PostgreSQL waits by itself: there this is only the commit.

    What was read stays loaded (it is as current as it was within one transaction): the write
    reads nothing again."""
    own = session.registry() if isinstance(session, scoped_session) else session
    expire, own.expire_on_commit = own.expire_on_commit, False
    try:
        own.commit()
    finally:
        own.expire_on_commit = expire
    if own.get_bind().dialect.name != "sqlite":
        return
    token = _BEGIN_IMMEDIATE.set(True)
    try:
        own.connection()  # begins now
    finally:
        _BEGIN_IMMEDIATE.reset(token)
