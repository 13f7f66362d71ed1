"""Issue 14: the households back office and landlord pages ask the operations; the rules about
registering interest and about consent scans live there."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.core import storage
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.households import operations as ops
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory, UserFactory

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    original = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = original


def test_interest_blocked_says_why_in_order(db):
    unverified = UserFactory(email_verified_at=None)
    assert ops.interest_blocked(unverified, False) == "unverified"
    newcomer = UserFactory()
    assert ops.interest_blocked(newcomer, False) == "no_submitted_flat"
    known = UserFactory()
    FlatFactory(organisation=known.organisation, submitted_at=utcnow())
    assert ops.interest_blocked(known, False) == "no_published_flat"
    assert ops.interest_blocked(known, True) is None


def test_record_consent_stores_the_scan_and_open_hands_it_out_with_an_audit_line(db, uploads):
    household = HouseholdFactory(consent=False)
    worker = StaffFactory(role="social_worker")
    consent = ops.record_consent(
        household, worker, date(2026, 11, 2), None, None, (PDF, "application/pdf")
    )
    assert consent.document_key.startswith("consents/")
    assert storage.read(consent.document_key) == PDF

    document = ops.open_consent_document(consent, worker)
    assert document.content_type == "application/pdf"
    assert document.download_name == f"consent-{household.code}-2026-11-02.pdf"
    assert storage.read(document.key) == PDF
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "consent.document_downloaded" in actions


def test_open_consent_document_refuses_what_is_not_there(db, uploads):
    household = HouseholdFactory(consent=False)
    worker = StaffFactory(role="social_worker")
    without = ops.record_consent(household, worker, date(2026, 11, 2), None)
    assert ops.open_consent_document(without, worker) is None
    gone = ops.record_consent(household, worker, date(2026, 11, 2), None, None, (PDF, "x/y"))
    assert ops.open_consent_document(gone, worker).content_type == "application/octet-stream"
    ops.discard_document(gone.document_key)
    assert ops.open_consent_document(gone, worker) is None
    gone.document_key = "../outside"
    assert ops.open_consent_document(gone, worker) is None


def test_views_keep_no_rule_of_their_own():
    import importlib
    import pkgutil

    from portal.households import backoffice
    from portal.matching import views

    assert not hasattr(views, "_blocked")
    modules = [backoffice] + [
        importlib.import_module(f"{backoffice.__name__}.{info.name}")
        for info in pkgutil.iter_modules(backoffice.__path__)
    ]
    assert len(modules) > 1
    # The consent scans are stored and opened by the operations, never by a back-office view.
    assert [m.__name__ for m in modules if hasattr(m, "storage")] == []
