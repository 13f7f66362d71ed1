"""Error pages in the user's language that show no internals."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, g, make_response, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.core.refusals import Refused
from portal.extensions import db, login_manager

log = logging.getLogger(__name__)

# While the database is away: the answer asks the browser to come back after this many seconds,
# and the log says so once in this many seconds (per process), not once per request.
RETRY_AFTER_SECONDS = 30
OUTAGE_LOG_INTERVAL = 60.0
# PostgreSQL's codes for "no connection": class 08 (connection exception), the server shutting
# down or starting up (57P01-57P03), too many connections (53300).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite's: the file cannot be opened, or another process holds the lock past the timeout.
_SQLITE_UNAVAILABLE = ("unable to open database file", "database is locked")

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist or is not available to you.")),
    405: (_l("Not allowed"), _l("This action is not possible on this page.")),
    409: (
        _l("Not possible now"),
        _l("This is not possible in the current state. Nothing was changed."),
    ),
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
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The portal cannot reach its database at the moment. What you just sent was not "
            "saved. Please try again in a minute."
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


def database_unavailable(error: BaseException) -> bool:
    """True if ``error`` says the database cannot be reached (down, restarting, connection
    dropped), false for errors in what was asked of it: those stay 500s with a stack trace."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    if error.connection_invalidated:  # SQLAlchemy's dialect recognised a disconnect
        return True
    if error.statement is None:  # no statement yet: opening the connection failed
        return True
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    if sqlstate.startswith(_UNAVAILABLE_STATES):
        return True
    message = str(error.orig).lower()
    return any(text in message for text in _SQLITE_UNAVAILABLE)


class _OutageLog:
    """One log line per ``OUTAGE_LOG_INTERVAL`` while the database is away, not one stack trace
    per request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: float | None = None
        self.suppressed = 0

    def report(self, error: DBAPIError) -> None:
        now = time.monotonic()
        with self._lock:
            if self._last is not None and now - self._last < OUTAGE_LOG_INTERVAL:
                self.suppressed += 1
                return
            self._last, suppressed, self.suppressed = now, self.suppressed, 0
        reason = (str(error.orig).strip().splitlines() or [""])[0][:300]
        log.error(
            "Database unavailable, answering 503 (%s: %s); %d more such requests since the last "
            "report; the next report in %d s at the earliest",
            type(error.orig).__name__,
            reason,
            suppressed,
            OUTAGE_LOG_INTERVAL,
        )

    def reset(self) -> None:
        with self._lock:
            self._last, self.suppressed = None, 0


outage_log = _OutageLog()


def unavailable_page():
    """The calm 503 page, rendered without the database: as for a visitor (the logged-in user
    cannot be loaded, and a loaded one is expired by the rollback), never cached."""
    from portal.core.security import no_store

    g._login_user = login_manager.anonymous_user()
    response = make_response(error_page(503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return no_store(response)


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

    @app.errorhandler(Refused)
    def refused(refusal: Refused):
        """A refusal no view answered: rolled back, and the operation's words with its status."""
        db.session.rollback()
        log.info("refused: %s (%s)", refusal.code, type(refusal).__name__)
        detail = str(refusal.message) if refusal.explained else None
        return error_page(refusal.status, detail)

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

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_error(error: DBAPIError):
        if not database_unavailable(error):
            # Our mistake, with its stack trace; the page as for a visitor, since loading the
            # user may be what failed.
            log.exception("Unhandled error")
            db.session.rollback()
            g._login_user = login_manager.anonymous_user()
            return error_page(500)
        outage_log.report(error)
        try:
            db.session.rollback()
        except DBAPIError:
            db.session.close()  # the connection is gone; the pool replaces it
        return unavailable_page()
