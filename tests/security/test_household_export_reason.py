"""Issue 13.9: a household's full-data export (ZIP) needs a recorded reason, is limited per
staff account, is audited with the reason, and the household's social worker sees it (on the
household's page and by e-mail)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.privacy.models import HouseholdExport
from tests.conftest import outbox
from tests.factories import HouseholdFactory, IdentityFactory, StaffFactory

REASON = {"purpose": "authority", "explanation": "Request of the Jobcenter dated 2 December"}


@pytest.fixture
def case():
    worker = StaffFactory(role="social_worker", full_name="Sina Sozial")
    household = HouseholdFactory(created_by_id=worker.id, vetted_by_id=worker.id)
    IdentityFactory(household=household)
    db.session.commit()
    return worker, household


def _page(household) -> str:
    return f"/backoffice/privacy/households/{household.id}"


def _events():
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.export")))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"purpose": "", "explanation": "A long enough explanation"},
        {"purpose": "access_request", "explanation": ""},
        {"purpose": "access_request", "explanation": "  too   short "},
        {"purpose": "just_because", "explanation": "A long enough explanation"},
    ],
)
def test_an_export_without_a_reason_is_refused(browser, case, data):
    _worker, household = case
    browser.login("admin")
    response = browser.post(f"{_page(household)}/export", data, csrf_from_path=_page(household))
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "The export was not made: please give its reason." in html
    assert 'class="error"' in html
    if data.get("explanation"):
        assert " ".join(data["explanation"].split()) in html  # the input is kept
    assert _events() == []
    assert db.session.scalars(select(HouseholdExport)).all() == []


def test_the_refusal_is_in_german_by_default(browser, case):
    _worker, household = case
    browser.login("admin", locale="de")
    response = browser.post(
        f"{_page(household)}/export", {"purpose": "other"}, csrf_from_path=_page(household)
    )
    assert response.status_code == 400
    assert "Bitte erklären Sie den Export in wenigen Worten." in response.get_data(as_text=True)


def test_the_export_is_recorded_audited_and_shown_to_the_social_worker(browser, case):
    worker, household = case
    admin = browser.login("admin")
    response = browser.post(f"{_page(household)}/export", REASON, csrf_from_path=_page(household))
    assert response.status_code == 200 and response.mimetype == "application/zip"

    [event] = _events()
    assert event.actor_id == admin.id and event.object_id == household.id
    assert event.details == {"object_kind": "household", "reason": "authority"}
    [record] = db.session.scalars(select(HouseholdExport)).all()
    assert (record.household_id, record.actor_id, record.purpose) == (
        household.id,
        admin.id,
        "authority",
    )
    assert record.explanation == REASON["explanation"]

    [mail] = outbox(worker.email)
    assert household.code in mail.subject
    assert admin.full_name in mail.body_text and "authority or a court" in mail.body_text
    assert f"/backoffice/households/{household.id}#exports" in mail.body_text

    browser.logout()
    browser.login(worker)
    html = browser.client.get(f"/backoffice/households/{household.id}").get_data(as_text=True)
    assert "Data exports" in html
    assert admin.full_name in html and REASON["explanation"] in html
    assert "Request of an authority or a court" in html
    html = browser.client.get(_page(household)).get_data(as_text=True)
    assert REASON["explanation"] in html


def test_the_social_worker_gets_no_mail_about_their_own_export(browser, case):
    worker, household = case
    browser.login(worker)
    response = browser.post(f"{_page(household)}/export", REASON, csrf_from_path=_page(household))
    assert response.status_code == 200
    assert outbox(worker.email) == []
    assert len(_events()) == 1


def test_specialists_do_not_see_the_export_list(browser, case):
    _worker, household = case
    db.session.add(
        HouseholdExport(household_id=household.id, purpose="other", explanation="secret words")
    )
    db.session.commit()
    browser.login("specialist")
    html = browser.client.get(f"/backoffice/households/{household.id}").get_data(as_text=True)
    assert "secret words" not in html


def test_exports_are_limited_per_account(app, browser, case, monkeypatch):
    _worker, household = case
    monkeypatch.setitem(app.config, "RATELIMIT_HOUSEHOLD_EXPORT", "2 per hour")
    browser.login("admin")
    page = _page(household)
    # A refused form does not count.
    assert browser.post(f"{page}/export", {}, csrf_from_path=page).status_code == 400
    for _ in range(2):
        assert browser.post(f"{page}/export", REASON, csrf_from_path=page).status_code == 200
    response = browser.post(f"{page}/export", REASON, csrf_from_path=page)
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert "several household exports in a short time" in response.get_data(as_text=True)
    assert len(_events()) == 2
    # Another admin has their own count.
    browser.logout()
    browser.login("admin")
    assert browser.post(f"{page}/export", REASON, csrf_from_path=page).status_code == 200


def test_the_limit_setting_comes_from_the_environment(tmp_path):
    from portal.config import build_config

    assert build_config(str(tmp_path), {})["RATELIMIT_HOUSEHOLD_EXPORT"] == "5 per hour"
    env = {"RATELIMIT_HOUSEHOLD_EXPORT": "1 per day"}
    assert build_config(str(tmp_path), env)["RATELIMIT_HOUSEHOLD_EXPORT"] == "1 per day"


def test_erasure_removes_the_explanation_and_keeps_the_record(
    browser, case, app, tmp_path, monkeypatch
):
    from portal.privacy import operations as ops

    monkeypatch.setitem(app.config, "ERASURE_LOG", str(tmp_path / "erasures.jsonl"))
    _worker, household = case
    admin = StaffFactory(role="admin")
    db.session.add(
        HouseholdExport(
            household_id=household.id, purpose="access_request", explanation="Letter of Ms X"
        )
    )
    db.session.commit()
    ops.erase_household(household, admin, household.code)
    db.session.commit()
    [record] = db.session.scalars(select(HouseholdExport)).all()
    assert record.purpose == "access_request" and "Ms X" not in record.explanation
