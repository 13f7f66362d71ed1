"""A specialist opens the reports, picks the last quarter, reads a figure, opens a definition,
and downloads the CSV and the PDF. Every page passes axe-core."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.accounts.models import Organisation, Role, utcnow
from portal.core import clock
from portal.extensions import db
from portal.households.models import Household
from portal.listings.models import Flat
from portal.placements.models import Placement
from portal.reports.periods import preset
from tests.e2e.conftest import person

pytestmark = [pytest.mark.e2e, pytest.mark.english]

PASSWORD = "Ein Zuhause für alle 2026"


def make_history(live_app) -> None:
    """The quarter's history, made once in the shared browser database (each test that needs it
    calls this; the second call finds it there)."""
    quarter = preset("last_quarter", clock.today())
    with live_app.app_context():
        if db.session.scalar(select(Household.id).where(Household.code == "DU-2099-0900")):
            return
        org = Organisation(kind="company", name="Reports Wohnbau GmbH")
        db.session.add(org)
        person("reports.specialist@example.org", "Rita Reports", Role.SPECIALIST, PASSWORD)
        db.session.flush()
        for n in range(4):
            intake = quarter.start + timedelta(days=5 * n)
            household = Household(
                code=f"DU-2099-09{n:02d}",
                status="housed",
                adults=2,
                children=n,
                needed_rooms=Decimal("3"),
                needed_area=Decimal("80"),
                earliest_move_in=intake,
                waiting_since=intake,
                intake_on=intake,
                target_group="refugee_shared_accommodation" if n < 3 else "other",
            )
            flat = Flat(organisation_id=org.id, status="let", published_at=utcnow())
            db.session.add_all([household, flat])
            db.session.flush()
            db.session.add(
                Placement(
                    flat_id=flat.id,
                    household_id=household.id,
                    origin="specialist",
                    state="lease_signed",
                    lease_signed_on=intake + timedelta(days=30),
                )
            )
        db.session.commit()


def test_specialist_downloads_the_last_quarter(web, live_app, tmp_path):
    make_history(live_app)
    quarter = preset("last_quarter", clock.today())
    page = web.page
    web.log_in("reports.specialist@example.org", PASSWORD)
    page.get_by_role("link", name="Reports").first.click()
    web.check()
    page.get_by_label("Period").select_option("last_quarter")
    page.get_by_role("button", name="Show figures").click()
    web.check()
    assert quarter.start.strftime("%b") in page.locator(".report-period-line").inner_text()
    intakes = page.locator("#intakes")
    row = intakes.get_by_role("row", name="Households taken in")
    # 4 households, 3 of them refugees: "All" and the refugees are withheld ("x"), else
    # 4 - 3 would give the one household of the group "other" away.
    assert row.get_by_role("cell").first.inner_text() == "x"
    persons = intakes.get_by_role("row", name="Persons taken in")
    assert persons.get_by_role("cell").first.inner_text() == "14"
    intakes.get_by_text("Definition").click()
    assert intakes.get_by_text("Households whose intake date lies in the period").is_visible()
    # One household of the group "other": a small number, not shown.
    assert row.get_by_role("cell").last.inner_text() == "< 3"
    assert page.locator("img[alt^='Line chart']").first.is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="All tables as CSV").click()
    csv_file = tmp_path / "report.csv"
    download_info.value.save_as(csv_file)
    text = csv_file.read_bytes()
    assert text.startswith("\ufeff".encode())
    assert b";" in text and b"Households taken in;x;x;" in text

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Summary for the ministry (PDF)").click()
    pdf_file = tmp_path / "report.pdf"
    download_info.value.save_as(pdf_file)
    assert pdf_file.read_bytes().startswith(b"%PDF")
    assert download_info.value.suggested_filename.endswith(".pdf")

    # Submitting the quarter to the ministry (issue 17): the frozen report and its difference.
    page.get_by_label("Sent to").fill("MAGS Zwischenbericht")
    page.get_by_role("button", name="Submit this report").click()
    web.check()
    assert page.get_by_role("heading", name="Submitted report", exact=False).first.is_visible()
    assert page.get_by_text("No figure has changed since submission.").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="The PDF as sent").click()
    assert download_info.value.suggested_filename.endswith("-v1.pdf")
    page.get_by_role("link", name="All submitted reports").click()
    web.check()
    assert page.get_by_role("cell", name="MAGS Zwischenbericht").is_visible()


def test_specialist_reads_the_annex_i_table_and_downloads_it_with_a_reason(web, live_app, tmp_path):
    """Issue 17: the exact Annex I table by gender, and the download for the funding body that
    needs its purpose: refused without one (the form comes back), made with one."""
    make_history(live_app)
    with live_app.app_context():
        from portal.households.models import Participant

        households = db.session.scalars(
            select(Household).where(Household.code.like("DU-2099-09%")).order_by(Household.code)
        ).all()
        for household in households:
            for position in range(household.adults):
                db.session.add(
                    Participant(
                        household_id=household.id,
                        position=position,
                        gender=("female", "male")[position],
                        birth_year=1990,
                        age_band="30_54",
                        labour_status="unemployed",
                        education="isced_0_2",
                        third_country="yes",
                        disability="no",
                        foreign_background="yes",
                        minority="no",
                        homeless="yes",
                        rural="no",
                    )
                )
        db.session.commit()
    page = web.page
    web.log_in("reports.specialist@example.org", PASSWORD)
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_label("Period").select_option("last_quarter")
    page.get_by_role("button", name="Show figures").click()
    page.get_by_role("link", name="ESF participants: Annex I").click()
    web.check()
    total = page.get_by_role("row", name="Total number of participants")
    # 4 households of 2 adults with records: exact, not suppressed.
    assert [c.inner_text() for c in total.get_by_role("cell").all()] == [
        "EECO11",
        "4",
        "4",
        "0",
        "8",
    ]
    # The children have no record: shown, not silently left out.
    missing = page.get_by_role("row", name="Persons taken in without a participant record")
    assert missing.get_by_role("cell").last.inner_text() == "6"

    page.get_by_label("Participants and Annex I table (XLSX, two sheets)").check()
    page.get_by_role("button", name="Download").click()
    web.check()
    assert page.get_by_text("The export was not made").is_visible()
    page.get_by_label("Why do you download the participant data?").select_option("monitoring")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    xlsx_file = tmp_path / "annex.xlsx"
    download_info.value.save_as(xlsx_file)
    assert xlsx_file.read_bytes().startswith(b"PK")
