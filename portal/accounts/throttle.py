"""The slowdown of failed logins, per account and source address together (issue 13, item 4).

Failed passwords are counted per (e-mail address, client address) in the rate-limit storage
(Redis in production, so every gunicorn worker sees the same counters; memory locally). The
first ``LOGIN_SLOWDOWN_AFTER`` failures cost nothing; each further one makes that pair wait
``LOGIN_SLOWDOWN_FIRST_SECONDS``, doubling with every failure up to ``LOGIN_SLOWDOWN_MAX_SECONDS``
(defaults: 5 free, then 30 s, 1, 2, 4, 8 min, then 15 min at most). A login attempt during the
wait is answered with 429 and a ``Retry-After`` header before the password is checked. The count
is forgotten ``LOGIN_SLOWDOWN_FORGET_SECONDS`` after the first failure (default one day), after
a correct password from that address, and after a reset of the password by e-mail from it.

Nothing is counted per account alone: failures from other addresses never slow the owner down,
so nobody can lock an account by guessing its password. The per-IP limit on the login
(``RATELIMIT_LOGIN_IP``) bounds what one address can try over all accounts.

The e-mail address is stored only as a digest.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_limiter.util import get_remote_address

from portal.accounts.models import normalise_email
from portal.extensions import limiter


def now() -> float:
    """The clock the waits are measured with (the storage's own: Redis, or the process's)."""
    return time.time()


@dataclass(frozen=True)
class Wait:
    """A pair that must wait: ``seconds`` from now, until ``until`` (UTC)."""

    seconds: int
    until: datetime


def _keys(email: str) -> tuple[str, str]:
    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]
    base = f"{current_app.config['RATELIMIT_KEY_PREFIX']}/login-slowdown/{digest}/"
    base += get_remote_address() or "-"
    return base + "/failures", base + "/wait"


def delay_after(failures: int) -> int:
    """Seconds a pair waits after its ``failures``-th failed password (0: no wait)."""
    cfg = current_app.config
    extra = failures - cfg["LOGIN_SLOWDOWN_AFTER"]
    if extra < 0:
        return 0
    first, cap = cfg["LOGIN_SLOWDOWN_FIRST_SECONDS"], cfg["LOGIN_SLOWDOWN_MAX_SECONDS"]
    # 2**extra grows without bound; stop doubling once past the cap.
    return min(first * 2 ** min(extra, 32), cap)


def _storage():
    """The limiter's storage, or None where rate limiting is switched off
    (``RATELIMIT_ENABLED = False``, as in the benchmarks): then nobody is slowed down."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    return limiter.storage


def current_wait(email: str) -> Wait | None:
    """The wait before this address may try a password for ``email`` again, or None."""
    storage = _storage()
    if storage is None:
        return None
    _failures, wait_key = _keys(email)
    if storage.get(wait_key) <= 0:
        return None
    until = storage.get_expiry(wait_key)
    seconds = math.ceil(until - now())
    if seconds <= 0:
        return None
    return Wait(seconds=seconds, until=datetime.fromtimestamp(until, UTC))


def record_failure(email: str) -> None:
    """Count a wrong password for ``email`` from this address; start the wait it earns."""
    storage = _storage()
    if storage is None:
        return
    failures_key, wait_key = _keys(email)
    failures = storage.incr(failures_key, current_app.config["LOGIN_SLOWDOWN_FORGET_SECONDS"])
    delay = delay_after(failures)
    if delay:
        # A counter that exists exactly as long as the wait (the storage expires it).
        storage.clear(wait_key)
        storage.incr(wait_key, delay)


def forget(email: str) -> None:
    """The right password (or a reset by e-mail) came from this address: start afresh."""
    storage = _storage()
    if storage is None:
        return
    for key in _keys(email):
        storage.clear(key)
