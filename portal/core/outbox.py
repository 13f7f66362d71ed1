"""Outgoing e-mail: written in the same transaction as its cause, delivered later, sent once.

``queue_mail`` renders a message in the recipient's language and adds an ``OutboxMessage`` to the
session. ``deliver_pending`` (run by ``flask outbox send`` from cron or a timer) claims each due
message with a conditional UPDATE before talking to the SMTP server, so two workers never send
the same message; a failure puts it back with exponential backoff.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import CheckConstraint, Index, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, utcnow
from portal.extensions import db

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
MAX_SUBJECT = 200


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT))
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    # One text attachment at most (a calendar invitation): name, MIME type, content.
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_text: Mapped[str | None] = mapped_column(Text)
    # What the message is about, for the staff's list of what went out ("placement:12").
    topic: Mapped[str | None] = mapped_column(String(40), index=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status}>"


def _one_line(value: str, limit: int) -> str:
    # A header value never carries a line break, whatever the user typed into it.
    return " ".join(value.split())[:limit]


def queue_mail(
    to: str,
    template: str,
    locale: str | None = None,
    attachment: tuple[str, str, str] | None = None,
    topic: str | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/mail/<template>.txt`` in ``locale`` and queue it for ``to``.

    The template's first line is the subject, the rest the body. Nothing is sent here; the row
    commits or rolls back with the caller's transaction.
    """
    address = to.strip()
    if not address or any(ch in address for ch in "\r\n,;") or "@" not in address:
        raise ValueError("a single e-mail address is required")
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        rendered = render_template(
            f"mail/{template}.txt", base_url=current_app.config["PORTAL_BASE_URL"], **context
        )
    subject, _, body = rendered.strip().partition("\n")
    message = OutboxMessage(
        to_address=address,
        subject=_one_line(subject, MAX_SUBJECT),
        body_text=body.strip() + "\n",
        topic=topic,
    )
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment_text = attachment
    db.session.add(message)
    if has_request_context():
        g.mail_queued = True  # for the development hook that delivers right after the request
    return message


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    name, addr = parseaddr(sender)
    email["From"] = Address(display_name=name, addr_spec=addr) if name else addr
    email["To"] = message.to_address
    email["Subject"] = _one_line(message.subject, MAX_SUBJECT)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=addr.split("@")[-1])
    email.set_content(message.body_text)
    if message.attachment_text is not None:
        maintype, _, rest = (message.attachment_type or "text/plain").partition("/")
        subtype, _, params = rest.partition(";")
        extra = dict(part.strip().split("=", 1) for part in params.split(";") if "=" in part)
        email.add_attachment(
            message.attachment_text.encode(),
            maintype=maintype,
            subtype=subtype.strip(),
            filename=message.attachment_name or "attachment",
            params=extra,
        )
    return email


class LogTransport:
    """Development: the message is written to the log instead of being sent."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def send(self, email: EmailMessage) -> None:
        log.warning("E-mail (not sent, MAIL_BACKEND=log):\n%s", email.as_string())

    def close(self) -> None:
        pass


class SMTPTransport:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        smtp = cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        return smtp

    def send(self, email: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        self._smtp.send_message(email)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                pass
            except OSError:
                pass
            self._smtp = None


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failure, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def deliver_pending(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send due messages; each is claimed, sent and marked in its own short transaction.

    Guarantees: a message is handed to the server at most once (the claim commits before the
    send; a message found ``sending`` is never retried automatically); a failed send is retried
    later with backoff until ``MAIL_MAX_ATTEMPTS``, then marked failed.
    """
    config = current_app.config
    now = now or utcnow()
    transport = (LogTransport if config["MAIL_BACKEND"] == "log" else SMTPTransport)(config)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    try:
        for message_id in ids:
            claimed = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
                .values(status=SENDING, attempts=OutboxMessage.attempts + 1)
            ).rowcount
            db.session.commit()
            if not claimed:
                continue  # another worker has it
            message = db.session.get(OutboxMessage, message_id)
            assert message is not None  # noqa: S101 - narrows the type for the checker
            try:
                transport.send(build_email(message, config["MAIL_FROM"]))
            except (OSError, smtplib.SMTPException) as exc:
                transport.close()
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
                    message.status = FAILED
                    counts["failed"] += 1
                else:
                    message.status = PENDING
                    message.next_attempt_at = now + backoff(message.attempts)
                    counts["retry"] += 1
                log.warning("Outbox message %s not delivered: %s", message.id, message.last_error)
            else:
                message.status = SENT
                message.sent_at = utcnow()
                message.last_error = None
                counts["sent"] += 1
            db.session.commit()
    finally:
        transport.close()
    return counts
