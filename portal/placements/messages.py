"""The conversation between a landlord's organisation and the Kümmerer team: one thread per
placement and one per mediation case, in one table.

The table stands on the placements floor, the lowest that both placements and mediation may
import; a mediation case is named by its table (a foreign key by name, no import upwards).
This module holds the row, the rule every message obeys (plain text, not empty, at most
``MESSAGE_MAX`` characters, an open thread) and the form; the domain operations
(``placements/operations/messages.py``, ``mediation/thread.py``) add the e-mails.

The e-mails of a thread never carry the message text: a placement's thread names a household
by its nature, and a mediation case may name a tenant. They say that a message is waiting and
link to it; reading it needs a login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import CheckConstraint, ForeignKey, Index, Select, String, Text, bindparam, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from portal.core import audit
from portal.core.db import Base, UTCDateTime, utcnow
from portal.core.i18n import number
from portal.core.pagination import (
    first_and_total_statement,
    page_of,
    run_newest,
)
from portal.core.refusals import Refused
from portal.extensions import db

if TYPE_CHECKING:
    from portal.accounts.models import User

MESSAGE_MAX = 2000
LANDLORD_SIDE, STAFF_SIDE = "landlord", "staff"
SIDES = (LANDLORD_SIDE, STAFF_SIDE)


def thread_refused(code: str) -> Refused:
    """A message was not stored; ``code`` says why: ``empty``, ``too_long``, ``closed`` (the
    placement or case has ended) or ``no_organisation`` (a case sent without an account has no
    landlord side to talk to). The words come with it (``refusal_text``)."""
    return Refused(code, refusal_text(code))


class Message(Base):
    """One message of a thread: exactly one of ``placement_id`` and ``mediation_case_id`` is
    set. ``organisation_id`` is the landlord's organisation the thread belongs to, whichever
    side wrote it; ``side`` says who wrote it (``landlord`` or ``staff``)."""

    __tablename__ = "thread_messages"
    __table_args__ = (
        CheckConstraint(
            "(placement_id IS NOT NULL AND mediation_case_id IS NULL)"
            " OR (placement_id IS NULL AND mediation_case_id IS NOT NULL)",
            name="one_thread",
        ),
        CheckConstraint("side IN ('landlord', 'staff')", name="side"),
        Index("ix_thread_messages_placement", "placement_id", "created_at"),
        Index("ix_thread_messages_case", "mediation_case_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int | None] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE")
    )
    mediation_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("mediation_cases.id", ondelete="CASCADE")
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()


def clean_body(body: str | None) -> str:
    """The text as it is stored: line endings unified, outer blank space removed. Refuses
    (``thread_refused``) an empty text and one longer than ``MESSAGE_MAX``."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise thread_refused("empty")
    if len(text) > MESSAGE_MAX:
        raise thread_refused("too_long")
    return text


def add_message(
    *,
    author: User,
    side: str,
    body: str | None,
    organisation_id: int | None,
    is_open: bool,
    placement_id: int | None = None,
    mediation_case_id: int | None = None,
) -> Message:
    """Store one message and its audit event (on the placement or the case, so that it shows
    in their history). Refuses an empty or too long text, a closed thread and a thread without
    an organisation; nothing is written then. The caller queues the e-mail."""
    if side not in SIDES:
        raise ValueError(side)
    text = clean_body(body)
    if organisation_id is None:
        raise thread_refused("no_organisation")
    if not is_open:
        raise thread_refused("closed")
    message = Message(
        placement_id=placement_id,
        mediation_case_id=mediation_case_id,
        organisation_id=organisation_id,
        author_id=author.id,
        side=side,
        body=text,
    )
    db.session.add(message)
    db.session.flush()
    if placement_id is not None:
        audit.record(
            "placement.message",
            actor=author,
            object_type="placements",
            object_id=placement_id,
            role=side,
        )
    else:
        audit.record(
            "mediation.message",
            actor=author,
            object_type="mediation_cases",
            object_id=mediation_case_id,
            role=side,
        )
    return message


def thread_of(*, placement_id: int | None = None, mediation_case_id: int | None = None) -> Select:
    """All messages of one thread, oldest first, each with its author (joined: one statement a
    page). A statement, for a page at a time (``db.paginate``): a long conversation has
    hundreds; the case pages show the newest (``latest_thread``)."""
    if placement_id is not None:
        condition = Message.placement_id == placement_id
    else:
        condition = Message.mediation_case_id == mediation_case_id
    return (
        select(Message)
        .where(condition)
        .options(joinedload(Message.author))
        .order_by(Message.created_at, Message.id)
    )


def latest_thread(
    limit: int, *, placement_id: int | None = None, mediation_case_id: int | None = None
) -> tuple[list[Message], int]:
    """The newest ``limit`` messages of one thread, oldest first as a conversation reads, and
    the number of all of them, in one statement."""
    column = "placement_id" if placement_id is not None else "mediation_case_id"
    thread_id = placement_id if placement_id is not None else mediation_case_id
    rows, total = run_newest(
        _latest_thread_statement(column, limit), limit, {"thread_id": thread_id}
    )
    return [message for (message,) in rows], total


@lru_cache(maxsize=8)
def _latest_thread_statement(column: str, limit: int) -> Select:
    """Built once per process for each kind of thread (the four pages with a conversation run
    it on every request); the placement's or case's id is a parameter."""
    return first_and_total_statement(
        select(Message)
        .where(getattr(Message, column) == bindparam("thread_id"))
        .options(joinedload(Message.author))
        .order_by(Message.created_at.desc(), Message.id.desc()),
        limit,
    )


@dataclass(frozen=True)
class ShownMessage:
    """A message as a landlord's page shows it: no ids, the author's name only."""

    from_team: bool
    author: str
    body: str
    created_at: datetime


def shown(messages: list[Message]) -> list[ShownMessage]:
    return [
        ShownMessage(
            from_team=m.side == STAFF_SIDE,
            author=m.author.full_name if m.author is not None else "–",
            body=m.body,
            created_at=m.created_at,
        )
        for m in messages
    ]


def render_conversation(query: Select, **context: Any) -> str:
    """The page of a whole conversation (``templates/placements/conversation.html``): a
    ``PER_PAGE`` page of ``query`` (``thread_of``), oldest first so that page 1 stays page 1
    while the conversation grows, its messages as ``ShownMessage`` (no ids, the author's name
    only). ``context``: the page's ``heading``, ``subject``, ``back_url`` and ``detail``. The
    caller has read the placement or case with its page's own access check."""
    page = page_of(query)
    return render_template(
        "placements/conversation.html", page=page, messages=shown(page.items), **context
    )


def _not_too_long(form, field) -> None:
    if field.data and len(field.data.strip()) > MESSAGE_MAX:
        raise ValidationError(
            _(
                "Please write at most %(max)s characters; the message has %(count)s.",
                max=number(MESSAGE_MAX),
                count=number(len(field.data.strip())),
            )
        )


def _not_empty(form, field) -> None:
    if not (field.data or "").strip():
        raise ValidationError(_("Please write your message."))


class MessageForm(FlaskForm):
    """One message of a thread, plain text. The field's name is unique on the pages that show
    it (``message_body``), so it shares the page's CSRF token with the other forms."""

    message_body = TextAreaField(
        _l("Your message"),
        validators=[_not_empty, _not_too_long],
        render_kw={"rows": 5, "maxlength": MESSAGE_MAX},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The limit in the reader's number format ("2.000" / "2,000"), at render time.
        self.message_body.description = _(
            "Plain text, at most %(max)s characters.", max=number(MESSAGE_MAX)
        )


def refusal_text(code: str) -> str:
    """Why a message was not stored, in the user's language."""
    return {
        "empty": _("Please write your message."),
        "too_long": _("Please write at most %(max)s characters.", max=number(MESSAGE_MAX)),
        "closed": _(
            "This conversation has ended: the placement or request is closed. Your message was "
            "not sent. For a new question please use the mediation form or call the team."
        ),
        "no_organisation": _(
            "This request was sent without an account: there is no conversation in the portal. "
            "Please answer by e-mail."
        ),
    }.get(code, _("Your message was not sent. Please try again."))
