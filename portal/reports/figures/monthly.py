"""The data of the charts: leases and the time to a lease per calendar month."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from portal.core.sql import days_between
from portal.extensions import db
from portal.households.models import Household
from portal.placements.models import Placement
from portal.reports.figures.base import GROUPS, PROGRAMME, Scope, _leases
from portal.reports.periods import Period
from portal.reports.sql import month_key, percentile

# Charts -------------------------------------------------------------------------------------


def placements_per_month(period: Period, scope: Scope = PROGRAMME) -> dict[str, dict[str, Any]]:
    """Households with a lease signed, per calendar month of the period and target group."""
    month = month_key(Placement.lease_signed_on)
    stmt = (
        select(month, Household.target_group, func.count(func.distinct(Household.id)))
        .select_from(Placement)
        .join(Household, Household.id == Placement.household_id)
        .where(
            _leases(),
            Placement.lease_signed_on.between(period.start, period.end),
            scope.households(),
        )
        .group_by(month, Household.target_group)
    )
    series: dict[str, dict[str, Any]] = {g: dict.fromkeys(period.months(), 0) for g in GROUPS}
    for key, group, n in db.session.execute(stmt):
        series[group][key] = n
    return series


def lease_time_per_month(period: Period, scope: Scope = PROGRAMME) -> dict[str, tuple[int, Any]]:
    """Median days from intake to lease per calendar month of the lease (all target groups)."""
    month = month_key(Placement.lease_signed_on)
    to_lease = days_between(Household.intake_on, Placement.lease_signed_on)
    stmt = (
        select(month, func.count(Placement.id), percentile(to_lease, 0.5))
        .select_from(Placement)
        .join(Household, Household.id == Placement.household_id)
        .where(
            _leases(),
            Placement.lease_signed_on.between(period.start, period.end),
            scope.households(),
        )
        .group_by(month)
    )
    found = {key: (n, value) for key, n, value in db.session.execute(stmt)}
    return {key: found.get(key, (0, None)) for key in period.months()}
