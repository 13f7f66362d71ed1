"""Demo accounts for ``make run``: a private landlord, a housing company with two users, one
user per staff role in Duisburg and a specialist and a social worker of the second site, Essen.

Staff must use a second factor, so the demo staff come with an authenticator already enrolled:
``flask demo load`` prints each one's TOTP key and ``otpauth://`` URI next to the password, to be
typed (or pasted) into any authenticator app. The landlords have none (they may switch it on).

The accounts are made the way real ones are: landlords register (``register_landlord``) and
confirm their address with the link (``verify_email``), the company's colleague accepts an
invitation (``invite_colleague``, ``accept_invitation``), staff are created by the admin
operation (``create_staff``) and set their password at the first login (``change_password``).
The ``Organisation`` objects below only carry the details typed in at registration; the
registration creates the organisation rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pyotp

from portal.accounts import operations as ops
from portal.accounts import tokens, twofactor
from portal.accounts.models import Organisation, OrganisationKind, Role, User
from portal.extensions import db
from portal.sites.models import Site

DEMO_DOMAIN = "demo.zuhause.example"


def _landlord(local: str, name: str, org: Organisation | User, password: str, verified: bool):
    """A landlord account the way landlords get one: the first user of an organisation
    registers (and confirms the address with the link), a colleague accepts an invitation."""
    email = f"{local}@{DEMO_DOMAIN}"
    if isinstance(org, User):  # a colleague invited by the organisation's first user
        invitation = ops.invite_colleague(org, email)
        token = tokens.make_token(tokens.INVITATION, {"iid": invitation.id, "email": email})
        return ops.accept_invitation(token, name, password, "de")
    user = ops.register_landlord(
        ops.Registration(
            kind=org.kind, organisation_name=org.name, full_name=name, email=email,
            password=password,
        )
    )  # fmt: skip
    user.organisation.address, user.organisation.phone = org.address, org.phone
    if verified:
        token = tokens.make_token(tokens.VERIFY_EMAIL, {"uid": user.id, "email": email})
        ops.verify_email(token, password)
    return user


def _staff(local: str, name: str, role: Role, password: str, sites: list[Site] | None) -> User:
    """A staff account as the admin command makes it; the first login sets the password."""
    user, one_time = ops.create_staff(f"{local}@{DEMO_DOMAIN}", role, name, sites=sites)
    ops.change_password(user, one_time, password)
    return user


def seed(echo: Callable[[str], None], essen: Site) -> dict[str, User]:
    """Create the demo accounts and print their passwords once. The staff work for the default
    site (Duisburg), the ``*.essen`` staff only for the second site ``essen``."""
    private = Organisation(
        kind=OrganisationKind.PRIVATE.value,
        name="Familie Yılmaz-Schneider",
        address="Mülheimer Str. 12, 47057 Duisburg",
        phone="0203 123456",
    )
    company = Organisation(
        kind=OrganisationKind.COMPANY.value,
        name="Rhein-Ruhr Wohnen eG",
        address="Königstr. 40, 47051 Duisburg",
        phone="0203 987650",
    )
    # (login, name, role, organisation or the colleague who invites, verified)
    people = [
        ("vermieterin", "Ayşe Yılmaz-Schneider", Role.LANDLORD, private, True),
        ("wohnungsbau", "Jens Brenner", Role.LANDLORD, company, True),
        ("wohnungsbau.team", "Marta Nowak", Role.LANDLORD, "wohnungsbau", True),
        (
            "neu",
            "Peter Unbestätigt",
            Role.LANDLORD,
            Organisation(kind=OrganisationKind.PRIVATE.value, name="Peter Unbestätigt"),
            False,
        ),
        ("immobilien", "Sabine Krüger", Role.SPECIALIST, None, True),
        ("sozialarbeit", "Tobias Engel", Role.SOCIAL_WORKER, None, True),
        ("admin", "Lena Admin", Role.ADMIN, None, True),
        ("immobilien.essen", "Miriam Becker", Role.SPECIALIST, None, True),
        ("sozialarbeit.essen", "Jonas Wirth", Role.SOCIAL_WORKER, None, True),
        # The state-level reader (the ministry's or the Land's programme office): the state
        # report of every site, suppressed, and nothing else.
        ("land", "Petra Landesprogramm", Role.STATE_READER, None, True),
    ]
    users: dict[str, User] = {}
    echo("Demo logins (passwords are shown only now):")
    for local, name, role, org, verified in people:
        password = "-".join(secrets.token_hex(3) for _ in range(3))
        if role == Role.LANDLORD:
            org = users[org] if isinstance(org, str) else org
            user = _landlord(local, name, org, password, verified)
        else:
            user = _staff(
                local, name, role, password, [essen] if local.endswith(".essen") else None
            )
        users[local] = user
        echo(f"  {role.value:<14} {user.email:<40} {password}")
        if user.two_factor_required:
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
