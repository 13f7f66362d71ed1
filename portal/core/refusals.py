"""One way to refuse. An operation that will not do what it was asked raises ``Refused`` (or a
domain's subclass of it, which only sets defaults): ``code`` says why in English (for logs,
tests and views that choose what to do next), ``message`` is what the user may read (a lazy
translated text; the code when the operation has no words of its own), ``status`` the HTTP
status a request ends with when no view catches it: 409 when the state of things does not allow
it (the default), 400 when what was sent is wrong.

Views either catch a refusal to answer it in place (``flash_refusal``) or let it through to the
one handler (``core.errors``), which rolls back and answers with ``status`` and the message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import flash, redirect

from portal.extensions import db

log = logging.getLogger(__name__)

CONFLICT = 409
BAD_INPUT = 400


class Refused(Exception):  # noqa: N818 - a refusal is not an error of the program
    """An operation refused; nothing it was asked to change has changed."""

    status: int = CONFLICT
    # What a subclass says when the raise gives no words of its own (None: the code).
    default_message: Any = None

    def __init__(self, code: str, message: Any = None, status: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        if status is not None:
            self.status = status
        if message is None or (isinstance(message, str) and not message):
            message = self.default_message
        # A lazy text stays lazy (comparing it would translate it outside the request's locale).
        self.message = code if message is None else message

    @property
    def explained(self) -> bool:
        """True when the refusal carries words for people, not only its code."""
        return self.message is not self.code


def flash_refusal(refusal: Refused, category: str = "error") -> None:
    """Roll back what the request began and tell the user why, in their language."""
    db.session.rollback()
    log.info("refused: %s (%s)", refusal.code, type(refusal).__name__)
    flash(str(refusal.message), category)


def refusals_flash(redirect_to: Callable[..., str]) -> Callable:
    """A view decorator: a refusal the view does not catch itself is rolled back, flashed and
    answered with a redirect to ``redirect_to(**view_args)``."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            try:
                return view(*args, **kwargs)
            except Refused as refusal:
                flash_refusal(refusal)
                return redirect(redirect_to(**kwargs))

        return wrapper

    return decorate
