import pytest

from portal import create_app
from portal.config import ConfigurationError, build_config
from portal.extensions import db
from tests.conftest import APP_SESSION, base_config


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "session", APP_SESSION)
    app = create_app(base_config(tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        build_config(str(tmp_path), {"PORTAL_ENV": "production"})


def test_production_refuses_debug(tmp_path):
    with pytest.raises(ConfigurationError, match="DEBUG"):
        build_config(
            str(tmp_path), {"PORTAL_ENV": "production", "SECRET_KEY": "x" * 40, "DEBUG": "1"}
        )


PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "TOTP_ENCRYPTION_KEY": "oE4Q3cVwS2t3Yb7VvJvZ8cC9yq1x0cY2Y8F3a4bLh2Q=",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
}


def test_production_defaults_are_safe(tmp_path):
    config = build_config(str(tmp_path), PRODUCTION)
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["MAIL_BACKEND"] == "smtp"
    assert config["MAX_CONTENT_LENGTH"] > 0


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    first = build_config(str(tmp_path), {})["SECRET_KEY"]
    second = build_config(str(tmp_path), {})["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_defaults_to_sqlite_in_instance(tmp_path):
    config = build_config(str(tmp_path), {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"
    pg = build_config(str(tmp_path), {"DATABASE_URL": "postgres://u@h/d"})
    assert pg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"


def test_bad_numbers_in_environment_are_named(tmp_path):
    with pytest.raises(ConfigurationError, match="MAIL_PORT"):
        build_config(str(tmp_path), {"MAIL_PORT": "twenty-five"})


def test_site_texts_can_be_replaced(tmp_path):
    site = tmp_path / "site-templates" / "site"
    site.mkdir(parents=True)
    (site / "impressum.html").write_text("<p>Impressum der Betreiberin XYZ</p>")
    app = create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/x.db"))
    html = app.test_client().get("/impressum").get_data(as_text=True)
    assert "Impressum der Betreiberin XYZ" in html
