"""Why a flat fits a household or not, in the user's language: one sentence per rule
(``hard_reasons``, ``soft_reasons``), the pair measured as a whole (``explain``), and one plain
sentence a landlord understands at a glance (``summary``), the rules one click away."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.core import clock
from portal.core.i18n import area as fmt_area
from portal.core.i18n import date_locale
from portal.core.i18n import day as fmt_day
from portal.core.i18n import money as fmt_money
from portal.core.i18n import number as fmt_number
from portal.core.i18n import rooms as fmt_rooms
from portal.households.limits import HouseholdLimit, limit_of
from portal.households.models import Household
from portal.listings.models import Flat
from portal.listings.rules import RentLimitTable, limits_in_force
from portal.matching.predicates import (
    access_ok,
    move_in_ok,
    rooms_as_wished,
    same_site,
    score,
    size_ok,
    wbs_ok,
)


@dataclass(frozen=True)
class Reason:
    rule: str
    met: bool
    text: str
    hard: bool = True


@dataclass
class Match:
    flat: Flat
    household: Household
    score: float
    reasons: list[Reason] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return all(r.met for r in self.reasons if r.hard)

    @property
    def summary(self) -> str:
        return summary(self.reasons)


def _persons(n: int) -> str:
    return ngettext("%(num)d person", "%(num)d persons", n)


def _size_text(flat: Flat, h: Household) -> str:
    if not flat.wbs_required:
        # Product theory: without a WBS the size binds nobody; no household detail in it.
        return _(
            "No WBS required: a flat of %(area)s fits any household whose rent limit the gross "
            "cold rent keeps",
            area=fmt_area(flat.living_area),
        )
    if size_ok(flat, h):
        return _(
            "%(needed)s needed, the flat has %(rooms)s; %(area)s within the %(max_area)s for "
            "%(persons)s",
            needed=fmt_rooms(h.needed_rooms),
            rooms=fmt_number(flat.rooms),
            area=fmt_area(flat.living_area),
            max_area=fmt_area(h.needed_area),
            persons=_persons(h.size),
        )
    return _(
        "%(needed)s and up to %(max_area)s suit %(persons)s; the flat has %(rooms)s and %(area)s",
        needed=fmt_rooms(h.needed_rooms),
        max_area=fmt_area(h.needed_area),
        persons=_persons(h.size),
        rooms=fmt_rooms(flat.rooms),
        area=fmt_area(flat.living_area),
    )


def _rent_text(flat: Flat, limit: HouseholdLimit, for_landlord: bool) -> str:
    """The rent rule in words. Staff read which table row (or override) the limit comes from;
    a landlord reads only whether the rent is within it: never the household's override, its
    reason or any amount that could reveal them."""
    gross = fmt_money(flat.gross_cold_rent)
    met = limit.allows(flat.gross_cold_rent)
    if for_landlord:
        if met:
            return _("%(gross)s gross cold rent: within what the Jobcenter pays", gross=gross)
        return _("%(gross)s gross cold rent: above what the Jobcenter pays", gross=gross)
    if limit.amount is None:
        return _(
            "%(gross)s gross cold rent; no rent limit: %(why)s", gross=gross, why=limit.table_text()
        )
    source = limit.staff_text(with_reason=False)
    if met:
        return _(
            "%(gross)s gross cold rent within the limit (%(source)s)", gross=gross, source=source
        )
    return _(
        "%(gross)s gross cold rent is above the limit (%(source)s)", gross=gross, source=source
    )


def hard_reasons(
    flat: Flat, h: Household, table: RentLimitTable | None = None, for_landlord: bool = False
) -> list[Reason]:
    """Each hard rule with a sentence in the user's language, met or not; the rent measured by
    ``table`` (the rent-limit table in force today when not given)."""
    reasons = []
    if not same_site(flat, h):  # named only when it fails: one site looks as before sites
        reasons.append(Reason("site", False, _("The flat is in another city than the household")))
    reasons.append(Reason("size", size_ok(flat, h), _size_text(flat, h)))
    limit = limit_of(h, table=table or limits_in_force(site_id=h.site_id))
    met = limit.allows(flat.gross_cold_rent)
    reasons.append(Reason("rent", met, _rent_text(flat, limit, for_landlord)))
    if flat.wbs_required:
        wbs_text = (
            _(
                "WBS for %(persons)s required; the household has one for %(m)s",
                persons=_persons(flat.wbs_persons or 1),
                m=h.wbs_persons or 0,
            )
            if h.has_wbs
            else _("WBS required; the household has none")
        )
        reasons.append(Reason("wbs", wbs_ok(flat, h), wbs_text))
    if h.needs_step_free or h.needs_wheelchair:
        reasons.append(
            Reason(
                "access",
                access_ok(flat, h),
                _("Step-free or wheelchair access as the household needs")
                if access_ok(flat, h)
                else _("The household needs step-free or wheelchair access"),
            )
        )
    reasons.append(
        Reason(
            "move_in",
            move_in_ok(flat, h),
            _(
                "Free from %(free)s; the household can move in from %(move)s",
                free=fmt_day(flat.available_from),
                move=fmt_day(h.earliest_move_in),
            ),
        )
    )
    return reasons


def soft_reasons(flat: Flat, h: Household) -> list[Reason]:
    reasons = []
    if flat.rooms is not None and not rooms_as_wished(flat, h):
        # Rooms are a wish, not a rule: fewer rooms lower the score and are said, never hidden.
        reasons.append(
            Reason(
                "rooms",
                False,
                _(
                    "%(rooms)s; the household would like %(needed)s",
                    rooms=fmt_rooms(flat.rooms),
                    needed=fmt_number(h.needed_rooms),
                ),
                hard=False,
            )
        )
    preferred = {d.id for d in h.preferred_districts}
    if preferred:
        in_preferred = flat.district_id in preferred
        reasons.append(
            Reason(
                "district",
                in_preferred,
                _("In a preferred district") if in_preferred else _("Not in a preferred district"),
                hard=False,
            )
        )
    if h.has_pets:
        reasons.append(
            Reason(
                "pets",
                flat.pets_allowed,
                _("The household has pets; pets are allowed")
                if flat.pets_allowed
                else _("The household has pets; the flat does not allow pets"),
                hard=False,
            )
        )
    return reasons


def explain(
    flat: Flat,
    h: Household,
    today: date | None = None,
    table: RentLimitTable | None = None,
    for_landlord: bool = False,
) -> Match:
    """The pair measured as a whole; the rent by ``table`` (the table in force on ``today``
    when not given). ``for_landlord``: the words a landlord may read (no household limit)."""
    today = today or clock.today()
    table = table or limits_in_force(today, site_id=h.site_id)
    preferred = {d.id for d in h.preferred_districts}
    value = score(
        flat.district_id,
        flat.rooms,
        flat.pets_allowed,
        h.waiting_since,
        h.needed_rooms,
        h.has_pets,
        (flat.district_id in preferred) if preferred else None,
        today,
    )
    return Match(flat, h, value, hard_reasons(flat, h, table, for_landlord) + soft_reasons(flat, h))


def _short(rule: str, met: bool) -> str:
    """A few words per hard rule, for the one-sentence summary."""
    if rule == "site":
        return _("the household's city") if met else _("not in the household's city")
    if rule == "size":
        return _("the right size") if met else _("not the right size (rooms or floor area)")
    if rule == "rent":
        return _("a rent the Jobcenter pays") if met else _("a rent above what the Jobcenter pays")
    if rule == "wbs":
        return _("the WBS it needs") if met else _("no WBS for this flat")
    if rule == "access":
        return _("the access it needs") if met else _("not the access it needs")
    return _("a move-in date that suits") if met else _("a move-in date too far from the flat's")


def summary(reasons: list[Reason]) -> str:
    """One sentence over the hard rules: what fits, or what does not ("Does not fit: a rent
    above what the Jobcenter pays.")."""
    hard = [r for r in reasons if r.hard]
    unmet = [r for r in hard if not r.met]
    locale = date_locale()  # British English: "a, b and c"
    if unmet:
        return _(
            "Does not fit: %(what)s.",
            what=format_list([_short(r.rule, False) for r in unmet], locale=locale),
        )
    return _(
        "Fits: %(what)s.",
        what=format_list([_short(r.rule, True) for r in hard], locale=locale),
    )
