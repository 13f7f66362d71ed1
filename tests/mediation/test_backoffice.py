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
    _db.session.add(CaseEntry(case_id=case.id, kind="reply", author_id=user.id, text="zwei"))
    conversation(1, landlord=landlord, staff=user, case=case)
    small = statements()
    # Notes, replies and history grow past what the page shows (the newest ten of each, with
    # their authors), each author another colleague.
    for _ in range(15):
        author = StaffFactory(role="social_worker")
        _db.session.add(CaseEntry(case_id=case.id, kind="note", author_id=author.id, text="n"))
        _db.session.add(CaseEntry(case_id=case.id, kind="reply", author_id=author.id, text="r"))
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


def section(html: str, section_id: str) -> str:
    return html.split(f'<section id="{section_id}"')[1].split("</section>")[0]


def entries(case: MediationCase, kind: str, count: int, author_id: int | None = None) -> None:
    """``count`` notes or replies, "note 000" / "reply 000" onwards, straight into the table."""
    _db.session.add_all(
        CaseEntry(case_id=case.id, kind=kind, author_id=author_id, text=f"{kind} {number:03d}")
        for number in range(count)
    )
    _db.session.flush()


def events(case: MediationCase, count: int, actor_id: int | None = None) -> None:
    """``count`` placement links of ``case`` in its history, "Placement 1000" onwards, a minute
    apart."""
    start = utcnow() - timedelta(days=1)
    _db.session.add_all(
        AuditEvent(
            action="mediation.linked",
            actor_id=actor_id,
            object_type="mediation_cases",
            object_id=case.id,
            occurred_at=start + timedelta(minutes=number),
            details={"placement_id": 1000 + number},
        )
        for number in range(count)
    )
    _db.session.flush()


def numbers(html: str, pattern: str) -> list[int]:
    return [int(n) for n in re.findall(pattern, html)]


def test_the_case_page_shows_the_newest_notes_and_replies_and_links_all(browser, db):
    case = make_case()
    entries(make_case(), "note", 3)  # another case's: on none of its lists
    author = StaffFactory(role="social_worker", full_name="Nora Notiz")
    entries(case, "note", 30, author.id)
    entries(case, "reply", 12)
    browser.login("specialist")
    html = text_of(browser.client.get(f"{BASE}/{case.id}"))

    notes = section(html, "case-notes")
    assert numbers(notes, r"note (\d{3})") == list(range(20, 30))  # the newest ten, oldest first
    assert "reply " not in notes and notes.count("Nora Notiz") == 10
    assert "20 earlier notes are not shown here." in notes
    assert f'href="{BASE}/{case.id}/internal-notes">Show all 30 internal notes</a>' in notes
    assert 'name="note"' in notes  # the form stays under the list

    replies = section(html, "case-replies")
    assert numbers(replies, r"reply (\d{3})") == list(range(2, 12))
    assert "note " not in replies
    assert "2 earlier replies are not shown here." in replies
    assert f'href="{BASE}/{case.id}/replies">Show all 12 replies</a>' in replies
    assert 'name="reply_text"' in replies


def test_a_short_list_is_shown_whole_without_a_link(browser, db):
    case = make_case()
    entries(case, "note", 10)
    entries(case, "reply", 1)
    events(case, 10)
    browser.login("specialist")
    html = text_of(browser.client.get(f"{BASE}/{case.id}"))
    assert numbers(section(html, "case-notes"), r"note (\d{3})") == list(range(10))
    assert numbers(section(html, "case-replies"), r"reply (\d{3})") == [0]
    assert numbers(section(html, "case-history"), r"Placement (\d{4})") == list(range(1000, 1010))
    assert "not shown here" not in html and "Show all" not in html


def test_the_notes_and_replies_pages_list_all_a_page_at_a_time(browser, db):
    case = make_case()
    entries(make_case(), "note", 3)
    entries(case, "note", 30)
    entries(case, "reply", 12)
    browser.login("social_worker")
    first = text_of(browser.client.get(f"{BASE}/{case.id}/internal-notes"))
    assert "30 entries, oldest first" in first and case.number in first
    assert f'href="{BASE}/{case.id}#case-notes"' in first
    on_first = numbers(first, r"note (\d{3})")
    assert on_first == list(range(25)) and "reply " not in first
    second = text_of(browser.client.get(f"{BASE}/{case.id}/internal-notes?page=2"))
    assert on_first + numbers(second, r"note (\d{3})") == list(range(30))
    assert f'href="{BASE}/{case.id}/internal-notes?page=1" rel="prev"' in second

    replies = text_of(browser.client.get(f"{BASE}/{case.id}/replies"))
    assert "12 entries, oldest first" in replies
    assert numbers(replies, r"reply (\d{3})") == list(range(12)) and "note " not in replies
    assert 'rel="next"' not in replies


def test_the_case_page_shows_the_newest_history_and_the_history_page_all(browser, db):
    case = make_case()
    events(make_case(), 3)
    actor = StaffFactory(role="specialist", full_name="Hanna Historie")
    events(case, 30, actor.id)
    browser.login("specialist")
    html = text_of(browser.client.get(f"{BASE}/{case.id}"))
    history = section(html, "case-history")
    assert numbers(history, r"Placement (\d{4})") == list(range(1020, 1030))
    assert history.count("Hanna Historie") == 10
    assert "20 earlier entries are not shown here." in history
    assert f'href="{BASE}/{case.id}/history">Show all 30 entries of the history</a>' in history

    first = text_of(browser.client.get(f"{BASE}/{case.id}/history"))
    assert "30 entries, oldest first" in first
    assert numbers(first, r"Placement (\d{4})") == list(range(1000, 1025))
    assert first.count("Hanna Historie") == 25  # who acted, as on the case page
    second = text_of(browser.client.get(f"{BASE}/{case.id}/history?page=2"))
    assert numbers(second, r"Placement (\d{4})") == list(range(1025, 1030))


def test_the_cut_lists_of_a_case_speak_german_with_plurals(browser, db):
    case = make_case()
    entries(case, "note", 13)
    entries(case, "reply", 11)
    events(case, 12)
    user = browser.login("specialist")
    user.locale = "de"
    _db.session.flush()
    html = text_of(browser.client.get(f"{BASE}/{case.id}"))
    notes = section(html, "case-notes")
    assert "3 frühere Notizen werden hier nicht angezeigt." in notes
    assert "Alle 13 internen Notizen anzeigen" in notes
    replies = section(html, "case-replies")
    assert "1 frühere Antwort wird hier nicht angezeigt." in replies
    assert "Alle 11 Antworten anzeigen" in replies
    history = section(html, "case-history")
    assert "2 frühere Einträge werden hier nicht angezeigt." in history
    assert "Alle 12 Einträge des Verlaufs anzeigen" in history
    for path, total in (("internal-notes", 13), ("replies", 11), ("history", 12)):
        page = text_of(browser.client.get(f"{BASE}/{case.id}/{path}"))
        assert f"{total} Einträge, die ältesten zuerst" in page, path


def test_the_list_pages_of_a_case_are_for_casework_staff_only(browser, db):
    case = make_case()
    paths = [f"{BASE}/{case.id}/{name}" for name in ("internal-notes", "replies", "history")]
    browser.login("landlord")
    for path in paths:
        assert browser.client.get(path).status_code == 403, path
    browser.logout()
    browser.login("social_worker")
    for path in paths:
        assert browser.client.get(path).status_code == 200, path
        assert browser.client.get(path.replace(str(case.id), "999999")).status_code == 404


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
