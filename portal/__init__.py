"""The landlord portal of "Endlich ein ZUHAUSE" in Duisburg."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import load_config
from portal.core.converters import register_converters
from portal.core.templating import PortalFlask
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
from portal.sites import scope as site_scope


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = PortalFlask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    load_config(app, config)
    app.jinja_loader = ChoiceLoader(  # type: ignore[method-assign]
        [FileSystemLoader(app.config["SITE_TEMPLATES_DIR"]), app.jinja_loader]
    )
    configure_logging(app)
    register_converters(app)  # before any route: every <int:...> is range-checked
    init_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_security_headers(app)
    return app


def configure_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.core import audit, jobs, outbox  # noqa: F401  (models for Alembic)
    from portal.core.fields import install_quick_html_params
    from portal.core.i18n import init_i18n, selected_locale
    from portal.core.security import register_body_limits, register_input_checks
    from portal.households import models as households_models  # noqa: F401
    from portal.households import prevention as prevention_models  # noqa: F401
    from portal.listings import models as listings_models  # noqa: F401
    from portal.mediation import models as mediation_models  # noqa: F401
    from portal.placements import models as placements_models  # noqa: F401
    from portal.placements import release  # noqa: F401  (connects to the leaving hooks)
    from portal.placements.paperwork import models as paperwork_models  # noqa: F401
    from portal.privacy import models as privacy_models  # noqa: F401
    from portal.reports import models as reports_models  # noqa: F401

    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    db.init_app(app)
    migrate.init_app(app, db)
    register_body_limits(app)  # before CSRFProtect, which reads the body first
    register_input_checks(app)  # NUL characters: 400 before anything reads the form
    csrf.init_app(app)
    babel.init_app(app, locale_selector=selected_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    site_scope.install()  # staff see their own sites only (DESIGN.md §9)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    init_i18n(app)
    install_quick_html_params()


def register_blueprints(app: Flask) -> None:
    # The dashboards and what higher floors show on pages of lower floors (portal.core.hooks):
    # imported before any blueprint is registered, as they add to those blueprints.
    from portal import dashboards  # noqa: F401
    from portal.accounts import backoffice as accounts_backoffice
    from portal.accounts import twofactor_views
    from portal.accounts import views as accounts_views
    from portal.core import health, pages
    from portal.households import backoffice as households_backoffice
    from portal.listings import backoffice as listings_backoffice
    from portal.listings import heating_views  # noqa: F401  (adds its routes)
    from portal.listings import views as listings_views
    from portal.matching import sections as matching_sections  # noqa: F401
    from portal.matching import views as households_views
    from portal.mediation import backoffice as mediation_backoffice
    from portal.mediation import sections as mediation_sections  # noqa: F401
    from portal.mediation import views as mediation_views
    from portal.placements import backoffice as placements_backoffice
    from portal.placements import sections as placements_sections  # noqa: F401
    from portal.placements import views as placements_views
    from portal.placements.paperwork import handover_views  # noqa: F401  (adds its routes)
    from portal.privacy import backoffice as privacy_backoffice
    from portal.privacy import landlord_views as privacy_landlord_views
    from portal.privacy import sections as privacy_sections  # noqa: F401
    from portal.reports import (  # noqa: F401  (add their routes)
        annex_views,
        state_views,
        submission_views,
    )
    from portal.reports import backoffice as reports_backoffice
    from portal.sites import backoffice as sites_backoffice

    app.register_blueprint(pages.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(twofactor_views.bp)
    app.register_blueprint(accounts_backoffice.bp)
    app.register_blueprint(listings_views.bp)
    app.register_blueprint(listings_backoffice.bp)
    app.register_blueprint(households_views.bp)
    app.register_blueprint(households_backoffice.bp)
    app.register_blueprint(placements_views.bp)
    app.register_blueprint(placements_backoffice.bp)
    app.register_blueprint(mediation_views.bp)
    app.register_blueprint(mediation_backoffice.bp)
    app.register_blueprint(reports_backoffice.bp)
    app.register_blueprint(privacy_backoffice.bp)
    app.register_blueprint(privacy_landlord_views.bp)
    app.register_blueprint(sites_backoffice.bp)
    limiter.exempt(health.bp)


def register_cli(app: Flask) -> None:
    from portal.accounts.cli import bp as accounts_cli
    from portal.core.backup_cli import bp as backup_cli
    from portal.core.cli import outbox_cli, translate_cli
    from portal.demo.cli import bp as demo_cli
    from portal.households.cli import bp as households_cli
    from portal.mediation.cli import bp as mediation_cli
    from portal.placements.cli import bp as placements_cli
    from portal.privacy.cli import bp as privacy_cli
    from portal.reports.cli import bp as reports_cli
    from portal.sites.cli import bp as sites_cli

    for blueprint in (
        accounts_cli,
        households_cli,
        placements_cli,
        mediation_cli,
        reports_cli,
        sites_cli,
        privacy_cli,
        outbox_cli,
        backup_cli,
        translate_cli,
        demo_cli,
    ):
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    from flask import g
    from flask_login import current_user

    from portal.accounts.models import role_label
    from portal.accounts.views import enforce_password_change
    from portal.core.form_markup import csrf_field as csrf_input
    from portal.core.form_markup import field as form_field
    from portal.core.fragments import init_fragments
    from portal.core.pagination import page_url
    from portal.sites.texts import init_texts as init_site_texts

    app.before_request(enforce_password_change)
    init_fragments(app)
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["form_field"] = form_field
    app.jinja_env.globals["csrf_input"] = csrf_input

    # The programme's contact: settings or the default site's own texts, the same on every
    # page, so a global (imported macros see it without being imported "with context", which
    # re-runs their template each time).
    init_site_texts(app)

    @app.context_processor
    def inject_user() -> dict[str, Any]:
        # The user object itself: templates read it often, the proxy costs each time.
        return {"user": current_user._get_current_object()}

    if app.config["MAIL_DELIVER_AFTER_REQUEST"]:
        from portal.core.outbox import deliver_pending

        @app.after_request
        def deliver_mail_now(response):
            # Development only (MAIL_BACKEND=log): print the mail a request queued right away;
            # a request that queued none costs no query. Whatever the view did not commit is
            # discarded first, exactly as the teardown would.
            if g.get("mail_queued"):
                db.session.rollback()
                deliver_pending()
            return response


def register_error_handlers(app: Flask) -> None:
    from portal.core.errors import register_error_handlers as register

    register(app)


def register_security_headers(app: Flask) -> None:
    from portal.core.security import register_security_headers as register

    register(app)
