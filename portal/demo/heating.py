"""The heating-cost check in the demo (issue 16): one published flat whose heating costs are
above the Heizspiegel threshold for households of one or two persons (gas, 175 € a month =
2.100 € a year; the seeded threshold times 65 m² for two persons is less). Its rent suits a
household of two, so the team sees it in the matching lists with the warning, and the landlord
sees the neutral hint on the flat's page. Built like every demo flat: the landlord creates and
submits it, the demo specialist publishes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.accounts.models import User
from portal.demo.dating import today
from portal.demo.listings import DESCRIPTION, offer_flat
from portal.extensions import db
from portal.listings.models import District, Flat, FlatStatus

STREET, HOUSE_NUMBER = "Wanheimer Straße", "118"  # the street has other demo flats


def seed(users: dict[str, User], echo: Callable[[str], None]) -> Flat:
    district = db.session.scalar(select(District).where(District.name == "Hochfeld"))
    data = {
        "street": STREET,
        "house_number": HOUSE_NUMBER,
        "postcode": "47053",
        "district_id": district.id,
        "floor": 3,
        "rooms": Decimal("2"),
        "living_area": Decimal("60"),
        "cold_rent": Decimal("360.00"),
        "service_charges": Decimal("110.00"),
        "heating_costs": Decimal("175.00"),  # Heizkosten: above the threshold for 1-2 persons
        "warm_water": "central",
        "deposit": Decimal("720.00"),
        "energy_certificate_pending": False,
        "energy_kind": "consumption",
        "energy_value": Decimal("212.0"),
        "energy_carrier": "gas",
        "building_year": 1958,
        "energy_class": "G",
        "energy_valid_until": today() + timedelta(days=5 * 365),
        "description": DESCRIPTION,
        "available_from": today() + timedelta(days=21),
    }
    flat = offer_flat(users["vermieterin"], users["immobilien"], data, FlatStatus.PUBLISHED)
    echo("  1 demo flat with heating costs above the Heizspiegel threshold")
    return flat
