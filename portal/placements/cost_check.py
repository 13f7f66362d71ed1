"""The Jobcenter's cost check of a placement (Kosten der Unterkunft, §22 SGB II): the flat's
gross cold rent against the household's limit by the rent-limit table in force on the day the
rent offer went out (today while it has not), never a stored figure. Heating costs are checked
elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from portal.core import clock
from portal.core.i18n import day as fmt_day
from portal.core.i18n import money as fmt_money
from portal.households.limits import HouseholdLimit, limit_of
from portal.placements.models import Placement


@dataclass(frozen=True)
class CostCheck:
    """The check on ``on``: the rent-offer date, or today before the offer."""

    on: date
    at_rent_offer: bool
    gross_cold_rent: Decimal | None
    limit: HouseholdLimit

    @property
    def within(self) -> bool:
        return self.limit.allows(self.gross_cold_rent)

    def verdict(self) -> str:
        """The outcome in words for staff, with the day whose table was used."""
        gross = fmt_money(self.gross_cold_rent)
        if self.limit.amount is None:
            return _("No rent limit to check the %(gross)s gross cold rent against.", gross=gross)
        if self.at_rent_offer:
            when = _(
                "by the table in force on the rent-offer date, %(date)s", date=fmt_day(self.on)
            )
        else:
            when = _(
                "by the table in force today, %(date)s (no rent offer yet)", date=fmt_day(self.on)
            )
        if self.within:
            return _(
                "Gross cold rent %(gross)s: within the limit, %(when)s.", gross=gross, when=when
            )
        return _(
            "Gross cold rent %(gross)s: %(over)s above the limit, %(when)s.",
            gross=gross,
            over=fmt_money(self.gross_cold_rent - self.limit.amount),  # type: ignore[operator]
            when=when,
        )


def cost_check(placement: Placement) -> CostCheck:
    """The placement's rent measured against the household's limit on the rent-offer date
    (today before the offer): a new rent-limit table counts from its valid-from date, for every
    open placement at once."""
    on = placement.rent_offer_on or clock.today()
    return CostCheck(
        on=on,
        at_rent_offer=placement.rent_offer_on is not None,
        gross_cold_rent=placement.flat.gross_cold_rent,
        limit=limit_of(placement.household, on),
    )
