import re

import pyotp
from sqlalchemy import select

from portal.accounts.models import User
from portal.core.audit import AuditEvent


def test_create_staff_prints_one_time_password_that_must_be_changed(runner, browser, db):
    result = runner.invoke(
        args=[
            "accounts",
            "create-staff",
            "Fach@Example.org",
            "--role",
            "specialist",
            "--name",
            "Frau Fach",
        ]
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"first login\): (\S+)", result.output).group(1)
    user = db.session.scalar(select(User).where(User.email == "fach@example.org"))
    assert user.role == "specialist" and user.must_change_password
    assert password not in user.password_hash
    assert "account.staff_created" in db.session.scalars(select(AuditEvent.action)).all()

    response = browser.post(
        "/account/login",
        {"email": "fach@example.org", "password": password},
        csrf_from_path="/account/login",
    )
    # First the authenticator (staff must have one), then the own password.
    assert response.headers["Location"] == "/account/login/code"
    page = browser.client.get("/account/login/code").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = browser.post(
        "/account/login/code",
        {"code": pyotp.TOTP(secret).now()},
        csrf_from_path="/account/login/code",
    )
    # Staff made on the command line speak German until they choose otherwise.
    assert response.status_code == 200
    assert "Ihre Wiederherstellungscodes" in response.get_data(as_text=True)
    # Nothing else is reachable until the password is changed.
    assert browser.client.get("/backoffice/").headers["Location"] == "/account/password"
    response = browser.post(
        "/account/password",
        {"current_password": password, "password": "mein eigenes Passwort 42"},
        csrf_from_path="/account/password",
    )
    assert response.status_code == 302
    assert browser.client.get("/backoffice/").status_code == 200


def test_create_staff_refuses_duplicates_and_landlord_role(runner, db):
    assert (
        runner.invoke(
            args=["accounts", "create-staff", "a@example.org", "--role", "admin"]
        ).exit_code
        == 0
    )
    again = runner.invoke(args=["accounts", "create-staff", "A@example.org", "--role", "admin"])
    assert again.exit_code != 0 and "exists already" in again.output
    landlord = runner.invoke(
        args=["accounts", "create-staff", "b@example.org", "--role", "landlord"]
    )
    assert landlord.exit_code != 0


def test_no_default_admin_exists(db):
    assert db.session.scalars(select(User)).all() == []


def test_deactivate_command(runner, db):
    runner.invoke(args=["accounts", "create-staff", "c@example.org", "--role", "social_worker"])
    result = runner.invoke(args=["accounts", "deactivate", "c@example.org"])
    assert result.exit_code == 0
    user = db.session.scalar(select(User).where(User.email == "c@example.org"))
    assert not user.is_active
    assert "account.deactivated" in db.session.scalars(select(AuditEvent.action)).all()
