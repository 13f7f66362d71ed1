"""The one place staff queries are scoped by site (portal/sites/scope.py): in a request of a
staff member of one site, the rows of another site are not there for any kind of ORM
statement; landlords, visitors and the command line read every site."""

from __future__ import annotations

import pytest
from flask_login import login_user
from sqlalchemy import func, select, update

from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.households.models import Household
from portal.mediation.models import CaseEntry
from portal.placements.models import Interest, Placement, State
from portal.privacy.models import HouseholdExport
from portal.sites import scope
from tests.builders import conversation, make_case, placement_in
from tests.conftest import counted_statements
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory, UserFactory


@pytest.fixture
def two_sites(app, essen):
    """A household of each site; a placement of the Essen household; a staff member of each."""
    duisburg_household = HouseholdFactory()
    essen_household = HouseholdFactory(site_id=essen.id, code="E-2026-0001")
    landlord = UserFactory()
    flat = FlatFactory(organisation=landlord.organisation, site_id=essen.id, status="published")
    world = type("World", (), {})()
    world.landlord = landlord
    world.flat, world.household = flat, essen_household
    world.specialist = StaffFactory()
    placement = placement_in(app, world, State.VIEWING_SCHEDULED)
    placement.site_id = essen.id  # the household's site (placements inherit it)
    db.session.flush()
    return {
        "duisburg": duisburg_household.id,
        "essen": essen_household.id,
        "placement": placement.id,
        "duisburg_staff": StaffFactory(),
        "essen_staff": StaffFactory(sites=[essen]),
        "landlord": landlord,
    }


def _as(app, user):
    context = app.test_request_context()
    context.push()
    login_user(user)
    scope.forget()
    db.session.expunge_all()  # nothing from the identity map: every read goes to the database
    return context


def test_staff_see_only_their_site(app, two_sites):
    context = _as(app, two_sites["duisburg_staff"])
    try:
        codes = db.session.scalars(select(Household.code)).all()
        assert codes and all(code.startswith("DU-") for code in codes)
        assert db.session.get(Household, two_sites["essen"]) is None
        assert db.session.get(Household, two_sites["duisburg"]) is not None
        # Joins and counts too: the Essen placement is not there, nor through its household.
        assert db.session.get(Placement, two_sites["placement"]) is None
        joined = select(func.count()).select_from(Placement).join(Household)
        assert db.session.scalar(joined) == 0
        # A bulk update of every household touches only the site's own.
        db.session.execute(
            update(Household).values(profile_text="x"),
            execution_options={"synchronize_session": False},
        )
        with scope.all_sites():
            essen_household = db.session.get(Household, two_sites["essen"])
            assert essen_household is not None
            assert essen_household.profile_text != "x"
    finally:
        context.pop()


def test_staff_of_the_other_site_see_theirs(app, two_sites):
    context = _as(app, two_sites["essen_staff"])
    try:
        assert db.session.scalars(select(Household.code)).all() == ["E-2026-0001"]
        placement = db.session.get(Placement, two_sites["placement"])
        assert placement is not None and placement.household.code == "E-2026-0001"
    finally:
        context.pop()


def test_staff_of_no_site_see_nothing(app, two_sites):
    nobody = StaffFactory()
    nobody.sites = []
    db.session.flush()
    context = _as(app, nobody)
    try:
        assert db.session.scalar(select(func.count(Household.id))) == 0
    finally:
        context.pop()


def _statements_of(app, work) -> list[str]:
    with counted_statements(db.engine) as statements:
        work()
    return [" ".join(statement.split()) for statement in statements]


def test_staff_of_every_site_need_no_filter_and_get_it_back_with_a_new_site(app, two_sites):
    """Issue 18: a staff member of every site sees what the filter would let through (each
    row's site is one of them), so their statements carry no site condition; as soon as a
    site exists that they are not in, the filter is back for them."""
    from portal.sites.models import Site

    both = StaffFactory(sites=db.session.scalars(select(Site).order_by(Site.id)).all())
    context = _as(app, both)
    try:
        sql = _statements_of(app, lambda: db.session.scalars(select(Household.code)).all())
        assert not any("site_id IN" in statement for statement in sql)
        assert db.session.scalar(select(func.count(Household.id))) == 2
    finally:
        context.pop()

    db.session.add(Site(slug="moers", name="Moers", municipality_key="05170024", code_prefix="M"))
    db.session.flush()
    context = _as(app, both)
    try:
        sql = _statements_of(app, lambda: db.session.scalars(select(Household.code)).all())
        assert any("site_id IN" in statement for statement in sql)
        assert db.session.scalar(select(func.count(Household.id))) == 2
    finally:
        context.pop()

    context = _as(app, two_sites["duisburg_staff"])  # one of three sites: filtered as ever
    try:
        sql = _statements_of(app, lambda: db.session.get(Household, two_sites["essen"]))
        assert any("site_id IN" in statement for statement in sql)
        assert db.session.get(Household, two_sites["essen"]) is None
    finally:
        context.pop()


def test_landlords_and_the_command_line_are_not_filtered(app, two_sites):
    context = _as(app, two_sites["landlord"])
    try:
        assert db.session.scalar(select(func.count(Household.id))) == 2
    finally:
        context.pop()
    db.session.expunge_all()
    assert db.session.scalar(select(func.count(Household.id))) == 2  # no request: a job


def test_the_audit_trail_shows_an_admin_their_sites_events_and_those_of_no_site(
    app, browser, essen
):
    from portal.core import audit

    duisburg_household = HouseholdFactory(code="DU-2026-0777")
    essen_household = HouseholdFactory(site_id=essen.id, code="E-2026-0777")
    with app.test_request_context():
        audit.record("test.in_duisburg", obj=duisburg_household)
        audit.record("test.in_essen", obj=essen_household)
        audit.record("test.of_no_site", object_type="users", object_id=1)
    db.session.flush()
    browser.login(StaffFactory(role="admin", sites=[essen]))
    page = browser.client.get("/backoffice/audit").get_data(as_text=True)
    assert "test.in_essen" in page and "test.of_no_site" in page
    assert "test.in_duisburg" not in page


def test_the_homes_statements_built_once_a_day_are_filtered_for_each_user(app, two_sites):
    """The casework home's statements are built once per day and shared by every request
    (``placements.queries._dashboard_statements``); the site filter still comes per request."""
    from portal.core import clock
    from portal.placements.queries import dashboard

    placement = db.session.get(Placement, two_sites["placement"])
    placement.viewing_at = clock.utcnow()  # today's viewing, in Essen
    db.session.flush()
    seen = {}
    for name in ("essen_staff", "duisburg_staff", "essen_staff"):
        context = _as(app, two_sites[name])
        try:
            home = dashboard()
            seen.setdefault(name, []).append(
                (home.viewings_count, [p.id for p in home.viewings_today])
            )
        finally:
            context.pop()
    assert seen["essen_staff"] == [(1, [two_sites["placement"]])] * 2
    assert seen["duisburg_staff"] == [(0, [])]


def test_the_placement_pages_statement_built_once_is_filtered_for_each_user(
    app, browser, two_sites
):
    """The placement page's statement is built once per process
    (``placements.backoffice.page._page_statement``); the site filter still comes per request:
    Essen's staff open Essen's placement, Duisburg's get "not found" for it, in turn."""
    path = f"/backoffice/placements/{two_sites['placement']}"
    for name, status in (("essen_staff", 200), ("duisburg_staff", 404), ("essen_staff", 200)):
        browser.login(two_sites[name])
        assert browser.client.get(path).status_code == status, name
        browser.logout()


def test_a_placements_history_and_mails_pages_are_of_its_site_only(app, browser, two_sites):
    """The pages that list all of a placement's history and messages to the landlord read the
    placement first: another site's staff get "not found", not its events or e-mails."""
    base = f"/backoffice/placements/{two_sites['placement']}"
    for name, status in (("essen_staff", 200), ("duisburg_staff", 404)):
        browser.login(two_sites[name])
        for path in (f"{base}/history", f"{base}/mails"):
            assert browser.client.get(path).status_code == status, (name, path)
        browser.logout()


def test_a_placements_and_a_cases_conversation_pages_are_of_its_site_only(
    app, browser, two_sites, essen
):
    """The pages that show all of a thread read the placement or case first (the case page's
    own loader): another site's staff get "not found", not its messages; an admin of the site
    and a landlord are refused (403), as on the case pages."""
    landlord, specialist = two_sites["landlord"], two_sites["essen_staff"]
    placement = db.session.get(Placement, two_sites["placement"])
    conversation(12, landlord=landlord, staff=specialist, placement=placement)
    case = make_case(landlord.organisation_id, "M-2026-0777", site_id=essen.id)
    conversation(12, landlord=landlord, staff=specialist, case=case)
    paths = (
        f"/backoffice/placements/{placement.id}/conversation",
        f"/backoffice/mediation/{case.id}/conversation",
    )
    for name, status in (("essen_staff", 200), ("duisburg_staff", 404)):
        browser.login(two_sites[name])
        for path in paths:
            response = browser.client.get(path)
            assert response.status_code == status, (name, path)
            assert ("Nachricht 011" in response.get_data(as_text=True)) == (status == 200)
        browser.logout()
    for user in (StaffFactory(role="admin", sites=[essen]), landlord):
        browser.login(user)
        for path in paths:
            assert browser.client.get(path).status_code == 403, path
        browser.logout()


def test_a_cases_notes_replies_and_history_pages_are_of_its_site_only(
    app, browser, two_sites, essen
):
    """The pages that list all of a case's notes, replies and history read the case first with
    the case page's own loader: another site's staff get "not found", not its entries; an admin
    of the site and a landlord are refused (403), as on the case page."""
    case = make_case(two_sites["landlord"].organisation_id, "M-2026-0778", site_id=essen.id)
    author = two_sites["essen_staff"]
    for number in range(12):
        for kind in ("note", "reply"):
            db.session.add(
                CaseEntry(case_id=case.id, kind=kind, author_id=author.id, text=f"{kind} {number}")
            )
        db.session.add(
            AuditEvent(
                action="mediation.note",
                actor_id=author.id,
                object_type="mediation_cases",
                object_id=case.id,
                site_id=essen.id,
                details={},
            )
        )
    db.session.flush()
    base = f"/backoffice/mediation/{case.id}"
    pages = {f"{base}/internal-notes": "note 11", f"{base}/replies": "reply 11"}
    pages[f"{base}/history"] = "12 entries, oldest first"
    for name, status in (("essen_staff", 200), ("duisburg_staff", 404)):
        browser.login(two_sites[name])
        for path, text in pages.items():
            response = browser.client.get(path)
            assert response.status_code == status, (name, path)
            assert (text in response.get_data(as_text=True)) == (status == 200), (name, path)
        browser.logout()
    for user in (StaffFactory(role="admin", sites=[essen]), two_sites["landlord"]):
        browser.login(user)
        for path in pages:
            assert browser.client.get(path).status_code == 403, path
        browser.logout()


def test_a_households_consents_interests_and_exports_pages_are_of_its_site_only(
    app, browser, two_sites, essen
):
    """The pages that list all of a household's consents, open interests and exports read the
    household first: another site's staff get "not found", not its rows; a landlord is refused
    (403), as on the household's page."""
    household = db.session.get(Household, two_sites["essen"])
    flat = FlatFactory(organisation=two_sites["landlord"].organisation, site_id=essen.id)
    db.session.add(
        Interest(
            flat=flat, household=household, organisation_id=flat.organisation_id, site_id=essen.id
        )
    )
    db.session.add(HouseholdExport(household_id=household.id, purpose="other", explanation="x"))
    db.session.flush()
    pages = {
        f"/backoffice/households/{household.id}/consents/all": "1 consent, newest first",
        f"/backoffice/placements/households/{household.id}/interests": "1 open interest,",
        f"/backoffice/privacy/households/{household.id}/exports": "1 export, newest first",
    }
    essen_worker = StaffFactory(role="social_worker", sites=[essen])
    duisburg_worker = StaffFactory(role="social_worker")
    for user, status in ((essen_worker, 200), (duisburg_worker, 404)):
        browser.login(user)
        for path, text in pages.items():
            response = browser.client.get(path)
            assert response.status_code == status, (user.sites, path)
            assert (text in response.get_data(as_text=True)) == (status == 200), path
        browser.logout()
    browser.login(two_sites["landlord"])
    for path in pages:
        assert browser.client.get(path).status_code == 403, path
