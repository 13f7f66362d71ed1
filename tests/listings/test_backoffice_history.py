"""The review page's history: earlier change requests with their comments, what the landlord
changed since the last decision (field by field, formatted), and who decided what when."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import unescape

from sqlalchemy import select

from portal.core.db import utcnow
from portal.extensions import db as _db
from portal.listings import changes, reviews
from portal.listings import operations as ops
from portal.listings.models import District, Flat, FlatReview
from tests.conftest import counted_statements
from tests.factories import FlatFactory, StaffFactory, UserFactory


def path(flat: Flat) -> str:
    return f"/backoffice/flats/{flat.id}"


def decide(browser, flat: Flat, **data):
    return browser.post(path(flat), data, csrf_from_path=path(flat))


def section(html: str, section_id: str) -> str:
    return html.split(f'id="{section_id}"')[1].split("</section>")[0]


def submitted_flat() -> tuple[Flat, object]:
    landlord = UserFactory(full_name="Lena Vermieterin")
    flat = FlatFactory(
        organisation=landlord.organisation,
        status="submitted",
        submitted_at=utcnow() - timedelta(days=1),
        submitted_by_id=landlord.id,
        created_by_id=landlord.id,
    )
    return flat, landlord


def test_resubmitted_flat_shows_what_changed_the_request_and_who_decided(app, browser, db):
    flat, landlord = submitted_flat()
    browser.login(StaffFactory(role="specialist", full_name="Sven Prüfer"))
    decide(browser, flat, decision="changes", comment="Bitte die Kaltmiete prüfen.")
    review = db.session.scalars(select(FlatReview).where(FlatReview.flat_id == flat.id)).one()
    assert review.decision == "changes_requested" and review.snapshot["cold_rent"] == "480.00"
    assert review.comment == "Bitte die Kaltmiete prüfen."

    with app.test_request_context():
        ops.update_flat(flat, landlord, {"cold_rent": Decimal("520.00"), "street": "Neue Straße"})
        ops.submit_flat(flat, landlord)
    db.session.flush()

    html = unescape(browser.client.get(path(flat)).get_data(as_text=True))
    diff = section(html, "changed-since")
    assert "2 fields" in diff
    assert "Cold rent" in diff
    assert "€480.00" in diff and "€520.00" in diff
    assert "Musterstraße" in diff and "Neue Straße" in diff
    assert "Heating costs" not in diff  # unchanged fields are not listed
    requests = section(html, "change-requests")
    assert "Bitte die Kaltmiete prüfen." in requests and "Sven Prüfer" in requests
    timeline = section(html, "review-history")
    assert timeline.index("Submitted for review") < timeline.index("Changes requested")
    assert "Sven Prüfer" in timeline and "Lena Vermieterin (landlord)" in timeline

    decide(browser, flat, decision="publish")
    decisions = db.session.scalars(
        select(FlatReview.decision).where(FlatReview.flat_id == flat.id).order_by(FlatReview.id)
    ).all()
    assert decisions == ["changes_requested", "published"]
    html = unescape(browser.client.get(path(flat)).get_data(as_text=True))
    assert 'id="changed-since-title"' not in html
    assert "Nothing changed since the last review" in html


def test_german_diff_is_formatted_with_babel(app, browser, db):
    flat, landlord = submitted_flat()
    browser.login("specialist", locale="de")
    decide(browser, flat, decision="changes", comment="Bitte prüfen.")
    with app.test_request_context():
        ops.update_flat(flat, landlord, {"cold_rent": Decimal("1520.50"), "rooms": Decimal("2.5")})
    db.session.flush()
    diff = section(unescape(browser.client.get(path(flat)).get_data(as_text=True)), "changed-since")
    assert "2 Felder" in diff
    assert "480,00\xa0€" in diff and "1.520,50\xa0€" in diff
    assert "2,5" in diff


def test_published_flat_changes_are_compared_with_the_approved_version(app, browser, db):
    landlord = UserFactory()
    flat = FlatFactory(organisation=landlord.organisation, status="published")
    browser.login("specialist")
    with app.test_request_context():
        ops.update_flat(flat, landlord, {"deposit": Decimal("1000.00")})
    decide(browser, flat, decision="changes", comment="Kaution bitte belegen.")
    with app.test_request_context():
        ops.update_flat(flat, landlord, {"deposit": Decimal("1200.00")})
    html = unescape(browser.client.get(path(flat)).get_data(as_text=True))
    diff = section(html, "changed-since")
    assert "€1,000.00" in diff and "€1,200.00" in diff and "1 field" in diff
    assert "Kaution bitte belegen." in section(html, "change-requests")


def test_an_approval_refused_for_the_address_says_why_and_changes_nothing(browser, db):
    flat = FlatFactory(status="published")
    baerl = db.session.scalar(select(District.id).where(District.name == "Baerl"))
    changes.store(flat, {"district_id": baerl}, {})
    flat.changes_submitted_at = utcnow()
    db.session.flush()
    browser.login("specialist")
    response = decide(browser, flat, decision="publish")
    assert response.status_code == 302
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "postcode and district do not agree" in html
    db.session.refresh(flat)
    assert flat.changes_in_review and flat.district_id != baerl
    assert db.session.scalars(select(FlatReview)).all() == []


def test_history_needs_a_fixed_number_of_queries(app, browser, db):
    flat, landlord = submitted_flat()
    browser.login("specialist")

    def statements() -> int:
        browser.client.get(path(flat))
        with counted_statements(_db.engine) as seen:
            assert browser.client.get(path(flat)).status_code == 200
        return len(seen)

    def round_trip(number: int) -> None:
        decide(browser, flat, decision="changes", comment=f"Runde {number}")
        with app.test_request_context():
            ops.update_flat(flat, landlord, {"floor": number})
            ops.submit_flat(flat, landlord)
        db.session.flush()

    round_trip(1)
    small = statements()
    for number in range(2, 8):
        round_trip(number)
    assert len(reviews.history(flat).reviews) == 7
    assert statements() == small
