"""Issue 15: a landlord closes their own account. With the password: the flats are withdrawn
(when nobody else of the organisation uses the portal), open placements are cancelled or, when
a lease binds them, handed to the team with a notice and a line in their timeline; sessions
end; the personal data is erased as an admin's erasure would; a confirmation goes out. Every
refusal changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.core.audit import AuditEvent
from portal.core.outbox import FAILED, OutboxMessage
from portal.core.refusals import Refused
from portal.listings.models import Flat
from portal.placements.models import Placement, PlacementEvent, State
from portal.privacy import closure
from portal.privacy.operations import erased_email
from tests.builders import placement_in, placement_page, propose, world
from tests.conftest import outbox
from tests.factories import FlatFactory, StaffFactory, UserFactory
from tests.services import TEST_PASSWORD


def close(browser, password: str = TEST_PASSWORD, understood: bool = True):
    data = {"current_password": password}
    if understood:
        data["understood"] = "y"
    return browser.post("/account/close", data, csrf_from_path="/account/close")


def actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def fresh(db, model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


def test_closing_withdraws_hands_over_erases_and_confirms(app, browser, db):
    w = world(street="Geheimstraße", house_number="7")
    bound = placement_in(app, w, State.LEASE_SIGNED)  # the lease binds flat and placement
    free_flat = FlatFactory(
        organisation=w.landlord.organisation, status="published", created_by_id=w.landlord.id
    )
    open_placement = propose(app, free_flat, specialist=w.specialist)
    landlord_id, address, name = w.landlord.id, w.landlord.email, w.landlord.full_name
    browser.login(w.landlord)
    page = browser.client.get("/account/close")
    assert page.status_code == 200 and "Your flats are withdrawn" in page.get_data(as_text=True)

    response = close(browser)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    # Logged out here, and the account cannot log in again.
    assert browser.client.get("/account/").status_code == 302
    user = fresh(db, User, landlord_id)
    assert user.email == erased_email(landlord_id) and not user.is_active
    assert user.full_name != name and user.phone is None
    # The free flat is withdrawn and its placement cancelled; the bound one goes on.
    assert fresh(db, Flat, free_flat.id).status == "archived"
    assert fresh(db, Placement, open_placement.id).state == State.CANCELLED
    kept = fresh(db, Placement, bound.id)
    assert kept.state == State.LEASE_SIGNED
    note = db.session.scalars(
        select(PlacementEvent).where(
            PlacementEvent.placement_id == bound.id, PlacementEvent.action == "note"
        )
    ).one()
    assert note.role == "system" and "Konto geschlossen" in note.note  # the team reads German
    done = actions(db)
    for action in ("account.closed", "privacy.erased", "placement.handed_to_staff"):
        assert action in done
    # The specialist hears of both placements, without the landlord's data.
    (staff_mail,) = [m for m in outbox(w.specialist.email) if "closed their account" in m.subject]
    assert staff_mail.status != FAILED
    assert w.household.code in staff_mail.body_text
    assert f"/backoffice/placements/{bound.id}" in staff_mail.body_text
    assert f"/backoffice/placements/{open_placement.id}" in staff_mail.body_text
    assert "Geheimstraße" not in staff_mail.body_text
    # The confirmation reaches the address the account had.
    confirmation = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == "Your account is closed")
    ).one()
    assert confirmation.to_address == address and confirmation.status != FAILED
    # The team's page of the placement shows the line.
    browser.login(w.specialist)
    assert "Konto geschlossen" in placement_page(browser, kept)


def test_a_wrong_password_changes_nothing(browser, db):
    user = browser.login("landlord")
    FlatFactory(organisation=user.organisation, status="published")
    response = close(browser, password="nicht mein passwort")
    assert response.status_code == 400
    assert "The current password is not correct." in response.get_data(as_text=True)
    assert fresh(db, User, user.id).is_active
    assert db.session.scalars(select(Flat.status)).all() == ["published"]
    assert actions(db)[-1] == "account.close_refused"
    assert browser.client.get("/account/").status_code == 200, "still logged in"


def test_without_the_tick_nothing_happens(browser, db):
    user = browser.login("landlord")
    response = close(browser, understood=False)
    assert response.status_code == 400
    assert "Please confirm that you want to close your account for good." in response.get_data(
        as_text=True
    )
    assert fresh(db, User, user.id).is_active


def test_the_first_user_hands_over_before_closing(browser, db):
    first = browser.login("landlord")
    UserFactory(organisation=first.organisation, is_org_admin=False)
    response = close(browser)
    assert response.status_code == 400
    assert "make one of them the first user" in response.get_data(as_text=True)
    assert fresh(db, User, first.id).is_active
    assert actions(db)[-1] == "account.close_refused"


def test_a_deactivated_colleague_is_no_one_to_hand_over_to(browser, db):
    first = browser.login("landlord")
    flat = FlatFactory(organisation=first.organisation, status="published")
    UserFactory(organisation=first.organisation, is_org_admin=False, is_active=False)
    other_company = UserFactory()  # an active user of another organisation counts neither
    FlatFactory(organisation=other_company.organisation, status="published")
    page = browser.client.get("/account/close").get_data(as_text=True)
    assert "Your flats are withdrawn" in page and "Your colleagues keep" not in page
    assert close(browser).status_code == 302
    assert fresh(db, Flat, flat.id).status != "published"


def test_a_colleague_leaves_the_flats_to_the_others(browser, db):
    first = UserFactory()
    flat = FlatFactory(organisation=first.organisation, status="published")
    colleague = UserFactory(organisation=first.organisation, is_org_admin=False)
    browser.login(colleague)
    page = browser.client.get("/account/close").get_data(as_text=True)
    assert "Your colleagues keep" in page
    assert close(browser).status_code == 302
    assert fresh(db, User, colleague.id).email == erased_email(colleague.id)
    assert fresh(db, Flat, flat.id).status == "published"
    assert fresh(db, User, first.id).organisation.name == first.organisation.name


def test_only_a_landlord_closes_an_account_here(app, db):
    staff = StaffFactory(role="specialist")
    with app.test_request_context(), pytest.raises(Refused) as refused:
        closure.close_account(staff, TEST_PASSWORD)
    assert refused.value.code == "not_landlord"
    assert fresh(db, User, staff.id).is_active


def test_the_page_speaks_german(browser, db):
    user = UserFactory(locale="de")
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    browser.login(user)
    html = browser.client.get("/account/close").get_data(as_text=True)
    assert "Mein Konto endgültig schließen" in html
    assert close(browser).status_code == 302
    mail = outbox()[-1]
    assert mail.subject == "Ihr Konto ist geschlossen"
