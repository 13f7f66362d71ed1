"""What a landlord may see of a household: the tier-1 public profile, as an explicit allow-list.

Landlord templates receive ``PublicProfile`` (and ``matching.landlords.FlatFit``) objects
only, never a ``Household``: a model object would let a template reach ``identity``, ``consents``,
``override_reason`` or ``vetted_by_id`` through one careless attribute. A field appears on a
landlord's page only when it is copied here, by name, from the list in DESIGN.md section 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from jinja2.filters import do_truncate

from portal.core.i18n import area, current_translations, day, local_date, number
from portal.households.labels import PUBLIC_COST_BEARER_LABELS
from portal.households.models import Household
from portal.sites.texts import site_name


class NotPublic(Exception):
    """A profile was about to be shown that landlords may not see (a bug in the caller)."""


@dataclass(frozen=True)
class PublicProfile:
    """The tier-1 profile of a vetted household with a valid consent; nothing else."""

    id: int  # for the link only; the page shows the pseudonymous code
    code: str
    adults: int
    children: int
    size: int
    needed_rooms: Decimal
    needed_area: Decimal
    earliest_move_in: date
    districts: tuple[str, ...]
    site: str  # the site's name: "any district of Essen"
    cost_bearer: str
    has_wbs: bool
    wbs_persons: int | None
    has_pets: bool
    needs: tuple[str, ...]
    profile_text: str | None
    vetted_on: date | None

    @classmethod
    def of(cls, household: Household, today: date | None = None) -> PublicProfile:
        """The public profile of ``household``; refuses a household landlords may not see, so
        that a wrong query fails loudly instead of showing a hidden profile."""
        if not household.is_visible_to_landlords(today):
            raise NotPublic(household.id)
        needs = []
        if household.needs_wheelchair:
            needs.append(str(_l("Needs a wheelchair-accessible flat")))
        if household.needs_step_free and not household.needs_wheelchair:
            needs.append(str(_l("Needs step-free access")))
        vetted_on = None
        if household.vetted_at is not None:
            vetted_on = local_date(household.vetted_at)
        return cls(
            id=household.id,
            code=household.code,
            adults=household.adults,
            children=household.children,
            size=household.size,
            needed_rooms=household.needed_rooms,
            needed_area=household.needed_area,
            earliest_move_in=household.earliest_move_in,
            districts=tuple(d.name for d in household.preferred_districts),
            site=site_name(household.site_id),
            cost_bearer=str(PUBLIC_COST_BEARER_LABELS.get(household.cost_bearer, "–")),
            has_wbs=household.has_wbs,
            wbs_persons=household.wbs_persons if household.has_wbs else None,
            has_pets=household.has_pets,
            needs=tuple(needs),
            profile_text=household.profile_text,
            vetted_on=vetted_on,
        )

    @property
    def wbs_label(self) -> str:
        if not self.has_wbs:
            return str(_l("No WBS"))
        if self.wbs_persons:
            return str(
                lazy_ngettext("WBS for %(num)d person", "WBS for %(num)d persons", self.wbs_persons)
            )
        return str(_l("Has a WBS"))

    @property
    def pets_label(self) -> str:
        return str(_l("Has pets") if self.has_pets else _l("No pets"))

    @property
    def supported_by(self) -> str:
        return str(_l("Supported by the Kümmerer team"))


@dataclass(frozen=True)
class ProfileCard:
    """The texts of one card of the landlord's household list, written in one pass over the
    page's profiles (``cards_of``) instead of a dozen template calls per card; made from a
    ``PublicProfile`` only, so it holds nothing the profile does not."""

    id: int  # for the link only
    title: str
    members: str
    rooms: str
    area: str
    move_in: str
    line: str  # who pays the rent · WBS · pets
    districts: str
    needs: tuple[str, ...]
    text: str | None  # the household's own words, shortened


CARD_TEXT_LENGTH = 180


def cards_of(profiles: list[PublicProfile]) -> list[ProfileCard]:
    """The list's cards in the current language: the texts the same on every card translated
    once, the rest per card."""
    translations = current_translations()
    gettext, ngettext = translations.ugettext, translations.ungettext
    title, up_to = gettext("Household %(code)s"), gettext("up to %(area)s")
    anywhere = gettext("any district of %(site)s")
    environment = current_app.jinja_env
    cards = []
    for p in profiles:
        members = ngettext("%(num)d adult", "%(num)d adults", p.adults) % {"num": p.adults}
        if p.children:
            children = ngettext("%(num)d child", "%(num)d children", p.children)
            members = f"{members}, {children % {'num': p.children}}"
        text = p.profile_text
        cards.append(
            ProfileCard(
                id=p.id,
                title=title % {"code": p.code},
                members=members,
                rooms=number(p.needed_rooms),
                area=up_to % {"area": area(p.needed_area)},
                move_in=day(p.earliest_move_in),
                line=f"{p.cost_bearer} · {p.wbs_label} · {p.pets_label}",
                districts=", ".join(p.districts) if p.districts else anywhere % {"site": p.site},
                needs=p.needs,
                text=do_truncate(environment, text, CARD_TEXT_LENGTH) if text else None,
            )
        )
    return cards
