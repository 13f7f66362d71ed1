"""Issue 15: the flat form as steps. Each step saves its own fields (a draft exists after the
first), bad input is refused at the field with the input kept, the check lists what is
missing and shows the flat as the team will, another landlord's draft is not found; a housing
company with many flats gets a table with filters and sorting; the figures fit the page."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.core.refusals import Refused
from portal.listings import operations as ops
from portal.listings import steps
from portal.listings.models import Flat
from tests.builders import district_id, flat_form, jpeg, post_step, upload
from tests.factories import CompanyFactory, FlatFactory, OrganisationFactory, UserFactory

FIELD_STEPS = [step for step in steps.STEPS if step.fields]


def step_data(step, **changes) -> dict:
    return {k: v for k, v in flat_form(**changes).items() if k in step.fields}


def test_every_field_is_saved_by_exactly_one_step():
    names = [name for step in steps.STEPS for name in step.fields]
    assert sorted(names) == sorted(ops.FLAT_FIELDS) and len(names) == len(set(names))


def test_the_first_step_makes_the_draft_and_goes_on(browser, db):
    user = browser.login("landlord")
    response = browser.post(
        "/flats/new", step_data(steps.FIRST, street="Erster Schritt"), csrf_from_path="/flats/new"
    )
    flat = db.session.scalar(select(Flat).where(Flat.organisation_id == user.organisation_id))
    assert flat.status == "draft" and flat.street == "Erster Schritt" and flat.rooms is None
    assert response.status_code == 302
    assert response.location == f"/flats/{flat.public_key}/edit/size"
    assert "flat.created" in db.session.scalars(select(AuditEvent.action)).all()


def test_photos_can_come_first(browser, db):
    """An empty first step makes the draft and goes to the photos; a photo is stored at once."""
    user = browser.login("landlord")
    response = browser.post("/flats/new", {"goto": "photos"}, csrf_from_path="/flats/new")
    flat = db.session.scalar(select(Flat).where(Flat.organisation_id == user.organisation_id))
    assert response.location == f"/flats/{flat.public_key}/edit/photos"
    response = upload(browser, flat, (jpeg(), "wohnzimmer.jpg"))
    assert response.status_code == 302
    assert response.location == f"/flats/{flat.public_key}/edit/photos"
    assert len(flat.photos) == 1 and flat.street is None
    html = browser.client.get(response.location).get_data(as_text=True)
    assert "photo-item" in html and 'aria-current="step"' in html


@pytest.mark.parametrize("step", FIELD_STEPS[1:], ids=lambda s: s.name)
def test_each_step_saves_its_own_fields_only(browser, db, step):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation, street="Bleibt", description="Bleibt.")
    data = step_data(
        step, rooms="4", cold_rent="500,00", deposit="1.000,00", description="Neu beschrieben."
    )
    if step.name == "energy":
        data = {
            "energy_kind": "demand",
            "energy_value": "120,5",
            "energy_carrier": "gas",
            "building_year": "1965",
            "energy_class": "D",
            "energy_valid_until": "2030-01-01",
        }
    response = post_step(browser, flat, step.name, data, action="next")
    assert response.status_code == 302
    following = steps.following(step)
    assert response.location == f"/flats/{flat.public_key}/edit/{following.name}"
    db.session.expire_all()
    flat = db.session.get(Flat, flat.id)
    expected = {
        "size": ("rooms", Decimal("4")),
        "costs": ("cold_rent", Decimal("500.00")),
        "energy": ("energy_class", "D"),
        "features": ("description", "Neu beschrieben."),
    }[step.name]
    assert getattr(flat, expected[0]) == expected[1]
    if step.name != "address":
        assert flat.street == "Bleibt"  # another step's field is left alone
    if step.name != "features":
        assert flat.description == "Bleibt."


def test_save_stays_on_the_step(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    response = post_step(browser, flat, "costs", step_data(steps.BY_NAME["costs"]), action="save")
    assert response.location == f"/flats/{flat.public_key}/edit/costs"


def test_all_errors_of_a_step_show_at_once_with_the_input_kept(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    data = step_data(steps.BY_NAME["size"], rooms="2,3", living_area="9", floor="99")
    response = post_step(browser, flat, "size", data, action="next")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "steps of 0.5" in html and "between 10 and 300" in html and "between -1 and 40" in html
    assert html.count('aria-invalid="true"') == 3
    assert 'value="2,3"' in html and 'value="9"' in html and 'value="99"' in html
    db.session.expire_all()
    assert db.session.get(Flat, flat.id).rooms == Decimal("3")


def test_a_refused_address_keeps_the_input(browser, db):
    """The operation's refusal (postcode and district disagree) is flashed; nothing saved."""
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    with pytest.raises(Refused) as refused:
        ops.update_flat(flat, user, {"postcode": "47057", "district_id": district_id("Baerl")})
    assert refused.value.code == "address"
    data = step_data(steps.FIRST, postcode="47057", district_id=str(district_id("Baerl")))
    response = post_step(browser, flat, "address", data, action="next")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="47057"' in html
    db.session.expire_all()
    assert db.session.get(Flat, flat.id).district.name == "Neudorf-Nord"


def test_the_operation_refuses_an_incomplete_flat(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation, living_area=None)
    response = browser.post(f"/flats/{flat.public_key}/submit", {}, csrf_from_path="/flats/new")
    assert response.location == f"/flats/{flat.public_key}/edit/check"
    db.session.expire_all()
    assert db.session.get(Flat, flat.id).status == "draft"
    html = browser.client.get(response.location).get_data(as_text=True)
    assert "A few details are still missing" in html


def test_completeness_lists_missing_steps_in_order():
    values = {name: None for name in ops.FLAT_FIELDS} | {"street": "A", "rooms": Decimal(2)}
    gaps = steps.completeness(values)
    assert [gap.step.name for gap in gaps] == ["address", "size", "costs", "energy", "features"]
    assert gaps[0].fields == ("house_number", "postcode", "district_id")
    complete = values | {n: "x" for n in ops.FLAT_FIELDS} | {"energy_certificate_pending": True}
    complete["wbs_required"] = False
    assert steps.completeness(complete) == []


@pytest.mark.parametrize(
    ("locale", "missing", "preview"),
    [
        ("de", "Energieausweis fehlt", "so sehen das Team"),
        ("en", "Energy certificate missing", "how the team and matched households see"),
    ],
)
def test_check_shows_preview_and_what_is_missing(browser, db, locale, missing, preview):
    user = browser.login("landlord", locale=locale)
    flat = FlatFactory(
        organisation=user.organisation, energy_certificate_pending=False, street="Vorschauweg"
    )
    html = browser.client.get(f"/flats/{flat.public_key}/edit/check").get_data(as_text=True)
    assert missing in html and preview in html
    assert f"/flats/{flat.public_key}/edit/energy?missing=1" in html
    assert "Vorschauweg" in html and "Helle Wohnung." in html  # the facts, as staff see them
    assert f'action="/flats/{flat.public_key}/submit"' not in html
    flat.energy_certificate_pending = True
    db.session.flush()
    html = browser.client.get(f"/flats/{flat.public_key}/edit/check").get_data(as_text=True)
    assert missing not in html and f'action="/flats/{flat.public_key}/submit"' in html


@pytest.mark.parametrize("step", [s.name for s in steps.STEPS])
def test_another_landlords_draft_is_not_found(browser, db, step):
    browser.login("landlord")
    theirs = FlatFactory()
    assert browser.client.get(f"/flats/{theirs.public_key}/edit/{step}").status_code == 404
    if step in ("address", "costs"):
        response = post_step(browser, theirs, step, {"street": "Fremd"}, action="next")
        assert response.status_code == 404
    submitted = browser.post(f"/flats/{theirs.public_key}/submit", {}, csrf_from_path="/flats/new")
    assert submitted.status_code == 404
    db.session.expire_all()
    assert db.session.get(Flat, theirs.id).status == "draft"


def test_an_unknown_step_is_not_found(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    assert browser.client.get(f"/flats/{flat.public_key}/edit/keller").status_code == 404


# The dashboard --------------------------------------------------------------------------------


def company_with_flats(browser, count=7):
    company = CompanyFactory()
    user = browser.login(UserFactory(organisation=company))
    for n in range(count):
        FlatFactory(
            organisation=company,
            street=f"Tabellenweg {n}",
            cold_rent=Decimal(400 + n * 10),
            status="published" if n % 2 else "draft",
        )
    FlatFactory(
        organisation=company,
        street="Hochfeldstraße",
        status="submitted",
        postcode="47053",
        district=None,
    )
    return user


def test_a_company_with_many_flats_gets_a_table(browser, db):
    company_with_flats(browser)
    html = browser.client.get("/flats/").get_data(as_text=True)
    assert 'class="flat-table"' in html and "flat-card" not in html
    assert "Open placements" in html and "Last change" in html
    assert "8 flats shown" in html


def test_the_table_filters_and_sorts(browser, db):
    company_with_flats(browser)
    html = browser.client.get("/flats/?status=draft").get_data(as_text=True)
    assert "4 flats shown" in html and "Tabellenweg 0" in html and "Tabellenweg 1 " not in html
    html = browser.client.get("/flats/?sort=rent&status=published").get_data(as_text=True)
    positions = [html.index(f"Tabellenweg {n} ") for n in (1, 3, 5)]
    assert positions == sorted(positions)
    html = browser.client.get(f"/flats/?district={district_id('Neudorf-Nord')}").get_data(
        as_text=True
    )
    assert "7 flats shown" in html and "Hochfeldstraße" not in html
    html = browser.client.get("/flats/?sort=nonsense&status=nonsense").get_data(as_text=True)
    assert "8 flats shown" in html


def test_a_private_landlord_keeps_the_cards(browser, db):
    user = browser.login(UserFactory(organisation=OrganisationFactory()))
    for n in range(7):
        FlatFactory(organisation=user.organisation, street=f"Kartenweg {n}")
    html = browser.client.get("/flats/").get_data(as_text=True)
    assert "flat-card" in html and 'class="flat-table"' not in html


def test_figures_count_a_flat_in_review(browser, db):
    """Issue 15: never "flats listed so far 0" while a flat is in review."""
    user = browser.login("landlord", locale="de")
    FlatFactory(organisation=user.organisation, status="submitted", submitted_at=utcnow())
    html = browser.client.get("/flats/").get_data(as_text=True)
    assert "Bisher angebotene Wohnungen</dt><dd>1<" in html
    assert "Wohnungen in Prüfung</dt><dd>1<" in html


def test_the_progress_ticks_only_complete_steps(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation, energy_certificate_pending=False)
    html = browser.client.get(f"/flats/{flat.public_key}/edit/features").get_data(as_text=True)
    # Address, size and costs are complete; the energy certificate and the photos are not.
    assert html.count("(complete)") == 3
    assert "Energy certificate<span" not in html
