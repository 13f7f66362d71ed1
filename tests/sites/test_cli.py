"""``flask sites ...`` and ``flask accounts create-staff --site``."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.audit import AuditEvent
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.factories import StaffFactory


def sites(runner, *args: str):
    return runner.invoke(args=["sites", *args])


def test_create_and_list_a_site(runner, db):
    result = sites(
        runner, "create", "--slug", "essen", "--name", "Essen", "--ags", "05113000", "--prefix", "E"
    )
    assert result.exit_code == 0, result.output
    assert "Created site essen (Essen, AGS 05113000, prefix E, preparing)" in result.output
    site = db.session.scalar(select(Site).where(Site.slug == "essen"))
    assert (site.name, site.municipality_key, site.code_prefix, site.status) == (
        "Essen", "05113000", "E", "preparing",
    )  # fmt: skip
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "site.created"))
    assert event.object_id == site.id and event.details == {"sites": "essen", "status": "preparing"}

    listed = sites(runner, "list").output
    assert "duisburg" in listed and "essen" in listed and "05113000" in listed


def test_create_refuses_wrong_input_with_clear_words(runner, db):
    def create(*args: str) -> str:
        defaults = {"--slug": "essen", "--name": "Essen", "--ags": "05113000", "--prefix": "E"}
        defaults.update(dict(zip(args[::2], args[1::2], strict=True)))
        result = sites(runner, "create", *[x for kv in defaults.items() for x in kv])
        assert result.exit_code != 0
        return result.output

    assert "exactly 8 digits" in create("--ags", "5113000")
    assert "exactly 8 digits" in create("--ags", "0511300X")
    assert "1 to 6 capital letters" in create("--prefix", "e")
    assert "1 to 6 capital letters" in create("--prefix", "ESSENXX")
    assert "lower-case letters, digits and hyphens" in create("--slug", "Essen")
    assert "code prefix already" in create("--prefix", "DU")
    assert "short name already" in create("--slug", "duisburg")
    assert "is not one of 'preparing', 'active', 'archived'" in create("--status", "open")
    assert db.session.scalar(select(Site).where(Site.slug == "essen")) is None


def test_add_and_remove_staff(runner, db):
    assert sites(runner, "create", "--slug", "essen", "--name", "Essen", "--ags", "05113000",
                 "--prefix", "E", "--status", "active").exit_code == 0  # fmt: skip
    specialist = StaffFactory(role="specialist", email="fach@example.org")
    result = sites(runner, "add-staff", "fach@example.org", "essen")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert [s.slug for s in specialist.sites] == ["duisburg", "essen"]
    assert (
        "works for this site already"
        in sites(runner, "add-staff", "fach@example.org", "essen").output
    )
    assert "no site 'wesel'" in sites(runner, "add-staff", "fach@example.org", "wesel").output
    assert "no account" in sites(runner, "add-staff", "nobody@example.org", "essen").output

    assert sites(runner, "remove-staff", "fach@example.org", "duisburg").exit_code == 0
    db.session.expire_all()
    assert [s.slug for s in specialist.sites] == ["essen"]
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["site.staff_added", "site.staff_removed"]


def test_the_last_admin_of_a_site_stays(runner, db):
    StaffFactory(role="admin", email="chefin@example.org")
    db.session.commit()  # a refusal rolls back what the command began
    result = sites(runner, "remove-staff", "chefin@example.org", "duisburg")
    assert result.exit_code != 0
    assert "the last administrator of this site" in result.output
    StaffFactory(role="admin", email="zweite@example.org")
    assert sites(runner, "remove-staff", "chefin@example.org", "duisburg").exit_code == 0


def test_create_staff_for_named_sites(runner, db):
    sites(
        runner, "create", "--slug", "essen", "--name", "Essen", "--ags", "05113000", "--prefix", "E"
    )
    result = runner.invoke(
        args=["accounts", "create-staff", "e@example.org", "--role", "specialist",
              "--site", "essen", "--site", "duisburg"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "for duisburg, essen" in result.output
    user = db.session.scalar(select(User).where(User.email == "e@example.org"))
    assert [s.slug for s in user.sites] == ["duisburg", "essen"]
    result = runner.invoke(args=["accounts", "create-staff", "d@example.org", "--role", "admin"])
    user = db.session.scalar(select(User).where(User.email == "d@example.org"))
    assert [s.id for s in user.sites] == [DEFAULT_SITE_ID]
    result = runner.invoke(
        args=["accounts", "create-staff", "x@example.org", "--role", "admin", "--site", "wesel"]
    )
    assert result.exit_code != 0 and "no site 'wesel'" in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
