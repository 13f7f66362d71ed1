"""The ESF funding periods and how long their records are kept (``ESF_FUNDING_PERIODS``).

CPR Art. 82 (Regulation (EU) 2021/1060): the documents of an operation are kept five years from
31 December of the year in which the managing authority made its last payment to the
beneficiary. The portal keeps a household's ESF participant records and the consent scans that
prove them until the retention end of the funding period its intake falls in, then
``flask privacy purge`` deletes them.

The setting lists the periods, separated by ``;`` or ``,``; each is
``<first intake year>-<last intake year>:<end>``, where ``<end>`` is either the year of the last
payment (the records are kept until 31 December five years later) or an explicit retention end
(``YYYY-MM-DD``), for when the managing authority names one:

    ESF_FUNDING_PERIODS="2021-2029:2030"            # ESF+ 2021-2027, kept until 2035-12-31
    ESF_FUNDING_PERIODS="2021-2029:2036-12-31"      # the authority asked for a year more

The intake years of a period run past its name: ESF+ 2021-2027 expenditure is eligible until
31 December 2029, so intakes up to 2029 are funded by it. A bad value stops the portal at start
with a message that names the mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

RETENTION_YEARS = 5  # CPR Art. 82(1)

# ESF+ 2021-2027: intakes up to 2029 (end of eligibility), final payment expected 2030.
DEFAULT_FUNDING_PERIODS = "2021-2029:2030"

_ITEM = re.compile(r"^(\d{4})-(\d{4}):(\d{4}(?:-\d{2}-\d{2})?)$")


class FundingPeriodError(ValueError):
    """``ESF_FUNDING_PERIODS`` cannot be read; the message says why."""


@dataclass(frozen=True)
class FundingPeriod:
    first_year: int  # intake years covered, inclusive
    last_year: int
    retention_end: date  # the last day the records are kept

    @property
    def label(self) -> str:
        return f"{self.first_year}-{self.last_year}"

    def covers(self, intake_on: date) -> bool:
        return self.first_year <= intake_on.year <= self.last_year


def retention_end_after_last_payment(payment_year: int) -> date:
    """31 December of the fifth year after the year of the last payment."""
    return date(payment_year + RETENTION_YEARS, 12, 31)


def parse_funding_periods(raw: str, name: str = "ESF_FUNDING_PERIODS") -> tuple[FundingPeriod, ...]:
    """Read the setting; refuse (``FundingPeriodError``) anything malformed, a period that ends
    before it starts, a retention end within a period's intake years, and overlapping periods.
    An empty value means no funding period (the purge then deletes no ESF record)."""
    periods: list[FundingPeriod] = []
    for item in (part.strip() for part in re.split(r"[;,]", raw)):
        if not item:
            continue
        match = _ITEM.match(item.replace(" ", ""))
        if match is None:
            raise FundingPeriodError(
                f"{name}: {item!r} is not <first intake year>-<last intake year>:<end>, "
                "with <end> the year of the last payment or a date YYYY-MM-DD "
                "(e.g. 2021-2029:2030)"
            )
        first, last, end = int(match[1]), int(match[2]), match[3]
        if first > last:
            raise FundingPeriodError(f"{name}: {item!r} ends before it starts")
        if len(end) == 4:
            if int(end) < last:
                raise FundingPeriodError(
                    f"{name}: {item!r}: the last payment cannot come before the last intake year"
                )
            retention_end = retention_end_after_last_payment(int(end))
        else:
            try:
                retention_end = date.fromisoformat(end)
            except ValueError as exc:
                raise FundingPeriodError(f"{name}: {item!r}: {end} is not a date") from exc
            if retention_end.year <= last:
                raise FundingPeriodError(
                    f"{name}: {item!r}: the retention end must lie after the last intake year"
                )
        periods.append(FundingPeriod(first, last, retention_end))
    periods.sort(key=lambda p: p.first_year)
    for before, after in zip(periods, periods[1:], strict=False):
        if after.first_year <= before.last_year:
            raise FundingPeriodError(
                f"{name}: the periods {before.label} and {after.label} overlap"
            )
    return tuple(periods)


def period_for(periods: tuple[FundingPeriod, ...], intake_on: date) -> FundingPeriod | None:
    """The funding period a household's intake falls in, or None when none is configured."""
    for period in periods:
        if period.covers(intake_on):
            return period
    return None
