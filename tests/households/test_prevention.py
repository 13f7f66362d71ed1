"""Prevention cases (issue 16): a household threatened with losing its flat stays in it, the
team mediates with the landlord (a linked mediation case), and the outcome is recorded.
The operations and each of their refusals, then the staff pages."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.extensions import db as _db
from portal.households import operations as ops
from portal.households.models import HouseholdStatus
from portal.households.prevention import PreventionCase
from portal.mediation.models import MediationCase
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.conftest import counted_statements
from tests.factories import HouseholdFactory, IdentityFactory, StaffFactory, UserFactory

TODAY = clock.today


def _household(**kw):
    kw.setdefault("status", "draft")
    kw.setdefault("intake_on", clock.today() - timedelta(days=30))
    return HouseholdFactory(**kw)


def _mediation(number="M-2026-0100", status="in_progress", **kw) -> MediationCase:
    case = MediationCase(
        number=number,
        sender_kind="tenant",
        topic="rent_arrears",
        message="Die Kündigung ist da.",
        status=status,
        **kw,
    )
    _db.session.add(case)
    _db.session.flush()
    return case


def _open(household, actor, **kw):
    values = {
        "opened_on": clock.today() - timedelta(days=5),
        "threat": "notice_rent_arrears",
        "landlord_name": "Hausverwaltung Rhein GmbH",
        "landlord_address": "Königstraße 1, 47051 Duisburg",
        "threat_note": "Kündigung vom 1. des Monats, 2 Monatsmieten Rückstand.",
    }
    values.update(kw)
    return ops.open_case(household, actor, **values)


def _actions(db) -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


@pytest.fixture
def worker(db):
    return StaffFactory(role="social_worker")


# Operations -------------------------------------------------------------------------------------


def test_open_link_and_close_a_case_with_audit_events(db, worker):
    household = _household()
    case = _open(household, worker)
    assert case.is_open and case.opened_by_id == worker.id
    assert case.landlord_name == "Hausverwaltung Rhein GmbH"
    assert ops.open_case_of(household) is case
    mediation = _mediation()
    assert mediation.id in dict(ops.linkable(case))
    ops.link_mediation_case(case, worker, mediation.id)
    assert case.mediation_case_id == mediation.id
    ops.record_outcome(case, worker, "tenancy_kept", clock.today())
    assert not case.is_open and case.outcome == "tenancy_kept" and case.closed_at is not None
    assert case.closed_by_id == worker.id
    assert ops.open_case_of(household) is None
    actions = _actions(db)
    for action in ("prevention.opened", "prevention.linked", "prevention.closed"):
        assert action in actions


def test_a_specialist_may_record_too(db):
    specialist = StaffFactory(role="specialist")
    case = _open(_household(), specialist)
    ops.record_outcome(case, specialist, "moved", clock.today())
    assert case.outcome == "moved"


@pytest.mark.parametrize("role", ["admin", "landlord"])
def test_others_are_refused(db, role):
    actor = StaffFactory(role="admin") if role == "admin" else UserFactory()
    with pytest.raises(Refused) as refused:
        _open(_household(), actor)
    assert refused.value.code == "not allowed"
    assert db.session.scalar(select(PreventionCase)) is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"opened_on": 1}, "date in the future"),  # days from today
        ({"opened_on": -31}, "opened before intake"),
        ({"threat": "bad neighbours"}, "unknown threat"),
        ({"landlord_name": "   "}, "landlord name required"),
    ],
)
def test_opening_refuses_bad_input(db, worker, today, changes, code):
    if "opened_on" in changes:
        changes = {"opened_on": today + timedelta(days=changes["opened_on"])}
    with pytest.raises(Refused) as refused:
        _open(_household(), worker, **changes)
    assert refused.value.code == code and refused.value.status == 400
    assert db.session.scalar(select(PreventionCase)) is None


def test_a_second_open_case_is_refused_and_the_database_holds_it_too(db, worker):
    household = _household()
    _open(household, worker)
    with pytest.raises(Refused) as refused:
        _open(household, worker)
    assert refused.value.code == "case open"
    second = PreventionCase(
        household_id=household.id,
        opened_on=clock.today(),
        threat="other",
        landlord_name="X",
    )
    with _db.session.begin_nested(), pytest.raises(IntegrityError):
        _db.session.add(second)
        _db.session.flush()


def test_after_the_outcome_a_new_case_may_be_opened(db, worker):
    household = _household()
    ops.record_outcome(_open(household, worker), worker, "tenancy_kept", clock.today())
    assert _open(household, worker).is_open


def test_a_household_landlords_see_is_refused_and_so_is_a_withdrawn_one(db, worker):
    with pytest.raises(Refused) as refused:
        _open(_household(status="vetted"), worker)
    assert refused.value.code == "offered to landlords"
    with pytest.raises(Refused) as refused:
        _open(_household(status="withdrawn"), worker)
    assert refused.value.code == "household withdrawn"
    assert _open(_household(status="paused"), worker).is_open
    assert _open(_household(status="housed"), worker).is_open


def test_vetting_is_refused_while_a_case_is_open(db, worker):
    household = _household(status="paused")
    case = _open(household, worker)
    with pytest.raises(Refused) as refused:
        ops.vet(household, worker)
    assert refused.value.code == "prevention case open"
    assert household.status == "paused"
    ops.record_outcome(case, worker, "lost", clock.today())
    ops.vet(household, worker)
    assert household.status == "vetted"


def test_withdrawing_is_refused_while_a_case_is_open(db, worker):
    household = _household(status="paused")
    case = _open(household, worker)
    with pytest.raises(Refused) as refused:
        ops.change_status(household, worker, HouseholdStatus.WITHDRAWN, "moved_away")
    assert refused.value.code == "prevention case open"
    assert household.status == "paused" and household.exit_on is None
    ops.record_outcome(case, worker, "lost", clock.today())
    ops.change_status(household, worker, HouseholdStatus.WITHDRAWN, "moved_away")
    assert household.status == "withdrawn"


@pytest.mark.parametrize(
    ("outcome", "days", "code"),
    [
        ("evicted", 0, "unknown outcome"),
        ("tenancy_kept", 1, "date in the future"),
        ("tenancy_kept", -6, "outcome before opening"),
    ],
)
def test_recording_the_outcome_refuses_bad_input(db, worker, outcome, days, code):
    case = _open(_household(), worker)
    with pytest.raises(Refused) as refused:
        ops.record_outcome(case, worker, outcome, clock.today() + timedelta(days=days))
    assert refused.value.code == code
    assert case.is_open and case.outcome_on is None


def test_an_outcome_twice_is_refused(db, worker):
    case = _open(_household(), worker)
    ops.record_outcome(case, worker, "tenancy_kept", clock.today())
    with pytest.raises(Refused) as refused:
        ops.record_outcome(case, worker, "lost", clock.today())
    assert refused.value.code == "outcome recorded"
    assert case.outcome == "tenancy_kept"


def test_linking_refuses_closed_cases_taken_cases_and_unknown_ones(db, worker):
    first = _open(_household(), worker)
    second = _open(_household(), worker)
    taken = _mediation("M-2026-0101")
    ops.link_mediation_case(first, worker, taken.id)
    # Another prevention case's mediation case is not offered and refused.
    assert taken.id not in dict(ops.linkable(second))
    with pytest.raises(Refused) as refused:
        ops.link_mediation_case(second, worker, taken.id)
    assert refused.value.code == "linked elsewhere"
    # A resolved mediation case, or an id that is no case, is not linkable.
    resolved = _mediation("M-2026-0102", status="resolved")
    for case_id in (resolved.id, resolved.id + 1000):
        with pytest.raises(Refused) as refused:
            ops.link_mediation_case(second, worker, case_id)
        assert refused.value.code == "not linkable"
    assert second.mediation_case_id is None
    # The link can be removed while the case is open; a closed case keeps its link.
    ops.link_mediation_case(first, worker, None)
    assert first.mediation_case_id is None
    ops.link_mediation_case(first, worker, taken.id)
    ops.record_outcome(first, worker, "tenancy_kept", clock.today())
    with pytest.raises(Refused) as refused:
        ops.link_mediation_case(first, worker, None)
    assert refused.value.code == "case closed"
    assert first.mediation_case_id == taken.id


def test_a_linked_case_stays_offered_when_it_is_resolved(db, worker):
    case = _open(_household(), worker)
    mediation = _mediation("M-2026-0103")
    ops.link_mediation_case(case, worker, mediation.id)
    mediation.status = "resolved"
    assert mediation.id in dict(ops.linkable(case))


# Pages ------------------------------------------------------------------------------------------


def _page(browser, household) -> str:
    response = browser.client.get(f"/backoffice/households/{household.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["social_worker", "specialist"])
def test_staff_open_link_and_close_through_the_page(browser, db, role):
    browser.login(role)
    household = _household()
    IdentityFactory(household=household)
    mediation = _mediation("M-2026-0110")
    page = _page(browser, household)
    assert "Open a prevention case" in page
    base = f"/backoffice/households/{household.id}/prevention"
    response = browser.post(
        base,
        {
            "opened_on": (clock.today() - timedelta(days=2)).isoformat(),
            "threat": "eviction_suit",
            "landlord_name": "Frau Vermieterin",
            "landlord_address": "Am Hafen 3",
            "threat_note": "Räumungsklage zugestellt.",
        },
    )
    assert response.status_code == 302
    case = db.session.scalar(select(PreventionCase))
    assert case.threat == "eviction_suit" and case.is_open
    page = _page(browser, household)
    assert "Räumungsklage zugestellt." in page and "Frau Vermieterin" in page
    assert "M-2026-0110" in page  # offered in the select
    response = browser.post(f"{base}/{case.id}/mediation", {"mediation_case_id": str(mediation.id)})
    assert response.status_code == 302
    assert case.mediation_case_id == mediation.id
    response = browser.post(
        f"{base}/{case.id}/outcome",
        {"outcome": "tenancy_kept", "outcome_on": clock.today().isoformat()},
    )
    assert response.status_code == 302
    assert case.outcome == "tenancy_kept"
    page = _page(browser, household)
    assert "Tenancy kept" in page and "Open a prevention case" in page
    # The mediation case's page names the prevention case it belongs to.
    mediation_page = browser.client.get(f"/backoffice/mediation/{mediation.id}")
    assert "Linked to a prevention case:" in mediation_page.get_data(as_text=True)
    assert household.code in mediation_page.get_data(as_text=True)
    listing = browser.client.get("/backoffice/households/prevention").get_data(as_text=True)
    assert household.code not in listing


def test_a_refused_form_is_shown_again_with_the_input(browser, db):
    browser.login("social_worker")
    household = _household()
    response = browser.post(
        f"/backoffice/households/{household.id}/prevention",
        {
            "opened_on": (clock.today() + timedelta(days=3)).isoformat(),
            "threat": "notice_other",
            "landlord_name": "Herr Eigentümer",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The date cannot be in the future." in page and "Herr Eigentümer" in page
    assert db.session.scalar(select(PreventionCase)) is None
    # A missing landlord: the form itself refuses.
    response = browser.post(
        f"/backoffice/households/{household.id}/prevention",
        {"opened_on": clock.today().isoformat(), "threat": "notice_other", "landlord_name": ""},
    )
    assert response.status_code == 200
    assert "Please enter the name of the household" in response.get_data(as_text=True)


def test_an_outcome_before_the_opening_is_refused_on_the_page(browser, db):
    worker = browser.login("social_worker")
    household = _household()
    case = _open(household, worker)
    response = browser.post(
        f"/backoffice/households/{household.id}/prevention/{case.id}/outcome",
        {"outcome": "lost", "outcome_on": (case.opened_on - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert "cannot be dated before the case was opened" in response.get_data(as_text=True)
    assert case.is_open


def test_another_households_case_answers_404(browser, db):
    worker = browser.login("social_worker")
    case = _open(_household(), worker)
    other = _household()
    response = browser.post(
        f"/backoffice/households/{other.id}/prevention/{case.id}/outcome",
        {"outcome": "lost", "outcome_on": clock.today().isoformat()},
    )
    assert response.status_code == 404
    assert case.is_open


def test_without_csrf_nothing_changes(browser, db):
    browser.login("social_worker")
    household = _household()
    response = browser.client.post(
        f"/backoffice/households/{household.id}/prevention",
        data={"opened_on": clock.today().isoformat(), "threat": "other", "landlord_name": "X"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(PreventionCase)) is None


@pytest.mark.parametrize("role", ["landlord", "admin"])
def test_landlords_and_admins_get_nothing(browser, db, role):
    worker = StaffFactory(role="social_worker")
    household = _household()
    case = _open(household, worker)
    browser.login(role)
    assert browser.client.get("/backoffice/households/prevention").status_code == 403
    response = browser.post(
        f"/backoffice/households/{household.id}/prevention/{case.id}/outcome",
        {"outcome": "lost", "outcome_on": clock.today().isoformat()},
    )
    assert response.status_code == 403
    assert case.is_open


def test_the_list_shows_open_cases(browser, db):
    worker = browser.login("specialist")
    household = _household()
    _open(household, worker, landlord_name="Vermietung Ruhrort")
    page = browser.client.get("/backoffice/households/prevention").get_data(as_text=True)
    assert household.code in page and "Vermietung Ruhrort" in page
    assert "Notice to quit for rent arrears" in page


def test_a_profile_landlords_see_offers_no_opening_form(browser, db):
    browser.login("social_worker")
    page = _page(browser, _household(status="vetted"))
    assert "To open a prevention case, pause the profile first." in page
    assert "Open the prevention case" not in page


def test_the_german_page_names_the_section(browser, db):
    worker = browser.login("social_worker")
    worker.locale = "de"
    db.session.flush()
    household = _household()
    _open(household, worker)
    page = _page(browser, household)
    assert "Prävention (nur für das Team)" in page
    assert "Kündigung wegen Mietschulden" in page


def test_the_list_comes_a_page_at_a_time_and_counts_all(browser, db, monkeypatch):
    """PER_PAGE + 2 open cases: PER_PAGE on the first page (the oldest), 2 on the second,
    whose link keeps the other query arguments; the number above counts all of them (not
    another site's, not a closed one), on every page; the statements do not grow with the
    rows."""
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 3)
    worker = browser.login("specialist")
    codes = []
    for days in (9, 8, 7, 6, 5):
        household = _household()
        _open(household, worker, opened_on=TODAY() - timedelta(days=days))
        codes.append(household.code)
    closed = _household()
    ops.record_outcome(_open(closed, worker), worker, "tenancy_kept", TODAY())
    essen = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E")
    _db.session.add(essen)
    _db.session.flush()
    elsewhere = _household(site_id=essen.id)
    assert elsewhere.site_id == essen.id  # the worker's one site is the default site
    assert [site.id for site in worker.sites] == [DEFAULT_SITE_ID]
    _db.session.add(
        PreventionCase(
            site_id=essen.id,
            household=elsewhere,
            opened_on=TODAY(),
            threat="other",
            landlord_name="Vermietung Essen",
        )
    )
    _db.session.flush()

    path = "/backoffice/households/prevention"
    with counted_statements(_db.engine) as seen:
        html = browser.client.get(f"{path}?from=home").get_data(as_text=True)
    assert [c for c in codes if c in html] == codes[:3]
    assert "5 open cases" in html and "Page 1 of 2" in html
    assert f'href="{path}?from=home&amp;page=2"' in html
    assert closed.code not in html and elsewhere.code not in html
    with counted_statements(_db.engine) as seen_on_two:
        html = browser.client.get(f"{path}?from=home&page=2").get_data(as_text=True)
    assert [c for c in codes if c in html] == codes[3:]
    assert "5 open cases" in html and "Page 2 of 2" in html
    assert len(seen_on_two) == len(seen)  # 2 rows or 3: the same statements
    for past in ("999", "abc"):
        assert browser.client.get(f"{path}?page={past}").status_code == 200
    html = browser.client.get(f"{path}?page=999").get_data(as_text=True)
    assert "5 open cases" in html and "No open prevention case." not in html
    # A page past the last shows the last (core.pagination.page_of).
    assert [c for c in codes if c in html] == codes[3:] and "Page 2 of 2" in html
    assert codes[0] in browser.client.get(f"{path}?page=abc").get_data(as_text=True)
