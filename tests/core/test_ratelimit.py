import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.factories import UserFactory
from tests.services import redis_url


def test_login_is_slowed_down_per_account_and_address(app, browser):
    user = UserFactory()
    statuses = []
    for _ in range(6):
        response = browser.post(
            "/account/login",
            {"email": user.email, "password": "wrong wrong wrong"},
            csrf_from_path="/account/login",
        )
        statuses.append(response.status_code)
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert response.headers["Retry-After"] == "30"
    assert "Please wait before the next try" in response.get_data(as_text=True)


def test_login_limit_per_ip_covers_many_accounts(app, browser, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_IP", "3 per minute")
    statuses = [
        browser.post(
            "/account/login",
            {"email": f"n{i}@example.org", "password": "x" * 12},
            csrf_from_path="/account/login",
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_registration_and_reset_are_limited(app, browser):
    statuses = [
        browser.post(
            "/account/reset", {"email": f"r{i}@example.org"}, csrf_from_path="/account/reset"
        ).status_code
        for i in range(11)
    ]
    assert statuses[-1] == 429 and statuses[0] == 200
    statuses = [
        browser.post(
            "/account/register", {"email": "bad"}, csrf_from_path="/account/register"
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_429_page_is_friendly_and_german_by_default(app, browser):
    for _ in range(6):
        response = browser.client.post(
            "/account/login",
            data={
                "email": "x@example.org",
                "password": "y" * 12,
                "csrf_token": browser.csrf("/account/login"),
            },
            headers={"Accept-Language": "de"},
        )
    assert response.status_code == 429
    assert 'lang="de"' in response.get_data(as_text=True)


WORKER = textwrap.dedent("""
    import sys
    from portal import create_app
    from portal.extensions import db
    from tests.conftest import base_config
    from pathlib import Path
    tmp = Path(sys.argv[1])
    app = create_app(base_config(tmp, DATABASE_URL=f"sqlite:///{tmp}/rl.db",
        RATELIMIT_STORAGE_URI=sys.argv[2], RATELIMIT_KEY_PREFIX=sys.argv[3],
        LOGIN_SLOWDOWN_AFTER=3, WTF_CSRF_ENABLED=False))
    with app.app_context():
        db.create_all()
    client = app.test_client()
    codes = [client.post("/account/login", data={"email": "shared@example.org",
             "password": "wrong password!"}).status_code for _ in range(3)]
    print(" ".join(map(str, codes)))
""")


@pytest.mark.own_database
def test_rate_limit_holds_across_processes_with_redis(tmp_path):
    url = redis_url()
    prefix = f"test-{uuid.uuid4().hex}"

    def run() -> list[int]:
        out = subprocess.run(
            [sys.executable, "-c", WORKER, str(tmp_path), url, prefix],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            cwd=Path(__file__).resolve().parents[2],
        )
        return [int(code) for code in out.stdout.split()]

    first, second = run(), run()
    assert first == [200, 200, 200]
    assert second == [429, 429, 429], "the second process must see the first one's counter"
