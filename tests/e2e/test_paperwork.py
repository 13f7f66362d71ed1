"""The paperwork of a placement in the browser, from the landlord's side (issue 16): the landlord
checks the Mietbescheinigung and confirms it with the bank account (a wrong IBAN first), or
reports a correction that reaches the specialist; confirms the Wohnungsgeberbestätigung; sees
the direct payment and the deposit only where the household's consent covers it. Staff
download the three PDFs, read back with pypdf. Every page passes axe-core. (English UI.)"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.accounts.models import Organisation, Role
from portal.core import clock
from portal.core.outbox import OutboxMessage
from portal.extensions import db
from portal.placements.models import State
from portal.placements.paperwork import handover, money
from tests.e2e.conftest import person, published_flat
from tests.e2e.placement_world import placed, vetted_household

pytestmark = [pytest.mark.e2e, pytest.mark.english]

PASSWORD = "Ein Zuhause für alle 2026"
ORGANISATION = "Papierkram Wohnungsbau GmbH"
ORG_ADDRESS = "Mercatorstraße 44, 47051 Duisburg"
IBAN = "DE89 3704 0044 0532 0130 00"
HOLDER = "Papierkram Wohnungsbau GmbH, Mietenkonto"


def seed(live_app, n: int, state: State, *, consent_covers_money: bool = False) -> dict:
    """A landlord's flat and a household placed up to ``state``; household code 112n, e-mail
    addresses of their own (the browser tests share one database)."""
    with live_app.app_context(), live_app.test_request_context():
        org = Organisation(kind="company", name=ORGANISATION, address=ORG_ADDRESS)
        specialist = person(
            f"paper-spec-{n}@example.org", "Petra Papier", Role.SPECIALIST, PASSWORD
        )
        landlord = person(
            f"paper-owner-{n}@example.org",
            "Lars Lessing",
            Role.LANDLORD,
            PASSWORD,
            organisation=org,
        )
        db.session.flush()
        street = f"Papiermühlenweg {n}"
        flat = published_flat(
            org, "Papiermühlenweg", str(n), created_by_id=landlord.id, submitted_by_id=landlord.id
        )
        tenant = f"Tara Tenant {n}"
        household = vetted_household(
            f"DU-2026-112{n}", specialist, tenant, shares_payment_status=consent_covers_money
        )
        placement = placed(flat, household, specialist, state)
        db.session.commit()
        return {
            "key": placement.public_key,
            "id": placement.id,
            "landlord": landlord.email,
            "specialist": specialist.email,
            "street": street,
            "tenant": tenant,
        }


def pdf_download(web, selector: str) -> str:
    """Click the link, take the download, check it is a PDF and return its text."""
    with web.page.expect_download() as info:
        web.page.locator(selector).click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat_words(text: str) -> str:
    return " ".join(text.split())


def test_landlord_confirms_the_mietbescheinigung_and_staff_download_it(web, live_app):
    world = seed(live_app, 0, State.RENT_OFFER_SUBMITTED)
    page = web.page

    web.log_in(world["landlord"], PASSWORD)
    web.goto(f"/placements/{world['key']}")
    assert (
        "Waiting for the landlord's check"
        in page.locator("#rent-certificate-title + p").inner_text()
    )
    page.locator("#rent-certificate-link").click()
    web.check()
    offer = page.locator("main dl.facts").first.inner_text()
    for value in (ORGANISATION, world["street"], "€420.00", "€120.00", "€80.00", "€840.00"):
        assert value in offer, value
    page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 01")
    page.get_by_label("Account holder").fill(HOLDER)
    page.locator("#confirm-rent-certificate").click()
    web.check()
    assert "This IBAN is not valid" in page.locator("main").inner_text()
    assert page.get_by_label("Account holder").input_value() == HOLDER
    page.get_by_label("IBAN").fill(IBAN)
    page.locator("#confirm-rent-certificate").click()
    web.check()
    assert "You have confirmed the Mietbescheinigung" in page.locator(".flash-success").inner_text()
    assert "Confirmed by the landlord" in page.locator("#rent-certificate-status").inner_text()
    assert IBAN in page.locator("main").inner_text()
    assert page.locator("#confirm-rent-certificate").count() == 0
    web.log_out()

    web.log_in(world["specialist"], PASSWORD)
    web.goto(f"/backoffice/placements/{world['id']}")
    assert "Confirmed by the landlord" in page.locator("#rent-certificate-status").inner_text()
    text = flat_words(pdf_download(web, "#rent-certificate-pdf"))
    for value in (ORGANISATION, world["street"], "420,00 €", "840,00 €", IBAN, HOLDER):
        assert value in text, value
    assert "Vom Vermieter bestätigt" in text


def test_a_correction_from_the_landlord_reaches_the_specialist(web, live_app):
    world = seed(live_app, 1, State.RENT_OFFER_SUBMITTED)
    note = "Die Nebenkosten betragen 135 € im Monat, nicht 120 €."
    page = web.page

    web.log_in(world["landlord"], PASSWORD)
    web.goto(f"/placements/{world['key']}/rent-certificate")
    page.get_by_role("button", name="Report a correction").click()
    web.check()
    assert "This field is required." in page.locator("main").inner_text()  # nothing sent
    page.get_by_label("What is wrong?").fill(note)
    page.get_by_role("button", name="Report a correction").click()
    web.check()
    assert "corrects the figures and asks you again" in page.locator(".flash-success").inner_text()
    assert "reported corrections" in page.locator("#rent-certificate-status").inner_text()
    assert note in page.locator("main").inner_text()
    web.log_out()

    with live_app.app_context():
        mail = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == world["specialist"])
        ).all()
        assert any(note in m.body_text for m in mail)

    web.log_in(world["specialist"], PASSWORD)
    web.goto(f"/backoffice/placements/{world['id']}")
    section = page.locator("#rent-certificate").inner_text()
    assert "The landlord has reported corrections" in section
    assert note in section


def test_landlord_confirms_the_wohnungsgeberbestaetigung_and_staff_download_both(web, live_app):
    world = seed(live_app, 2, State.MOVED_IN)
    with live_app.app_context(), live_app.test_request_context():
        from portal.placements.models import Placement

        placement = db.session.get(Placement, world["id"])
        handover.record_handover(
            placement,
            placement.staff,
            handed_over_on=clock.today(),
            meters=[{"kind": "electricity", "number": "1ESY-2222", "reading": "4711.5"}],
            keys=[{"kind": "Wohnungstür", "count": 2}],
            rooms=[{"room": "Küche", "condition": "Herd mit Gebrauchsspuren"}],
            landlord_signed_by="Lars Lessing",
            tenant_signed_by=world["tenant"],
            signed_on=clock.today(),
        )
        db.session.commit()
    page = web.page

    web.log_in(world["landlord"], PASSWORD)
    web.goto(f"/placements/{world['key']}")
    section = page.locator("#move-in")
    assert world["tenant"] in section.inner_text()
    assert world["street"] in section.inner_text()
    section.get_by_role("button", name="Confirm the move-in").click()
    web.check()
    assert "The move-in is confirmed" in page.locator(".flash-success").inner_text()
    assert "You confirmed the move-in on" in page.locator("#move-in-confirmed").inner_text()
    handover_text = flat_words(pdf_download(web, "#move-in a[href$='handover.pdf']"))
    assert "1ESY-2222" in handover_text and world["street"] in handover_text
    web.log_out()

    web.log_in(world["specialist"], PASSWORD)
    web.goto(f"/backoffice/placements/{world['id']}/paperwork")
    assert page.locator("#confirmed-on").inner_text() != "–"
    text = flat_words(pdf_download(web, "#move-in-pdf"))
    today = clock.today().strftime("%d.%m.%Y")
    for value in (ORGANISATION, ORG_ADDRESS, world["street"], world["tenant"], today):
        assert value in text, value
    assert "Wohnungsgeberbestätigung" in text
    text = flat_words(pdf_download(web, "#handover-pdf"))
    for value in (
        "1ESY-2222",
        "4711.5",
        "Wohnungstür",
        "Herd mit Gebrauchsspuren",
        world["tenant"],
    ):
        assert value in text, value


def _money(live_app, placement_id: int) -> None:
    """A deposit paid to the landlord and the direct payment confirmed from next month."""
    with live_app.app_context(), live_app.test_request_context():
        from portal.placements.models import Placement

        placement = db.session.get(Placement, placement_id)
        today, actor = clock.today(), placement.staff
        deposit = money.request_cost(placement, actor, "deposit", Decimal("840.00"), today)
        deposit.decide(True, today, actor)
        deposit.pay(today, "landlord", actor)
        money.request_cost(placement, actor, "furnishing", Decimal("900.00"), today)
        payment = money.request_direct_payment(placement, actor, today)
        payment.confirm(today, (today + timedelta(days=31)).replace(day=1), actor)
        db.session.commit()


def test_landlord_sees_direct_payment_and_deposit_only_with_consent(web, live_app):
    covered = seed(live_app, 3, State.MOVED_IN, consent_covers_money=True)
    not_covered = seed(live_app, 4, State.MOVED_IN)
    _money(live_app, covered["id"])
    _money(live_app, not_covered["id"])
    page = web.page

    web.log_in(covered["landlord"], PASSWORD)
    web.goto(f"/placements/{covered['key']}")
    shown = page.locator("#money").inner_text()
    first = (clock.today() + timedelta(days=31)).replace(day=1)
    assert "Rent is paid directly by the Jobcenter from" in shown
    assert f"{first.day} {first.strftime('%b %Y')}" in shown
    assert "Deposit (loan): paid" in shown
    assert "furnishing" not in shown.lower()  # not the landlord's concern
    web.log_out()

    web.log_in(not_covered["landlord"], PASSWORD)
    web.goto(f"/placements/{not_covered['key']}")
    assert page.locator("#money").count() == 0
    assert "paid directly" not in page.locator("main").inner_text()
