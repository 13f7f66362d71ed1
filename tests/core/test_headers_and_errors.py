import pytest

from portal.core.security import CONTENT_SECURITY_POLICY, is_safe_path


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/account/login",
        "/account/register",
        "/impressum",
        "/datenschutz",
        "/does-not-exist",
        "/healthz",
    ],
)
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    for part in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]:
        assert part in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_store_for_logged_in_pages_only(browser):
    assert "no-store" not in browser.client.get("/").headers.get("Cache-Control", "")
    browser.login("landlord")
    assert browser.client.get("/account/").headers["Cache-Control"] == "no-store"
    assert browser.client.get("/").headers["Cache-Control"] == "no-store"


def test_no_inline_script_or_style_in_pages(client):
    for path in ["/", "/account/login", "/account/register"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and "<style" not in html


@pytest.mark.parametrize(
    ("code", "path", "method"),
    [
        (404, "/nope", "get"),
        (405, "/account/logout", "get"),
    ],
)
def test_error_pages_show_no_internals(client, code, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "werkzeug" not in html.lower()
    assert "Error code" in html


def test_error_page_in_german(client):
    response = client.get("/nope", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert 'lang="de"' in response.get_data(as_text=True)


def test_413_for_too_large_body(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/account/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "larger than the portal accepts" in response.get_data(as_text=True)


def test_500_page_is_plain(app):
    from flask_babel import force_locale

    from portal.core.errors import MESSAGES

    with app.test_request_context(), force_locale("en"):
        assert "Nothing was saved" in str(MESSAGES[500][1])


@pytest.mark.parametrize(
    ("target", "ok"),
    [
        ("/account/", True),
        ("/a?b=c", True),
        (None, False),
        ("", False),
        ("https://evil.example", False),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("/\tevil", False),
        ("evil", False),
        ("javascript:alert(1)", False),
    ],
)
def test_is_safe_path(target, ok):
    assert is_safe_path(target) is ok


def test_pagination_links_keep_the_filters(app):
    from portal.core.pagination import page_url

    with app.test_request_context("/backoffice/flats/?status=published&wbs=required&page=2"):
        from flask import request

        request.endpoint  # noqa: B018 - matched by the request context
        url = page_url(3)
    assert "status=published" in url and "wbs=required" in url and "page=3" in url
    assert url.count("page=") == 1
