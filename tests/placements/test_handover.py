"""Handover record and Wohnungsgeberbestätigung (issue 16): recorded by staff, confirmed by the
landlord, both PDFs read back with pypdf; refusals keep the input and change nothing; another
organisation's landlord gets 404."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.placements.models import State
from portal.placements.paperwork import handover
from portal.placements.paperwork.handover_pdf import handover_pdf
from portal.placements.paperwork.models import HandoverRecord, MoveInConfirmation
from tests.builders import PLACEMENTS, TENANT, drive, propose, published_flat, world
from tests.conftest import outbox
from tests.factories import HouseholdFactory, IdentityFactory, StaffFactory, UserFactory


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


@pytest.fixture
def moved_in(app, db):
    """A landlord (organisation with an address) and a placement moved in today."""
    landlord = UserFactory()
    landlord.organisation.name = "Wohnbau Rheinblick GmbH"
    landlord.organisation.address = "Königstraße 1, 47051 Duisburg"
    flat = published_flat(landlord.organisation, street="Grünstraße", house_number="7")
    household = HouseholdFactory()
    IdentityFactory(household=household, main_tenant_name=TENANT)
    placement = propose(app, flat, household)
    drive(app, placement, State.MOVED_IN, landlord)
    db.session.commit()
    return landlord, placement


def handover_form(**changes) -> dict:
    today = clock.today().isoformat()
    data = {
        "handed_over_on": today,
        "meters-0-kind": "electricity",
        "meters-0-number": "1ESY1160123456",
        "meters-0-reading": "12345.6",
        "meters-1-kind": "district_heat",
        "meters-1-number": "FW-778899",
        "meters-1-reading": "88",
        "meters-2-kind": "water",
        "meters-2-number": "",
        "meters-2-reading": "",
        "keys-0-kind": "Wohnungstür",
        "keys-0-count": "2",
        "keys-1-kind": "Briefkasten",
        "keys-1-count": "1",
        "rooms-0-room": "Küche",
        "rooms-0-condition": "Herd mit Gebrauchsspuren, sonst einwandfrei",
        "rooms-1-room": "Bad",
        "rooms-1-condition": "Fliese über der Wanne gesprungen",
        "landlord_signed_by": "Jörg Übelacker",
        "tenant_signed_by": TENANT,
        "signed_on": today,
    }
    data.update(changes)
    return data


def post_handover(browser, placement, data):
    return browser.post(f"{PLACEMENTS}/{placement.id}/handover", data)


def specialist_of(placement):
    return placement.staff


def test_staff_record_the_handover_and_download_its_pdf(browser, db, moved_in):
    _landlord, placement = moved_in
    browser.login(specialist_of(placement))
    page = browser.client.get(f"{PLACEMENTS}/{placement.id}/paperwork")
    assert page.status_code == 200
    response = post_handover(browser, placement, handover_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.scalar(select(HandoverRecord))
    assert record.meters[0]["number"] == "1ESY1160123456"
    assert len(record.meters) == 2  # the empty row is dropped
    assert record.keys == [
        {"kind": "Wohnungstür", "count": 2},
        {"kind": "Briefkasten", "count": 1},
    ]
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "paperwork.handover_recorded"
            )
        )
        == 1
    )
    pdf = browser.client.get(f"{PLACEMENTS}/{placement.id}/handover.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.data)
    for value in (
        "1ESY1160123456",
        "12345.6",
        "FW-778899",
        "Wohnungstür",
        "Briefkasten",
        "Küche",
        "Fliese über der Wanne gesprungen",
        "Jörg Übelacker",
        TENANT,
        "Grünstraße 7",
    ):
        assert value in text, value


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meters-0-reading": "-5"}, "A meter reading cannot be negative."),
        ({"handed_over_on": "2999-01-01"}, "A handover cannot be recorded after today"),
        ({"signed_on": "2999-01-01"}, "A handover cannot be recorded after today"),
        ({"keys-0-count": ""}, "Please complete this row or leave it empty."),
        ({"landlord_signed_by": ""}, "Please fill in this field."),
        ({"meters-0-kind": "oil"}, "Please choose the kind of each meter."),
        (
            {
                "meters-0-number": "",
                "meters-0-reading": "",
                "meters-1-number": "",
                "meters-1-reading": "",
            },
            "Please record at least one meter.",
        ),
    ],
)
def test_bad_handover_input_is_refused_with_input_kept(browser, db, moved_in, changes, message):
    _landlord, placement = moved_in
    browser.login(specialist_of(placement))
    response = post_handover(browser, placement, handover_form(**changes))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html, re.findall(r"(?:error|alert)[^<]*<[^<]*<[^<]*", html)
    assert "Fliese über der Wanne gesprungen" in html  # the input is kept
    assert db.session.scalar(select(func.count(HandoverRecord.id))) == 0


def test_handover_before_the_lease_is_refused(app, browser, db, moved_in):
    _landlord, placement = moved_in
    browser.login(specialist_of(placement))
    before = (placement.lease_signed_on - timedelta(days=1)).isoformat()
    response = post_handover(browser, placement, handover_form(handed_over_on=before))
    assert response.status_code == 400
    assert "cannot be before the lease" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HandoverRecord.id))) == 0


def test_no_handover_without_a_lease(app, browser, db):
    w = world()
    placement = propose(app, w.flat, w.household, w.specialist)
    db.session.commit()
    browser.login(w.specialist)
    response = post_handover(browser, placement, handover_form())
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(HandoverRecord.id))) == 0
    assert (
        browser.client.get(f"{PLACEMENTS}/{placement.id}/wohnungsgeberbestaetigung.pdf").status_code
        == 404
    )


def test_landlord_confirms_the_move_in_and_staff_record_the_registration(browser, db, moved_in):
    landlord, placement = moved_in
    browser.login(landlord)
    page = browser.client.get(f"/placements/{placement.public_key}").get_data(as_text=True)
    assert "Wohnungsgeberbestätigung" in page and TENANT in page
    response = browser.post(
        f"/placements/{placement.public_key}/move-in-confirmation",
        {"owner_name": "Erika Eigentum", "owner_address": "Am Deich 3, 47198 Duisburg"},
    )
    assert response.status_code == 302
    confirmation = db.session.scalar(select(MoveInConfirmation))
    assert confirmation.confirmed_at is not None and confirmation.owner_name == "Erika Eigentum"
    page = browser.client.get(f"/placements/{placement.public_key}").get_data(as_text=True)
    assert "You confirmed the move-in" in page
    again = browser.post(f"/placements/{placement.public_key}/move-in-confirmation", {})
    assert again.status_code == 302  # refused: already confirmed, nothing changes
    browser.logout()

    browser.login(specialist_of(placement))
    text = pdf_text(
        browser.client.get(f"{PLACEMENTS}/{placement.id}/wohnungsgeberbestaetigung.pdf").data
    )
    for value in (
        "Wohnbau Rheinblick GmbH",
        "Königstraße 1, 47051 Duisburg",
        "Erika Eigentum",
        "Am Deich 3, 47198 Duisburg",
        "Grünstraße 7",
        TENANT,
        clock.today().strftime("%d.%m.%Y"),  # always German: it goes to the Bürgeramt
        "Wohnungsgeberbestätigung",
    ):
        assert value in text, (value, text)
    future = (clock.today() + timedelta(days=1)).isoformat()
    refused = browser.post(f"{PLACEMENTS}/{placement.id}/registration", {"registered_on": future})
    assert refused.status_code == 400
    assert "cannot be recorded after today" in refused.get_data(as_text=True)
    done = browser.post(
        f"{PLACEMENTS}/{placement.id}/registration", {"registered_on": clock.today().isoformat()}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(MoveInConfirmation)).registered_on == clock.today()
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"paperwork.move_in_confirmed", "paperwork.registration_recorded"} <= actions


def test_owner_needs_name_and_address(browser, db, moved_in):
    landlord, placement = moved_in
    browser.login(landlord)
    response = browser.post(
        f"/placements/{placement.public_key}/move-in-confirmation", {"owner_name": "Erika"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(MoveInConfirmation.id))) == 0


def test_registration_needs_the_confirmation(browser, db, moved_in):
    _landlord, placement = moved_in
    browser.login(specialist_of(placement))
    response = browser.post(
        f"{PLACEMENTS}/{placement.id}/registration", {"registered_on": clock.today().isoformat()}
    )
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(MoveInConfirmation.id))) == 0


def test_another_organisation_gets_404(browser, db, moved_in):
    _landlord, placement = moved_in
    browser.login(UserFactory())
    token = browser.csrf("/")
    for method, path in [
        ("POST", f"/placements/{placement.public_key}/move-in-confirmation"),
        ("GET", f"/placements/{placement.public_key}/handover.pdf"),
    ]:
        response = browser.client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 404, path
    assert db.session.scalar(select(func.count(MoveInConfirmation.id))) == 0


def test_social_workers_read_but_do_not_record(browser, db, moved_in):
    _landlord, placement = moved_in
    browser.login(StaffFactory(role="social_worker"))
    assert browser.client.get(f"{PLACEMENTS}/{placement.id}/paperwork").status_code == 200
    assert post_handover(browser, placement, handover_form()).status_code == 403


def test_name_hidden_when_the_identity_is_not_revealed(app, db, browser, moved_in):
    landlord, placement = moved_in
    for consent in placement.household.consents:
        consent.withdrawn_on = clock.today()
    db.session.commit()
    browser.login(landlord)
    page = browser.client.get(f"/placements/{placement.public_key}").get_data(as_text=True)
    assert "Wohnungsgeberbestätigung" in page
    assert TENANT not in page


def test_every_adult_is_named_and_a_line_left_per_child(app, db, browser, moved_in):
    """§19 (3) BMG names each person moving in: the adults by name (main tenant first), and a
    line per child for the household to fill in (children's names are not in the portal)."""
    landlord, placement = moved_in
    placement.household.adults, placement.household.children = 2, 2
    placement.household.identity.adult_names = f"{TENANT}\n  Samira   Beispiel  \n"
    db.session.commit()
    browser.login(landlord)
    page = browser.client.get(f"/placements/{placement.public_key}").get_data(as_text=True)
    assert f"{TENANT}, Samira Beispiel · 4 persons (2 children:" in page
    browser.logout()
    browser.login(specialist_of(placement))
    text = pdf_text(
        browser.client.get(f"{PLACEMENTS}/{placement.id}/wohnungsgeberbestaetigung.pdf").data
    )
    text = " ".join(text.split())  # labels wrap in their narrow column
    assert f"{TENANT}, Samira Beispiel" in text
    assert "Kind 1 (Name, vom Haushalt" in text and "Kind 2 (Name, vom Haushalt" in text


def test_no_names_when_the_identity_is_not_revealed(app, db, moved_in):
    _landlord, placement = moved_in
    placement.household.identity.adult_names = "Samira Beispiel"
    for consent in placement.household.consents:
        consent.withdrawn_on = clock.today()
    db.session.flush()
    sheet = handover.sheet(placement)
    assert sheet.adult_names == () and sheet.main_tenant is None


def test_long_texts_wrap_in_their_cells(app, db, moved_in):
    """A long room description and a long name grow their rows; every word is in the PDF."""
    _landlord, placement = moved_in
    long_text = " ".join(f"Wort{i}" for i in range(120))
    with app.test_request_context():
        record = handover.record_handover(
            placement,
            placement.staff,
            handed_over_on=placement.lease_signed_on,
            meters=[{"kind": "gas", "number": "G-1", "reading": "0"}],
            keys=[],
            rooms=[{"room": "Wohnzimmer mit Essbereich und Balkonzugang", "condition": long_text}],
            landlord_signed_by="Maximiliane Sophie von Hohenzollern-Sigmaringen-Langname",
            tenant_signed_by=TENANT,
            signed_on=placement.lease_signed_on,
        )
        text = pdf_text(handover_pdf(record, "Grünstraße 7", "Wohnbau"))
    words = text.split()
    assert all(f"Wort{i}" in words for i in range(120))
    assert "Hohenzollern-Sigmaringen-Langname" in text


def test_the_move_in_mail_asks_the_landlord_to_confirm(db, moved_in):
    """The landlord must act: the step's e-mail asks for the Wohnungsgeberbestätigung."""
    landlord, _placement = moved_in
    mail = outbox(landlord.email)[-1]
    assert mail.subject.startswith("Moved in")
    assert "(Wohnungsgeberbestätigung)" in mail.body_text
    assert "Confirm the move-in:" in mail.body_text
