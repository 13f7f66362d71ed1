"""Erasing a landlord empties what the team's decisions on its flats kept: the values looked at
(address, description) and the comments; who decided what and when stays."""

from __future__ import annotations

from sqlalchemy import select

from portal.listings import reviews
from portal.listings.models import FlatReview
from portal.privacy import operations as ops
from tests.factories import FlatFactory, StaffFactory, UserFactory


def test_erasure_empties_the_review_history_of_the_landlords_flats(app, db):
    landlord = UserFactory()
    flat = FlatFactory(organisation=landlord.organisation, status="submitted", street="Geheimweg")
    specialist = StaffFactory(role="specialist")
    with app.test_request_context():
        reviews.decide(
            flat, specialist, approve=False, comment="Frau Beispiel, bitte…", changes_only=False
        )
    review = db.session.scalars(select(FlatReview)).one()
    assert review.snapshot["street"] == "Geheimweg"
    ops.erase_landlord(landlord, StaffFactory(role="admin"), landlord.email)
    db.session.flush()
    db.session.expire_all()
    review = db.session.scalars(select(FlatReview)).one()
    assert review.snapshot is None and review.comment is None
    assert review.decision == "changes_requested" and review.decided_by_id == specialist.id
