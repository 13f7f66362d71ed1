"""Settings from environment variables, with safe embedded defaults.

Every variable is listed in the README. Three environments exist: ``development`` (the default,
what ``make run`` uses), ``testing`` and ``production``. Production refuses to start without a
``SECRET_KEY``, without a ``TOTP_ENCRYPTION_KEY``, without Redis for the rate-limit counters
(``RATELIMIT_STORAGE_URI``) and with ``DEBUG`` on.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from portal.core.funding import (
    DEFAULT_FUNDING_PERIODS,
    FundingPeriod,
    FundingPeriodError,
    parse_funding_periods,
)


class ConfigurationError(RuntimeError):
    """The environment describes a configuration the portal refuses to run with."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from exc


def _funding_periods(env: dict[str, str]) -> tuple[FundingPeriod, ...]:
    """``ESF_FUNDING_PERIODS`` (portal/core/funding.py): unset means the ESF+ 2021-2027
    default; a value that cannot be read stops the start."""
    raw = env.get("ESF_FUNDING_PERIODS")
    try:
        return parse_funding_periods(DEFAULT_FUNDING_PERIODS if raw is None else raw)
    except FundingPeriodError as exc:
        raise ConfigurationError(str(exc)) from exc


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(env: dict[str, str], instance: Path, environment: str) -> str:
    key = env.get("SECRET_KEY", "").strip()
    if key:
        return key
    if environment == "production":
        raise ConfigurationError("SECRET_KEY must be set in production")
    # Development: one key generated into instance/ and kept, so sessions survive restarts.
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _totp_encryption_key(
    env: dict[str, str], instance: Path, environment: str, secret_key: str
) -> str:
    """The Fernet key(s) that encrypt TOTP secrets, comma-separated (newest first: it encrypts,
    all of them decrypt, so a key can be rotated without losing enrolments)."""
    from cryptography.fernet import Fernet

    raw = env.get("TOTP_ENCRYPTION_KEY", "").strip()
    if raw:
        keys = [key.strip() for key in raw.split(",") if key.strip()]
        for key in keys:
            try:
                Fernet(key)
            except ValueError as exc:
                # The value itself is never repeated in the message.
                raise ConfigurationError(
                    "TOTP_ENCRYPTION_KEY must be one or more Fernet keys, comma-separated "
                    "(make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())')"
                ) from exc
        return ",".join(keys)
    if environment == "production":
        raise ConfigurationError("TOTP_ENCRYPTION_KEY must be set in production")
    if environment == "testing":
        # Tests write nothing into instance/: a key derived from the (test) SECRET_KEY.
        digest = hashlib.sha256(b"portal.totp-encryption:" + secret_key.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode()
    # Development: one key generated into instance/ and kept, like the SECRET_KEY.
    path = instance / "totp_encryption_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    path.write_text(key)
    path.chmod(0o600)
    return key


def _ratelimit_storage(env: dict[str, str], production: bool) -> str:
    """Where the rate-limit and login-slowdown counters live. Several gunicorn workers must
    share them, so production refuses to start with counters in each process's memory."""
    uri = env.get("RATELIMIT_STORAGE_URI", "").strip()
    scheme = uri.partition("://")[0].lower()
    if production and scheme.split("+")[0] not in {"redis", "rediss", "valkey", "valkeys"}:
        raise ConfigurationError(
            "RATELIMIT_STORAGE_URI must point to Redis in production (redis://host:6379/0): "
            "the counters of failed logins must be shared by all workers"
        )
    return uri or "memory://"


def _storage(env: dict[str, str]) -> dict[str, Any]:
    """Where uploads live (portal/core/storage.py): ``local`` (UPLOAD_DIR, the default) or
    ``s3`` (a private bucket of an S3-compatible store, for several application servers).
    Unset S3 credentials leave boto3 its own chain (AWS_* variables, instance roles)."""
    backend = (env.get("STORAGE_BACKEND") or "local").strip().lower()
    settings: dict[str, Any] = {
        "STORAGE_BACKEND": backend,
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL", "").strip() or None,
        "S3_BUCKET": env.get("S3_BUCKET", "").strip(),
        "S3_REGION": env.get("S3_REGION", "").strip() or None,
        "S3_ACCESS_KEY_ID": env.get("S3_ACCESS_KEY_ID", "").strip() or None,
        "S3_SECRET_ACCESS_KEY": env.get("S3_SECRET_ACCESS_KEY", "").strip() or None,
        "S3_PREFIX": env.get("S3_PREFIX", "").strip(),
        "S3_ADDRESSING_STYLE": env.get("S3_ADDRESSING_STYLE", "").strip().lower() or None,
    }
    if backend not in {"local", "s3"}:
        raise ConfigurationError(f"STORAGE_BACKEND must be local or s3, not {backend!r}")
    if backend == "s3":
        from portal.core.storage_s3 import S3Settings

        try:
            S3Settings.from_config(settings)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from exc
    return settings


def build_config(instance_path: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the settings for the environment ``env`` (default: ``os.environ``)."""
    env = dict(os.environ if env is None else env)
    instance = Path(instance_path)
    environment = env.get("PORTAL_ENV", "development").strip().lower()
    if environment not in {"development", "testing", "production"}:
        raise ConfigurationError(
            f"PORTAL_ENV must be development, testing or production, not {environment!r}"
        )
    production = environment == "production"
    debug = _bool(env.get("DEBUG")) or _bool(env.get("FLASK_DEBUG"))
    if production and debug:
        raise ConfigurationError("DEBUG must be off in production")

    default_db = f"sqlite:///{instance / 'portal.db'}"
    mail_backend = env.get("MAIL_BACKEND", "smtp" if production else "log").strip().lower()
    if mail_backend not in {"smtp", "log"}:
        raise ConfigurationError("MAIL_BACKEND must be smtp or log")

    secret_key = _secret_key(env, instance, environment)

    return {
        "PORTAL_ENV": environment,
        "DEBUG": debug,
        "TESTING": environment == "testing",
        "SECRET_KEY": secret_key,
        # Second factor (TOTP): the secrets are stored encrypted with this key.
        "TOTP_ENCRYPTION_KEY": _totp_encryption_key(env, instance, environment, secret_key),
        "TOTP_ISSUER": env.get("TOTP_ISSUER", "Endlich ein ZUHAUSE Duisburg"),
        # Seconds between the password and the code before the login must start again.
        "TWOFACTOR_PENDING_SECONDS": _int(env, "TWOFACTOR_PENDING_SECONDS", 600),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env.get("DATABASE_URL") or default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Rate limits: counters in memory locally; Redis, shared by all workers, in production.
        "RATELIMIT_STORAGE_URI": _ratelimit_storage(env, production),
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "portal"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_LOGIN_IP": env.get("RATELIMIT_LOGIN_IP", "30 per minute;200 per hour"),
        # Failed logins slow down one account from one address, never the account as a whole
        # (accounts/throttle.py): after LOGIN_SLOWDOWN_AFTER failures a wait of FIRST seconds,
        # doubling with each further failure up to MAX; the count is forgotten FORGET seconds
        # after the first failure, and after the right password from that address.
        "LOGIN_SLOWDOWN_AFTER": _int(env, "LOGIN_SLOWDOWN_AFTER", 5),
        "LOGIN_SLOWDOWN_FIRST_SECONDS": _int(env, "LOGIN_SLOWDOWN_FIRST_SECONDS", 30),
        "LOGIN_SLOWDOWN_MAX_SECONDS": _int(env, "LOGIN_SLOWDOWN_MAX_SECONDS", 15 * 60),
        "LOGIN_SLOWDOWN_FORGET_SECONDS": _int(env, "LOGIN_SLOWDOWN_FORGET_SECONDS", 24 * 3600),
        # Code checks (login code, enrolment, new recovery codes, switching off): per user and
        # per IP address, counted together over all the pages that take a code.
        "RATELIMIT_TWOFACTOR_ACCOUNT": env.get(
            "RATELIMIT_TWOFACTOR_ACCOUNT", "5 per minute;20 per hour"
        ),
        "RATELIMIT_TWOFACTOR_IP": env.get("RATELIMIT_TWOFACTOR_IP", "30 per minute;200 per hour"),
        "RATELIMIT_REGISTER": env.get("RATELIMIT_REGISTER", "5 per hour"),
        "RATELIMIT_RESET_IP": env.get("RATELIMIT_RESET_IP", "10 per hour"),
        "RATELIMIT_RESET_ACCOUNT": env.get("RATELIMIT_RESET_ACCOUNT", "3 per hour"),
        "RATELIMIT_MEDIATION": env.get("RATELIMIT_MEDIATION", "5 per hour"),
        # Household export archives (ZIP) per staff account.
        "RATELIMIT_HOUSEHOLD_EXPORT": env.get("RATELIMIT_HOUSEHOLD_EXPORT", "5 per hour"),
        # Mediation form: seconds a person needs at least between opening and sending; months
        # after which the sender's contact data of a resolved case is removed.
        "MEDIATION_MIN_SECONDS": _int(env, "MEDIATION_MIN_SECONDS", 3),
        "MEDIATION_RETENTION_MONTHS": _int(env, "MEDIATION_RETENTION_MONTHS", 24),
        # Privacy (docs/privacy.md): retention periods of ``flask privacy purge``, and the
        # append-only erasure log outside the database that survives a restored backup.
        "HOUSEHOLD_IDENTITY_RETENTION_MONTHS": _int(env, "HOUSEHOLD_IDENTITY_RETENTION_MONTHS", 24),
        # ESF participant records and the consent scans that prove them: kept until the
        # retention end of the funding period the intake falls in (CPR Art. 82).
        "ESF_FUNDING_PERIODS": _funding_periods(env),
        # The funding body's exact export (reports/annex_files.py): the project's id in the
        # funding body's records, and the key of the pseudonymous participant ids (keep it as
        # long as exports are held: another key gives other ids; unset: the SECRET_KEY).
        "ESF_PROJECT_ID": env.get("ESF_PROJECT_ID", ""),
        "ESF_PSEUDONYM_KEY": env.get("ESF_PSEUDONYM_KEY", ""),
        "UNVERIFIED_ACCOUNT_DAYS": _int(env, "UNVERIFIED_ACCOUNT_DAYS", 30),
        "OUTBOX_BODY_RETENTION_DAYS": _int(env, "OUTBOX_BODY_RETENTION_DAYS", 90),
        # Days an audit event keeps the IP address it was recorded from (then NULL; row stays).
        "AUDIT_IP_RETENTION_DAYS": _int(env, "AUDIT_IP_RETENTION_DAYS", 90),
        "ERASURE_LOG": env.get("ERASURE_LOG") or str(instance / "erasures.jsonl"),
        # Mail: every message goes through the outbox; the backend delivers it.
        "MAIL_BACKEND": mail_backend,
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int(env, "MAIL_PORT", 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 20),
        "MAIL_FROM": env.get("MAIL_FROM", "Endlich ein ZUHAUSE <noreply@zuhause.example>"),
        "MAIL_MAX_ATTEMPTS": _int(env, "MAIL_MAX_ATTEMPTS", 8),
        # Mail workers claim this many messages at a time; a claim not renewed for the lease
        # (a worker that died) is taken over by another worker. Keep the lease well above
        # MAIL_TIMEOUT: one message is sent within a claim.
        "MAIL_CLAIM_BATCH": _int(env, "MAIL_CLAIM_BATCH", 10),
        "MAIL_CLAIM_LEASE_SECONDS": _int(env, "MAIL_CLAIM_LEASE_SECONDS", 600),
        # Deliver queued mail right after each request: only sensible with the log backend.
        "MAIL_DELIVER_AFTER_REQUEST": _bool(
            env.get("MAIL_DELIVER_AFTER_REQUEST"), default=mail_backend == "log"
        ),
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(instance / "uploads"),
        # STORAGE_BACKEND and the S3_* settings of the bucket that replaces UPLOAD_DIR.
        **_storage(env),
        # Where ``flask backup create`` writes when no --to is given.
        "BACKUP_DIR": env.get("BACKUP_DIR") or str(instance / "backups"),
        # Operator's own texts (site/impressum.html, site/privacy.html) override the defaults.
        "SITE_TEMPLATES_DIR": env.get("SITE_TEMPLATES_DIR") or str(instance / "templates"),
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH_MB", 32) * 1024 * 1024,
        # Parts of one multipart form (Flask's default, stated so it is not lost): the largest
        # real form has a few dozen fields and 20 photos; thousands of parts are an attack.
        "MAX_FORM_PARTS": _int(env, "MAX_FORM_PARTS", 1000),
        "PORTAL_BASE_URL": env.get("PORTAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "PROXY_FIX_HOPS": _int(env, "PROXY_FIX_HOPS", 0),
        "PROGRAMME_CONTACT_EMAIL": env.get(
            "PROGRAMME_CONTACT_EMAIL", "zuhause@diakoniewerk-duisburg.example"
        ),
        "PROGRAMME_CONTACT_PHONE": env.get("PROGRAMME_CONTACT_PHONE", "0203 000000-0"),
        "PROGRAMME_FUNDING_LINE": env.get(
            "PROGRAMME_FUNDING_LINE",
            "Gefördert aus Mitteln des Europäischen Sozialfonds und des Ministeriums für "
            "Arbeit, Gesundheit und Soziales des Landes Nordrhein-Westfalen",
        ),
        # Sessions and cookies.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), default=production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), default=production),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int(env, "SESSION_LIFETIME_HOURS", 12)),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Token lifetimes in seconds.
        "EMAIL_VERIFY_MAX_AGE": _int(env, "EMAIL_VERIFY_MAX_AGE", 7 * 24 * 3600),
        "INVITATION_MAX_AGE": _int(env, "INVITATION_MAX_AGE", 7 * 24 * 3600),
        "PASSWORD_RESET_MAX_AGE": _int(env, "PASSWORD_RESET_MAX_AGE", 3600),
        # Argon2id cost; the defaults follow RFC 9106's second recommendation.
        "ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST": _int(env, "ARGON2_MEMORY_COST", 65536),
        "ARGON2_PARALLELISM": _int(env, "ARGON2_PARALLELISM", 4),
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "LANGUAGES": ["de", "en"],
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
    }


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Put the settings on ``app``, then the explicit ``overrides`` (used by tests)."""
    app.config.update(build_config(app.instance_path))
    if overrides:
        if "DATABASE_URL" in overrides:
            overrides = dict(overrides)
            overrides["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
                overrides.pop("DATABASE_URL")
            )
        app.config.update(overrides)
    if app.config["PORTAL_ENV"] == "production" and app.config["DEBUG"]:
        raise ConfigurationError("DEBUG must be off in production")
    if app.config["PORTAL_ENV"] == "production":
        _ratelimit_storage({"RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"]}, True)
