"""The outbox against a real SMTP server (aiosmtpd)."""

from datetime import timedelta

import pytest

from portal.core.db import utcnow
from portal.core.outbox import OutboxMessage, deliver_pending, queue_mail
from tests.builders import REGISTRATION_FORM


def queue(app, to="empfaenger@example.org", name="Anna"):
    with app.test_request_context():
        return queue_mail(to, "reset_password", "de", name=name, url="http://localhost/x")


def test_mail_survives_an_outage_and_is_delivered_once(app, db, smtp):
    controller, collector = smtp
    message = queue(app)
    db.session.commit()
    # The server is down: the message stays, with a retry time.
    counts = deliver_pending()
    assert counts == {"sent": 0, "retry": 1, "failed": 0}
    db.session.refresh(message)
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at > utcnow()
    # Not due yet: nothing happens even when the server is back.
    controller.start()
    assert deliver_pending()["sent"] == 0
    # Due: delivered exactly once, however often the worker runs.
    later = utcnow() + timedelta(hours=1)
    assert deliver_pending(now=later)["sent"] == 1
    assert deliver_pending(now=later + timedelta(hours=1))["sent"] == 0
    assert len(collector.messages) == 1
    mail_from, rcpt, content = collector.messages[0]
    assert rcpt == ["empfaenger@example.org"]
    assert b"Subject:" in content
    db.session.refresh(message)
    assert message.status == "sent" and message.sent_at is not None


def test_message_claimed_by_another_worker_is_not_sent(app, db, smtp):
    controller, collector = smtp
    controller.start()
    message = queue(app)
    db.session.commit()
    # Another worker claimed it a moment ago; one from before claims had a time: never retried.
    message.status, message.claimed_by, message.claimed_at = "sending", "other:1:x", utcnow()
    legacy = queue(app, to="alt@example.org")
    db.session.commit()
    legacy.status = "sending"
    db.session.commit()
    assert deliver_pending()["sent"] == 0
    assert collector.messages == []


def test_claim_of_a_dead_worker_is_taken_over_after_the_lease(app, db, smtp):
    controller, collector = smtp
    controller.start()
    message = queue(app)
    db.session.commit()
    lease = timedelta(seconds=app.config["MAIL_CLAIM_LEASE_SECONDS"])
    message.status, message.claimed_by = "sending", "gone:1:x"
    message.claimed_at, message.attempts = utcnow() - lease + timedelta(minutes=1), 1
    db.session.commit()
    assert deliver_pending()["sent"] == 0  # the lease still runs
    assert deliver_pending(now=utcnow() + timedelta(minutes=2))["sent"] == 1
    assert len(collector.messages) == 1
    db.session.refresh(message)
    assert message.status == "sent" and message.attempts == 2
    assert message.claimed_by is None and message.claimed_at is None


def test_a_worker_whose_claim_was_taken_over_does_not_send(app, db, smtp):
    from portal.core.outbox import _send_one, claim_batch

    controller, collector = smtp
    controller.start()
    message = queue(app)
    db.session.commit()
    now = utcnow()
    assert claim_batch("slow:1:a", now, 10) == [message.id]
    # The first worker hangs past the lease; a second one takes the message over and sends it.
    later = now + timedelta(seconds=app.config["MAIL_CLAIM_LEASE_SECONDS"] + 1)
    assert deliver_pending(now=later)["sent"] == 1
    # The first worker wakes up: its renewal fails, nothing is sent a second time.
    counts = {"sent": 0, "retry": 0, "failed": 0}
    _send_one(message.id, "slow:1:a", later, None, counts)
    assert counts == {"sent": 0, "retry": 0, "failed": 0}
    assert len(collector.messages) == 1


def test_a_message_claimed_too_often_is_given_up(app, db, smtp):
    controller, collector = smtp
    controller.start()
    message = queue(app)
    db.session.commit()
    message.status, message.claimed_by = "sending", "gone:1:x"
    message.claimed_at = utcnow() - timedelta(days=1)
    message.attempts = app.config["MAIL_MAX_ATTEMPTS"]
    db.session.commit()
    assert deliver_pending()["failed"] == 1
    db.session.refresh(message)
    assert message.status == "failed" and collector.messages == []


def test_gives_up_after_max_attempts(app, db, smtp):
    message = queue(app)
    db.session.commit()
    now = utcnow()
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        now += timedelta(days=1)
        deliver_pending(now=now)
    db.session.refresh(message)
    assert message.status == "failed" and "Error" in (message.last_error or "")


def test_header_injection_is_impossible(app, db, smtp):
    controller, collector = smtp
    controller.start()
    queue(app, name="Anna\r\nBcc: victim@example.org\r\nX-Evil: 1")
    db.session.commit()
    with app.test_request_context():
        evil = queue_mail(
            "empfaenger@example.org",
            "invitation",
            "en",
            inviter="Eve\nBcc: victim@example.org",
            organisation="Org\r\nX: y",
            url="http://localhost/x",
            days=7,
        )
    db.session.commit()
    assert "\n" not in evil.subject and "\r" not in evil.subject
    assert deliver_pending()["sent"] == 2
    for _, rcpt, content in collector.messages:
        assert rcpt == ["empfaenger@example.org"]
        headers = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        assert b"\nBcc:" not in headers and b"\nX-Evil" not in headers and b"\nX: y" not in headers


def test_queue_refuses_several_addresses(app):
    with app.test_request_context():
        for bad in [
            "a@example.org, b@example.org",
            "a@example.org\r\nBcc: b@example.org",
            "nobody",
        ]:
            with pytest.raises(ValueError):
                queue_mail(bad, "reset_password", "de", name="x", url="y")


def test_outbox_send_command(app, db, smtp, runner):
    controller, collector = smtp
    controller.start()
    queue(app)
    db.session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "sent 1" in result.output
    assert len(collector.messages) == 1


def test_log_backend_writes_mail_to_the_log(app, db, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    queue(app)
    db.session.commit()
    assert deliver_pending()["sent"] == 1
    assert "MAIL_BACKEND=log" in caplog.text


def test_mail_is_queued_in_the_same_transaction_as_its_cause(app, db, browser):
    """A registration that rolls back leaves no mail behind; one that commits leaves one."""
    browser.post("/account/register", REGISTRATION_FORM, csrf_from_path="/account/register")
    assert db.session.query(OutboxMessage).count() == 1
    db.session.rollback()


def test_development_delivers_after_a_request_that_queued_mail_and_only_then(tmp_path):
    """MAIL_DELIVER_AFTER_REQUEST (development, log backend): the mail a request queued is
    delivered right after it; a request that queued none does not look at the outbox."""
    from sqlalchemy import select

    from bench.common import count_queries
    from portal import create_app
    from portal.extensions import db as _db
    from tests.conftest import base_config

    config = base_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'dev.db'}")
    config.update(MAIL_BACKEND="log", MAIL_DELIVER_AFTER_REQUEST=True)
    app = create_app(config)

    def send_one():
        queue_mail("dev@example.org", "reset_password", "de", name="Anna", url="http://x/y")
        _db.session.commit()
        return "queued"

    app.add_url_rule("/test-queue-mail", view_func=send_one)
    with app.app_context():
        _db.create_all()
        client = app.test_client()
        with count_queries(_db.engine) as statements:
            assert client.get("/impressum").status_code == 200
        assert not [s for s in statements if "outbox_messages" in s]
        assert client.get("/test-queue-mail").status_code == 200
        [message] = _db.session.scalars(select(OutboxMessage)).all()
        assert message.status == "sent"
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()
