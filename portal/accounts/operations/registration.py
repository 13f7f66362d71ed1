"""Registration of a landlord, confirmation of the address, and the profile."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from portal.accounts import passwords, tokens, twofactor
from portal.accounts.models import (
    ADDRESS_CONFIRMED,
    Invitation,
    Organisation,
    Role,
    User,
    utcnow,
)
from portal.accounts.operations.colleagues import deactivate_colleague, revoke_invitation
from portal.accounts.operations.common import external, find_user, one_line, set_password
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.extensions import db


@dataclass
class Registration:
    kind: str
    organisation_name: str
    full_name: str
    email: str
    password: str
    phone: str | None = None
    locale: str = "de"


def register_landlord(data: Registration) -> User | None:
    """Create the organisation and its first user and queue the verification mail.

    When the e-mail address is taken, nothing is created; the owner of the address gets a
    notice instead, so the caller shows the same answer either way. Both paths do the same
    work: the password is hashed (the slow part) and one mail is queued, so neither the answer
    nor its time tells whether the address has an account. Returns the new user or None.
    """
    password_hash = passwords.hash_password(data.password)
    existing = find_user(data.email)
    if existing is not None:
        queue_mail(
            existing.email,
            "register_existing",
            existing.locale,
            login_url=external("accounts.login"),
            reset_url=external("accounts.reset_request"),
        )
        audit.record("account.register_duplicate", obj=existing)
        return None
    organisation = Organisation(kind=data.kind, name=one_line(data.organisation_name))
    user = User(
        email=data.email,
        full_name=one_line(data.full_name),
        phone=one_line(data.phone) or None,
        password_hash=password_hash,
        password_changed_at=utcnow(),
        role=Role.LANDLORD,
        organisation=organisation,
        is_org_admin=True,
        locale=data.locale,
    )
    db.session.add_all([organisation, user])
    db.session.flush()
    audit.record(
        "account.registered",
        actor=user,
        obj=user,
        organisation_id=organisation.id,
        kind=organisation.kind,
    )
    send_verification(user)
    return user


def send_verification(user: User) -> None:
    """Queue a mail with a signed link that confirms ``user``'s address (valid for days)."""
    token = tokens.make_token(tokens.VERIFY_EMAIL, {"uid": user.id, "email": user.email})
    queue_mail(
        user.email,
        "verify_email",
        user.locale,
        name=user.full_name,
        url=external("accounts.verify_email", token=token),
        days=current_app.config["EMAIL_VERIFY_MAX_AGE"] // 86400,
    )


def user_for_verification(token: str) -> User:
    """The account a confirmation link is for. Refuses (``tokens.refused``: ``invalid`` or
    ``expired``) a bad or old link, a link whose address is no longer the account's (the
    address was changed since), and once the address is confirmed (a link works once)."""
    data = tokens.read_token(tokens.VERIFY_EMAIL, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if (
        user is None
        or user.email != data.get("email")
        or not user.is_active
        or user.email_verified_at is not None
    ):
        raise tokens.refused()
    return user


def verify_email(token: str, password: str) -> User:
    """Confirm the address in ``token`` and set the password of the address's owner.

    Whoever registered the address chose the password, and may not be its owner (issue 13.1):
    so the owner sets the password here, every session of the account ends, and whatever was
    done before the confirmation that could outlast it is undone (``confirmed``). Refuses a
    bad, old or used link (``invalid``, ``expired``) and a weak password (``weak_password``)."""
    user = user_for_verification(token)
    set_password(user, password)
    confirmed(user)
    return user


def confirmed(user: User) -> None:
    """Mark ``user``'s address confirmed (the owner proved it through a link and set the
    password). When it was not confirmed before, take back what the account may have done
    before: a second factor enrolled then is removed (it would lock the owner out), open
    invitations it sent are revoked, and colleagues who joined through them are removed."""
    if user.email_verified_at is not None:
        return
    user.mark_verified()
    audit.record("account.email_verified", actor=user, obj=user)
    ADDRESS_CONFIRMED(user)
    if user.totp_secret_encrypted or user.totp_enabled_at:
        twofactor.remove_before_confirmation(user)
    for invitation in db.session.scalars(
        select(Invitation).where(Invitation.invited_by_id == user.id)
    ).all():
        joined = find_user(invitation.email) if not invitation.is_open else None
        if (
            joined is not None
            and joined.is_active
            and joined.organisation_id == invitation.organisation_id
        ):
            deactivate_colleague(user, joined, reason="unconfirmed_inviter")
        if invitation.is_open:
            revoke_invitation(user, invitation, reason="unconfirmed_inviter")


def update_profile(user: User, full_name: str, phone: str | None, locale: str) -> None:
    user.full_name = one_line(full_name)
    user.phone = one_line(phone) or None
    user.locale = locale
    audit.record("account.profile_updated", actor=user, obj=user)
