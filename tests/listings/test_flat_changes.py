"""Issue 13.7: a published flat's material changes and new photos wait for the team's review;
until then staff, matching and households see the last approved version. Postcode and
district must agree."""

from __future__ import annotations

from decimal import Decimal
from html import unescape
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.listings import operations as ops
from portal.listings.models import IMMEDIATE_FIELDS, MATERIAL_FIELDS, District, Flat, Photo
from portal.listings.queries import FlatFilter, filtered_flats
from portal.listings.rules import address_problem, limits_in_force, reference_data
from portal.matching.rules import rank_households
from tests.builders import flat_form, post_flat
from tests.conftest import outbox
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory

TEAM = "zuhause@diakoniewerk-duisburg.example"


pytestmark = pytest.mark.usefixtures("uploads")  # a fresh upload folder for each test


def form_of(flat, db, **changes) -> dict:
    """The landlord's form for ``flat`` as stored, with ``changes``."""
    data = flat_form(
        street=flat.street,
        house_number=flat.house_number,
        postcode=flat.postcode,
        district_id=str(flat.district_id),
        floor=str(flat.floor),
        rooms="3",
        living_area="72",
        cold_rent="480,00",
        service_charges="160,00",
        heating_costs="90,00",
        deposit="1.440,00",
        description=flat.description,
        available_from=flat.available_from.isoformat(),
    )
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def jpeg() -> BytesIO:
    buffer = BytesIO()
    Image.new("RGB", (800, 600), (20, 120, 200)).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def published(browser, db):
    landlord = browser.login("landlord")
    flat = FlatFactory(
        organisation=landlord.organisation, status="published", created_by_id=landlord.id
    )
    return landlord, flat


def review(browser, flat, **data):
    path = f"/backoffice/flats/{flat.id}"
    return browser.post(path, data, csrf_from_path=path)


def test_the_field_lists_cover_every_field_once():
    assert set(MATERIAL_FIELDS) | set(IMMEDIATE_FIELDS) == set(ops.FLAT_FIELDS)
    assert not set(MATERIAL_FIELDS) & set(IMMEDIATE_FIELDS)


def test_rent_change_waits_for_review_and_the_approved_version_stays_offered(
    browser, db, published
):
    landlord, flat = published
    household = HouseholdFactory(max_gross_cold_rent=Decimal("650.00"))
    assert household in [m.household for m in rank_households(flat)]
    response = post_flat(
        browser, f"/flats/{flat.public_key}/edit", form_of(flat, db, cold_rent="700,00"), "save"
    )
    assert response.status_code == 302
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    # The columns hold the approved version: what staff lists and matching read.
    assert flat.status == "published" and flat.cold_rent == Decimal("480.00")
    assert flat.pending_changes["fields"] == {"cold_rent": "700.00"}
    assert flat.changes_in_review
    assert household in [m.household for m in rank_households(flat)]
    cheap = FlatFilter(max_gross_rent=Decimal("650"))
    assert flat in db.session.scalars(filtered_flats(cheap, limits_in_force())).all()
    team = outbox(TEAM)
    assert team and "Änderungen zu prüfen" in team[-1].subject
    # The landlord sees that the change is under review, with both values.
    page = unescape(browser.client.get(f"/flats/{flat.public_key}").get_data(as_text=True))
    assert "Changes under review" in page and "€700.00" in page and "€480.00" in page
    assert "Changes under review" in browser.client.get("/flats/").get_data(as_text=True)
    # The form shows the landlord's proposed value to go on from.
    form = browser.client.get(f"/flats/{flat.public_key}/edit/costs").get_data(as_text=True)
    assert 'value="700,00"' in form or 'value="700.00"' in form
    # A specialist sees old and new and approves: the value becomes the flat's.
    browser.logout()
    specialist = browser.login(StaffFactory(role="specialist"))
    html = unescape(browser.client.get(f"/backoffice/flats/{flat.id}").get_data(as_text=True))
    assert "Changes under review" in html and "Approve the changes" in html
    assert review(browser, flat, decision="publish").status_code == 302
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    assert flat.cold_rent == Decimal("700.00") and flat.pending_changes is None
    assert not flat.changes_in_review
    approved = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "flat.changes_approved")
    ).all()
    assert approved[-1].actor_id == specialist.id and approved[-1].details["fields"] == "cold_rent"
    assert "Your changes are approved" in outbox(landlord.email)[-1].subject
    assert household not in [m.household for m in rank_households(flat)]


def test_changes_sent_back_stay_with_the_landlord_and_can_be_resubmitted(browser, db, published):
    landlord, flat = published
    data = form_of(flat, db, description="Ganz neu beschrieben.", is_wheelchair_accessible="y")
    post_flat(browser, f"/flats/{flat.public_key}/edit", data, "save")
    browser.logout()
    browser.login(StaffFactory(role="specialist"))
    refused = review(browser, flat, decision="changes", comment=" ")
    assert refused.status_code == 200
    db.session.expire_all()
    assert db.session.get(Flat, flat.id).changes_in_review
    review(browser, flat, decision="changes", comment="Rollstuhlgerecht? Bitte Türbreiten nennen.")
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    assert not flat.changes_in_review and flat.is_wheelchair_accessible is False
    assert flat.description == "Helle Wohnung.\nNahe Straßenbahn."
    assert "Türbreiten" in outbox(landlord.email)[-1].body_text
    browser.logout()
    browser.login(landlord)
    page = unescape(browser.client.get(f"/flats/{flat.public_key}").get_data(as_text=True))
    assert "Changes sent back" in page and "Türbreiten" in page
    post_flat(browser, f"/flats/{flat.public_key}/edit", data, "save")
    db.session.expire_all()
    assert db.session.get(Flat, flat.id).changes_in_review


def test_going_back_to_the_approved_values_ends_the_review(browser, db, published):
    _landlord, flat = published
    post_flat(browser, f"/flats/{flat.public_key}/edit", form_of(flat, db, rooms="4"), "save")
    db.session.expire_all()
    assert db.session.get(Flat, flat.id).changes_in_review
    post_flat(browser, f"/flats/{flat.public_key}/edit", form_of(flat, db), "save")
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    assert not flat.changes_in_review and flat.pending_changes is None


def test_balcony_and_energy_certificate_apply_at_once(browser, db, published):
    _landlord, flat = published
    data = form_of(
        flat,
        db,
        has_balcony="y",
        energy_certificate_pending=None,
        energy_kind="consumption",
        energy_value="120,5",
        energy_carrier="gas",
        building_year="1965",
        energy_class="D",
        energy_valid_until="2030-01-01",
    )
    post_flat(browser, f"/flats/{flat.public_key}/edit", data, "save")
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    assert flat.has_balcony and flat.energy_class == "D"
    assert not flat.changes_in_review and flat.pending_changes is None


@pytest.mark.parametrize(
    ("field", "value", "column", "approved"),
    [
        ("description", "Jetzt mit Garten!", "description", "Helle Wohnung.\nNahe Straßenbahn."),
        ("is_step_free", "y", "is_step_free", False),
        ("wbs_required", "y", "wbs_required", False),
        ("available_from", "2099-01-01", "available_from", None),
        ("service_charges", "200,00", "service_charges", Decimal("160.00")),
    ],
)
def test_each_material_field_waits(browser, db, published, field, value, column, approved):
    _landlord, flat = published
    if approved is None:
        approved = flat.available_from
    data = form_of(flat, db, **{field: value})
    post_flat(browser, f"/flats/{flat.public_key}/edit", data, "save")
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    assert getattr(flat, column) == approved
    assert column in flat.pending_changes["fields"] and flat.changes_in_review


def test_a_new_photo_of_a_published_flat_is_hidden_from_staff_until_approved(
    app, browser, db, published
):
    _landlord, flat = published
    response = browser.post(
        f"/flats/{flat.public_key}/photos",
        {"photos": [(jpeg(), "neu.jpg")]},
        csrf_from_path=f"/flats/{flat.public_key}/edit",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    photo = db.session.scalar(select(Photo).where(Photo.flat_id == flat.id))
    assert photo.is_approved is False
    assert flat.shown_photos == [] and flat.pending_photos == [photo]
    assert flat.changes_in_review
    browser.logout()
    specialist = StaffFactory(role="specialist")
    browser.login(specialist)
    html = browser.client.get(f"/backoffice/flats/{flat.id}").get_data(as_text=True)
    gallery, _sep, pending = html.partition('id="pending-changes"')
    photo_path = f"/photos/{photo.public_key}/"
    assert photo_path not in gallery and photo_path in pending
    review(browser, flat, decision="publish")
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    assert [p.id for p in flat.shown_photos] == [photo.id] and not flat.changes_in_review


def test_a_new_caption_of_a_published_photo_waits(app, db):
    landlord_flat = FlatFactory(status="published")
    photo = Photo(
        flat=landlord_flat, storage_key="k" * 20, widths="320", height_ratio=Decimal("0.75")
    )
    photo.caption = "Küche"
    db.session.add(photo)
    db.session.flush()
    with app.test_request_context():
        ops.update_photo(photo, None, "Küche mit <b>Telefonnummer</b>")
    assert photo.caption == "Küche" and landlord_flat.changes_in_review
    with app.test_request_context():
        ops.approve_changes(landlord_flat, StaffFactory(role="specialist"))
    assert photo.caption == "Küche mit <b>Telefonnummer</b>"


def test_drafts_change_freely_as_before(browser, db):
    landlord = browser.login("landlord")
    flat = FlatFactory(organisation=landlord.organisation, status="draft")
    data = form_of(flat, db, cold_rent="510,00")
    post_flat(browser, f"/flats/{flat.public_key}/edit", data, "save")
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    assert flat.cold_rent == Decimal("510.00") and flat.pending_changes is None


# Postcode and district ----------------------------------------------------------------------


def district_id(db, name):
    return db.session.scalar(select(District.id).where(District.name == name))


def test_every_postcode_and_district_of_the_reference_data_is_mapped():
    data = reference_data()
    districts = {name for names in data["boroughs"].values() for name in names}
    mapped = data["postcode_districts"]
    assert set(mapped) == set(data["postcodes"])
    assert {name for names in mapped.values() for name in names} == districts


@pytest.mark.parametrize(
    ("postcode", "district", "problem"),
    [
        ("47057", "Neudorf-Nord", None),
        ("47053", "Hochfeld", None),
        ("47169", "Marxloh", None),
        ("47166", "Marxloh", None),  # one district, several postcodes
        ("47259", "Hüttenheim", None),  # one postcode, several districts
        ("47057", "Marxloh", "district"),
        ("47279", "Baerl", "district"),
        ("10115", "Hochfeld", "postcode"),
        ("47057", None, None),  # a draft may be half done
        (None, "Hochfeld", None),
    ],
)
def test_address_rule(db, postcode, district, problem):
    assert address_problem(postcode, district and district_id(db, district)) == problem


def test_form_refuses_a_district_outside_the_postcode_and_keeps_the_input(browser, db):
    landlord = browser.login("landlord")
    data = flat_form(postcode="47057", district_id=str(district_id(db, "Marxloh")))
    response = post_flat(browser, "/flats/new", data, "save")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Marxloh is not in the area of the postcode 47057." in html
    assert 'value="47057"' in html and 'value="Wanheimer Straße"' in html
    assert (
        db.session.scalar(select(Flat).where(Flat.organisation_id == landlord.organisation_id))
        is None
    )


def test_the_operations_refuse_a_mismatch_too(app, db):
    flat = FlatFactory(status="published")
    landlord = flat.organisation
    from tests.factories import UserFactory

    user = UserFactory(organisation=landlord)
    with pytest.raises(Refused):
        ops.create_flat(user, {"postcode": "47057", "district_id": district_id(db, "Baerl")})
    with pytest.raises(Refused):
        ops.update_flat(flat, user, {"district_id": district_id(db, "Baerl")})
    assert flat.pending_changes is None


def test_german_message_for_a_mismatch(browser, db):
    browser.login("landlord", locale="de")
    data = flat_form(postcode="47057", district_id=str(district_id(db, "Marxloh")))
    html = unescape(post_flat(browser, "/flats/new", data, "save").get_data(as_text=True))
    assert "Marxloh liegt nicht im Gebiet der Postleitzahl 47057." in html
