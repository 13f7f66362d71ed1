"""The heating-cost check of the Jobcenter (Zusicherung, DESIGN section 7): a flat's heating
costs are appropriate when they stay within the highest column ("zu hoch") of the Heizspiegel
for the flat's heating kind, times the floor area appropriate for the household (WNB,
``rules.max_area_for``), not the flat's own area.

- The heating kind is the flat's ``energy_carrier`` (the energy certificate's main energy
  carrier, which the Mietbescheinigung also names as the heating kind); flats have no other
  heating-kind field. A flat whose certificate is "not yet available" has no kind: unknown.
- The flat's heating costs are the monthly advance (``heating_costs``) times twelve; with
  central warm water they include it, and so do the Jobcenter's thresholds in practice.
- A threshold is reference data dated like the rent limits: for each kind, the newest row on or
  before the day counts. A new row changes every check from its date, nothing is stored.
- Each site has its own thresholds (DESIGN.md §9): a flat is checked against its own site's.
- A flat over the threshold is shown with a warning to staff, never hidden from a list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import resources

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core import audit, clock
from portal.core.i18n import area as format_area
from portal.core.i18n import date_locale, day
from portal.core.i18n import money as format_money
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db
from portal.listings.labels import energy_carrier_label
from portal.listings.models import ENERGY_CARRIERS, Flat, HeatingThreshold
from portal.listings.rules import MAX_HOUSEHOLD_SIZE, max_area_for, rows_in_force, taken_on
from portal.listings.site_choice import refuse_unless_member
from portal.sites.models import DEFAULT_SITE_ID

WITHIN, OVER, UNKNOWN = "within", "over", "unknown"
# Why a check cannot be made.
NO_COSTS, NO_KIND, NO_THRESHOLD = "no_costs", "no_kind", "no_threshold"
MONTHS = 12
CENT = Decimal("0.01")
# The amount must fit its column (Numeric(10, 2)).
MAX_AMOUNT = Decimal(10) ** 8
HEATING_KINDS = ENERGY_CARRIERS


# The thresholds in force ------------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdTable:
    """The thresholds of one site in force on one day, by heating kind."""

    on: date
    rows: dict[str, HeatingThreshold] = field(default_factory=dict)
    site_id: int = DEFAULT_SITE_ID

    def for_kind(self, kind: str | None) -> HeatingThreshold | None:
        return self.rows.get(kind) if kind else None


def thresholds_in_force(
    on: date | None = None, *, site_id: int = DEFAULT_SITE_ID
) -> ThresholdTable:
    """For each heating kind, site ``site_id``'s row with the latest ``valid_from`` on or before
    ``on`` (today by default). One query."""
    on = on or clock.today()
    rows = rows_in_force(HeatingThreshold, HeatingThreshold.heating_kind, on, site_id=site_id)
    return ThresholdTable(on=on, rows={row.heating_kind: row for row in rows}, site_id=site_id)


def all_rows(site_id: int = DEFAULT_SITE_ID) -> list[HeatingThreshold]:
    """Every threshold of site ``site_id``, the newest first."""
    return list(
        db.session.scalars(
            select(HeatingThreshold)
            .where(HeatingThreshold.site_id == site_id)
            .order_by(HeatingThreshold.valid_from.desc(), HeatingThreshold.heating_kind)
        )
    )


# The check ---------------------------------------------------------------------------------------


def _persons(n: int) -> str:
    return ngettext("%(num)d person", "%(num)d persons", n)


@dataclass(frozen=True)
class HeatingCheck:
    """The outcome of the check for one flat and one household size (or area)."""

    result: str  # WITHIN | OVER | UNKNOWN
    kind: str | None
    yearly_costs: Decimal | None  # the flat's heating costs × 12
    reason: str | None = None  # why UNKNOWN: NO_COSTS | NO_KIND | NO_THRESHOLD
    persons: int | None = None
    area: Decimal | None = None  # the appropriate floor area the threshold is multiplied by
    threshold: HeatingThreshold | None = None

    @property
    def is_over(self) -> bool:
        return self.result == OVER

    @property
    def is_within(self) -> bool:
        return self.result == WITHIN

    @property
    def is_unknown(self) -> bool:
        return self.result == UNKNOWN

    @property
    def rate(self) -> Decimal | None:
        """€ per m² and year."""
        return self.threshold.max_per_m2_year if self.threshold else None

    @property
    def allowed_yearly(self) -> Decimal | None:
        if self.threshold is None or self.area is None:
            return None
        return (self.threshold.max_per_m2_year * self.area).quantize(CENT)

    @property
    def allowed_monthly(self) -> Decimal | None:
        yearly = self.allowed_yearly
        return None if yearly is None else (yearly / MONTHS).quantize(CENT)

    def _basis(self) -> str:
        """``3 persons, 80 m² × 11,48 €`` (or ``80 m² × 11,48 €`` without persons)."""
        product = f"{format_area(self.area)} × {format_money(self.rate)}"
        if self.persons is None:
            return product
        return f"{_persons(self.persons)}, {product}"

    def sentence(self) -> str:
        """The outcome in plain words for staff (it may name the household's size)."""
        if self.result == UNKNOWN:
            return unknown_sentence(self.reason, self.kind)
        if self.result == OVER:
            return _(
                "Heating costs above the Heizspiegel threshold: %(costs)s a year, appropriate "
                "up to %(allowed)s (%(basis)s).",
                costs=format_money(self.yearly_costs),
                allowed=format_money(self.allowed_yearly),
                basis=self._basis(),
            )
        return _(
            "Heating costs within the Heizspiegel threshold: %(costs)s a year, appropriate up "
            "to %(allowed)s (%(basis)s).",
            costs=format_money(self.yearly_costs),
            allowed=format_money(self.allowed_yearly),
            basis=self._basis(),
        )

    def source_sentence(self) -> str | None:
        """Which table row the check used."""
        if self.threshold is None:
            return None
        return _(
            "Threshold for %(kind)s: %(rate)s per m² and year, valid since %(date)s "
            "(source: %(source)s).",
            kind=energy_carrier_label(self.kind),
            rate=format_money(self.rate),
            date=day(self.threshold.valid_from),
            source=self.threshold.source,
        )


def unknown_sentence(reason: str | None, kind: str | None) -> str:
    if reason == NO_COSTS:
        return _("Heating costs not checked: the flat has no heating costs entered.")
    if reason == NO_KIND:
        return _(
            "Heating costs not checked: the heating kind is not known (the energy certificate "
            "is not yet available)."
        )
    return _(
        "Heating costs not checked: there is no Heizspiegel threshold for %(kind)s.",
        kind=energy_carrier_label(kind),
    )


def heating_check(
    flat: Flat,
    persons: int | None = None,
    *,
    area: Decimal | None = None,
    on: date | None = None,
    table: ThresholdTable | None = None,
) -> HeatingCheck:
    """Are the flat's heating costs within the threshold of the flat's site for its heating kind
    in force ``on`` (today by default; or the given ``table`` when it is the flat's site's)
    times the appropriate area: ``area`` when given, else the WNB area for ``persons``? Unknown
    without heating costs, heating kind or a threshold for the kind. Reads at most one query
    (none with the flat's site's ``table``)."""
    if area is None:
        if persons is None:
            raise ValueError("heating_check needs persons or an area")
        area = max_area_for(persons)
    kind = flat.energy_carrier
    yearly = None if flat.heating_costs is None else (flat.heating_costs * MONTHS).quantize(CENT)
    if yearly is None:
        return HeatingCheck(UNKNOWN, kind, None, NO_COSTS, persons, area)
    if not kind:
        return HeatingCheck(UNKNOWN, None, yearly, NO_KIND, persons, area)
    table = _table_of(flat, table, on)
    threshold = table.for_kind(kind)
    if threshold is None:
        return HeatingCheck(UNKNOWN, kind, yearly, NO_THRESHOLD, persons, area)
    check = HeatingCheck(WITHIN, kind, yearly, None, persons, area, threshold)
    allowed = check.allowed_yearly
    if allowed is not None and yearly > allowed:
        return HeatingCheck(OVER, kind, yearly, None, persons, area, threshold)
    return check


def _table_of(flat: Flat, table: ThresholdTable | None, on: date | None) -> ThresholdTable:
    """``table`` when it is the thresholds of the flat's site, else the flat's site's in force
    ``on``: a flat is never measured by another site's Heizspiegel."""
    site_id = flat.site_id or DEFAULT_SITE_ID  # a flat not yet flushed has the default site
    if table is None:
        return thresholds_in_force(on, site_id=site_id)
    if table.site_id == site_id:
        return table
    return thresholds_in_force(on or table.on, site_id=site_id)


# A flat without a household: for which household sizes -----------------------------------------


@dataclass(frozen=True)
class FlatHeating:
    """The check for every household size (1 to 12): the flat page without a household."""

    checks: dict[int, HeatingCheck]

    @property
    def unknown(self) -> HeatingCheck | None:
        first = self.checks[1]
        return first if first.is_unknown else None

    @property
    def sizes_within(self) -> list[int]:
        return [n for n, check in self.checks.items() if check.is_within]

    @property
    def sizes_over(self) -> list[int]:
        return [n for n, check in self.checks.items() if check.is_over]

    def over_among(self, sizes: list[int] | tuple[int, int] | None) -> list[HeatingCheck]:
        """The checks over the threshold for ``sizes`` (a list, or a (first, last) range)."""
        if not sizes:
            return []
        if isinstance(sizes, tuple):
            sizes = list(range(sizes[0], sizes[1] + 1))
        return [self.checks[n] for n in sizes if n in self.checks and self.checks[n].is_over]

    def summary(self) -> str:
        """For which household sizes the heating costs are within the threshold, for staff."""
        if self.unknown is not None:
            return self.unknown.sentence()
        within = self.sizes_within
        if not self.sizes_over:
            return _("The heating costs are within the Heizspiegel threshold for every household.")
        if not within:
            return _(
                "The heating costs are above the Heizspiegel threshold for every household size."
            )
        return ngettext(
            "The heating costs are within the Heizspiegel threshold for households of %(num)d "
            "person or more, above it for smaller ones.",
            "The heating costs are within the Heizspiegel threshold for households of %(num)d "
            "persons or more, above it for smaller ones.",
            within[0],
        )

    def landlord_hint(self) -> str | None:
        """A neutral hint for the landlord's own flat page when the heating costs are above
        what the Jobcenter pays for some household sizes: no household is named, only sizes.
        None when nothing is over (or nothing can be checked)."""
        over = self.sizes_over
        if self.unknown is not None or not over:
            return None
        if not self.sizes_within:
            return _(
                "The heating costs are above what the Jobcenter pays for heating, whatever the "
                "size of the household. Lower heating costs make the flat easier to let through "
                "the programme."
            )
        return ngettext(
            "The heating costs are above what the Jobcenter pays for heating for households "
            "of %(sizes)s person. Larger households are not affected.",
            "The heating costs are above what the Jobcenter pays for heating for households "
            "of %(sizes)s people. Larger households are not affected.",
            max(over),
            sizes=_sizes_phrase(over),
        )


def _sizes_phrase(sizes: list[int]) -> str:
    if len(sizes) >= 3:
        return _("%(first)d to %(last)d", first=sizes[0], last=sizes[-1])
    return format_list([str(n) for n in sizes], style="or", locale=date_locale())


def flat_heating(
    flat: Flat, on: date | None = None, table: ThresholdTable | None = None
) -> FlatHeating:
    """The check for every household size, from one table of the flat's site (one query at
    most)."""
    table = _table_of(flat, table, on)
    return FlatHeating(
        {n: heating_check(flat, n, table=table) for n in range(1, MAX_HOUSEHOLD_SIZE + 1)}
    )


# Entering thresholds (admins) -------------------------------------------------------------------


def _refused(message: str) -> Refused:
    return Refused("heating_thresholds", message, status=BAD_INPUT)


def add_set(
    user: User,
    valid_from: date,
    source: str,
    amounts: dict[str, Decimal],
    *,
    site_id: int = DEFAULT_SITE_ID,
) -> list[HeatingThreshold]:
    """Add thresholds (€ per m² and year by heating kind) of site ``site_id`` valid from
    ``valid_from``. Refuses (nothing written then) a site the user does not work for, an empty
    set, an unknown heating kind, an amount not above zero (or too large for its column), and a
    kind that already has a row of the site for that day. Writes one audit event."""
    refuse_unless_member(user, site_id)
    source = " ".join(source.split())
    if not amounts:
        raise _refused(_("Please enter at least one amount."))
    unknown = sorted(set(amounts) - set(HEATING_KINDS))
    if unknown:
        raise _refused(
            _("Unknown heating kind: %(kinds)s.", kinds=", ".join(unknown)),
        )
    for amount in amounts.values():
        if amount is None or amount <= 0 or amount >= MAX_AMOUNT:
            raise _refused(_("Every amount must be greater than zero."))
    existing = taken_on(
        HeatingThreshold, HeatingThreshold.heating_kind, valid_from, amounts, site_id=site_id
    )
    if existing:
        raise _refused(
            _(
                "There are already thresholds from this date for: %(kinds)s.",
                kinds=", ".join(energy_carrier_label(kind) for kind in sorted(existing)),
            )
        )
    rows = [
        HeatingThreshold(
            heating_kind=kind,
            max_per_m2_year=amount,
            valid_from=valid_from,
            source=source,
            created_by_id=user.id,
            site_id=site_id,
        )
        for kind, amount in sorted(amounts.items())
    ]
    db.session.add_all(rows)
    db.session.flush()
    audit.record(
        "heating_thresholds.added",
        actor=user,
        object_type="heating_thresholds",
        site_id=site_id,
        valid_from=valid_from.isoformat(),
        kind=",".join(sorted(amounts)),  # the heating kinds, fixed words
    )
    return rows


# Reference data ---------------------------------------------------------------------------------


def seed_data() -> dict:
    """The first thresholds (data/heizspiegel.json), as the migration seeds them."""
    raw = resources.files("portal.listings").joinpath("data/heizspiegel.json").read_text("utf-8")
    return json.loads(raw)


def ensure_thresholds() -> None:
    """Insert the seeded thresholds when the table is empty (tests, ``db.create_all``)."""
    if db.session.scalar(select(func.count(HeatingThreshold.id))):
        return
    data = seed_data()
    for kind, amount in data["max_per_m2_year"].items():
        db.session.add(
            HeatingThreshold(
                heating_kind=kind,
                max_per_m2_year=Decimal(amount),
                valid_from=date.fromisoformat(data["valid_from"]),
                source=data["source"],
            )
        )
    db.session.flush()


__all__ = [
    "NO_COSTS",
    "NO_KIND",
    "NO_THRESHOLD",
    "OVER",
    "UNKNOWN",
    "WITHIN",
    "FlatHeating",
    "HeatingCheck",
    "ThresholdTable",
    "add_set",
    "all_rows",
    "flat_heating",
    "heating_check",
    "thresholds_in_force",
]
