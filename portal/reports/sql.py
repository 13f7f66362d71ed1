"""The SQL that differs between SQLite and PostgreSQL, in one place: differences between
timestamps, whole months between two dates, the calendar month of a date, the UTC date of a
timestamp, and percentiles. Whole days between two dates (``days_between``) are in
``portal.core.sql``: the matching needs them too.

Every report function builds its queries from these constructs, so a figure is the same number
on both databases. Bounds that depend only on the period (the day six months before the end,
say) are computed in Python and bound as parameters; these constructs are for comparisons
between two columns.
"""

from __future__ import annotations

import math

from sqlalchemy import Float, Integer, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class days_between_times(FunctionElement):  # noqa: N801
    """Days, with fractions, from the first timestamp to the second."""

    type = Float()
    inherit_cache = True


@compiles(days_between_times, "sqlite")
def _days_times_sqlite(element, compiler, **kw) -> str:
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between_times, "postgresql")
def _days_times_pg(element, compiler, **kw) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 86400.0)"
    )


class _date_part(FunctionElement):  # noqa: N801
    type = Integer()
    inherit_cache = True
    part = ""


class year_of(_date_part):  # noqa: N801
    part = "year"
    inherit_cache = True


class month_of(_date_part):  # noqa: N801
    part = "month"
    inherit_cache = True


class day_of(_date_part):  # noqa: N801
    part = "day"
    inherit_cache = True


_SQLITE_PART = {"year": "%Y", "month": "%m", "day": "%d"}


@compiles(_date_part, "sqlite")
def _part_sqlite(element, compiler, **kw) -> str:
    (day,) = list(element.clauses)
    return (
        f"CAST(strftime('{_SQLITE_PART[element.part]}', {compiler.process(day, **kw)}) AS INTEGER)"
    )


@compiles(_date_part, "postgresql")
def _part_pg(element, compiler, **kw) -> str:
    (day,) = list(element.clauses)
    return f"CAST(EXTRACT({element.part.upper()} FROM {compiler.process(day, **kw)}) AS INTEGER)"


def full_months(start: ColumnElement, end: ColumnElement) -> ColumnElement:
    """Whole calendar months from ``start`` to ``end``: 15 Jan → 14 Jul is 5, → 15 Jul is 6.
    Written with year, month and day numbers only, so both databases agree to the day."""
    months = (year_of(end) - year_of(start)) * 12 + month_of(end) - month_of(start)
    from sqlalchemy import case

    return months - case((day_of(end) < day_of(start), 1), else_=0)


class month_key(FunctionElement):  # noqa: N801
    """The calendar month of a date as text, ``2026-03``."""

    inherit_cache = True


@compiles(month_key, "sqlite")
def _month_key_sqlite(element, compiler, **kw) -> str:
    (day,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(day, **kw)})"


@compiles(month_key, "postgresql")
def _month_key_pg(element, compiler, **kw) -> str:
    (day,) = list(element.clauses)
    return f"to_char({compiler.process(day, **kw)}, 'YYYY-MM')"


class utc_date(FunctionElement):  # noqa: N801
    """The UTC calendar date of a stored timestamp."""

    inherit_cache = True


@compiles(utc_date, "sqlite")
def _utc_date_sqlite(element, compiler, **kw) -> str:
    (moment,) = list(element.clauses)
    return f"date({compiler.process(moment, **kw)})"


@compiles(utc_date, "postgresql")
def _utc_date_pg(element, compiler, **kw) -> str:
    (moment,) = list(element.clauses)
    return f"CAST(({compiler.process(moment, **kw)} AT TIME ZONE 'UTC') AS DATE)"


class percentile(FunctionElement):  # noqa: N801
    """The ``fraction`` percentile of a column, interpolated between the two nearest values
    (PostgreSQL's ``percentile_cont``; on SQLite the same rule as an aggregate of our own).
    NULLs are ignored; no rows give NULL."""

    type = Float()
    inherit_cache = True

    def __init__(self, expression, fraction: float) -> None:
        self.fraction = float(fraction)
        super().__init__(expression)


@compiles(percentile, "sqlite")
def _percentile_sqlite(element, compiler, **kw) -> str:
    (expression,) = list(element.clauses)
    return f"portal_percentile({compiler.process(expression, **kw)}, {element.fraction!r})"


@compiles(percentile, "postgresql")
def _percentile_pg(element, compiler, **kw) -> str:
    (expression,) = list(element.clauses)
    return (
        f"percentile_cont({element.fraction!r}) WITHIN GROUP "
        f"(ORDER BY {compiler.process(expression, **kw)})"
    )


def interpolated_percentile(values: list[float], fraction: float) -> float | None:
    """``percentile_cont`` as PostgreSQL defines it, for SQLite's aggregate (and the tests)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower, upper = math.floor(position), math.ceil(position)
    if lower == upper:
        return float(ordered[lower])
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


class _PercentileAggregate:
    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return interpolated_percentile(self.values, self.fraction)


@event.listens_for(Engine, "connect")
def _register_sqlite_functions(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_aggregate("portal_percentile", 2, _PercentileAggregate)
