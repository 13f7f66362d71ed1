"""The rules of the accounts domain. Operations flush, audit and queue mail; they never commit
and never read the request."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import select

from portal.accounts import tokens, twofactor
from portal.accounts.models import (
    ADDRESS_CONFIRMED,
    Invitation,
    Organisation,
    Role,
    User,
    normalise_email,
    utcnow,
)
from portal.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db


class AccountError(Refused):
    """An operation of the accounts domain refused; ``message`` is safe to show to the user."""


def one_line(value: str | None) -> str:
    """Collapse whitespace, line breaks included: names end up in e-mails and must stay one line."""
    return " ".join((value or "").split())


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _external(endpoint: str, **values: object) -> str:
    base = current_app.config["PORTAL_BASE_URL"]
    return base + url_for(endpoint, **values)


# Registration and verification ----------------------------------------------------------------


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
    password_hash = hash_password(data.password)
    existing = find_user(data.email)
    if existing is not None:
        queue_mail(
            existing.email,
            "register_existing",
            existing.locale,
            login_url=_external("accounts.login"),
            reset_url=_external("accounts.reset_request"),
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
        url=_external("accounts.verify_email", token=token),
        days=current_app.config["EMAIL_VERIFY_MAX_AGE"] // 86400,
    )


def user_for_verification(token: str) -> User:
    """The account a confirmation link is for. Raises ``TokenError`` for a bad or old link, for
    a link whose address is no longer the account's (the address was changed since), and once
    the address is confirmed (a link works once)."""
    data = tokens.read_token(tokens.VERIFY_EMAIL, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if (
        user is None
        or user.email != data.get("email")
        or not user.is_active
        or user.email_verified_at is not None
    ):
        raise tokens.TokenError()
    return user


def verify_email(token: str, password: str) -> User:
    """Confirm the address in ``token`` and set the password of the address's owner.

    Whoever registered the address chose the password, and may not be its owner (issue 13.1):
    so the owner sets the password here, every session of the account ends, and whatever was
    done before the confirmation that could outlast it is undone (``_confirmed``). Raises
    ``TokenError`` for a bad, old or used link and ``AccountError`` for a weak password."""
    user = user_for_verification(token)
    _set_password(user, password)
    _confirmed(user)
    return user


def _confirmed(user: User) -> None:
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
            _deactivate_colleague(user, joined, reason="unconfirmed_inviter")
        if invitation.is_open:
            _revoke_invitation(user, invitation, reason="unconfirmed_inviter")


def change_unconfirmed_email(user: User, password: str, new_email: str) -> None:
    """Correct the address of an account that is not confirmed yet (a typo at registration).
    The new address gets a new confirmation link; links to the old address stop working
    (``user_for_verification`` compares the address). Needs the current password. Raises
    ``AccountError`` with ``message`` one of ``confirmed``, ``password``, ``same``, ``taken``."""
    if user.is_verified:
        raise AccountError("confirmed")
    if not verify_password(user.password_hash, password):
        audit.record("account.email_change_refused", actor=user, obj=user, reason="password")
        raise AccountError("password")
    new = normalise_email(new_email)
    if new == user.email:
        raise AccountError("same")
    if find_user(new) is not None:
        audit.record("account.email_change_refused", actor=user, obj=user, reason="taken")
        raise AccountError("taken")
    user.email = new
    audit.record("account.email_changed", actor=user, obj=user)
    send_verification(user)


# Login, logout, passwords ---------------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None; both outcomes are audited.
    For an account with a second factor the login is not complete yet (see
    ``complete_login``)."""
    user = find_user(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        audit.record(
            "auth.login_failed",
            object_type="users",
            object_id=user.id if user else None,
            reason="inactive" if ok and user is not None else "credentials",
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.two_factor_required:
        # Half way: the login completes with ``complete_login`` once the code is accepted.
        audit.record("auth.password_accepted", actor=user, obj=user)
        return user
    complete_login(user)
    return user


def complete_login(user: User, second_factor: str | None = None) -> None:
    """Record a completed login (after the password, and the code where one is needed)."""
    user.last_login_at = utcnow()
    if second_factor:
        audit.record("auth.login", actor=user, obj=user, second_factor=second_factor)
    else:
        audit.record("auth.login", actor=user, obj=user)


def logout(user: User) -> None:
    """End every session of ``user``: cookies captured before now stop working."""
    user.end_all_sessions()
    audit.record("auth.logout", actor=user, obj=user)


def _set_password(user: User, password: str) -> None:
    problems = password_problems(password, user.email)
    if problems:
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.end_all_sessions()


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; every other session ends."""
    if not verify_password(user.password_hash, current):
        audit.record("account.password_change_failed", actor=user, obj=user)
        raise AccountError("current")
    _set_password(user, new)
    audit.record("account.password_changed", actor=user, obj=user)


def request_password_reset(email: str, locale: str = "de") -> None:
    """Queue a one-hour, single-use reset link if the address belongs to an active account.
    Any other address gets a mail saying it has no (active) account: the same page, one queued
    mail and one audit event either way, so neither the answer nor its time tells whether the
    address has an account. ``locale`` is the language of the mail to an unknown address."""
    user = find_user(email)
    if user is None or not user.is_active:
        queue_mail(
            normalise_email(email),
            "reset_unknown",
            locale,
            register_url=_external("accounts.register"),
            reset_url=_external("accounts.reset_request"),
        )
        audit.record("account.password_reset_unknown")
        return
    token = tokens.make_token(
        tokens.RESET_PASSWORD, {"uid": user.id, "fp": tokens.fingerprint(user.password_hash)}
    )
    queue_mail(
        user.email,
        "reset_password",
        user.locale,
        name=user.full_name,
        url=_external("accounts.reset_password", token=token),
    )
    audit.record("account.password_reset_requested", obj=user)


def user_for_reset(token: str) -> User:
    """The user a reset link is for. Raises ``TokenError`` once it expired or was used (the
    password hash it was made for has changed)."""
    data = tokens.read_token(
        tokens.RESET_PASSWORD, token, current_app.config["PASSWORD_RESET_MAX_AGE"]
    )
    user = db.session.get(User, data.get("uid"))
    if (
        user is None
        or not user.is_active
        or tokens.fingerprint(user.password_hash) != data.get("fp")
    ):
        raise tokens.TokenError()
    return user


def reset_password(token: str, new: str) -> User:
    """Set a new password through a reset link; the link and every session end."""
    user = user_for_reset(token)
    _set_password(user, new)
    _confirmed(user)  # the link proved the address
    audit.record("account.password_reset", actor=user, obj=user)
    return user


# Organisation members -------------------------------------------------------------------------


def invite_colleague(inviter: User, email: str) -> Invitation | None:
    """Invite ``email`` into the inviter's housing company. An address that already has an
    account gets no invitation (returns None; the caller says the same either way)."""
    if not inviter.can_invite:
        raise AccountError("not allowed")
    assert inviter.organisation is not None  # noqa: S101 - narrows the type; can_invite checked it
    if find_user(email) is not None:
        audit.record("organisation.invite_existing", actor=inviter, obj=inviter.organisation)
        return None
    invitation = Invitation(organisation=inviter.organisation, email=email, invited_by=inviter)
    db.session.add(invitation)
    db.session.flush()
    token = tokens.make_token(tokens.INVITATION, {"iid": invitation.id, "email": invitation.email})
    queue_mail(
        invitation.email,
        "invitation",
        inviter.locale,
        inviter=inviter.full_name,
        organisation=inviter.organisation.name,
        url=_external("accounts.accept_invitation", token=token),
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    audit.record(
        "organisation.invited",
        actor=inviter,
        obj=invitation,
        organisation_id=inviter.organisation.id,
    )
    return invitation


def invitation_for(token: str) -> Invitation:
    """The open invitation behind ``token``; ``TokenError`` when expired, forged or used."""
    data = tokens.read_token(tokens.INVITATION, token, current_app.config["INVITATION_MAX_AGE"])
    invitation = db.session.get(Invitation, data.get("iid"))
    if invitation is None or not invitation.is_open or invitation.email != data.get("email"):
        raise tokens.TokenError()
    return invitation


def accept_invitation(token: str, full_name: str, password: str, locale: str) -> User:
    """Create the invited colleague's account (verified: the link proved the address)."""
    invitation = invitation_for(token)
    if find_user(invitation.email) is not None:
        raise tokens.TokenError()
    problems = password_problems(password, invitation.email)
    if problems:
        raise AccountError(" ".join(problems))
    user = User(
        email=invitation.email,
        full_name=one_line(full_name),
        password_hash=hash_password(password),
        password_changed_at=utcnow(),
        role=Role.LANDLORD,
        organisation_id=invitation.organisation_id,
        locale=locale,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    invitation.accepted_at = utcnow()
    db.session.flush()
    audit.record("organisation.invitation_accepted", actor=user, obj=invitation, user_id=user.id)
    ADDRESS_CONFIRMED(user)
    return user


def _revoke_invitation(actor: User, invitation: Invitation, reason: str) -> None:
    """An open invitation stops working: its row goes, so its link finds nothing."""
    audit.record(
        "organisation.invitation_revoked",
        actor=actor,
        obj=invitation,
        organisation_id=invitation.organisation_id,
        reason=reason,
    )
    db.session.delete(invitation)
    db.session.flush()


def _deactivate_colleague(actor: User, colleague: User, reason: str) -> None:
    colleague.is_active = False
    colleague.is_org_admin = False
    colleague.end_all_sessions()  # every session of theirs ends at their next request
    audit.record(
        "organisation.colleague_removed",
        actor=actor,
        obj=colleague,
        organisation_id=colleague.organisation_id,
        reason=reason,
    )
    for invitation in db.session.scalars(
        select(Invitation).where(
            Invitation.invited_by_id == colleague.id, Invitation.accepted_at.is_(None)
        )
    ).all():
        _revoke_invitation(actor, invitation, reason="inviter_removed")


def colleagues_of(user: User) -> list[User]:
    """Everyone of ``user``'s organisation, ``user`` included, oldest account first."""
    return list(
        db.session.scalars(
            select(User).where(User.organisation_id == user.organisation_id).order_by(User.id)
        )
    )


def _check_colleague(first_user: User, colleague: User, action: str) -> None:
    if not first_user.can_invite:
        raise AccountError("not_first_user")
    if colleague.organisation_id != first_user.organisation_id or not colleague.is_landlord:
        raise AccountError("other_organisation")
    if colleague.id == first_user.id:
        audit.record(
            f"organisation.{action}_refused", actor=first_user, obj=colleague, reason="own"
        )
        raise AccountError("own")
    if not colleague.is_active:
        raise AccountError("inactive")


def remove_colleague(first_user: User, colleague: User) -> None:
    """A company's first user removes a colleague: the account is deactivated, each of its
    sessions ends at once, its open invitations stop working. Never oneself, never someone of
    another organisation. Raises ``AccountError`` (``not_first_user``, ``other_organisation``,
    ``own``, ``inactive``)."""
    _check_colleague(first_user, colleague, "colleague_remove")
    _deactivate_colleague(first_user, colleague, reason="removed_by_first_user")


def hand_over_first_user(first_user: User, colleague: User) -> None:
    """Make ``colleague`` the company's first user in place of ``first_user``, who stays a
    colleague. Only to an active colleague of the same organisation whose address is confirmed.
    Raises ``AccountError`` (as ``remove_colleague``, and ``unconfirmed``)."""
    _check_colleague(first_user, colleague, "first_user_hand_over")
    if not colleague.is_verified:
        audit.record(
            "organisation.first_user_hand_over_refused",
            actor=first_user,
            obj=colleague,
            reason="unconfirmed",
        )
        raise AccountError("unconfirmed")
    first_user.is_org_admin = False
    colleague.is_org_admin = True
    audit.record(
        "organisation.first_user_handed_over",
        actor=first_user,
        obj=colleague,
        organisation_id=colleague.organisation_id,
    )


def update_profile(user: User, full_name: str, phone: str | None, locale: str) -> None:
    user.full_name = one_line(full_name)
    user.phone = one_line(phone) or None
    user.locale = locale
    audit.record("account.profile_updated", actor=user, obj=user)


# Staff (CLI only) ---------------------------------------------------------------------------


def create_staff(email: str, role: Role, full_name: str) -> tuple[User, str]:
    """Create a staff account with a one-time password that must be changed at first login.
    Returns the user and that password (shown once, never stored in clear)."""
    if role not in (Role.SPECIALIST, Role.SOCIAL_WORKER, Role.ADMIN):
        raise AccountError(f"{role} is not a staff role")
    if find_user(email) is not None:
        raise AccountError(f"an account for {normalise_email(email)} exists already")
    one_time = secrets.token_urlsafe(12)
    user = User(
        email=email,
        full_name=full_name,
        password_hash=hash_password(one_time),
        role=role,
        must_change_password=True,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.staff_created", obj=user, role=str(role))
    return user, one_time


def set_active(user: User, active: bool, actor: User | None = None) -> None:
    """(De)activate an account; a deactivated user is logged out at their next request."""
    user.is_active = active
    user.end_all_sessions()
    audit.record("account.activated" if active else "account.deactivated", actor=actor, obj=user)
