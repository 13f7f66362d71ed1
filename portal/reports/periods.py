"""Report periods: a first and a last day (both included), the presets of the period picker,
quarters, and the UTC bounds that compare with stored timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from portal.core.clock import BERLIN as LOCAL
from portal.core.dates import add_months

FUNDING_PHASE = (date(2025, 3, 1), date(2027, 12, 31))
PRESETS = ("this_month", "last_quarter", "this_year", "funding_phase")
MAX_DAYS = 3660  # about ten years: longer periods are refused


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    preset: str | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    def as_of(self, today: date) -> date:
        """The day "at the period's end" means: the last day, or today when that is earlier."""
        return min(self.end, today)

    @property
    def utc_start(self) -> datetime:
        """Midnight in Duisburg at the start of the first day, in UTC."""
        return datetime.combine(self.start, time(), LOCAL).astimezone(UTC)

    @property
    def utc_end(self) -> datetime:
        """Midnight in Duisburg after the last day, in UTC (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time(), LOCAL).astimezone(UTC)

    def months(self) -> list[str]:
        """The calendar months the period touches, ``["2026-01", ...]``."""
        keys, day = [], self.start.replace(day=1)
        while day <= self.end:
            keys.append(f"{day.year:04d}-{day.month:02d}")
            day = add_months(day, 1)
        return keys


def quarter_of(day: date) -> tuple[date, date]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, add_months(first, 3) - timedelta(days=1)


def quarters_between(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar quarters that overlap ``start``..``end``."""
    quarters, first = [], quarter_of(start)[0]
    while first <= end:
        quarters.append(quarter_of(first))
        first = add_months(first, 3)
    return quarters


def preset(name: str, today: date) -> Period:
    if name == "this_month":
        first = today.replace(day=1)
        return Period(first, add_months(first, 1) - timedelta(days=1), name)
    if name == "last_quarter":
        this_quarter = quarter_of(today)[0]
        first, last = quarter_of(this_quarter - timedelta(days=1))
        return Period(first, last, name)
    if name == "this_year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), name)
    if name == "funding_phase":
        return Period(*FUNDING_PHASE, name)
    raise ValueError(name)
