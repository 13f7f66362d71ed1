"""Erasure: no personal value of the subject remains anywhere in the database, its files are
gone, the statistics' figures are unchanged, everything is recorded and audited; and every
refusal changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.accounts.passwords import verify_password
from portal.core import storage
from portal.core.audit import AuditEvent
from portal.core.outbox import OutboxMessage
from portal.core.refusals import Refused
from portal.extensions import db
from portal.households.models import Household, HouseholdIdentity, Participant
from portal.listings.models import Flat, Photo
from portal.placements.models import Placement
from portal.privacy.models import Erasure
from tests.privacy.conftest import scan_database
from tests.services import TEST_PASSWORD


def figures() -> dict:
    """What the programme's statistics are built from."""
    return {
        "by_target_group": sorted(
            db.session.execute(
                select(Household.target_group, func.count(Household.id)).group_by(
                    Household.target_group
                )
            ).all()
        ),
        "sizes": sorted(db.session.execute(select(Household.adults, Household.children)).all()),
        "participants": sorted(
            db.session.execute(
                select(Participant.gender, Participant.age_band, Participant.third_country)
            ).all()
        ),
        "placements": sorted(
            db.session.execute(select(Placement.id, Placement.state, Placement.rent_offer_on)).all()
        ),
        "flats": sorted(
            db.session.execute(
                select(Flat.id, Flat.rooms, Flat.living_area, Flat.district_id)
            ).all()
        ),
    }


def files_present(world, owner: str) -> dict[str, bool]:
    return {key: storage.exists(key) for key, who in world.owner.items() if who == owner}


def erase(browser, path: str, confirmation: str):
    return browser.post(f"{path}/erase", {"confirmation": confirmation}, csrf_from_path=path)


def test_household_erasure_leaves_no_personal_value_and_keeps_the_figures(browser, world):
    admin = browser.login("admin")
    household, other = world.households
    before = figures()
    assert scan_database(world.markers.of("h0 "))  # the markers really are there
    path = f"/backoffice/privacy/households/{household.id}"
    assert browser.client.get(path).status_code == 200

    response = erase(browser, path, household.code)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()

    assert scan_database(world.markers.of("h0 ")) == []
    # Not vacuous: the other household and the landlords keep theirs (household 1's note lost
    # only the erased name, the rest of it stays).
    remaining = scan_database(world.markers.of("h1 ") | world.markers.of("l0 "))
    assert any("h1 case notes" in r for r in remaining)
    assert any("l0 user name" in r for r in remaining)
    notes = db.session.scalar(
        select(HouseholdIdentity.case_notes).where(HouseholdIdentity.household_id == other.id)
    )
    assert "[erased]" in notes
    assert figures() == before
    assert db.session.get(Household, household.id).code == household.code
    assert household.identity is None

    # Its only file is the consent scan, which proves its ESF participant records: kept until
    # their retention end (test_erasure_esf_proof.py), not deleted by the erasure.
    assert list(files_present(world, "h0").values()) == [True]
    assert household.consents[0].document_key in files_present(world, "h0")
    assert all(files_present(world, "h1").values())
    assert all(files_present(world, "l0").values())

    # The consent ended: landlords no longer see the profile.
    assert not household.is_visible_to_landlords()
    # The viewing invitation still pending for the landlord is emptied and never sent.
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject == "[erased]"))
    assert [m.status for m in pending] == ["failed"]

    [erasure] = db.session.scalars(select(Erasure)).all()
    assert (erasure.kind, erasure.object_id, erasure.erased_by_id) == (
        "household",
        household.id,
        admin.id,
    )
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.erased")
    ).all()
    assert event.object_id == household.id and event.details == {"object_kind": "household"}


def test_the_erasure_log_gets_one_line_per_erasure(browser, world, erasure_log):
    browser.login("admin")
    household = world.households[0]
    path = f"/backoffice/privacy/households/{household.id}"
    erase(browser, path, household.code)
    [line] = erasure_log.read_text().splitlines()
    entry = json.loads(line)
    assert entry["kind"] == "household" and entry["object_id"] == household.id
    assert entry["object_created_at"] and entry["erased_at"]
    assert household.code not in line  # ids and times only


def test_landlord_erasure_leaves_no_personal_value(browser, world, app):
    browser.login("admin")
    user, flat, draft, photo, case = world.landlords[0]
    old_email = user.email
    before = figures()
    path = f"/backoffice/privacy/users/{user.id}"
    response = erase(browser, path, old_email.upper())  # case does not matter
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()

    assert scan_database(world.markers.of("l0 ")) == []
    assert any("l1 user name" in r for r in scan_database(world.markers.of("l1 ")))
    assert figures() == before

    user = db.session.get(User, user.id)
    assert user.email == f"erased-{user.id}@invalid"
    assert user.full_name == f"erased-{user.id}" and user.phone is None
    assert not user.is_active
    assert not verify_password(user.password_hash, TEST_PASSWORD)
    assert user.organisation.name == f"erased-{user.organisation_id}"
    assert db.session.get(Flat, flat.id).status == "archived"
    assert db.session.get(Flat, draft.id).status == "archived"
    assert db.session.scalar(select(func.count(Photo.id)).where(Photo.flat_id == flat.id)) == 0
    assert not any(files_present(world, "l0").values())
    assert all(files_present(world, "l1").values())
    assert all(files_present(world, "h0").values())

    # The old e-mail address no longer logs in, and the old session is over.
    browser.logout()
    response = browser.post("/account/login", {"email": old_email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.get_data(as_text=True)


def test_erasing_one_member_of_a_company_keeps_the_company(world):
    from portal.privacy import operations as ops
    from tests.factories import StaffFactory, UserFactory

    user, flat, *_ = world.landlords[0]
    colleague = UserFactory(organisation=user.organisation, is_org_admin=False)
    org_name = user.organisation.name
    ops.erase_landlord(user, StaffFactory(role="admin"), user.email)
    db.session.flush()
    assert user.organisation.name == org_name and flat.street is not None
    assert flat.status == "published" and colleague.is_active
    assert flat.photos


def test_the_members_who_remain_are_counted_without_the_erased_ones(browser, world):
    """``remaining_member_count`` counts in the database what ``is_erased_user`` tells of each
    member: the colleagues of the user, erased ones not, another company's members not."""
    from portal.privacy import operations as ops
    from tests.factories import StaffFactory, UserFactory

    user = world.landlords[0][0]
    organisation = user.organisation
    colleagues = [UserFactory(organisation=organisation, is_org_admin=False) for _ in range(3)]
    UserFactory(organisation=world.landlords[1][0].organisation, is_org_admin=False)
    colleagues[0].is_active = False  # deactivated, not erased: still a member who remains
    db.session.flush()
    assert ops.remaining_member_count(organisation, user) == 3
    assert ops.remaining_member_count(organisation, colleagues[1]) == 3  # the user among them

    ops.erase_landlord(colleagues[2], StaffFactory(role="admin"), colleagues[2].email)
    db.session.flush()
    assert ops.is_erased_user(colleagues[2])
    assert ops.remaining_member_count(organisation, user) == 2
    # A member whose address only looks erased (another id's) is not erased.
    colleagues[1].email = f"erased-{colleagues[0].id}@invalid"
    db.session.flush()
    assert not ops.is_erased_user(colleagues[1])
    assert ops.remaining_member_count(organisation, user) == 2

    # The admin's page says how many remain, and erasing the user keeps the company.
    browser.login("admin")
    html = browser.client.get(f"/backoffice/privacy/users/{user.id}").get_data(as_text=True)
    assert "The organisation and its flats stay: 2 other user(s) belong to it." in html
    ops.erase_landlord(user, StaffFactory(role="admin"), user.email)
    db.session.flush()
    assert organisation.name != f"erased-{organisation.id}"


def test_the_last_member_who_remains_takes_the_company_along(browser, world):
    """Every colleague erased: the company is anonymised with the last member."""
    from portal.privacy import operations as ops
    from tests.factories import StaffFactory, UserFactory

    user = world.landlords[0][0]
    organisation = user.organisation
    colleague = UserFactory(organisation=organisation, is_org_admin=False)
    ops.erase_landlord(colleague, StaffFactory(role="admin"), colleague.email)
    db.session.flush()
    assert organisation.name != f"erased-{organisation.id}"  # the user remains
    assert ops.remaining_member_count(organisation, user) == 0
    browser.login("admin")
    html = browser.client.get(f"/backoffice/privacy/users/{user.id}").get_data(as_text=True)
    assert "As nobody else belongs to the organisation" in html
    ops.erase_landlord(user, StaffFactory(role="admin"), user.email)
    db.session.flush()
    assert organisation.name == f"erased-{organisation.id}"


def test_an_erased_landlords_session_ends(app, world):
    from portal.privacy import operations as ops

    user = world.landlords[0][0]
    client = app.test_client()
    from tests.conftest import Browser

    browser = Browser(client)
    browser.login(user)
    assert client.get("/flats/").status_code == 200
    ops.erase_landlord(user, None, user.email)
    db.session.commit()
    assert client.get("/flats/").status_code == 302


@pytest.mark.parametrize("role", ["social_worker", "specialist", "landlord"])
def test_only_the_admin_erases(browser, world, role):
    browser.login(role)
    household = world.households[0]
    user = world.landlords[0][0]
    token = browser.csrf("/")
    for path, confirmation in [
        (f"/backoffice/privacy/households/{household.id}/erase", household.code),
        (f"/backoffice/privacy/users/{user.id}/erase", user.email),
    ]:
        response = browser.client.post(
            path, data={"csrf_token": token, "confirmation": confirmation}
        )
        assert response.status_code == 403
    db.session.expire_all()
    assert household.identity is not None and not user.email.startswith("erased-")
    assert db.session.scalars(select(Erasure)).all() == []


def test_the_operation_refuses_a_non_admin_too(world):
    from portal.privacy import operations as ops
    from tests.factories import StaffFactory

    household = world.households[0]
    with pytest.raises(Refused) as refused:
        ops.erase_household(household, StaffFactory(role="social_worker"), household.code)
    assert refused.value.code == "not_admin"
    staff = StaffFactory(role="specialist")
    with pytest.raises(Refused) as refused:
        ops.erase_landlord(staff, StaffFactory(role="admin"), staff.email)
    assert refused.value.code == "not_landlord"


@pytest.mark.parametrize("confirmation", ["", "DU-2026", "wrong", " "])
def test_a_wrong_confirmation_changes_nothing(browser, world, confirmation, erasure_log):
    browser.login("admin")
    household = world.households[0]
    user = world.landlords[0][0]
    path = f"/backoffice/privacy/households/{household.id}"
    response = erase(browser, path, confirmation)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please check the marked fields." in html
    path = f"/backoffice/privacy/users/{user.id}"
    response = erase(browser, path, confirmation or user.email + "x")
    assert response.status_code == 400
    db.session.expire_all()
    assert household.identity is not None and household.profile_text
    assert not user.email.startswith("erased-")
    assert db.session.scalars(select(Erasure)).all() == []
    assert not erasure_log.exists()
    assert all(files_present(world, "h0").values())
    erased = select(AuditEvent).where(AuditEvent.action == "privacy.erased")
    assert db.session.scalars(erased).all() == []
