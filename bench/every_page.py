"""A number for every page: each landlord, staff and public page of the demo portal (the data
of ``make run``), with its SQL statements and its requests per second under gunicorn, next to a
bare Flask app served the same way in the same run.

    .venv/bin/python -m bench.every_page           # or: BENCH_ONLY=every_page make bench

The pages are found, not listed: starting from each demo login's home, the benchmark follows the
links of every page (GET, same site) and keeps one address per view (the first it meets), so a
page added to the portal is measured without touching this file. Downloads (PDF, CSV, images),
logging out and the language switch are not pages and are left out.

Targets (issue 18): every page at least 20 % of hello at the demo size, landlord and public pages
at least 30 %.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    BENCH_TOTP_SECRET,
    Row,
    Size,
    bench_app,
    count_queries,
    gunicorn,
    hello_rps,
    login_client,
    login_cookie,
    print_table,
    requests_per_second,
    server_env,
    share_row,
    size_from_env,
    temp_sqlite_url,
)

PASSWORD = "benchmark password 2026"
# The demo logins (portal/demo/accounts.py) whose pages are measured, and where each starts.
VISITORS = {
    "public": (None, "/"),
    "landlord": ("vermieterin", "/flats/"),
    "company": ("wohnungsbau", "/flats/"),
    "specialist": ("immobilien", "/backoffice/"),
    "social worker": ("sozialarbeit", "/backoffice/"),
    "admin": ("admin", "/backoffice/"),
}
# Not pages: leaving, switching the language, files. A view whose name has one of these words
# (split at "_" and ".") is left out.
SKIP_WORDS = frozenset(
    ("logout", "language", "static", "file", "pdf", "download", "export", "csv", "json")
    + ("chart", "document", "healthz")
)
HREF = re.compile(r'href="([^"#][^"]*)"')
TARGETS = {"public": 0.30, "landlord": 0.30, "company": 0.30}
STAFF_TARGET = 0.20


@dataclass
class Page:
    visitor: str
    endpoint: str
    path: str
    statements: int = 0


def load_demo(url: str):
    """The demo data in a fresh database, with one known password for every demo login and the
    bench's authenticator secret for the staff."""
    from sqlalchemy import select

    from portal import demo
    from portal.accounts import twofactor
    from portal.accounts.models import User
    from portal.accounts.passwords import hash_password
    from portal.demo.accounts import DEMO_DOMAIN
    from portal.extensions import db
    from portal.listings.reference import ensure_reference_data

    app = bench_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_reference_data()
        with app.test_request_context("/", base_url=app.config["PORTAL_BASE_URL"]):
            demo.load(lambda _line: None)
        db.session.commit()
        hashed = hash_password(PASSWORD)
        for user in db.session.scalars(select(User).where(User.email.like(f"%@{DEMO_DOMAIN}"))):
            user.password_hash = hashed
            user.must_change_password = False
            if user.is_staff:
                twofactor.enrol_with_secret(user, BENCH_TOTP_SECRET)
        db.session.commit()
    return app


def _email(login: str) -> str:
    from portal.demo.accounts import DEMO_DOMAIN

    return f"{login}@{DEMO_DOMAIN}"


def crawl(app, visitor: str, login: str | None, start: str, limit: int) -> list[Page]:
    """The pages ``visitor`` reaches from ``start`` by following links: one address per view,
    at most ``limit`` views."""
    client = app.test_client()
    if login:
        login_client(app, client, _email(login), PASSWORD)
    adapter = app.url_map.bind("localhost")
    seen_paths: set[str] = set()
    pages: dict[str, Page] = {}
    queue = [start]
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in seen_paths:
            continue
        seen_paths.add(path)
        try:
            endpoint, _args = adapter.match(urlsplit(path).path, method="GET")
        except Exception:  # noqa: BLE001 - a link to a file or elsewhere: not a page
            continue
        if endpoint in pages or SKIP_WORDS & set(re.split(r"[._]", endpoint)):
            continue
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages[endpoint] = Page(visitor, endpoint, path)
        for href in HREF.findall(response.get_data(as_text=True)):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.netloc or not href.startswith("/") or "page=" in href:
                continue
            queue.append(href)
    return list(pages.values())


def count_statements(app, pages: list[Page], login: str | None) -> None:
    from portal.extensions import db

    client = app.test_client()
    if login:
        login_client(app, client, _email(login), PASSWORD)
    for page in pages:
        client.get(page.path)  # warm caches
        with app.app_context(), count_queries(db.engine) as statements:
            response = client.get(page.path)
        assert response.status_code == 200, (page.path, response.status_code)
        page.statements = len(statements)


def run(size: Size) -> list[Row]:
    url = temp_sqlite_url("every-page")[0]
    app = load_demo(url)
    tiny = size.name == "tiny"
    found = {
        visitor: crawl(app, visitor, login, start, limit=3 if tiny else 200)
        for visitor, (login, start) in VISITORS.items()
    }
    # A page two visitors share (the privacy notice) is measured once, for the first of them.
    measured: set[str] = set()
    for visitor, pages in found.items():
        found[visitor] = [page for page in pages if page.endpoint not in measured]
        measured.update(page.endpoint for page in pages)
        count_statements(app, found[visitor], VISITORS[visitor][0])
    env = server_env(url)
    seconds = size.load_seconds if tiny else 2
    bare = hello_rps(env, seconds)
    rows = [Row("every_page", "pages found", str(sum(len(p) for p in found.values())))]
    with gunicorn("wsgi:app", env) as portal:
        for visitor, pages in found.items():
            login = VISITORS[visitor][0]
            cookie = login_cookie(portal, _email(login), PASSWORD, app) if login else None
            target = TARGETS.get(visitor, STAFF_TARGET)
            for page in pages:
                name = f"{visitor} {page.path} [{page.statements} SQL]"
                try:
                    rps = requests_per_second(portal + page.path, cookie, seconds=seconds)
                except RuntimeError as error:
                    # A page that answers with an error under load is not measured: said so.
                    print(f"every_page: {page.path}: {error}", file=sys.stderr)
                    rows.append(Row("every_page", name, "errors under load", "", False))
                    continue
                rows.append(share_row("every_page", name, rps, bare, target))
    return rows


def main() -> None:
    from bench.common import hello_rows

    rows = run(size_from_env())
    print_table(hello_rows() + rows, "Every page of the demo portal (bench/every_page.py)")


if __name__ == "__main__":
    main()
