"""Changing the e-mail address of an account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.accounts import passwords
from portal.accounts.models import User, normalise_email
from portal.accounts.operations.common import find_user
from portal.accounts.operations.registration import send_verification
from portal.core import audit
from portal.core.refusals import Refused

REFUSALS = {
    "confirmed": _l(
        "Your e-mail address is confirmed. To change it, please write to the Kümmerer team."
    ),
    "password": _l("The current password is not correct."),
    "same": _l("This is the address the account has already."),
    "taken": _l("This address cannot be used for your account. Please choose another."),
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
