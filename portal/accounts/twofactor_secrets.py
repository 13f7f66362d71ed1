"""The second factor's stored secrets: the TOTP secret (encrypted at rest) and its QR code, and
the single-use recovery codes (hashed). ``twofactor`` holds the operations that use them.

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
from functools import lru_cache

import pyotp
import segno
from cryptography.fernet import Fernet, MultiFernet
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select

from portal.accounts.models import RecoveryCode, User
from portal.extensions import db

STEP_SECONDS = 30
DIGITS = 6
RECOVERY_CODE_COUNT = 10
# Crockford's base32 alphabet: no I, L, O, U, so codes read aloud or typed from paper survive.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RECOVERY_GROUPS = 4  # 4 groups of 4 characters: 16 x 5 bits = 80 bits
_TYPO_MAP = str.maketrans({"i": "1", "l": "1", "o": "0"})


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


# The secret in an app -----------------------------------------------------------------------------


def totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return totp(secret).provisioning_uri(
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


def clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


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


def delete_recovery_codes(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.expire(user, ["recovery_codes"])


def replace_recovery_codes(user: User) -> list[str]:
    delete_recovery_codes(user)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(clean(code))) for code in codes
    )
    db.session.flush()
    db.session.expire(user, ["recovery_codes"])
    return codes


def use_recovery_code(user: User, code: str) -> bool:
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
