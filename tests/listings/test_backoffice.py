"""The specialist's review queue, the list of all flats, the review, and rent limits."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.listings.models import Flat, RentLimit
from tests.conftest import outbox
from tests.factories import FlatFactory, UserFactory


def submitted(days_ago: int, **kw) -> Flat:
    from portal.core.db import utcnow

    return FlatFactory(status="submitted", submitted_at=utcnow() - timedelta(days=days_ago), **kw)


def test_review_queue_oldest_first(browser, db):
    browser.login("specialist")
    newer = submitted(1, street="Neuere Straße")
    older = submitted(5, street="Ältere Straße")
    FlatFactory(status="draft", street="Entwurfsweg")
    html = browser.client.get("/backoffice/flats/").get_data(as_text=True)
    queue = html.split('id="all-title"')[0]
    assert queue.index("Ältere Straße") < queue.index("Neuere Straße")
    assert "Entwurfsweg" not in html
    assert older.id and newer.id


def test_specialist_publishes_and_landlord_is_told(browser, db):
    landlord = UserFactory()
    flat = submitted(2, organisation=landlord.organisation, submitted_by_id=landlord.id)
    browser.login("specialist")
    response = browser.post(
        f"/backoffice/flats/{flat.id}",
        {"decision": "publish"},
        csrf_from_path=f"/backoffice/flats/{flat.id}",
    )
    assert response.status_code == 302
    db.session.refresh(flat)
    assert flat.status == "published" and flat.published_at is not None
    mails = outbox(landlord.email)
    assert len(mails) == 1 and "published" in mails[0].subject.lower()


def test_request_changes_needs_a_comment_the_landlord_sees(browser, db):
    landlord = UserFactory()
    flat = submitted(2, organisation=landlord.organisation, submitted_by_id=landlord.id)
    browser.login("specialist")
    path = f"/backoffice/flats/{flat.id}"
    refused = browser.post(path, {"decision": "changes", "comment": "  "}, csrf_from_path=path)
    assert refused.status_code == 200
    assert "what to change" in refused.get_data(as_text=True)
    db.session.refresh(flat)
    assert flat.status == "submitted"
    browser.post(
        path, {"decision": "changes", "comment": "Bitte ein Foto der Küche."}, csrf_from_path=path
    )
    db.session.refresh(flat)
    assert flat.status == "changes_requested" and flat.review_comment == "Bitte ein Foto der Küche."
    assert "Bitte ein Foto der Küche." in outbox(landlord.email)[0].body_text
    browser.logout()
    browser.login(landlord)
    assert "Bitte ein Foto der Küche." in browser.client.get(f"/flats/{flat.public_key}").get_data(
        as_text=True
    )


def test_social_worker_reads_but_cannot_review(browser, db):
    flat = submitted(1)
    browser.login("social_worker")
    page = browser.client.get(f"/backoffice/flats/{flat.id}")
    assert page.status_code == 200 and "Your decision" not in page.get_data(as_text=True)
    response = browser.post(f"/backoffice/flats/{flat.id}", {"decision": "publish"})
    assert response.status_code == 403
    db.session.refresh(flat)
    assert flat.status == "submitted"


@pytest.mark.parametrize("role", ["landlord", "admin"])
def test_flat_back_office_is_casework_only(browser, role):
    flat = submitted(1)
    browser.login(role)
    assert browser.client.get("/backoffice/flats/").status_code == 403
    assert browser.client.get(f"/backoffice/flats/{flat.id}").status_code == 403


def test_list_filters(browser, db):
    browser.login("specialist")
    cheap = FlatFactory(
        status="published",
        street="Billigweg",
        cold_rent=Decimal("300"),
        service_charges=Decimal("90"),
        rooms=Decimal("1"),
        living_area=Decimal("35"),
    )
    dear = FlatFactory(
        status="published",
        street="Teuerweg",
        cold_rent=Decimal("700"),
        service_charges=Decimal("200"),
        wbs_required=True,
        wbs_persons=3,
        is_step_free=True,
    )

    def listing(query):
        html = browser.client.get(f"/backoffice/flats/?{query}").get_data(as_text=True)
        return html.split('id="all-title"')[1]

    assert "Billigweg" in listing("affordable_for=1") and "Teuerweg" not in listing(
        "affordable_for=1"
    )
    assert "Teuerweg" in listing("wbs=required") and "Billigweg" not in listing("wbs=required")
    assert "Teuerweg" in listing("step_free=1") and "Billigweg" not in listing("step_free=1")
    assert "Billigweg" not in listing("min_rooms=2")
    assert "Teuerweg" not in listing("max_rent=500")
    sorted_html = listing("sort=rent")
    assert sorted_html.index("Billigweg") < sorted_html.index("Teuerweg")
    assert "Billigweg" in listing("status=published&district=abc&rooms=x")  # bad values ignored
    assert cheap.id and dear.id


def test_rent_limits_admin_adds_set_and_it_is_in_force(browser, db):
    browser.login("admin")
    page = browser.client.get("/backoffice/rent-limits").get_data(as_text=True)
    assert "1 Oct 2021" in page and "€396.00" in page
    tomorrow = clock.today() + timedelta(days=1)
    response = browser.post(
        "/backoffice/rent-limits",
        {
            "set-valid_from": (clock.today()).isoformat(),
            "set-source": "Ratsbeschluss 2026",
            "set-size_1": "480,00",
            "set-size_2": "560,50",
        },
        csrf_from_path="/backoffice/rent-limits",
    )
    assert response.status_code == 302
    page = browser.client.get("/backoffice/rent-limits").get_data(as_text=True)
    assert "€480.00" in page and "Ratsbeschluss 2026" in page
    # The same day again is refused, nothing written.
    again = browser.post(
        "/backoffice/rent-limits",
        {"set-valid_from": clock.today().isoformat(), "set-source": "x", "set-size_1": "1"},
        csrf_from_path="/backoffice/rent-limits",
        follow_redirects=True,
    )
    assert "already limits from this date" in again.get_data(as_text=True)
    assert tomorrow


def test_rent_limits_csv_import(browser, db):
    browser.login("admin")
    csv_text = (
        "household_size;max_gross_cold_rent;valid_from;source\n"
        "1;450,00;2023-08-01;Stadt Duisburg 2023\n2;540,00;2023-08-01;Stadt Duisburg 2023\n"
    )
    response = browser.post(
        "/backoffice/rent-limits/csv",
        {"csv-csv_file": (BytesIO(csv_text.encode("utf-8-sig")), "limits.csv")},
        csrf_from_path="/backoffice/rent-limits",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    rows = db.session.scalars(
        select(RentLimit).where(RentLimit.valid_from == date(2023, 8, 1))
    ).all()
    assert {r.household_size: r.max_gross_cold_rent for r in rows} == {
        1: Decimal("450.00"),
        2: Decimal("540.00"),
    }
    bad = "1;viel;2023-08-01;x\n"
    response = browser.post(
        "/backoffice/rent-limits/csv",
        {"csv-csv_file": (BytesIO(bad.encode()), "bad.csv")},
        csrf_from_path="/backoffice/rent-limits",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "Line 1 cannot be read" in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", ["specialist", "social_worker"])
def test_only_admins_change_rent_limits(browser, db, role):
    browser.login(role)
    assert browser.client.get("/backoffice/rent-limits").status_code == 200
    response = browser.post(
        "/backoffice/rent-limits",
        {"set-valid_from": clock.today().isoformat(), "set-source": "x", "set-size_1": "1"},
        csrf_from_path="/backoffice/rent-limits",
    )
    assert response.status_code == 403


def test_landlord_cannot_see_rent_limit_admin(browser):
    browser.login("landlord")
    assert browser.client.get("/backoffice/rent-limits").status_code == 403


def test_back_office_home_shows_flats_waiting_for_review(browser, db):
    submitted(1)
    submitted(2)
    browser.login("specialist")
    assert "2 waiting for review" in browser.client.get("/backoffice/").get_data(as_text=True)


def test_changes_waiting_show_ten_with_the_number_of_all_and_a_filter_for_all(browser, db):
    """The flat list's changes queue was unbounded (issue 18: every list paginated): ten of
    them, the longest waiting first, the number of all, and the list's status filter for all."""
    from portal.core.db import utcnow

    now = utcnow()
    waiting = []
    for number in range(12):
        flat = FlatFactory(status="published", street=f"Änderungsweg {number:02d}")
        flat.changes_submitted_at = now - timedelta(hours=12 - number)  # 00 waits longest
        waiting.append(flat)
    FlatFactory(status="published", street="Unverändertweg")
    db.session.flush()
    browser.login("specialist")
    html = browser.client.get("/backoffice/flats/").get_data(as_text=True)
    queue = html.split('id="changes-title"')[1].split("</section>")[0]
    assert '<span class="badge">12</span>' in queue
    shown = [f"Änderungsweg {n:02d}" for n in range(12) if f"Änderungsweg {n:02d}" in queue]
    assert shown == [f"Änderungsweg {n:02d}" for n in range(10)]
    assert 'href="/backoffice/flats/?status=changes&amp;sort=changes"' in queue
    assert "Show all 12 flats with changes waiting for review" in queue

    listing = browser.client.get("/backoffice/flats/?status=changes&sort=changes")
    listing = listing.get_data(as_text=True).split('id="all-title"')[1]
    # All twelve, the longest waiting first, as the queue orders them.
    assert [listing.index(f"Änderungsweg {n:02d}") for n in range(12)] == sorted(
        listing.index(f"Änderungsweg {n:02d}") for n in range(12)
    )
    assert "Unverändertweg" not in listing
    assert '<option selected value="changes">' in listing or 'value="changes" selected' in listing


def test_changes_waiting_in_german(browser, db):
    from portal.core.db import utcnow

    flat = FlatFactory(status="published", street="Änderungsweg")
    flat.changes_submitted_at = utcnow()
    db.session.flush()
    browser.login("specialist", locale="de")
    html = browser.client.get("/backoffice/flats/").get_data(as_text=True)
    assert "Änderungen warten auf Prüfung" in html
