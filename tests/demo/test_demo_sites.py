"""The demo's second site (issue 19): ``make run`` shows a housing company with flats in two
cities and a specialist who sees only her own site."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db as _db
from portal.households.models import Household
from portal.listings.models import District, DistrictPostcode, Flat, HeatingThreshold, RentLimit
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.security.world import log_in

DEMO = "@demo.zuhause.example"


def test_the_demo_has_two_sites_a_company_in_both_and_an_essen_only_specialist(
    app, runner, client, db, today
):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert f"immobilien.essen{DEMO}" in result.output  # among the printed logins
    sites = _db.session.scalars(select(Site).order_by(Site.id)).all()
    assert [(s.slug, s.municipality_key, s.code_prefix, s.status) for s in sites] == [
        ("duisburg", "05112000", "DU", "active"),
        ("essen", "05113000", "E", "active"),
    ]
    essen = sites[1]
    # Essen's reference data: districts with their postcodes, rent limits, heating thresholds.
    districts = _db.session.scalars(select(District).where(District.site_id == essen.id)).all()
    assert {d.name for d in districts} >= {"Altendorf", "Frohnhausen", "Rüttenscheid", "Steele"}
    postcodes = set(
        _db.session.scalars(
            select(DistrictPostcode.postcode).where(
                DistrictPostcode.district_id.in_([d.id for d in districts])
            )
        )
    )
    assert {"45143", "45144", "45145", "45147", "45130", "45131", "45276"} == postcodes
    limits = _db.session.scalars(select(RentLimit).where(RentLimit.site_id == essen.id)).all()
    assert sorted(r.household_size for r in limits) == [1, 2, 3, 4, 5]
    assert all("Essen" in r.source and "KdU" in r.source for r in limits)
    thresholds = _db.session.scalars(
        select(HeatingThreshold).where(HeatingThreshold.site_id == essen.id)
    ).all()
    duisburg_thresholds = _db.session.scalars(
        select(HeatingThreshold).where(HeatingThreshold.site_id == DEFAULT_SITE_ID)
    ).all()
    assert {(t.heating_kind, t.max_per_m2_year) for t in thresholds} == {
        (t.heating_kind, t.max_per_m2_year) for t in duisburg_thresholds
    }

    # One housing company's account lists flats in both cities.
    company = _db.session.scalar(select(User).where(User.email == f"wohnungsbau{DEMO}"))
    flats = _db.session.scalars(
        select(Flat).where(Flat.organisation_id == company.organisation_id)
    ).all()
    assert {f.site_id for f in flats if f.status == "published"} == {DEFAULT_SITE_ID, essen.id}
    in_essen = [f for f in flats if f.site_id == essen.id]
    assert all(f.district.site_id == essen.id and f.postcode.startswith("45") for f in in_essen)

    # Two vetted Essen households with consent, with Essen codes.
    households = _db.session.scalars(
        select(Household).where(Household.site_id == essen.id).order_by(Household.code)
    ).all()
    assert [h.code for h in households] == [f"E-{today.year}-0001", f"E-{today.year}-0002"]
    assert all(h.status == "vetted" and h.valid_consent() is not None for h in households)
    assert not _db.session.scalars(
        select(Household.code).where(
            Household.site_id == DEFAULT_SITE_ID, Household.code.like("E-%")
        )
    ).all()

    # The Essen specialist works for Essen only, the demo's other staff for Duisburg only.
    specialist = _db.session.scalar(select(User).where(User.email == f"immobilien.essen{DEMO}"))
    assert [s.slug for s in specialist.sites] == ["essen"]
    for login in ("immobilien", "sozialarbeit", "admin"):
        user = _db.session.scalar(select(User).where(User.email == f"{login}{DEMO}"))
        assert [s.slug for s in user.sites] == ["duisburg"], login
    # ... and sees only Essen's flats and households.
    _db.session.commit()
    log_in(client, specialist.get_id())
    page = client.get("/backoffice/flats/?status=published").get_data(as_text=True)
    assert "Rüttenscheider Straße" in page and "Friedrich-Ebert-Straße" not in page
    page = client.get("/backoffice/households/").get_data(as_text=True)
    assert f"E-{today.year}-0001" in page and "DU-" not in page
