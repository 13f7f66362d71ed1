"""Demo accounts for ``make run``: a private landlord, a housing company with two users and one
user per staff role.

Staff must use a second factor, so the demo staff come with an authenticator already enrolled:
``flask demo load`` prints each one's TOTP key and ``otpauth://`` URI next to the password, to be
typed (or pasted) into any authenticator app. The landlords have none (they may switch it on).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pyotp

from portal.accounts import twofactor
from portal.accounts.models import Organisation, OrganisationKind, Role, User, utcnow
from portal.accounts.passwords import hash_password
from portal.extensions import db

DEMO_DOMAIN = "demo.zuhause.example"


def seed(echo: Callable[[str], None]) -> dict[str, User]:
    """Create the demo accounts and print their passwords once."""
    private = Organisation(
        kind=OrganisationKind.PRIVATE,
        name="Familie Yılmaz-Schneider",
        address="Mülheimer Str. 12, 47057 Duisburg",
        phone="0203 123456",
    )
    company = Organisation(
        kind=OrganisationKind.COMPANY,
        name="Rhein-Ruhr Wohnen eG",
        address="Königstr. 40, 47051 Duisburg",
        phone="0203 987650",
    )
    people = [
        ("vermieterin", "Ayşe Yılmaz-Schneider", Role.LANDLORD, private, True, True),
        ("wohnungsbau", "Jens Brenner", Role.LANDLORD, company, True, True),
        ("wohnungsbau.team", "Marta Nowak", Role.LANDLORD, company, False, True),
        (
            "neu",
            "Peter Unbestätigt",
            Role.LANDLORD,
            Organisation(kind=OrganisationKind.PRIVATE, name="Peter Unbestätigt"),
            True,
            False,
        ),
        ("immobilien", "Sabine Krüger", Role.SPECIALIST, None, False, True),
        ("sozialarbeit", "Tobias Engel", Role.SOCIAL_WORKER, None, False, True),
        ("admin", "Lena Admin", Role.ADMIN, None, False, True),
    ]
    users: dict[str, User] = {}
    echo("Demo logins (passwords are shown only now):")
    for local, name, role, org, org_admin, verified in people:
        password = "-".join(secrets.token_hex(3) for _ in range(3))
        user = User(
            email=f"{local}@{DEMO_DOMAIN}",
            full_name=name,
            role=role,
            organisation=org,
            is_org_admin=org_admin,
            password_hash=hash_password(password),
            email_verified_at=utcnow() if verified else None,
            password_changed_at=utcnow(),
        )
        db.session.add(user)
        users[local] = user
        echo(f"  {role.value:<14} {user.email:<40} {password}")
        if user.is_staff:
            secret = pyotp.random_base32()
            twofactor.enrol_with_secret(user, secret)
            echo(f"  {'':<14} TOTP key: {twofactor.format_secret(secret)}")
            echo(f"  {'':<14} {twofactor.provisioning_uri(user, secret)}")
    echo(
        "Staff log in with a code from an authenticator app: add the TOTP key above to the app "
        "(or run: python -c \"import pyotp; print(pyotp.TOTP('KEY').now())\")."
    )
    db.session.flush()
    return users


def already_seeded() -> bool:
    from sqlalchemy import select

    return (
        db.session.scalar(select(User.id).where(User.email.like(f"%@{DEMO_DOMAIN}")).limit(1))
        is not None
    )
