"""The second factor: TOTP (RFC 6238) with an authenticator app, and single-use recovery codes.

Operations here flush and audit; they never commit and never read the request. The audit trail
names what happened (enrolled, code accepted or refused, recovery code used, reset, ...) and never
holds a secret or a code. How secrets and recovery codes are stored: ``twofactor_secrets``.
A refused code or step is a ``Refused`` whose ``code`` is one of ``wrong``, ``reused``,
``not_enrolled``, ``own_reset``, ``not_allowed``.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

import pyotp
from cryptography.fernet import InvalidToken
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update

from portal.accounts.models import User, utcnow
from portal.accounts.twofactor_secrets import (
    DIGITS,
    RECOVERY_CODE_COUNT,
    STEP_SECONDS,
    decrypt_secret,
    encrypt_secret,
    format_secret,
    provisioning_uri,
    qr_svg,
    recovery_codes_left,
    rotate_secrets,
    secret_of,
    totp,
)
from portal.accounts.twofactor_secrets import clean as _clean
from portal.accounts.twofactor_secrets import delete_recovery_codes as _delete_recovery_codes
from portal.accounts.twofactor_secrets import replace_recovery_codes as _replace_recovery_codes
from portal.accounts.twofactor_secrets import use_recovery_code as _use_recovery_code
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db

# Accepted clock drift between the server and the phone, in time steps (±30 seconds).
DRIFT_STEPS = 1

REFUSALS = {
    "wrong": _l(
        "This code is not correct. Please use the newest code and check that the time on your "
        "phone is right."
    ),
    "reused": _l("This code was used already. Please wait for the next code in your app."),
    "own_reset": _l(
        "You cannot reset your own second factor. Another administrator has to do it, "
        "so that a stolen password alone never replaces your phone."
    ),
    "not_allowed": _l("This is not possible."),
    "not_enrolled": _l("This is not possible."),
}


def refused(code: str) -> Refused:
    """The refusal ``code`` (one of ``REFUSALS``) with its words."""
    return Refused(code, REFUSALS[code])


def current_time() -> float:
    """The server's clock (a function, so that tests can move it)."""
    return time.time()


# Checking a code ----------------------------------------------------------------------------------


def current_step() -> int:
    return int(current_time() // STEP_SECONDS)


def _looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step within the allowed drift whose code is ``code``, newest first."""
    now = current_step()
    generator = totp(secret)
    for step in range(now + DRIFT_STEPS, now - DRIFT_STEPS - 1, -1):
        if hmac.compare_digest(generator.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as used, atomically: only if no code of this or a later step was
    accepted before. Two requests racing with the same code cannot both win, in one process or
    many, because the database decides."""
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def _check_totp(user: User, code: str) -> None:
    """Accept a TOTP code once, or refuse (``wrong`` or ``reused``)."""
    secret = secret_of(user)
    if secret is None or not _looks_like_totp(code):
        raise refused("wrong")
    step = _matching_step(secret, code)
    if step is None:
        raise refused("wrong")
    if not _claim_step(user, step):
        raise refused("reused")


# Operations ---------------------------------------------------------------------------------------


def start_enrolment(user: User) -> str:
    """The secret for enrolling ``user``'s authenticator: the pending one, or a new one stored
    encrypted (not active until ``confirm_enrolment``). Reloading the page keeps the secret, so
    an app that scanned it already keeps working."""
    if user.has_two_factor:
        raise refused("not_allowed")
    try:
        secret = secret_of(user)
    except InvalidToken:
        secret = None  # made with a key that is gone: start afresh
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret_encrypted = encrypt_secret(secret)
        user.totp_last_step = None
        db.session.flush()
    return secret


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Activate the pending secret once ``code`` proves the app has it. Returns ten new
    recovery codes (their clear text exists only in this return value). A wrong code is audited
    and is refused."""
    if user.has_two_factor or not user.totp_secret_encrypted:
        raise refused("not_enrolled")
    try:
        _check_totp(user, _clean(code))
    except Refused as exc:
        audit.record("auth.2fa_enrol_failed", actor=user, obj=user, reason=exc.code)
        raise
    user.totp_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    # Staff enrol because they must; a landlord switches it on by choice.
    action = "auth.2fa_enabled" if user.is_landlord else "auth.2fa_enrolled"
    audit.record(action, actor=user, obj=user, role=user.role)
    return codes


@dataclass
class CodeResult:
    method: str  # "totp" or "recovery"
    recovery_left: int | None = None


def check_code(user: User, code: str, *, purpose: str, allow_recovery: bool = True) -> CodeResult:
    """Accept a current TOTP code (each time step once, ±1 step of drift) or, when allowed, an
    unused recovery code (which is spent). Success and failure are audited with ``purpose``
    (login, disable, recovery_codes). Refused (``wrong``, ``reused``, ``not_enrolled``)."""
    if not user.has_two_factor:
        raise refused("not_enrolled")
    cleaned = _clean(code)
    try:
        if _looks_like_totp(cleaned) or not allow_recovery:
            _check_totp(user, cleaned)
            result = CodeResult("totp")
        elif cleaned and _use_recovery_code(user, cleaned):
            result = CodeResult("recovery", recovery_codes_left(user))
            audit.record(
                "auth.recovery_code_used",
                actor=user,
                obj=user,
                purpose=purpose,
                remaining=result.recovery_left,
            )
        else:
            raise refused("wrong")
    except Refused as exc:
        audit.record("auth.2fa_failed", actor=user, obj=user, purpose=purpose, reason=exc.code)
        raise
    audit.record("auth.2fa_passed", actor=user, obj=user, purpose=purpose, method=result.method)
    return result


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """Ten new recovery codes in place of all old ones, after a current TOTP code."""
    check_code(user, code, purpose="recovery_codes", allow_recovery=False)
    codes = _replace_recovery_codes(user)
    audit.record("auth.recovery_codes_regenerated", actor=user, obj=user)
    return codes


def disable(user: User, code: str) -> None:
    """Switch the second factor off (landlords only: staff must keep it), after a current code
    or a recovery code, so that someone who lost the phone still gets out."""
    if user.is_staff:
        audit.record("auth.2fa_disable_refused", actor=user, obj=user, reason="staff")
        raise refused("not_allowed")
    check_code(user, code, purpose="disable")
    _clear(user)
    audit.record("auth.2fa_disabled", actor=user, obj=user)


def cancel_enrolment(user: User) -> None:
    """Forget a secret that was never confirmed (a landlord who changed their mind)."""
    if not user.has_two_factor and user.totp_secret_encrypted:
        user.totp_secret_encrypted = None
        user.totp_last_step = None


def reset_by_admin(admin: User, user: User) -> None:
    """Remove ``user``'s authenticator and recovery codes and end their sessions: they enrol
    again at their next login. An admin can never reset their own second factor (that would
    let a stolen admin password replace the admin's phone)."""
    if not admin.has_role("admin") or not user.is_staff:
        raise refused("not_allowed")
    if admin.id == user.id:
        audit.record("auth.2fa_reset_refused", actor=admin, obj=user, reason="own")
        raise refused("own_reset")
    _clear(user)
    user.end_all_sessions()
    audit.record("auth.2fa_reset", actor=admin, obj=user, role=user.role)


# How a specialist made sure who is on the phone before resetting a landlord's second factor
# (a fixed word: the audit trail holds no typed text).
IDENTITY_CHECKS = ("callback_known_number", "callback_company_switchboard", "in_person")


def reset_for_landlord(staff: User, user: User, identity_check: str) -> None:
    """A specialist resets the second factor of a landlord who lost phone and recovery codes,
    after confirming the person by phone (``identity_check``, one of ``IDENTITY_CHECKS``):
    the authenticator and the recovery codes go, every session ends, the landlord is told by
    e-mail in their language. Staff accounts are reset by an admin (``reset_by_admin``)."""
    if not staff.has_role("specialist") or not user.is_landlord:
        raise refused("not_allowed")
    if identity_check not in IDENTITY_CHECKS:
        raise refused("not_allowed")
    if not (user.has_two_factor or user.totp_secret_encrypted):
        raise refused("not_enrolled")
    _clear(user)
    user.end_all_sessions()
    audit.record("auth.2fa_reset", actor=staff, obj=user, role=user.role, method=identity_check)
    queue_mail(
        user.email,
        "second_factor_reset",
        user.locale,
        name=user.full_name,
        login_url=current_app.config["PORTAL_BASE_URL"] + url_for("accounts.login"),
        phone=current_app.config["PROGRAMME_CONTACT_PHONE"],
        email=current_app.config["PROGRAMME_CONTACT_EMAIL"],
    )


def remove_before_confirmation(user: User) -> None:
    """Remove a second factor set up before the account's address was confirmed: it was set
    up by whoever registered the address, who need not be its owner (issue 13.1)."""
    _clear(user)
    audit.record("auth.2fa_removed", actor=user, obj=user, reason="unconfirmed")


def _clear(user: User) -> None:
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    _delete_recovery_codes(user)


def enrol_with_secret(user: User, secret: str) -> None:
    """Enrol ``user`` with a known secret, without a code (demo data and tests only)."""
    user.totp_secret_encrypted = encrypt_secret(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = None


__all__ = [
    "DIGITS",
    "RECOVERY_CODE_COUNT",
    "STEP_SECONDS",
    "CodeResult",
    "InvalidToken",
    "check_code",
    "confirm_enrolment",
    "decrypt_secret",
    "disable",
    "encrypt_secret",
    "format_secret",
    "provisioning_uri",
    "qr_svg",
    "recovery_codes_left",
    "reset_by_admin",
    "rotate_secrets",
    "secret_of",
    "start_enrolment",
]
