"""Browser tests: the real portal served from a thread, driven by Playwright in the system
Chromium (never a downloaded browser), with an axe-core check on every page visited."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.accounts.models import Organisation, Role, User, utcnow
from portal.accounts.passwords import hash_password
from portal.core import clock
from portal.extensions import db as _db
from portal.listings.models import District, Flat
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.own_database import app_on_own_database
from tests.services import chromium_path, database_url_under_test, fresh_postgres_database

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Only the violations come back in detail (axe's default, lost when options are given): the
# passing and inapplicable rules' nodes made each check several times slower.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
CODE_PATH = "/account/login/code"


@pytest.fixture(autouse=True)
def db():
    """The browser talks to a real server that commits; no per-test rollback here."""
    yield _db


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    under_test = database_url_under_test()
    database = (
        fresh_postgres_database("portal_e2e")
        if under_test and under_test.startswith("postgresql")
        else contextlib.nullcontext(f"sqlite:///{tmp / 'e2e.db'}")
    )
    with database as url, app_on_own_database(tmp, url, TESTING=False) as app:
        yield app


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


# The journeys' test worlds ----------------------------------------------------------------------


def person(
    email: str,
    full_name: str,
    role: Role,
    password: str,
    *,
    organisation: Organisation | None = None,
    locale: str = "en",
) -> User:
    """A user who can log in at once: password set, address confirmed; a landlord given an
    ``organisation`` is its admin. Added to the session, not committed."""
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        locale=locale,
        password_hash=hash_password(password),
        email_verified_at=utcnow(),
    )
    if organisation is not None:
        user.organisation = organisation
        user.is_org_admin = True
    if user.is_staff:  # staff of the default site (DESIGN.md §9), as `create_staff` makes them
        user.sites = [_db.session.get(Site, DEFAULT_SITE_ID)]
    _db.session.add(user)
    return user


def published_flat(organisation: Organisation, street: str, house_number: str, **fields) -> Flat:
    """A published flat in Neudorf-Nord (3 rooms, 75 m², 540 € gross cold) that fits a
    three-person household; ``fields`` override any column. Added to the session."""
    values = {
        "status": "published",
        "postcode": "47057",
        "district": _db.session.scalar(select(District).where(District.name == "Neudorf-Nord")),
        "floor": 1,
        "rooms": Decimal("3"),
        "living_area": Decimal("75"),
        "cold_rent": Decimal("420"),
        "service_charges": Decimal("120"),
        "heating_costs": Decimal("80"),
        "warm_water": "central",
        "deposit": Decimal("840"),
        "energy_certificate_pending": True,
        "available_from": clock.today(),
        "submitted_at": utcnow(),
        "published_at": utcnow(),
    }
    flat = Flat(
        organisation=organisation,
        street=street,
        house_number=house_number,
        **(values | fields),
    )
    _db.session.add(flat)
    return flat


class A11yPage:
    """A Playwright page that checks every page it lands on with axe-core (WCAG 2.1 A/AA)."""

    def __init__(self, page, base_url: str, app=None) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.base_url = base_url
        self.app = app  # the live app: to read a user's TOTP secret and last used time step
        self.axe = Axe()
        self.checked: list[str] = []

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check()

    def log_in(self, email: str, password: str, totp_secret: str | None = None) -> None:
        """Log in through the login page, whatever the page's language, with the second factor
        where the account has one: at a staff member's first login the authenticator is set
        up from the key shown on the page (as a person types it into an app) and the recovery
        codes page is passed; later the code is made from ``totp_secret`` or, when not given,
        from the secret stored for ``email``."""
        self.goto("/account/login")
        form = self.page.locator("main form[action^='/account/login']")
        form.locator("input[name=email]").fill(email)
        form.locator("input[name=password]").fill(password)
        form.locator("button[type=submit]").click()
        self.check()
        if self.page.url.split("?")[0].endswith(CODE_PATH):
            self._second_factor(email, totp_secret)

    def _second_factor(self, email: str, totp_secret: str | None) -> None:
        page = self.page
        shown_key = page.locator("#totp-secret")
        secret = shown_key.inner_text().replace(" ", "") if shown_key.count() else totp_secret
        form = page.locator(f"main form[action='{CODE_PATH}']")
        form.locator("input[name=code]").fill(self._code(email, secret))
        form.locator("button[type=submit]").click()
        self.check()
        if page.locator("main .recovery-codes").count():
            page.locator("main .actions a.button").click()
            self.check()

    def _code(self, email: str, secret: str | None) -> str:
        """A code the server accepts now: this time step's, or the next one's (within the
        allowed drift) when an earlier login used this step. When both are used, the record of
        the last step is cleared: a stand-in for waiting up to 30 seconds."""
        import pyotp
        from sqlalchemy import select

        from portal.accounts import twofactor
        from portal.accounts.models import User

        assert self.app is not None or secret, "log_in needs totp_secret without the live app"
        now = int(time.time() // twofactor.STEP_SECONDS)
        last = None
        if self.app is not None:
            with self.app.app_context():
                user = _db.session.scalar(select(User).where(User.email == email.lower()))
                secret = secret or twofactor.secret_of(user)
                last = user.totp_last_step
                if last is not None and last >= now + 1:
                    user.totp_last_step = None
                    _db.session.commit()
                    last = None
        step = now if last is None or now > last else now + 1
        return pyotp.TOTP(secret).generate_otp(step)

    def log_out(self) -> None:
        self.page.locator("header form[action='/account/logout'] button").click()
        self.check()

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        results = self.axe.run(self.page, options=AXE_OPTIONS)
        assert results.violations_count == 0, (
            f"axe on {self.page.url}:\n{results.generate_report()}"
        )
        self.checked.append(self.page.url)


@pytest.fixture
def web(chromium, live_server, live_app, request):
    """A fresh browser context (phone-sized when the test asks for ``phone``)."""
    phone = request.node.get_closest_marker("phone") is not None
    context = chromium.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
        locale="en-GB" if request.node.get_closest_marker("english") else "de-DE",
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield A11yPage(page, live_server, live_app)
    context.close()
