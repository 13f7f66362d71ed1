"""Public pages: the landing page for landlords, Impressum, privacy notice, language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.core.security import is_safe_path
from portal.extensions import db

bp = Blueprint("public", __name__)


@bp.route("/")
def landing():
    return render_template("public/landing.html")


@bp.route("/impressum")
def impressum():
    return render_template("public/impressum.html")


@bp.route("/datenschutz")
def privacy():
    return render_template("public/privacy.html")


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the chosen language in the session and, when logged in, on the account."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated and current_user.locale != locale:
            current_user.locale = locale
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_path(target) else url_for("public.landing"))
