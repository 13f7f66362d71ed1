"""The back-office home differs by role: the specialist's flats to review, placement steps due,
open interests and landlord messages; the social worker's own households, consents about to
expire, follow-ups and mediation cases due; an admin sees both as figures only. Each in a fixed
number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from html import unescape

import pytest

from portal.accounts.staff_home import LANDLORD_MESSAGES, HomeMessage, HomeMessages
from portal.core import clock
from portal.core.db import utcnow
from portal.extensions import db as _db
from portal.placements.calendar import BERLIN
from portal.placements.models import State
from tests.builders import make_case, placement_in, world
from tests.conftest import counted_statements
from tests.factories import FlatFactory, HouseholdFactory, StaffFactory

HOME = "/backoffice/"


def section(html: str, title_id: str) -> str:
    return html.split(f'id="{title_id}"')[1].split("</section>")[0]


def home(browser) -> str:
    response = browser.client.get(HOME)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_specialist_home_shows_flats_to_review_steps_due_and_messages(app, browser, db):
    FlatFactory(status="submitted", submitted_at=utcnow(), street="Prüfweg")
    FlatFactory(status="submitted", submitted_at=utcnow(), street="Zweitweg")
    changed = FlatFactory(status="published", street="Änderungsweg")
    changed.changes_submitted_at = utcnow()
    stuck = placement_in(app, world(street="Stillstandweg"), State.VIEWING_DONE)
    stuck.state_changed_at = utcnow() - timedelta(days=20)
    _db.session.flush()
    browser.login("specialist")
    html = home(browser)
    review = section(html, "review-title")
    assert "2 flats waiting for review" in review
    assert "1 published flat with changes to review" in review
    assert "Prüfweg" in review and "Zweitweg" in review and "Änderungsweg" in review
    assert f'href="/backoffice/flats/{changed.id}"' in review
    assert "Stillstandweg" in section(html, "overdue-title")
    assert "No landlord message waits for an answer." in section(html, "messages-title")
    # Not the social worker's cards.
    for title in ("caseload-title", "expiring-title", "follow-ups-title", "mediation-title"):
        assert f'id="{title}"' not in html


def test_landlord_messages_come_through_the_hook(browser, db, monkeypatch):
    monkeypatch.setattr(LANDLORD_MESSAGES, "_receivers", {})
    now = utcnow()

    @LANDLORD_MESSAGES.connect
    def waiting(user, limit):
        assert user.role == "specialist" and limit == 10
        rows = [
            HomeMessage(
                "Placement 7", "/backoffice/placements/7", now - timedelta(hours=2), "GEBAG"
            ),
            HomeMessage("Case M-2026-0003", "/backoffice/mediation/3", now, "Privat Meier"),
        ]
        return HomeMessages(rows=rows, count=12)

    browser.login("specialist")
    messages = section(home(browser), "messages-title")
    assert '<span class="badge badge-warn">12</span>' in messages
    assert messages.index("Case M-2026-0003") < messages.index("Placement 7")  # newest first
    assert 'href="/backoffice/placements/7"' in messages and "GEBAG" in messages
    assert "10 more messages wait." in messages


def test_social_worker_home_shows_her_households_consents_follow_ups_and_cases(app, browser, db):
    worker = browser.login("social_worker")
    mine = HouseholdFactory(status="draft", vetted_at=None, created_by_id=worker.id)
    HouseholdFactory(status="vetted", created_by_id=worker.id)
    HouseholdFactory(status="vetted", created_by_id=worker.id)
    others = HouseholdFactory(status="draft", vetted_at=None, created_by_id=StaffFactory().id)
    expiring = HouseholdFactory()
    expiring.consents[0].expires_on = clock.today() + timedelta(days=5)
    moved = placement_in(app, world(street="Einzugsweg"), State.MOVED_IN)  # follow-up due
    case = make_case(None, "M-2026-0042", created_at=utcnow() - timedelta(days=30))
    _db.session.flush()
    html = home(browser)
    caseload = section(html, "caseload-title")
    assert '<span class="badge">3</span>' in caseload
    assert '<span class="stat-number">2</span> Vetted' in caseload
    assert f'href="/backoffice/households/{mine.id}"' in caseload
    assert others.code not in caseload
    assert expiring.code in section(html, "expiring-title")
    follow_ups = section(html, "follow-ups-title")
    assert f'href="/backoffice/placements/{moved.id}#follow-ups"' in follow_ups
    mediation = section(html, "mediation-title")
    assert f'href="/backoffice/mediation/{case.id}"' in mediation and "M-2026-0042" in mediation
    # Not the specialist's cards.
    for title in ("review-title", "pipeline-title", "due-title", "messages-title"):
        assert f'id="{title}"' not in html


def test_admin_sees_both_homes_as_figures_only(app, browser, db):
    FlatFactory(status="submitted", submitted_at=utcnow(), street="Prüfweg")
    expiring = HouseholdFactory()
    expiring.consents[0].expires_on = clock.today() + timedelta(days=5)
    placement = placement_in(app, world(street="Einzugsweg"), State.MOVED_IN)
    make_case(None, "M-2026-0042")
    viewing = placement_in(app, world(street="Besichtigungsweg"), State.VIEWING_SCHEDULED)
    viewing.viewing_at = clock.utcnow()
    _db.session.flush()
    browser.login("admin")
    html = home(browser)
    # Counted, though no row of the lists is loaded for the overview.
    assert '<span class="stat-number">1</span> viewing today' in html
    specialists = section(html, "overview-specialist-title")
    assert '<span class="stat-number">1</span> flat waiting for review' in specialists
    assert "landlord messages waiting" in specialists
    social = section(html, "overview-social-title")
    assert '<span class="stat-number">1</span> consent expires within 14 days' in social
    assert '<span class="stat-number">1</span> new mediation case' in social
    # No casework: no code, no address, no link into households, placements, mediation.
    for secret in (expiring.code, placement.household.code, viewing.household.code, "Prüfweg"):
        assert secret not in html
    assert "Einzugsweg" not in html and "Besichtigungsweg" not in html
    for link in ("/backoffice/households/", "/backoffice/placements/", "/backoffice/mediation/"):
        assert f'href="{link}' not in html


def test_each_list_shows_ten_rows_and_counts_all(app, browser, db):
    """The home's lists show their first ten rows (``core.pagination.HOME_ROWS``) and count every
    row: twelve viewings today are "12", ten of them listed and "2 more viewings today"."""
    codes = []
    for _ in range(12):
        placement = placement_in(app, world(), State.VIEWING_SCHEDULED)
        placement.viewing_at = clock.utcnow()  # now: today in Berlin, whatever the hour
        codes.append(placement.household.code)
    _db.session.flush()
    browser.login("specialist")
    due = section(home(browser), "due-title")
    assert '<span class="badge badge-warn">12</span>' in due
    assert sum(code in due for code in codes) == 10
    assert "2 more viewings today." in due


def test_german_counts_use_plural_forms(browser, db):
    FlatFactory(status="submitted", submitted_at=utcnow())
    browser.login("specialist", locale="de")
    review = section(home(browser), "review-title")
    assert "1 Wohnung wartet auf Prüfung" in review
    FlatFactory(status="submitted", submitted_at=utcnow())
    review = section(home(browser), "review-title")
    assert "2 Wohnungen warten auf Prüfung" in review


@pytest.mark.parametrize("role", ["specialist", "social_worker", "admin"])
def test_each_home_loads_in_a_fixed_number_of_queries(app, browser, db, role):
    user = browser.login(role)

    def make(count: int) -> None:
        for number in range(count):
            state = [State.PROPOSED, State.VIEWING_DONE, State.MOVED_IN][number % 3]
            placement = placement_in(app, world(), state)
            if number % 2:
                placement.state_changed_at = utcnow() - timedelta(days=30)
            household = HouseholdFactory(status="draft", created_by_id=user.id)
            household.consents[0].expires_on = clock.today() + timedelta(days=3)
            FlatFactory(status="submitted", submitted_at=utcnow())
            make_case(None, f"M-2026-{number:04d}-{count}", created_at=utcnow() - timedelta(days=9))
        _db.session.flush()

    def statements() -> int:
        browser.client.get(HOME)
        with counted_statements(_db.engine) as seen:
            assert browser.client.get(HOME).status_code == 200
        return len(seen)

    make(3)  # every list has rows, so each loads what it shows
    small = statements()
    make(15)
    assert statements() == small
    # And few (issue 18; 29 to 37 before): the figures of a domain in one statement, a list and
    # its count in one (``first_and_total``), the many-to-one rows of a list joined into it. The
    # test's own SAVEPOINT and ROLLBACK are counted too, and the user's sites (issue 19: the
    # filter of every staff query).
    assert small <= 19


def test_a_landlord_message_waits_on_the_specialist_home_until_the_team_answers(app, browser, db):
    from portal.placements.operations import messages as thread_ops

    placement = placement_in(app, world(street="Nachrichtenweg"), State.VIEWING_SCHEDULED)
    landlord = placement.flat.organisation.members[0]
    thread_ops.landlord_writes(placement, landlord, "Passt Dienstag um zehn?")
    _db.session.flush()
    specialist = browser.login("specialist")
    messages = section(home(browser), "messages-title")
    assert '<span class="badge badge-warn">1</span>' in messages
    assert f"Placement {placement.public_key}" in messages
    assert f'href="/backoffice/placements/{placement.id}#messages"' in messages
    assert placement.flat.organisation.name in messages
    assert "Passt Dienstag" not in messages  # the text stays on the placement page

    thread_ops.staff_writes(placement, specialist, "Ja, bis Dienstag.")
    _db.session.flush()
    assert "No landlord message waits for an answer." in section(home(browser), "messages-title")


def test_the_homes_statements_are_built_once_a_day_and_the_day_is_in_them(app, db):
    """Built once per process and day (``placements.queries._dashboard_statements``): the same
    statements all day; tomorrow's list today's viewings anew (a viewing of tomorrow is not
    one of today's)."""
    from portal.core.pagination import HOME_ROWS
    from portal.placements.queries import _dashboard_statements, dashboard

    today = clock.today()
    assert _dashboard_statements(today, HOME_ROWS) is _dashboard_statements(today, HOME_ROWS)
    tomorrow = today + timedelta(days=1)
    assert _dashboard_statements(tomorrow, HOME_ROWS) is not _dashboard_statements(today, HOME_ROWS)
    placement = placement_in(app, world(), State.VIEWING_SCHEDULED)
    # Noon of tomorrow in Berlin, whatever the hour now (and on the night the clocks change).
    placement.viewing_at = datetime.combine(tomorrow, time(12), BERLIN).astimezone(UTC)
    _db.session.flush()
    with app.test_request_context():
        assert dashboard(today).viewings_count == 0
        assert [p.id for p in dashboard(tomorrow).viewings_today] == [placement.id]
        assert dashboard(today).viewings_count == 0


@pytest.mark.parametrize(
    ("role", "not_read"),
    [
        # The social worker's cards: follow-ups due and consents about to expire.
        ("specialist", ("FROM follow_ups", "FROM consents")),
        # The specialist's: the pipeline, today's viewings, placements without progress.
        ("social_worker", ("GROUP BY placements.state", "placements.viewing_at >=")),
    ],
)
def test_each_home_reads_only_the_part_it_shows(app, browser, db, role, not_read):
    """At 5,000 placements the part a home does not show cost a third of the specialist's
    home (issue 18); each home's own part is still there (the tests above)."""
    placement = placement_in(app, world(), State.MOVED_IN)
    assert placement.follow_ups
    browser.login(role)
    browser.client.get(HOME)
    with counted_statements(_db.engine) as seen:
        assert browser.client.get(HOME).status_code == 200
    for statement in seen:
        assert not any(text in statement for text in not_read), statement
