"""Loading the reference data (the default site, its districts and postcodes, the first rent
limits) into an empty database; the migrations do the same for real databases, this serves
tests and ``db.create_all``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db
from portal.listings.heating import ensure_thresholds
from portal.listings.models import District, DistrictPostcode, RentLimit
from portal.listings.rules import reference_data
from portal.sites.models import DEFAULT_SITE_ID, Site


def ensure_reference_data() -> None:
    """Insert the default site, its districts, postcodes and seeded rent limits when their
    tables are empty."""
    data = reference_data()
    ensure_default_site()
    if not db.session.scalar(select(func.count(District.id))):
        position, districts = 0, {}
        for borough, names in data["boroughs"].items():
            for name in names:
                districts[name] = District(name=name, borough=borough, position=position)
                db.session.add(districts[name])
                position += 1
        db.session.flush()
        for code, names in data["postcode_districts"].items():
            for name in names:
                db.session.add(DistrictPostcode(district_id=districts[name].id, postcode=code))
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


def ensure_default_site() -> Site:
    """The default site Duisburg (as migration 0026 makes it)."""
    site = db.session.get(Site, DEFAULT_SITE_ID)
    if site is None:
        site = Site(
            slug="duisburg",
            name="Duisburg",
            municipality_key="05112000",
            code_prefix="DU",
            status="active",
        )
        db.session.add(site)
        db.session.flush()
        if site.id != DEFAULT_SITE_ID:
            raise RuntimeError(f"the default site got id {site.id}, not {DEFAULT_SITE_ID}")
    return site
