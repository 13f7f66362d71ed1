"""Public pages: the landing page for landlords, Impressum, privacy notice, the accessibility
statement, the programme in Leichte Sprache, language switch."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from portal.core.security import from_this_site, is_safe_path
from portal.extensions import csrf, db

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


# The day the accessibility statement was prepared and last reviewed (a self-assessment); change
# it with the text.
ACCESSIBILITY_STATEMENT_ON = date(2026, 12, 6)


def _in_language(name: str) -> list[str]:
    """A text page written per language (not translated sentence by sentence: a statement in
    legal form, Leichte Sprache): the user's language first, German when it has none."""
    return [f"public/{name}_{get_locale().language}.html", f"public/{name}_de.html"]


@bp.route("/barrierefreiheit")
def accessibility():
    return render_template(
        "public/accessibility.html",
        body=_in_language("_accessibility"),
        prepared_on=ACCESSIBILITY_STATEMENT_ON,
    )


@bp.route("/leichte-sprache")
def easy_read():
    return render_template("public/easy_read.html", body=_in_language("_easy_read"))


@bp.route("/language", methods=["POST"])
@csrf.exempt
def set_language():
    """Remember the chosen language in the session and, when logged in, on the account.

    The switch is on every page; with a CSRF token in it, every visitor of a public page would
    get a session cookie only to carry the token. So its form has none, and a request a browser
    sends from another site is refused by its origin instead (``from_this_site``; 400 as a
    missing token is).
    """
    if not from_this_site():
        raise CSRFError("The request came from another website.")  # the same page as a token
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated and current_user.locale != locale:
            current_user.locale = locale
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_path(target) else url_for("public.landing"))
