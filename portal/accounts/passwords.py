"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return _cached_hasher(
        cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"]
    )


@lru_cache(maxsize=4)
def _cached_hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    # argon2-cffi's PasswordHasher uses the argon2id variant.
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check ``password``; with no stored hash, still spend the same time (no user oracle)."""
    hasher = _hasher()
    try:
        if stored_hash is None:
            hasher.verify(_dummy_hash(hasher), password + "\0")
            return False
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=4)
def _dummy_hash_for(params: tuple[int, int, int]) -> str:
    return PasswordHasher(*params).hash("dummy password for timing")


def _dummy_hash(hasher: PasswordHasher) -> str:
    return _dummy_hash_for((hasher.time_cost, hasher.memory_cost, hasher.parallelism))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    data = resources.files("portal.accounts").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def password_problems(password: str, email: str | None = None) -> list[str]:
    """The reasons ``password`` is refused, as translated messages; empty when it is fine."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("The password must have at least %(n)d characters.", n=MIN_LENGTH)))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("The password may have at most %(n)d characters.", n=MAX_LENGTH)))
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        problems.append(
            str(
                _l(
                    "This password is on a list of commonly used passwords. "
                    "Please choose another one."
                )
            )
        )
    if email:
        local = email.split("@", 1)[0].strip().lower()
        if len(local) >= 3 and local in lowered:
            problems.append(str(_l("The password must not contain your e-mail address.")))
    return problems
