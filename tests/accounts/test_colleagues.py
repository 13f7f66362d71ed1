"""A housing company's first user manages the colleagues (issue 13.1): sees them, removes one
(whose sessions end at once) and hands the first-user role to a confirmed colleague. Every
change is audited; refusals change nothing."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import Invitation, User
from portal.core.audit import AuditEvent
from tests.conftest import Browser
from tests.factories import CompanyFactory, OrganisationFactory, UserFactory

PAGE = "/account/colleagues"


def fresh(db, user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def company_of_three(db):
    company = CompanyFactory()
    first = UserFactory(organisation=company, full_name="Frieda Erste")
    colleague = UserFactory(organisation=company, is_org_admin=False, full_name="Karl Kollege")
    unconfirmed = UserFactory(
        organisation=company, is_org_admin=False, email_verified_at=None, full_name="Uwe Offen"
    )
    db.session.commit()
    return first, colleague, unconfirmed


def post(browser: Browser, path: str):
    return browser.post(path, csrf_from_path=PAGE)


def test_first_user_sees_colleagues_and_removes_one_whose_sessions_end(app, browser, db):
    first, colleague, _unconfirmed = company_of_three(db)
    open_invitation = Invitation(
        organisation=first.organisation, email="neu@example.org", invited_by=colleague
    )
    db.session.add(open_invitation)
    db.session.commit()
    invitation_id = open_invitation.id
    theirs = Browser(app.test_client())
    theirs.login(colleague)
    assert theirs.client.get("/flats/").status_code == 200

    browser.login(first)
    assert 'href="/account/colleagues"' in browser.client.get("/account/").get_data(as_text=True)
    html = browser.client.get(PAGE).get_data(as_text=True)
    assert "Karl Kollege" in html and "Uwe Offen" in html
    response = post(browser, f"/account/colleagues/{colleague.id}/remove")
    assert response.status_code == 303
    assert "Karl Kollege was removed" in browser.client.get(PAGE).get_data(as_text=True)

    assert not fresh(db, colleague).is_active
    response = theirs.client.get("/flats/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert db.session.get(Invitation, invitation_id) is None  # their invitations end too
    [event] = events(db, "organisation.colleague_removed")
    assert event.actor_id == first.id and event.object_id == colleague.id
    assert event.details["reason"] == "removed_by_first_user"


def test_first_user_hands_the_role_to_a_confirmed_colleague(browser, db):
    first, colleague, _unconfirmed = company_of_three(db)
    browser.login(first)
    response = post(browser, f"/account/colleagues/{colleague.id}/hand-over")
    assert response.status_code == 303
    assert fresh(db, colleague).is_org_admin and not fresh(db, first).is_org_admin
    [event] = events(db, "organisation.first_user_handed_over")
    assert event.actor_id == first.id and event.object_id == colleague.id
    # The former first user is a colleague now and manages nobody.
    assert browser.client.get(PAGE).status_code == 403
    response = post(browser, f"/account/colleagues/{colleague.id}/remove")
    assert response.status_code == 403
    assert fresh(db, colleague).is_active


def test_refusals_change_nothing_and_say_why(browser, db):
    first, colleague, unconfirmed = company_of_three(db)
    stranger = UserFactory(organisation=CompanyFactory(), is_org_admin=False)
    db.session.commit()
    browser.login(first)

    response = post(browser, f"/account/colleagues/{first.id}/remove")
    assert response.status_code == 303
    assert "You cannot do this to your own account." in browser.client.get(PAGE).get_data(
        as_text=True
    )
    response = post(browser, f"/account/colleagues/{unconfirmed.id}/hand-over")
    assert response.status_code == 303
    assert "Only a colleague who has confirmed their e-mail address" in browser.client.get(
        PAGE
    ).get_data(as_text=True)
    # Another organisation's user: 404, as for any other organisation's object.
    assert post(browser, f"/account/colleagues/{stranger.id}/remove").status_code == 404
    assert post(browser, f"/account/colleagues/{stranger.id}/hand-over").status_code == 404
    assert post(browser, "/account/colleagues/999999/remove").status_code == 404
    # Without the CSRF token nothing happens.
    response = browser.client.post(f"/account/colleagues/{colleague.id}/remove")
    assert response.status_code == 400

    assert fresh(db, first).is_active and fresh(db, first).is_org_admin
    assert not fresh(db, unconfirmed).is_org_admin
    assert fresh(db, stranger).is_active and fresh(db, colleague).is_active
    assert not events(db, "organisation.colleague_removed")
    assert not events(db, "organisation.first_user_handed_over")
    assert events(db, "organisation.colleague_remove_refused")[0].details == {"reason": "own"}


def test_removed_colleague_cannot_be_removed_or_promoted_again(browser, db):
    first, colleague, _unconfirmed = company_of_three(db)
    browser.login(first)
    post(browser, f"/account/colleagues/{colleague.id}/remove")
    response = post(browser, f"/account/colleagues/{colleague.id}/hand-over")
    assert response.status_code == 303
    assert "This colleague was removed already." in browser.client.get(PAGE).get_data(as_text=True)
    assert not fresh(db, colleague).is_org_admin and fresh(db, first).is_org_admin


def test_colleagues_and_private_landlords_do_not_manage_colleagues(browser, db):
    _first, colleague, _unconfirmed = company_of_three(db)
    browser.login(colleague)
    assert browser.client.get(PAGE).status_code == 403
    browser.logout()
    private = UserFactory(organisation=OrganisationFactory())
    browser.login(private)
    assert browser.client.get(PAGE).status_code == 403
    browser.logout()
    browser.login("specialist")
    assert browser.client.get(PAGE).status_code == 403


def test_colleagues_come_a_page_at_a_time_and_actions_come_back_to_the_page(
    browser, db, monkeypatch
):
    """PER_PAGE + 2 users of the company: PER_PAGE on the first page (the oldest accounts),
    2 on the second, whose link keeps the other query arguments; an action sent from the
    second page comes back to it."""
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 3)
    first, colleague, _unconfirmed = company_of_three(db)
    later = [
        UserFactory(organisation=first.organisation, is_org_admin=False, full_name=name)
        for name in ("Lea Later", "Max Letzter")
    ]
    db.session.commit()
    browser.login(first)
    names = ["Frieda Erste", "Karl Kollege", "Uwe Offen", "Lea Later", "Max Letzter"]
    html = browser.client.get(f"{PAGE}?from=account").get_data(as_text=True)
    assert [n for n in names if n in html] == names[:3]
    assert "Page 1 of 2" in html and f'href="{PAGE}?from=account&amp;page=2"' in html
    assert f'action="/account/colleagues/{colleague.id}/remove"' in html
    html = browser.client.get(f"{PAGE}?from=account&page=2").get_data(as_text=True)
    assert [n for n in names if n in html] == names[3:]
    assert "Page 2 of 2" in html
    remove = f"/account/colleagues/{later[0].id}/remove?page=2"
    assert f'action="{remove}"' in html
    response = browser.post(remove, csrf_from_path=PAGE)
    assert response.status_code == 303 and response.location.endswith(f"{PAGE}?page=2")
    assert not fresh(db, later[0]).is_active
    assert "Lea Later was removed" in browser.client.get(f"{PAGE}?page=2").get_data(as_text=True)

    for past in ("999", "abc"):
        response = browser.client.get(f"{PAGE}?page={past}")
        assert response.status_code == 200
    html = browser.client.get(f"{PAGE}?page=999").get_data(as_text=True)
    assert "No colleagues yet." not in html and "Page 2 of 2" in html
    assert "Frieda Erste" in browser.client.get(f"{PAGE}?page=abc").get_data(as_text=True)


def test_the_profile_names_ten_active_members_and_the_number_of_the_others(browser, db):
    """The profile page listed every member of the organisation (a lazy load of all of them);
    now the first ten active ones, oldest account first, and how many more (issue 18)."""
    company = CompanyFactory()
    first = UserFactory(organisation=company, full_name="Frieda Erste")
    for number in range(12):
        UserFactory(organisation=company, is_org_admin=False, full_name=f"Mitglied {number:02d}")
    UserFactory(organisation=company, is_org_admin=False, full_name="Ehemalig", is_active=False)
    db.session.commit()
    browser.login(first)
    html = browser.client.get("/account/").get_data(as_text=True)
    section = html.split('id="org-title"')[1].split("</section>")[0]
    assert "Frieda Erste" in section
    assert [f"Mitglied {n:02d}" in section for n in range(12)] == [True] * 9 + [False] * 3
    assert "Ehemalig" not in section
    assert "3 more members." in section
    browser.post("/language", {"locale": "de", "next": "/account/"})
    html = browser.client.get("/account/").get_data(as_text=True)
    assert "3 weitere Mitglieder." in html
