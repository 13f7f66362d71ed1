"""Changing the e-mail address of an account: correcting it before it is confirmed, and
moving a confirmed account to a new address through a link sent there (issue 15)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.accounts import passwords, tokens
from portal.accounts.models import ADDRESS_CONFIRMED, User, normalise_email, utcnow
from portal.accounts.operations.common import external, find_user
from portal.accounts.operations.registration import send_verification
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db

REFUSALS = {
    "confirmed": _l(
        "Your e-mail address is confirmed. To change it, please write to the Kümmerer team."
    ),
    "password": _l("The current password is not correct."),
    "same": _l("This is the address the account has already."),
    "taken": _l("This address cannot be used for your account. Please choose another."),
    "invalid": _l("Please enter a valid e-mail address, e.g. name@example.de."),
    "unconfirmed": _l("Please confirm your e-mail address first: use the link we sent you."),
}


def _refuse(code: str) -> Refused:
    return Refused(code, REFUSALS[code])


def change_unconfirmed_email(user: User, password: str, new_email: str) -> None:
    """Correct the address of an account that is not confirmed yet (a typo at registration).
    The new address gets a new confirmation link; links to the old address stop working
    (``user_for_verification`` compares the address). Needs the current password. Refused
    (``confirmed``, ``password``, ``same``, ``taken``); a wrong password and a taken address
    are audited."""
    if user.is_verified:
        raise _refuse("confirmed")
    if not passwords.verify_password(user.password_hash, password):
        audit.record("account.email_change_refused", actor=user, obj=user, reason="password")
        raise _refuse("password")
    new = normalise_email(new_email)
    if new == user.email:
        raise _refuse("same")
    if find_user(new) is not None:
        audit.record("account.email_change_refused", actor=user, obj=user, reason="taken")
        raise _refuse("taken")
    user.email = new
    audit.record("account.email_changed", actor=user, obj=user)
    send_verification(user)


# A confirmed account moves to a new address ------------------------------------------------------


def _valid(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return len(address) <= 254


def _notice_to_old(user: User, old: str, new: str, done: bool) -> None:
    queue_mail(
        old,
        "email_change_notice",
        user.locale,
        name=user.full_name,
        new=new,
        done=done,
        reset_url=external("accounts.reset_request"),
        contact=current_app.config["PROGRAMME_CONTACT_EMAIL"],
    )


def request_email_change(user: User, password: str, new_email: str) -> str:
    """A confirmed account asks to move to ``new_email``: a link goes to the new address (the
    address changes only when it is followed, ``confirm_email_change``) and a notice to the
    current one. Returns the new address, normalised. Refused (nothing sent): ``unconfirmed``
    (``change_unconfirmed_email`` is for that), ``password`` (audited), ``invalid``, ``same``.

    An address that has an account already is not refused: that would tell whoever asks which
    addresses have accounts. The caller's answer is the same; the owner of that address gets a
    notice instead of a link, and the current address its notice as always."""
    if not user.is_verified:
        raise _refuse("unconfirmed")
    if not passwords.verify_password(user.password_hash, password):
        audit.record("account.email_change_refused", actor=user, obj=user, reason="password")
        raise _refuse("password")
    new = normalise_email(new_email)
    if not _valid(new):
        refusal = _refuse("invalid")
        refusal.status = BAD_INPUT
        raise refusal
    if new == user.email:
        raise _refuse("same")
    existing = find_user(new)
    if existing is not None:
        queue_mail(
            new,
            "email_change_taken",
            existing.locale,
            login_url=external("accounts.login"),
            reset_url=external("accounts.reset_request"),
        )
        audit.record("account.email_change_requested", actor=user, obj=user, reason="taken")
    else:
        token = tokens.make_token(
            tokens.CHANGE_EMAIL, {"uid": user.id, "old": user.email, "new": new}
        )
        queue_mail(
            new,
            "email_change_confirm",
            user.locale,
            name=user.full_name,
            url=external("accounts.confirm_email_change", token=token),
            days=current_app.config["EMAIL_VERIFY_MAX_AGE"] // 86400,
        )
        audit.record("account.email_change_requested", actor=user, obj=user)
    _notice_to_old(user, user.email, new, done=False)
    return new


def email_change_for(token: str) -> tuple[User, str]:
    """The account and the new address of a change link. Refused (``invalid``, ``expired``)
    for a bad or old link, and once the account's address is no longer the one the link was
    made for (it was followed, or the address changed otherwise): a link works once."""
    data = tokens.read_token(tokens.CHANGE_EMAIL, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    new = data.get("new")
    if user is None or not user.is_active or user.email != data.get("old") or not new:
        raise tokens.refused()
    return user, str(new)


def confirm_email_change(token: str) -> User:
    """Follow a change link: the account's address becomes the new one (confirmed: the link
    reached it), the old address gets a notice. Refused as ``email_change_for``, and ``taken``
    when an account for the new address was made meanwhile (telling it reveals nothing: who
    holds the link reads that address's mail)."""
    user, new = email_change_for(token)
    if find_user(new) is not None:
        audit.record("account.email_change_refused", actor=user, obj=user, reason="taken")
        raise _refuse("taken")
    old = user.email
    user.email = new
    user.email_verified_at = utcnow()
    audit.record("account.email_changed", actor=user, obj=user, reason="confirmed_link")
    ADDRESS_CONFIRMED(user)  # requests sent from the new address join the account
    _notice_to_old(user, old, new, done=True)
    return user
