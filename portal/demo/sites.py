"""The demo's second site, Essen (DESIGN.md §9): small, but with everything a site has.

``seed`` makes the site the way the operator does (``sites.operations.create_site``, as
``flask sites create`` does) and puts in its reference data the way ``ensure_reference_data``
does for Duisburg: five districts in their boroughs with their postcodes, rent limits for one
to five persons and the heating thresholds (Duisburg's values: the Heizspiegel is nationwide).
``seed_flats`` and ``seed_households`` then give it two published flats of the demo housing
company (which thus lists in two cities) and two vetted households with consent, made by the
Essen social worker and reviewed by the Essen specialist, who see only Essen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from portal.accounts.models import User
from portal.demo import dating
from portal.extensions import db
from portal.households import operations as households_ops
from portal.households.models import VETTING_CHECKLIST, Household
from portal.listings.models import (
    District,
    DistrictPostcode,
    Flat,
    FlatStatus,
    HeatingThreshold,
    RentLimit,
)
from portal.sites import operations as sites_ops
from portal.sites.models import DEFAULT_SITE_ID, Site, SiteStatus

SLUG = "essen"

# Borough (Stadtbezirk) -> district (Stadtteil) -> its postcodes.
DISTRICTS: dict[str, dict[str, tuple[str, ...]]] = {
    "Stadtbezirk III (Essen-West)": {
        "Altendorf": ("45143",),
        "Frohnhausen": ("45144", "45145"),
        "Holsterhausen": ("45147",),
    },
    "Stadtbezirk II (Rüttenscheid/Bergerhausen)": {"Rüttenscheid": ("45130", "45131")},
    "Stadtbezirk VII (Steele/Kray)": {"Steele": ("45276",)},
}
RENT_LIMITS_FROM = date(2024, 1, 1)
RENT_LIMITS_SOURCE = (
    "Demo: Stadt Essen, Richtlinie zu den angemessenen Kosten der Unterkunft (KdU) nach SGB II "
    "und SGB XII – Beispielwerte, nicht die amtlichen Zahlen"
)
RENT_LIMITS = {1: "462.00", 2: "561.00", 3: "672.00", 4: "784.00", 5: "896.00"}
CONTACT = "Kümmerer-Team Essen · zuhause-essen@demo.zuhause.example · 0201 000000-0"

# (street, number, postcode, district, rooms, area, cold, service, heating, extra)
FLATS = [
    ("Helenenstraße", "48", "45143", "Altendorf", "2", "54", "360.00", "110.00", "70.00", {}),
    (
        "Rüttenscheider Straße", "150", "45131", "Rüttenscheid", "3", "71", "470.00", "150.00",
        "95.00", {"has_balcony": True, "has_lift": True},
    ),
]  # fmt: skip

# (adults, children, preferred districts, profile text, main tenant, consent days ago)
HOUSEHOLDS = [
    (
        1, 1, ("Frohnhausen", "Holsterhausen"),
        "Vater mit Sohn (7). Wir suchen eine Wohnung nahe der Grundschule, gern mit Balkon.",
        "Samir Aziz",
    ),
    (
        2, 0, ("Steele", "Rüttenscheid"),
        "Ein ruhiges Paar, beide arbeiten in Teilzeit. Wir suchen zwei Zimmer mit Bad.",
        "Katarzyna Nowicka",
    ),
]  # fmt: skip


def seed(echo: Callable[[str], None]) -> Site:
    """The Essen site, active, with its districts, postcodes, rent limits and thresholds."""
    site = sites_ops.create_site(SLUG, "Essen", "05113000", "E", SiteStatus.ACTIVE.value)
    sites_ops.update_site(site, None, {"contact_text": CONTACT})
    last = db.session.scalar(select(District.position).order_by(District.position.desc()))
    position = (last or 0) + 1
    for borough, districts in DISTRICTS.items():
        for name, postcodes in districts.items():
            district = District(site_id=site.id, name=name, borough=borough, position=position)
            db.session.add(district)
            db.session.flush()
            for postcode in postcodes:
                db.session.add(DistrictPostcode(district_id=district.id, postcode=postcode))
            position += 1
    for size, amount in RENT_LIMITS.items():
        db.session.add(
            RentLimit(
                site_id=site.id,
                household_size=size,
                max_gross_cold_rent=Decimal(amount),
                valid_from=RENT_LIMITS_FROM,
                source=RENT_LIMITS_SOURCE,
            )
        )
    for row in db.session.scalars(
        select(HeatingThreshold).where(HeatingThreshold.site_id == DEFAULT_SITE_ID)
    ).all():
        db.session.add(
            HeatingThreshold(
                site_id=site.id,
                heating_kind=row.heating_kind,
                max_per_m2_year=row.max_per_m2_year,
                valid_from=row.valid_from,
                source=row.source,
            )
        )
    db.session.flush()
    count = sum(len(districts) for districts in DISTRICTS.values())
    echo(f"  Second site: Essen (AGS 05113000, prefix E), {count} districts")
    return site


def _districts(site: Site) -> dict[str, District]:
    return {
        d.name: d for d in db.session.scalars(select(District).where(District.site_id == site.id))
    }


def seed_flats(site: Site, users: dict[str, User], echo: Callable[[str], None]) -> list[Flat]:
    """Two published flats of the demo housing company in Essen, reviewed by the Essen
    specialist."""
    from portal.demo.listings import DESCRIPTION, offer_flat

    districts = _districts(site)
    flats = []
    for index, row in enumerate(FLATS):
        street, number, postcode, district, rooms, area, cold, service, heating, extra = row
        data: dict[str, Any] = {
            "street": street,
            "house_number": number,
            "district_id": districts[district].id,
            "floor": index + 1,
            "rooms": Decimal(rooms),
            "living_area": Decimal(area),
            "cold_rent": Decimal(cold),
            "service_charges": Decimal(service),
            "heating_costs": Decimal(heating),
            "warm_water": "central",
            "deposit": Decimal(cold) * 2,
            "energy_certificate_pending": True,
            "description": DESCRIPTION,
            "available_from": dating.today() + timedelta(days=21 + index * 14),
            **extra,
        }

        def in_essen(flat: Flat, postcode: str = postcode) -> None:
            # The flat belongs to the site of its district. Its postcode is one of the
            # district's (district_postcodes); the landlord form's postcode check of
            # listings.rules still knows Duisburg's postcodes only, so it is set here.
            flat.site_id = site.id
            flat.postcode = postcode

        flats.append(
            offer_flat(
                users["wohnungsbau"],
                users["immobilien.essen"],
                data,
                FlatStatus.PUBLISHED,
                ["Wohnzimmer"],
                placed=in_essen,
            )
        )
    db.session.flush()
    echo(f"  {len(flats)} published flats of the housing company in Essen")
    return flats


def seed_households(
    site: Site, users: dict[str, User], echo: Callable[[str], None]
) -> list[Household]:
    """Two vetted Essen households with consent (codes E-<year>-0001, -0002), made and vetted
    by the Essen social worker."""
    worker = users["sozialarbeit.essen"]
    districts = _districts(site)
    today = dating.today()
    created = []
    for adults, children, preferred, text, name in HOUSEHOLDS:
        household = households_ops.create_household(
            worker,
            {
                "adults": adults,
                "children": children,
                "earliest_move_in": today + timedelta(days=14),
                "waiting_since": today - timedelta(days=120),
                "intake_on": today - timedelta(days=100),
                "cost_bearer": "jobcenter",
                "profile_text": text,
                "main_tenant_name": name,
                "adult_names": name,
                "current_accommodation": "Übergangswohnheim Essen",
            },
            [districts[n] for n in preferred],
            site=site,
        )
        households_ops.record_consent(household, worker, today - timedelta(days=20), None)
        households_ops.vet(household, worker, checklist=VETTING_CHECKLIST)
        created.append(household)
    db.session.flush()
    echo(f"  {len(created)} vetted households in Essen ({', '.join(h.code for h in created)})")
    return created
