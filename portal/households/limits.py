"""A household's rent limit (Kosten der Unterkunft), computed when it is needed and never
stored: the staff's override where there is one, else the rent-limit table in force on the day
asked about for the household's size. A new table entered with a valid-from date therefore
changes every profile, every match and every open placement's check from that date on, without
saving anything on a household."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.core import clock
from portal.core.i18n import day as fmt_day
from portal.core.i18n import locale_in_force
from portal.core.i18n import money as fmt_money
from portal.households.models import Household
from portal.listings.rules import LimitRow, RentLimitTable, limits_in_force
from portal.sites.models import DEFAULT_SITE_ID


@dataclass(frozen=True)
class HouseholdLimit:
    """The maximum gross cold rent of one household on one day, and where it comes from: the
    table ``row`` or the staff's override (``is_override``; ``reason`` is staff only).
    ``amount`` is None when there is neither."""

    persons: int
    on: date
    amount: Decimal | None
    row: LimitRow | None = None
    is_override: bool = False
    reason: str | None = None

    def allows(self, gross_cold_rent: Decimal | None) -> bool:
        return (
            gross_cold_rent is not None
            and self.amount is not None
            and gross_cold_rent <= self.amount
        )

    def staff_text(self, with_reason: bool = True) -> str:
        """Which row (or override) the limit comes from, for staff: "Limit for 3 persons from
        01.08.2023: 564,00 €", "override by staff: 600,00 € (reason)"."""
        if self.is_override:
            text = _("override by staff: %(amount)s", amount=fmt_money(self.amount))
            return f"{text} ({self.reason})" if with_reason and self.reason else text
        return self.table_text()

    def table_text(self) -> str:
        """The table's row in words (no override, no reason): what the table gives this size."""
        # The same few sentences for every household of a ranking: written once per locale.
        return _table_text(self.row, self.persons, self.on, str(locale_in_force()))


@lru_cache(maxsize=1024)
def _table_text(row: LimitRow | None, persons: int, on: date, locale: str) -> str:  # noqa: ARG001
    """``HouseholdLimit.table_text``; ``locale`` only keys the cache (the text is written in
    the locale in force)."""
    if row is None:
        return ngettext(
            "The rent-limit table in force on %(date)s has no figure for %(num)d person.",
            "The rent-limit table in force on %(date)s has no figure for %(num)d persons.",
            persons,
            date=fmt_day(on),
        )
    if not row.further_persons:
        return ngettext(
            "Limit for %(num)d person from %(date)s: %(amount)s",
            "Limit for %(num)d persons from %(date)s: %(amount)s",
            row.persons,
            date=fmt_day(row.valid_from),
            amount=fmt_money(row.limit),
        )
    return _(
        "Limit for %(num)d persons: %(base)s for %(size)d persons (from %(date)s) and "
        "%(extra)s for each further person (from %(extra_date)s): %(amount)s",
        num=row.persons,
        base=fmt_money(row.amount),
        size=row.size,
        date=fmt_day(row.valid_from),
        extra=fmt_money(row.extra),
        extra_date=fmt_day(row.extra_from),
        amount=fmt_money(row.limit),
    )


def limit_of(
    household: Household, on: date | None = None, table: RentLimitTable | None = None
) -> HouseholdLimit:
    """The household's limit on ``on`` (today by default): the override where staff set one,
    else the row of ``table`` (the table of the household's site in force on ``on`` when not
    given, or when ``table`` is another site's) for its size."""
    if table is not None:
        on = table.on
    on = on or clock.today()
    persons = household.size
    if household.max_gross_cold_rent is not None:
        return HouseholdLimit(
            persons,
            on,
            household.max_gross_cold_rent,
            is_override=True,
            reason=household.override_reason,
        )
    site_id = household.site_id or DEFAULT_SITE_ID  # not yet flushed: the default site
    if table is None or table.site_id != site_id:
        table = limits_in_force(on, site_id=site_id)
    row = table.row_for(persons)
    return HouseholdLimit(persons, on, None if row is None else row.limit, row)
