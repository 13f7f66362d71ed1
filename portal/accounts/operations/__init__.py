"""The rules of the accounts domain. Operations flush, audit and queue mail; they never commit
and never read the request. A refusal is a ``portal.core.refusals.Refused`` with a code (for
tests and views that choose what to do next) and the words the user reads.

One module per concept; every name is re-exported here, so ``from portal.accounts import
operations as ops`` gives them all."""

from portal.accounts.operations.colleagues import (
    accept_invitation,
    active_members,
    colleagues_of,
    first_members,
    hand_over_first_user,
    invitation_for,
    invite_colleague,
    remove_colleague,
)
from portal.accounts.operations.common import find_user, one_line
from portal.accounts.operations.email import (
    change_unconfirmed_email,
    confirm_email_change,
    email_change_for,
    request_email_change,
)
from portal.accounts.operations.login import (
    authenticate,
    change_password,
    complete_login,
    logout,
    request_password_reset,
    reset_password,
    user_for_reset,
)
from portal.accounts.operations.registration import (
    Registration,
    register_landlord,
    send_verification,
    update_profile,
    user_for_verification,
    verify_email,
)
from portal.accounts.operations.staff import create_staff, set_active

__all__ = [
    "Registration",
    "accept_invitation",
    "active_members",
    "authenticate",
    "change_password",
    "change_unconfirmed_email",
    "colleagues_of",
    "complete_login",
    "confirm_email_change",
    "create_staff",
    "email_change_for",
    "find_user",
    "first_members",
    "hand_over_first_user",
    "invitation_for",
    "invite_colleague",
    "logout",
    "one_line",
    "register_landlord",
    "remove_colleague",
    "request_email_change",
    "request_password_reset",
    "reset_password",
    "send_verification",
    "set_active",
    "update_profile",
    "user_for_reset",
    "user_for_verification",
    "verify_email",
]
