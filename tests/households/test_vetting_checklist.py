"""The vetting checklist: the first vetting of a profile needs every item ticked (refused
otherwise, nothing changed, the ticks kept), and the page shows later who ticked it and when."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.households import operations as ops
from portal.households.models import VETTING_CHECKLIST, Household
from tests.builders import HOUSEHOLDS as BASE
from tests.builders import status_form
from tests.factories import HouseholdFactory, StaffFactory


def vet(browser, household, checklist):
    path = f"{BASE}/{household.id}"
    data = {"to": "vetted", "checklist": list(checklist)}
    return browser.post(f"{path}/status", data, csrf_from_path=path, follow_redirects=True)


@pytest.mark.parametrize("missing", VETTING_CHECKLIST)
def test_vetting_is_refused_unless_every_item_is_ticked(browser, db, missing):
    browser.login("social_worker")
    household = HouseholdFactory(status="draft", vetted_at=None)
    ticked = [item for item in VETTING_CHECKLIST if item != missing]
    response = vet(browser, household, ticked)
    html = unescape(response.get_data(as_text=True))
    assert "please tick every item of the vetting checklist" in html
    # The ticks the social worker made are still there; the missing one is not.
    for item in ticked:
        assert f'value="{item}" id="status-checklist-{item}" checked' in html
    assert f'value="{missing}" id="status-checklist-{missing}">' in html
    fresh = db.session.get(Household, household.id)
    assert fresh.status == "draft" and fresh.vetted_at is None and fresh.vetting_checklist is None
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "household.vetted")).all()
        == []
    )


def test_the_operation_refuses_without_the_checklist(app, db):
    household = HouseholdFactory(status="draft", vetted_at=None)
    worker = StaffFactory(role="social_worker")
    with pytest.raises(Refused) as refused:
        ops.vet(household, worker)
    assert refused.value.code == "checklist incomplete" and refused.value.explained
    assert household.status == "draft"


def test_a_ticked_checklist_is_kept_with_who_and_when(browser, db, frozen_clock):  # noqa: ARG001
    worker = browser.login(StaffFactory(role="social_worker", full_name="Sara Sozial"))
    household = HouseholdFactory(status="draft", vetted_at=None)
    html = vet(browser, household, VETTING_CHECKLIST).get_data(as_text=True)
    assert "The profile is vetted. Landlords see it now." in html
    fresh = db.session.get(Household, household.id)
    assert fresh.status == "vetted"
    record = fresh.vetting_checklist
    assert record["items"] == list(VETTING_CHECKLIST) and record["ticked_by_id"] == worker.id
    assert record["ticked_at"].startswith(clock.utcnow().date().isoformat())
    section = unescape(html).split('id="vetting-checklist"')[1].split("</section>")[0]
    assert "Ticked" in section and "by Sara Sozial" in section
    assert "The consent is signed and its scan is stored" in section
    assert "The profile text is read with the household" in section
    # Once vetted, the page no longer asks for the checklist.
    assert 'name="checklist"' not in html


def test_resuming_a_paused_profile_needs_no_checklist(browser, db):
    browser.login("social_worker")
    household = HouseholdFactory(status="paused")
    path = f"{BASE}/{household.id}"
    browser.post(f"{path}/status", {"to": "vetted"}, csrf_from_path=path)
    assert db.session.get(Household, household.id).status == "vetted"


def test_the_text_check_form_asks_for_the_checklist_too(browser, db):
    from tests.factories import IdentityFactory

    browser.login("social_worker")
    household = HouseholdFactory(
        status="draft", vetted_at=None, profile_text="Wir, Amira und Samir, suchen."
    )
    IdentityFactory(household=household)
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    text_check = html.split('id="text-check"')[1].split("</form>")[0]
    assert text_check.count('name="checklist"') == len(VETTING_CHECKLIST)
    assert status_form("vetted")["checklist"] == list(VETTING_CHECKLIST)


def test_ticked_passages_stay_ticked_when_the_checklist_is_missing(browser, db):
    from tests.factories import IdentityFactory

    browser.login("social_worker")
    household = HouseholdFactory(
        status="draft", vetted_at=None, profile_text="Wir, Amira und Samir, suchen."
    )
    IdentityFactory(household=household)
    path = f"{BASE}/{household.id}"
    html = browser.client.get(path).get_data(as_text=True)
    key = html.split('name="confirm_hit" value="')[1].split('"')[0]
    data = {"to": "vetted", "confirm_hit": [key], "checklist": ["consent_signed"]}
    html = browser.post(f"{path}/status", data, csrf_from_path=path).get_data(as_text=True)
    assert "please tick every item of the vetting checklist" in html
    assert f'value="{key}" id="confirm-hit-1" checked' in html
    assert db.session.get(Household, household.id).status == "draft"
