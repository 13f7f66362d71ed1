"""The blueprint of the accounts pages and what its modules share."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from portal.accounts.models import normalise_email
from portal.core.refusals import Refused

bp = Blueprint("accounts", __name__, url_prefix="/account")


def cfg(name: str):
    """A rate limit read from the configuration when a request asks for it."""
    return lambda: current_app.config[name]


def form_email_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def link_refused(refusal: Refused):
    """The page for a link from an e-mail that does not work (``tokens.refused``)."""
    return render_template("accounts/token_invalid.html", expired=refusal.code == "expired"), 400
