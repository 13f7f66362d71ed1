"""One way to refuse. An operation that will not do what it was asked raises ``Refused``: ``code``
says why in English (for logs, tests and views that choose what to do next, e.g. which field to
mark), ``message`` is what the user may read (a lazy translated text, chosen by the operation for
the one who asked; the code when the operation has no words of its own), ``status`` the HTTP
status a request ends with when no view catches it: 409 when the state of things does not allow
it (the default), 400 when what was sent is wrong. ``detail`` adds English for the logs only
(which field was missing), ``items`` what the page lists to answer the refusal (the profile text
check's hits).

The only subclass outside accounts/listings is ``core.hooks.Veto``: a hook's caller on a lower
floor catches exactly its receivers' vetoes and words them itself, while any other refusal passes
through unchanged.

Views either catch a refusal to answer it in place (``flash_refusal``, with a ``default`` text for
a refusal without words) or let it through to the one handler (``core.errors``), which rolls back
and answers with ``status`` and the message. No view turns codes into words."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
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

    def __init__(
        self,
        code: str,
        message: Any = None,
        *,
        status: int | None = None,
        detail: str = "",
        items: Sequence[Any] = (),
    ) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        if message is None or (isinstance(message, str) and not message):
            message = self.default_message
        # A lazy text stays lazy (comparing it would translate it outside the request's locale).
        self.message = code if message is None else message
        if status is not None:
            self.status = status
        self.detail = detail
        self.items = list(items)

    @property
    def explained(self) -> bool:
        """True when the refusal carries words for people, not only its code."""
        return self.message is not self.code


def flash_refusal(refusal: Refused, category: str = "error", default: Any = None) -> None:
    """Roll back what the request began and tell the user why, in their language: the
    operation's words, or ``default`` when it has none (a bare code is no text for people)."""
    db.session.rollback()
    log.info("refused: %s (%s)", refusal, type(refusal).__name__)
    words = refusal.message if refusal.explained or default is None else default
    flash(str(words), category)


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
