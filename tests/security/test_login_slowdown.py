"""Failed logins slow down one account from one address, and never lock the owner out (issue
13, item 4): a growing wait with ``Retry-After`` and a page that says when and offers a new
password; other addresses (the owner's) are not affected; the counters live in Redis in
production, which the configuration insists on, and two processes share them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import limits.storage.memory
import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.accounts import throttle
from portal.config import ConfigurationError, build_config
from portal.core.audit import AuditEvent
from tests.conftest import Browser, link_in, outbox
from tests.factories import StaffFactory, UserFactory
from tests.services import TEST_PASSWORD, redis_url

ROOT = Path(__file__).resolve().parents[2]
ATTACKER = "192.0.2.66"
OWNER = "198.51.100.7"
WRONG = "wrong password!"


@pytest.fixture
def clock(monkeypatch):
    """The clock of the in-memory counters and of the slowdown; ``clock.move(s)`` moves it."""

    class Clock:
        now = 1_800_000_000.0

        def move(self, seconds: float) -> None:
            self.now += seconds

    c = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", SimpleNamespace(time=lambda: c.now))
    monkeypatch.setattr(throttle, "now", lambda: c.now)
    return c


def browser_at(app, address: str, language: str = "en") -> Browser:
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": language})
    return Browser(client)


def try_login(browser: Browser, email: str, password: str | None = None):
    return browser.post(
        "/account/login",
        {"email": email, "password": password or WRONG},
        csrf_from_path="/account/login",
    )


def failed_logins(db) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "auth.login_failed")
    )


def test_failures_earn_a_growing_wait_for_that_account_from_that_address(app, db, clock):
    user = UserFactory()
    attacker = browser_at(app, ATTACKER)
    assert [try_login(attacker, user.email).status_code for _ in range(5)] == [200] * 5
    waits = []
    for _ in range(8):
        checked = failed_logins(db)
        blocked = try_login(attacker, user.email.upper())  # however the address is written
        assert blocked.status_code == 429
        assert failed_logins(db) == checked, "a password sent during the wait is not checked"
        waits.append(int(blocked.headers["Retry-After"]))
        clock.move(waits[-1])
        assert try_login(attacker, user.email).status_code == 200  # a wrong password again
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]  # doubling, 15 minutes at most
    html = blocked.get_data(as_text=True)
    assert "Please wait before the next try" in html and "15 minutes" in html
    assert 'href="/account/reset"' in html


def test_other_addresses_are_not_slowed_down_by_an_attack(app, db, clock):
    user = UserFactory()
    attacker = browser_at(app, ATTACKER)
    for _ in range(12):
        try_login(attacker, user.email)
        clock.move(1)
    assert try_login(attacker, user.email, TEST_PASSWORD).status_code == 429
    # The attacker's other targets, and the owner from their own address, go on as usual.
    assert try_login(attacker, "someone.else@example.org").status_code == 200
    owner = browser_at(app, OWNER)
    assert try_login(owner, user.email, TEST_PASSWORD).status_code == 302


def test_owner_with_second_factor_logs_in_from_a_new_address_during_an_attack(app, db, clock):
    staff = StaffFactory()
    attacker = browser_at(app, ATTACKER)
    for _ in range(20):
        try_login(attacker, staff.email)
        clock.move(60)
    owner = browser_at(app, OWNER)
    owner.login(staff)  # password, then the code from the authenticator app
    assert owner.client.get("/backoffice/").status_code == 200


def test_the_right_password_and_a_reset_by_mail_start_afresh(app, db, clock):
    user = UserFactory()
    owner = browser_at(app, OWNER)
    for _ in range(4):
        try_login(owner, user.email)
    assert try_login(owner, user.email, TEST_PASSWORD).status_code == 302
    owner.logout()
    assert [try_login(owner, user.email).status_code for _ in range(6)] == [200] * 5 + [429]
    # Waiting, the owner chooses a new password by e-mail and may log in at once.
    owner.post("/account/reset", {"email": user.email}, csrf_from_path="/account/reset")
    path = link_in(outbox(user.email)[-1])
    new = "ein ganz neues Passwort 13"
    assert owner.post(path, {"password": new}, csrf_from_path=path).status_code == 302
    assert try_login(owner, user.email, new).status_code == 302


def test_unknown_addresses_slow_down_alike(app, clock):
    stranger = browser_at(app, ATTACKER)
    statuses = [try_login(stranger, "nobody@example.org").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_no_slowdown_where_rate_limiting_is_switched_off(app, clock, monkeypatch):
    """RATELIMIT_ENABLED = False (the benchmarks) leaves the limiter without storage: the login
    must neither crash nor slow anyone down then."""
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", False)
    monkeypatch.setattr(type(throttle.limiter), "storage", property(lambda self: None))
    stranger = browser_at(app, ATTACKER)
    statuses = [try_login(stranger, "nobody@example.org").status_code for _ in range(8)]
    assert statuses == [200] * 8


def test_wait_page_in_german_says_when(app, clock):
    user = UserFactory()
    attacker = browser_at(app, ATTACKER, language="de")
    for _ in range(6):
        response = try_login(attacker, user.email)
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    html = response.get_data(as_text=True)
    assert 'lang="de"' in html and "Bitte warten Sie" in html
    # 1_800_000_030 is 15.01.2027, 09:00:30 in Berlin: the next try at 09:00 (short format).
    assert "um 09:00 Uhr" in html and "30 Sekunden" in html


# Production needs Redis ---------------------------------------------------------------------------

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "TOTP_ENCRYPTION_KEY": "oE4Q3cVwS2t3Yb7VvJvZ8cC9yq1x0cY2Y8F3a4bLh2Q=",
}


@pytest.mark.parametrize("uri", [None, "", "memory://", "memcached://cache:11211"])
def test_production_refuses_to_start_without_redis(tmp_path, uri):
    env = dict(PRODUCTION)
    if uri is not None:
        env["RATELIMIT_STORAGE_URI"] = uri
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI must point to Redis"):
        build_config(str(tmp_path), env)


def test_production_refuses_in_memory_counters_given_as_an_override(tmp_path, monkeypatch):
    for name, value in {**PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://r:6379/0"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI"):
        create_app({"RATELIMIT_STORAGE_URI": "memory://"})


def test_deploy_environment_sets_redis_and_is_accepted(tmp_path):
    env = {}
    for line in (ROOT / "deploy" / "portal.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _sep, value = line.partition("=")
            env[name.strip()] = value.strip()
    assert env["PORTAL_ENV"] == "production"
    assert env["RATELIMIT_STORAGE_URI"].startswith("redis://")
    # With the secrets filled in, production starts with it; without the Redis URL it does not.
    env.update(SECRET_KEY="x" * 40, TOTP_ENCRYPTION_KEY=PRODUCTION["TOTP_ENCRYPTION_KEY"])
    assert build_config(str(tmp_path), env)["RATELIMIT_STORAGE_URI"].startswith("redis://")
    del env["RATELIMIT_STORAGE_URI"]
    with pytest.raises(ConfigurationError):
        build_config(str(tmp_path), env)
    unit = (ROOT / "deploy" / "portal.service").read_text()
    assert "EnvironmentFile=/etc/portal/portal.env" in unit and "gunicorn" in unit


# Two processes share the slowdown through Redis ------------------------------------------------

INSTANCE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from portal import create_app
    from portal.extensions import db
    from tests.conftest import base_config
    tmp, url, prefix, address, attempts = Path(sys.argv[1]), *sys.argv[2:5], int(sys.argv[5])
    app = create_app(base_config(tmp, DATABASE_URL=f"sqlite:///{tmp}/{address}.db",
        RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix, WTF_CSRF_ENABLED=False))
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for _ in range(attempts):
        response = client.post("/account/login", data={"email": "shared@example.org",
            "password": "wrong password!"}, environ_base={"REMOTE_ADDR": address})
        print(response.status_code, response.headers.get("Retry-After", "-"))
""")


def redis_db_11() -> str:
    parts = urlsplit(redis_url())
    return urlunsplit(parts._replace(path="/11"))


@pytest.mark.own_database
def test_two_app_instances_share_the_slowdown_through_redis(tmp_path):
    url, prefix = redis_db_11(), f"test-{uuid.uuid4().hex}"

    def run(address: str, attempts: int) -> list[tuple[int, str]]:
        out = subprocess.run(
            [sys.executable, "-c", INSTANCE, str(tmp_path), url, prefix, address, str(attempts)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            cwd=ROOT,
        )
        return [
            (int(code), retry) for code, retry in (line.split() for line in out.stdout.splitlines())
        ]

    assert run(ATTACKER, 5) == [(200, "-")] * 5
    second = run(ATTACKER, 2)
    assert [code for code, _ in second] == [429, 429], "the second process sees the failures"
    assert all(0 < int(retry) <= 30 for _, retry in second)
    assert run(OWNER, 1) == [(200, "-")], "another address is not slowed down"
