"""Error pages in the user's language that show no internals."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist or is not available to you.")),
    405: (_l("Not allowed"), _l("This action is not possible on this page.")),
    413: (
        _l("Upload too large"),
        _l("What you sent is larger than the portal accepts. Please send smaller files."),
    ),
    429: (
        _l("Too many attempts"),
        _l(
            "There were too many attempts in a short time. Please wait a few minutes and try again."
        ),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. Nothing was saved. Please try again later."),
    ),
}


def error_page(code: int, detail: str | None = None):
    """The error page for ``code`` (and the response status), with ``detail`` in place of the
    standard text when a view can say more precisely why it refuses."""
    title, text = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_page(
            400,
            str(
                _l(
                    "The form was open too long or the page was not loaded from this site. "
                    "Please reload the page and send it again."
                )
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in MESSAGES:
            return error
        return error_page(code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("Unhandled error")
        db.session.rollback()
        return error_page(500)
