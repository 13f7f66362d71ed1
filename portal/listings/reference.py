"""Loading the reference data (districts, the first rent limits) into an empty database; the
migration does the same for real databases, this serves tests and ``db.create_all``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db
from portal.listings.forms import reference_data
from portal.listings.heating import ensure_thresholds
from portal.listings.models import District, RentLimit


def ensure_reference_data() -> None:
    """Insert districts and the seeded rent limits when their tables are empty."""
    data = reference_data()
    if not db.session.scalar(select(func.count(District.id))):
        position = 0
        for borough, names in data["boroughs"].items():
            for name in names:
                db.session.add(District(name=name, borough=borough, position=position))
                position += 1
    if not db.session.scalar(select(func.count(RentLimit.id))):
        limits = data["rent_limits"]
        for size, amount in limits["max_gross_cold_rent"].items():
            db.session.add(
                RentLimit(
                    household_size=int(size),
                    max_gross_cold_rent=Decimal(amount),
                    valid_from=date.fromisoformat(limits["valid_from"]),
                    source=limits["source"],
                )
            )
    ensure_thresholds()  # the Heizspiegel thresholds (listings/heating.py)
    db.session.flush()
