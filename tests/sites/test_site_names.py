"""A flat's address and a profile without preferred districts name the site, not Duisburg."""

from __future__ import annotations

from portal.extensions import db
from portal.households.public import PublicProfile, cards_of
from portal.listings.models import District
from tests.factories import FlatFactory, HouseholdFactory


def test_an_essen_flat_reads_essen(app, essen):
    district = District(name="Altendorf", borough="Bezirk III", site_id=essen.id)
    db.session.add(district)
    db.session.flush()
    flat = FlatFactory(district=district, site_id=essen.id, postcode="45143")
    assert flat.address_line.endswith("45143 Essen")
    assert FlatFactory(postcode="47057").address_line.endswith("47057 Duisburg")


def test_a_profile_without_districts_reads_any_district_of_its_site(app, essen):
    household = HouseholdFactory(site_id=essen.id, code="E-2026-0003", status="vetted")
    household.preferred_districts = []
    db.session.flush()
    with app.test_request_context():
        [card] = cards_of([PublicProfile.of(household)])
    assert card.districts == "überall in Essen"  # German, the default language
