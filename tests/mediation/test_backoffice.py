"""The mediation back office: the list (order, filters, pagination, a fixed number of queries),
the case page and each action on it (note, reply, status, assignment, placement link) with its
audit event, refusals with the input kept, and the counts on the back-office home."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, time, timedelta
from html import unescape

from sqlalchemy import select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db as _db
from portal.mediation.models import CaseEntry, MediationCase
from portal.mediation.operations import working_days_between
from portal.mediation.queries import home_counts
from portal.placements.calendar import BERLIN
from tests.builders import conversation
from tests.conftest import counted_statements, outbox
from tests.factories import StaffFactory, UserFactory

BASE = "/backoffice/mediation"
SENDER = "vermieterin@example.org"
SECRET_NOTE = "Intern: Mieter hat Schulden beim Jobcenter"
_numbers = itertools.count(1)


def make_case(**kw) -> MediationCase:
    values = {
        "number": f"M-2026-{next(_numbers):04d}",
        "sender_kind": "landlord",
        "name": "Erika Vermieterin",
        "email": SENDER,
        "phone": "0203 123456",
        "topic": "damage",
        "message": "Die Badezimmertür ist kaputt.",
        "flat_address": "Musterstraße 1, 47057 Duisburg",
    }
    values.update(kw)
    case = MediationCase(**values)
    _db.session.add(case)
    _db.session.flush()
    return case


def days_ago(days: int) -> datetime:
    return utcnow() - timedelta(days=days)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), BERLIN).astimezone(UTC)


def audit_actions(case: MediationCase) -> list[str]:
    return list(
        _db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "mediation_cases", AuditEvent.object_id == case.id)
            .order_by(AuditEvent.id)
        )
    )


def fresh(case: MediationCase) -> MediationCase:
    _db.session.expire_all()
    return _db.session.get(MediationCase, case.id)


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def post(browser, case: MediationCase, action: str, data: dict):
    return browser.post(f"{BASE}/{case.id}/{action}", data, csrf_from_path=f"{BASE}/{case.id}")


def order_in(html: str, cases: list[MediationCase]) -> list[str]:
    found = re.findall(r"M-2026-\d{4}", html)
    wanted = {c.number for c in cases}
    return [n for n in found if n in wanted]


# The list ---------------------------------------------------------------------------------------


def test_new_cases_on_top_then_oldest_first(browser, db):
    older_new = make_case(created_at=days_ago(5))
    newest_new = make_case()
    old_in_progress = make_case(status="in_progress", created_at=days_ago(20))
    recent_resolved = make_case(status="resolved", created_at=days_ago(1))
    waiting = make_case(status="waiting", created_at=days_ago(10))
    browser.login("specialist")
    html = text_of(browser.client.get(f"{BASE}/"))
    assert order_in(html, [older_new, newest_new, old_in_progress, recent_resolved, waiting]) == [
        older_new.number,
        newest_new.number,
        old_in_progress.number,
        waiting.number,
        recent_resolved.number,
    ]
    assert "5 cases" in html


def test_filters_by_status_topic_and_staff(browser, db):
    anna = StaffFactory(role="social_worker", full_name="Anna Sozial")
    damage = make_case(topic="damage", assigned_to_id=anna.id)
    arrears = make_case(topic="rent_arrears", status="in_progress")
    closed = make_case(topic="rent_arrears", status="closed", assigned_to_id=anna.id)
    everything = [damage, arrears, closed]
    browser.login("specialist")

    def shown(query: str) -> set[str]:
        return set(order_in(text_of(browser.client.get(f"{BASE}/?{query}")), everything))

    assert shown("status=in_progress") == {arrears.number}
    assert shown("status=open") == {damage.number, arrears.number}
    assert shown("topic=rent_arrears") == {arrears.number, closed.number}
    assert shown(f"staff={anna.id}") == {damage.number, closed.number}
    assert shown("staff=none") == {arrears.number}
    assert shown(f"topic=rent_arrears&staff={anna.id}") == {closed.number}
    assert shown("status=bogus&topic=bogus&staff=x") == {c.number for c in everything}
    html = text_of(browser.client.get(f"{BASE}/?status=resolved"))
    assert "No case matches these filters." in html


def test_pagination_keeps_the_filters(browser, db):
    for _ in range(27):
        make_case(topic="neighbourhood")
    make_case(topic="damage")
    browser.login("social_worker")
    html = browser.client.get(f"{BASE}/?topic=neighbourhood").get_data(as_text=True)
    assert "27 cases" in html
    assert html.count("<tr>") == 26  # header and 25
    assert "topic=neighbourhood" in html and "page=2" in html
    second = browser.client.get(f"{BASE}/?topic=neighbourhood&page=2").get_data(as_text=True)
    assert second.count("<tr>") == 3


def test_list_loads_in_a_fixed_number_of_queries(browser, db):
    browser.login("specialist")

    def statements() -> int:
        browser.client.get(f"{BASE}/")
        with counted_statements(_db.engine) as seen:
            assert browser.client.get(f"{BASE}/").status_code == 200
        return len(seen)

    for _ in range(2):
        make_case(assigned_to_id=StaffFactory(role="social_worker").id)
    small = statements()
    for _ in range(20):
        make_case(assigned_to_id=StaffFactory(role="specialist").id)
    assert statements() == small


def test_the_case_page_loads_in_a_fixed_number_of_queries(browser, db):
    landlord = UserFactory()  # an organisation's case: it has a thread with the landlord side
    case = make_case(organisation_id=landlord.organisation_id)
    user = browser.login("specialist")
    path = f"{BASE}/{case.id}"

    def statements() -> int:
        browser.client.get(path)
        with counted_statements(_db.engine) as seen:
            assert browser.client.get(path).status_code == 200
        return len(seen)

    _db.session.add(CaseEntry(case_id=case.id, kind="note", author_id=user.id, text="eins"))
    conversation(1, landlord=landlord, staff=user, case=case)
    small = statements()
    for _ in range(15):
        author = StaffFactory(role="social_worker")
        _db.session.add(CaseEntry(case_id=case.id, kind="note", author_id=author.id, text="n"))
        _db.session.add(
            AuditEvent(
                action="mediation.note",
                actor_id=author.id,
                object_type="mediation_cases",
                object_id=case.id,
                details={},
            )
        )
        # The conversation with the landlord grows too: the newest ten, with their authors.
        conversation(2, landlord=landlord, staff=author, case=case)
    assert statements() == small


# The case page ----------------------------------------------------------------------------------


def test_case_page_shows_request_contact_and_entries(browser, db):
    case = make_case(message="Die Heizung fällt dauernd aus.")
    browser.login("social_worker")
    html = text_of(browser.client.get(f"{BASE}/{case.id}"))
    assert case.number in html and "Die Heizung fällt dauernd aus." in html
    assert "Erika Vermieterin" in html and SENDER in html and "0203 123456" in html
    assert "Musterstraße 1, 47057 Duisburg" in html
    assert "No placement is linked." in html


def test_purged_contact_data_says_so(browser, db):
    case = make_case(
        status="closed",
        name=None,
        email=None,
        phone=None,
        contact_purged_at=utcnow(),
    )
    browser.login("specialist")
    html = text_of(browser.client.get(f"{BASE}/{case.id}"))
    assert "Removed after the retention period" in html
    assert "There is no e-mail address to reply to." in html
    assert 'name="reply_text"' not in html
    response = post(browser, case, "reply", {"reply_text": "Hallo"})
    assert "the reply cannot be sent" in text_of(response)
    assert _db.session.scalars(select(CaseEntry)).all() == []
    assert outbox() == []


def test_unknown_case_is_404(browser, db):
    browser.login("specialist")
    assert browser.client.get(f"{BASE}/999999").status_code == 404
    response = browser.post(f"{BASE}/999999/notes", {"note": "x"})
    assert response.status_code == 404


# Actions ----------------------------------------------------------------------------------------


def test_internal_note_is_stored_audited_and_mailed_to_nobody(browser, db):
    case = make_case()
    user = browser.login("specialist")
    response = post(browser, case, "notes", {"note": f"  {SECRET_NOTE}  "})
    assert response.status_code == 302
    entry = _db.session.scalar(select(CaseEntry).where(CaseEntry.case_id == case.id))
    assert (entry.kind, entry.text, entry.author_id) == ("note", SECRET_NOTE, user.id)
    assert audit_actions(case) == ["mediation.note"]
    assert outbox() == []
    html = text_of(browser.client.get(response.headers["Location"]))
    assert "The internal note is saved." in html and SECRET_NOTE in html
    assert user.full_name in html


def test_reply_is_mailed_to_the_sender_without_internal_notes(browser, db):
    case = make_case()
    user = browser.login("social_worker")
    post(browser, case, "notes", {"note": SECRET_NOTE})
    response = post(browser, case, "reply", {"reply_text": "Wir rufen Sie morgen an.\nIhr Team"})
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == "in_progress" and case.first_answer_at is not None
    replies = [e for e in case.entries if e.kind == "reply"]
    assert [r.text for r in replies] == ["Wir rufen Sie morgen an.\nIhr Team"]
    mails = outbox(SENDER)
    assert len(mails) == 1
    assert "Wir rufen Sie morgen an." in mails[0].body_text
    assert case.number in mails[0].subject + mails[0].body_text
    assert user.full_name in mails[0].body_text
    for message in outbox():
        assert "Schulden" not in message.body_text and "Schulden" not in message.subject
    assert audit_actions(case) == ["mediation.note", "mediation.status", "mediation.reply"]
    html = text_of(browser.client.get(f"{BASE}/{case.id}"))
    assert "The reply is sent by e-mail" in html and "Wir rufen Sie morgen an." in html


def test_a_second_reply_keeps_the_first_answer_time(browser, db):
    case = make_case(status="waiting")
    browser.login("specialist")
    post(browser, case, "reply", {"reply_text": "Erste Antwort"})
    first = fresh(case).first_answer_at
    post(browser, case, "reply", {"reply_text": "Zweite Antwort"})
    case = fresh(case)
    assert case.first_answer_at == first and case.status == "waiting"
    assert len(outbox(SENDER)) == 2


def test_empty_note_or_reply_is_refused_and_nothing_changes(browser, db):
    case = make_case()
    browser.login("specialist")
    for action, field_name in (("notes", "note"), ("reply", "reply_text")):
        response = post(browser, case, action, {field_name: "   "})
        assert response.status_code == 200
        html = text_of(response)
        assert "Nothing was changed. Please check the marked fields" in html
        assert 'aria-invalid="true"' in html
    assert _db.session.scalars(select(CaseEntry)).all() == []
    assert outbox() == [] and audit_actions(case) == []


def test_too_long_reply_is_refused_with_the_input_kept(browser, db):
    case = make_case()
    browser.login("specialist")
    text = "Ein sehr langer Text. " * 300
    response = post(browser, case, "reply", {"reply_text": text})
    html = text_of(response)
    assert response.status_code == 200
    assert "at most 5,000 characters" in html
    assert "Ein sehr langer Text. Ein sehr langer Text." in html
    assert outbox() == []


def test_status_change_is_audited(browser, db):
    case = make_case(status="in_progress")
    browser.login("specialist")
    response = post(browser, case, "status", {"status": "resolved"})
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == "resolved" and case.resolved_at is not None
    assert audit_actions(case) == ["mediation.status"]
    details = _db.session.scalar(
        select(AuditEvent.details).where(
            AuditEvent.object_type == "mediation_cases", AuditEvent.object_id == case.id
        )
    )
    assert details == {"previous": "in_progress", "status": "resolved"}
    html = text_of(browser.client.get(f"{BASE}/{case.id}"))
    assert "The status is now “resolved”." in html
    post(browser, case, "status", {"status": "in_progress"})
    assert fresh(case).resolved_at is None


def test_unknown_or_unchanged_status_changes_nothing(browser, db):
    case = make_case()
    browser.login("specialist")
    response = post(browser, case, "status", {"status": "lost"})
    assert response.status_code == 200
    assert "Nothing was changed" in text_of(response)
    response = post(browser, case, "status", {"status": "new"})
    assert response.status_code == 302
    assert fresh(case).status == "new" and audit_actions(case) == []


def test_assign_to_active_staff_and_back_to_nobody(browser, db):
    anna = StaffFactory(role="social_worker", full_name="Anna Sozial")
    gone = StaffFactory(role="specialist", full_name="Otto Ehemalig", is_active=False)
    admin = StaffFactory(role="admin", full_name="Ada Admin")
    case = make_case()
    browser.login("specialist")
    page = text_of(browser.client.get(f"{BASE}/{case.id}"))
    assert "Anna Sozial" in page and "Otto Ehemalig" not in page and "Ada Admin" not in page
    response = post(browser, case, "assignment", {"assigned_to": str(anna.id)})
    assert response.status_code == 302
    assert fresh(case).assigned_to_id == anna.id
    assert "Anna Sozial is assigned to the case." in text_of(
        browser.client.get(response.headers["Location"])
    )
    for refused in (gone, admin):
        response = post(browser, case, "assignment", {"assigned_to": str(refused.id)})
        assert response.status_code == 200 and "Nothing was changed" in text_of(response)
        assert fresh(case).assigned_to_id == anna.id
    post(browser, case, "assignment", {"assigned_to": ""})
    assert fresh(case).assigned_to_id is None
    assert audit_actions(case) == ["mediation.assigned", "mediation.assigned"]
    list_html = text_of(browser.client.get(f"{BASE}/?staff={anna.id}"))
    assert case.number not in list_html


def test_link_a_placement_and_refuse_an_unknown_one(app, browser, db):
    from tests.builders import placement_in, world

    placement = placement_in(app, world())
    case = make_case()
    browser.login("social_worker")
    response = post(browser, case, "placement", {"placement_id": str(placement.id)})
    assert response.status_code == 302
    assert fresh(case).placement_id == placement.id
    html = text_of(browser.client.get(f"{BASE}/{case.id}"))
    assert f'href="/backoffice/placements/{placement.id}"' in html
    assert placement.household.code in html
    response = post(browser, case, "placement", {"placement_id": "987654"})
    html = text_of(response)
    assert response.status_code == 200
    assert "This placement does not exist (any more). Please choose another." in html
    assert fresh(case).placement_id == placement.id
    response = post(browser, case, "placement", {"placement_id": "abc"})
    assert response.status_code == 200 and fresh(case).placement_id == placement.id
    post(browser, case, "placement", {"placement_id": ""})
    assert fresh(case).placement_id is None
    assert audit_actions(case) == ["mediation.linked", "mediation.linked"]


# The back-office home ---------------------------------------------------------------------------


def badge(html: str, name: str) -> int:
    match = re.search(rf'id="mediation-{name}">(\d+)<', html)
    assert match, html
    return int(match.group(1))


def test_home_counts_new_and_unanswered_cases(browser, db):
    today = clock.today()
    # The latest day that lies more than two working days back, and the day after it.
    last_overdue = today - timedelta(days=1)
    while working_days_between(last_overdue, today) <= 2:
        last_overdue -= timedelta(days=1)
    make_case(created_at=noon(last_overdue))  # new, overdue
    make_case(created_at=noon(last_overdue + timedelta(days=1)))  # new, in time
    make_case()  # new, today
    make_case(status="waiting", created_at=days_ago(30))  # open, never answered: overdue
    make_case(status="in_progress", created_at=days_ago(30), first_answer_at=days_ago(29))
    make_case(status="closed", created_at=days_ago(30))  # closed: no longer waits
    assert home_counts(today).new == 3
    assert home_counts(today).overdue == 2
    browser.login("social_worker")  # mediation cases due are on the social worker's home
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    assert badge(html, "new") == 3 and badge(html, "overdue") == 2
    assert f'href="{BASE}/?status=new"' in html and f'href="{BASE}/?overdue=1"' in html
    listed = text_of(browser.client.get(f"{BASE}/?overdue=1"))
    assert "2 cases" in listed
    assert "no answer for more than two working days" in listed


def test_home_counts_follow_working_days(db):
    # A case from Friday noon is not overdue on Tuesday (Mon, Tue) but is on Wednesday.
    friday = date(2026, 3, 6)
    make_case(created_at=noon(friday))
    assert home_counts(date(2026, 3, 10)).overdue == 0
    assert home_counts(date(2026, 3, 11)).overdue == 1


def test_admin_home_shows_no_mediation(browser, db):
    make_case()
    browser.login("admin")
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    assert "mediation-new" not in html and f"{BASE}/" not in html
