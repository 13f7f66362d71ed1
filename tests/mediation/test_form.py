"""The public mediation form: validation, abuse protection, mail through the outbox (real SMTP
with aiosmtpd) and header injection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.core.outbox import deliver_pending
from tests.builders import MEDIATION_FORM as GOOD
from tests.builders import mediation_cases as cases
from tests.builders import send_mediation as send
from tests.builders import started_token
from tests.conftest import outbox

TEAM = "zuhause@diakoniewerk-duisburg.example"


@pytest.fixture(autouse=True)
def no_waiting(app, monkeypatch):
    """The minimum time is tested on its own; elsewhere sending at once is allowed."""
    monkeypatch.setitem(app.config, "MEDIATION_MIN_SECONDS", 0)


def test_form_is_public_and_has_the_protections(client):
    response = client.get("/mediation/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'name="started"' in html
    assert 'href="/privacy"' in html or "privacy" in html
    # The honeypot: hidden from people without inline style, not reachable with the keyboard.
    assert 'class="visually-hidden honeypot" aria-hidden="true"' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html and 'autocomplete="off"' in html
    assert "style=" not in html


def test_request_is_stored_confirmed_and_shown_with_its_number(browser, db):
    response = send(browser)
    assert response.status_code == 302 and response.location.endswith("/mediation/sent")
    [case] = cases()
    assert case.number.startswith("M-") and case.status == "new"
    assert case.name == "Amal Beispiel" and case.organisation_id is None
    assert len(outbox("amal@example.org")) == 1
    assert len(outbox(TEAM)) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mediation.submitted"))
    page = browser.client.get("/mediation/sent").get_data(as_text=True)
    assert case.number in page and "2 working days" in page


def test_sent_page_without_a_request_goes_back_to_the_form(client):
    response = client.get("/mediation/sent")
    assert response.status_code == 302 and response.location.endswith("/mediation/")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"name": ""}, "Please enter your name."),
        ({"email": ""}, "Please enter your e-mail address."),
        ({"email": "not-an-address"}, "Please enter a valid e-mail address"),
        ({"sender_kind": None}, "Please tell us whether you are landlord, tenant or else."),
        ({"topic": ""}, "Please choose a topic."),
        ({"message": "Too short."}, "Please write between 20 and 5,000 characters."),
        ({"message": "x" * 5001}, "Please write between 20 and 5,000 characters."),
        ({"message": " " * 30}, "Please write"),
        ({"consent": None}, "Please agree to the processing"),
        ({"contact_by": "phone", "phone": ""}, "Please enter a phone number"),
    ],
)
def test_each_rule_refuses_and_keeps_the_input(browser, changes, error):
    response = send(browser, **changes)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error in html and "Please check the marked fields." in html
    # What was typed is still there.
    kept = dict(GOOD, **changes)
    if kept["name"]:
        assert f'value="{kept["name"]}"' in html
    if "message" not in changes:
        assert GOOD["message"] in html
    assert cases() == []
    assert outbox() == []


def test_filled_honeypot_is_refused_and_keeps_the_text(browser):
    response = send(browser, website="http://spam.example")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "a field meant to catch automated messages" in html
    assert GOOD["message"] in html and 'value="Amal Beispiel"' in html
    assert "spam.example" not in html  # emptied, so that a person can send again
    assert cases() == []


def test_sending_too_fast_is_refused_and_keeps_the_text(app, browser, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIATION_MIN_SECONDS", 60)
    response = send(browser)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "only seconds after it was opened" in html
    assert GOOD["message"] in html
    assert cases() == []


def test_the_minimum_time_counts_real_seconds_whatever_the_portal_clock_says(
    app, browser, frozen_clock
):
    """The form's opening time is signed in real seconds (itsdangerous); a portal clock set
    months ahead (tests, PORTAL_TEST_NOW) must not make an instant send look slow."""
    frozen_clock.move_to("2027-02-28T12:00+01:00")
    app.config["MEDIATION_MIN_SECONDS"] = 60
    response = send(browser)
    assert response.status_code == 200
    assert "only seconds after it was opened" in response.get_data(as_text=True)
    assert cases() == []


def test_forged_or_missing_timestamp_is_refused(browser):
    for started in ("", "forged.token.value"):
        response = send(browser, started=started)
        assert response.status_code == 200
        assert "open for a very long time" in response.get_data(as_text=True)
    assert cases() == []


def test_rate_limit_per_ip(app, browser, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_MEDIATION", "2 per hour")
    assert send(browser).status_code == 302
    assert send(browser).status_code == 302
    response = send(browser)
    assert response.status_code == 429
    assert "Too many messages" in response.get_data(as_text=True)
    assert len(cases()) == 2


def test_without_csrf_nothing_is_stored(client):
    data = dict(GOOD, started=started_token(client))
    assert client.post("/mediation/", data=data).status_code == 400
    assert cases() == []


def test_case_is_stored_while_mail_is_down_and_mail_is_delivered_once(browser, db, smtp):
    controller, collector = smtp
    assert send(browser).status_code == 302
    [case] = cases()
    assert deliver_pending() == {"sent": 0, "retry": 2, "failed": 0}
    assert [m.status for m in outbox()] == ["pending", "pending"]
    controller.start()
    later = utcnow() + timedelta(hours=1)
    assert deliver_pending(now=later)["sent"] == 2
    assert deliver_pending(now=later + timedelta(hours=1))["sent"] == 0
    assert sorted(rcpt[0] for _, rcpt, _ in collector.messages) == sorted(
        ["amal@example.org", TEAM]
    )
    assert all(case.number.encode() in content for _, _, content in collector.messages)


EVIL = "Eve\r\nBcc: victim@example.org\r\nX-Evil: 1"


def test_header_injection_strings_stay_text(browser, db, smtp):
    controller, collector = smtp
    controller.start()
    response = send(
        browser,
        name=EVIL + " " + "n" * 500,
        flat_address="Street 1\nBcc: victim@example.org",
        message="Subject: hi\r\nBcc: victim@example.org\r\n\r\nThis is a long enough message.",
    )
    assert response.status_code == 302
    [case] = cases()
    assert "\n" not in case.name and "\r" not in case.name and len(case.name) == 200
    assert "Bcc: victim@example.org" in case.name  # stored as text
    assert "\n" not in case.flat_address
    # An address with a line break is refused outright.
    refused = send(browser, email="amal@example.org\r\nBcc: victim@example.org")
    assert refused.status_code == 200 and len(cases()) == 1
    assert deliver_pending()["sent"] == 2
    for _, rcpt, content in collector.messages:
        assert len(rcpt) == 1 and "victim@example.org" not in rcpt
        headers = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        assert b"\nBcc:" not in headers and b"\nX-Evil" not in headers
        assert b"victim@example.org" not in headers


def test_header_injection_strings_are_shown_as_text_to_the_landlord(browser, db):
    from tests import factories

    landlord = browser.login("landlord")
    assert (
        send(browser, name="<script>alert(1)</script>", sender_kind="landlord").status_code == 302
    )
    [case] = cases()
    assert case.organisation_id == landlord.organisation_id
    html = browser.client.get(f"/mediation/mine/{case.public_key}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert factories  # imported for the login helper's factories
