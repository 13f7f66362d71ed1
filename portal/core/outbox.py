"""Outgoing e-mail: written in the same transaction as its cause, delivered later, sent once.

``queue_mail`` renders a message in the recipient's language and adds an ``OutboxMessage`` to the
session. ``deliver_pending`` (run by ``flask outbox send`` from cron, a timer or a service, on as
many hosts as there are) claims due messages before talking to the SMTP server, so two workers
never send the same message; a failure puts it back with exponential backoff.

Claims (several mail workers on several hosts, issue 19): a worker takes a small batch of due
rows at a time and marks them ``sending`` with its own token (``claimed_by``) and the time
(``claimed_at``). On PostgreSQL the batch is chosen with ``SELECT ... FOR UPDATE SKIP LOCKED``, so
workers running at once take different rows and never wait for each other; on SQLite (one writer
at a time) one conditional ``UPDATE`` chooses and claims the batch atomically. Just before each
send the worker renews its claim (a conditional UPDATE on its own token, committed): a claim
older than ``MAIL_CLAIM_LEASE_SECONDS`` belongs to a worker that died or hangs and is taken over
by the next worker, whose renewal makes the old worker's later renewal fail, so a message is
handed to the server by one worker only. What no claim can exclude: a worker that dies after the
server accepted a message and before it recorded that; after the lease the message goes out a
second time, with the same Message-ID (receiving systems may drop the copy).
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import uuid
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import CheckConstraint, Index, String, Text, and_, or_, select, update
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
    # The worker that claimed the message (host:pid:token) and when it last renewed the claim.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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


def worker_token() -> str:
    """Who claims: the host and process (for the operator reading the table) and a random part
    (one token per ``deliver_pending`` call)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _due(now: datetime, lease: timedelta):
    """Pending and due, or claimed by a worker whose claim has run out."""
    return or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - lease),
    )


def claim_batch(token: str, now: datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` due messages for ``token`` and commit; their ids, oldest first."""
    lease = timedelta(seconds=current_app.config["MAIL_CLAIM_LEASE_SECONDS"])
    due = _due(now, lease)
    candidates = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows another worker is claiming right now are skipped, not waited for.
        ids = list(db.session.scalars(candidates.with_for_update(skip_locked=True)))
        if not ids:
            db.session.commit()
            return []
        chosen = OutboxMessage.id.in_(ids)
    else:
        # SQLite: one writer at a time; the UPDATE chooses and claims in one statement.
        chosen = OutboxMessage.id.in_(candidates.scalar_subquery())
    db.session.execute(
        update(OutboxMessage)
        .where(chosen, due)
        .values(
            status=SENDING,
            claimed_by=token,
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.claimed_by == token, OutboxMessage.status == SENDING)
            .order_by(OutboxMessage.id)
        )
    )
    db.session.commit()
    return claimed


def _renew(message_id: int, token: str, now: datetime) -> tuple[EmailMessage, int] | None:
    """Confirm the claim just before sending and build the e-mail (one short transaction that
    writes first: SQLite never has to turn a reader into a writer). Returns the e-mail and the
    attempts so far, or None when another worker has taken the message over."""
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claimed_by == token,
            OutboxMessage.status == SENDING,
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    result = None
    if renewed:
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        assert message is not None  # noqa: S101 - renewed, so it exists
        result = build_email(message, current_app.config["MAIL_FROM"]), message.attempts
    db.session.commit()
    return result


def deliver_pending(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send due messages, at most ``limit``, claimed in batches of ``MAIL_CLAIM_BATCH``; each is
    renewed, sent and marked in its own short transaction.

    Guarantees: two workers running at once never send the same message (see the module's
    docstring for the claims); a failed send is retried later with backoff until
    ``MAIL_MAX_ATTEMPTS``, then marked failed.
    """
    config = current_app.config
    fixed = now
    transport = (LogTransport if config["MAIL_BACKEND"] == "log" else SMTPTransport)(config)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    token = worker_token()
    db.session.commit()
    handled = 0
    try:
        while handled < limit:
            ids = claim_batch(
                token, fixed or utcnow(), min(config["MAIL_CLAIM_BATCH"], limit - handled)
            )
            if not ids:
                break
            handled += len(ids)
            for message_id in ids:
                _send_one(message_id, token, fixed, transport, counts)
    finally:
        transport.close()
    return counts


def _send_one(
    message_id: int, token: str, fixed: datetime | None, transport: Any, counts: dict[str, int]
) -> None:
    """Renew the claim, send, record the outcome (only while the claim is still ours)."""
    config = current_app.config
    now = fixed or utcnow()
    renewed = _renew(message_id, token, now)
    if renewed is None:
        log.warning("Outbox message %s was taken over by another worker", message_id)
        return
    email, attempts = renewed
    values: dict[str, Any] = {"claimed_by": None, "claimed_at": None}
    if attempts > config["MAIL_MAX_ATTEMPTS"]:
        # Claimed again and again by workers that died while sending it: give up.
        values.update(status=FAILED, last_error="claimed too often; no worker finished it")
        counts["failed"] += 1
    else:
        try:
            transport.send(email)
        except (OSError, smtplib.SMTPException) as exc:
            transport.close()
            values["last_error"] = f"{type(exc).__name__}: {exc}"[:500]
            if attempts >= config["MAIL_MAX_ATTEMPTS"]:
                values["status"] = FAILED
                counts["failed"] += 1
            else:
                values["status"] = PENDING
                values["next_attempt_at"] = now + backoff(attempts)
                counts["retry"] += 1
            log.warning("Outbox message %s not delivered: %s", message_id, values["last_error"])
        else:
            values.update(status=SENT, sent_at=utcnow(), last_error=None)
            counts["sent"] += 1
    recorded = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not recorded:
        log.warning("Outbox message %s: the claim ran out while sending", message_id)
