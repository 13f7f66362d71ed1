"""The second factor: TOTP (RFC 6238) with an authenticator app, and single-use recovery codes.

Operations here flush and audit; they never commit and never read the request. The audit trail
names what happened (enrolled, code accepted or refused, recovery code used, reset, ...) and never
holds a secret or a code.

Secrets at rest: the TOTP secret is stored as a Fernet token made with ``TOTP_ENCRYPTION_KEY``
(a MultiFernet: the first key encrypts, every listed key decrypts, so keys can be rotated with
``flask accounts rotate-totp-key``). A copy of the database alone does not give the secrets.

Recovery codes: 80 random bits each, stored as SHA-256 over a per-code random salt and the code.
Argon2 exists for low-entropy human passwords; against a code with 80 random bits offline guessing
is hopeless even with a fast hash, and argon2 would cost ten slow, memory-hungry checks per try
(one per stored code), which only helps someone flooding the login.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app, url_for
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from portal.accounts.models import RecoveryCode, User, utcnow
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db

STEP_SECONDS = 30
DIGITS = 6
# Accepted clock drift between the server and the phone, in time steps (±30 seconds).
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Crockford's base32 alphabet: no I, L, O, U, so codes read aloud or typed from paper survive.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RECOVERY_GROUPS = 4  # 4 groups of 4 characters: 16 x 5 bits = 80 bits
_TYPO_MAP = str.maketrans({"i": "1", "l": "1", "o": "0"})


class TwoFactorError(Refused):
    """A code was refused; ``code`` (also ``reason``) is one of ``wrong``, ``reused``,
    ``not_enrolled``, ``own_reset``, ``not_allowed``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def current_time() -> float:
    """The server's clock (a function, so that tests can move it)."""
    return time.time()


# Encryption of the secret ------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _fernet_for(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])


def _fernet() -> MultiFernet:
    return _fernet_for(current_app.config["TOTP_ENCRYPTION_KEY"])


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The plain secret. Raises ``InvalidToken`` when no configured key fits (a lost key)."""
    return _fernet().decrypt(token.encode()).decode()


def secret_of(user: User) -> str | None:
    """``user``'s TOTP secret in clear (enrolled or being enrolled), or None."""
    if not user.totp_secret_encrypted:
        return None
    return decrypt_secret(user.totp_secret_encrypted)


def rotate_secrets() -> int:
    """Re-encrypt every stored secret with the first configured key; returns how many."""
    fernet = _fernet()
    users = db.session.scalars(select(User).where(User.totp_secret_encrypted.is_not(None))).all()
    for user in users:
        assert user.totp_secret_encrypted is not None  # noqa: S101 - narrows the type: the query chose such rows
        user.totp_secret_encrypted = fernet.rotate(user.totp_secret_encrypted.encode()).decode()
    return len(users)


# TOTP ---------------------------------------------------------------------------------------------


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def current_step() -> int:
    return int(current_time() // STEP_SECONDS)


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code of ``uri`` as inline SVG, made here: no image service ever sees the secret.

    No styles and no namespaces with URLs, so the strict Content-Security-Policy holds.
    """
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=str(title), svgclass="qr-code", lineclass=None
    )
    # role=img with the <title> inside gives screen readers a name for the picture. segno
    # writes only numbers into the drawing and escapes the title, so the markup is safe.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


def format_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step within the allowed drift whose code is ``code``, newest first."""
    now = current_step()
    totp = _totp(secret)
    for step in range(now + DRIFT_STEPS, now - DRIFT_STEPS - 1, -1):
        if hmac.compare_digest(totp.generate_otp(step), code):
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
    """Accept a TOTP code once, or raise ``TwoFactorError`` (``wrong`` or ``reused``)."""
    secret = secret_of(user)
    if secret is None or not _looks_like_totp(code):
        raise TwoFactorError("wrong")
    step = _matching_step(secret, code)
    if step is None:
        raise TwoFactorError("wrong")
    if not _claim_step(user, step):
        raise TwoFactorError("reused")


# Recovery codes -----------------------------------------------------------------------------------


def _new_recovery_code() -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(4 * _RECOVERY_GROUPS))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def _hash_recovery_code(code: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.sha256(salt + code.encode()).hexdigest()
    return f"sha256${salt.hex()}${digest}"


def _recovery_code_matches(stored: str, code: str) -> bool:
    try:
        kind, salt_hex, _digest = stored.split("$", 2)
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return kind == "sha256" and hmac.compare_digest(_hash_recovery_code(code, salt), stored)


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id)
    )


def _delete_recovery_codes(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.expire(user, ["recovery_codes"])


def _replace_recovery_codes(user: User) -> list[str]:
    _delete_recovery_codes(user)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(_clean(code))) for code in codes
    )
    db.session.flush()
    db.session.expire(user, ["recovery_codes"])
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    """Spend a matching recovery code (its row is deleted); False when none matches."""
    code = code.translate(_TYPO_MAP)
    rows = db.session.execute(
        select(RecoveryCode.id, RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    ).all()
    for row_id, stored in rows:
        if _recovery_code_matches(stored, code):
            # Deleting decides who spent it when two requests race with the same code.
            result = db.session.execute(
                delete(RecoveryCode)
                .where(RecoveryCode.id == row_id)
                .execution_options(synchronize_session=False)
            )
            db.session.expire(user, ["recovery_codes"])
            return result.rowcount == 1
    return False


# Operations ---------------------------------------------------------------------------------------


def start_enrolment(user: User) -> str:
    """The secret for enrolling ``user``'s authenticator: the pending one, or a new one stored
    encrypted (not active until ``confirm_enrolment``). Reloading the page keeps the secret, so
    an app that scanned it already keeps working."""
    if user.has_two_factor:
        raise TwoFactorError("not_allowed")
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
    and raises ``TwoFactorError``."""
    if user.has_two_factor or not user.totp_secret_encrypted:
        raise TwoFactorError("not_enrolled")
    try:
        _check_totp(user, _clean(code))
    except TwoFactorError as exc:
        audit.record("auth.2fa_enrol_failed", actor=user, obj=user, reason=exc.reason)
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
    (login, disable, recovery_codes). Raises ``TwoFactorError`` when refused."""
    if not user.has_two_factor:
        raise TwoFactorError("not_enrolled")
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
            raise TwoFactorError("wrong")
    except TwoFactorError as exc:
        audit.record("auth.2fa_failed", actor=user, obj=user, purpose=purpose, reason=exc.reason)
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
        raise TwoFactorError("not_allowed")
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
        raise TwoFactorError("not_allowed")
    if admin.id == user.id:
        audit.record("auth.2fa_reset_refused", actor=admin, obj=user, reason="own")
        raise TwoFactorError("own_reset")
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
        raise TwoFactorError("not_allowed")
    if identity_check not in IDENTITY_CHECKS:
        raise TwoFactorError("not_allowed")
    if not (user.has_two_factor or user.totp_secret_encrypted):
        raise TwoFactorError("not_enrolled")
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
    "CodeResult",
    "InvalidToken",
    "TwoFactorError",
    "check_code",
    "confirm_enrolment",
    "disable",
    "reset_by_admin",
    "start_enrolment",
]
