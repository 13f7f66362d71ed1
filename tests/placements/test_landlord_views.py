"""The landlord's side of placements: the list and the placement page with its plain-language
timeline, the placements on the flat page, accepting or declining a proposal, suggesting viewing
times, and the boundary at which the main tenant's name is shared (DESIGN.md sections 2, 4).

The helpers ``published_flat``, ``propose`` and ``drive`` live in tests/builders.py: the privacy
and IDOR tests of the landlord routes use them too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.pagination import PER_PAGE
from portal.placements import operations as ops
from portal.placements.models import Action, Interest, Placement, PlacementEvent, State
from tests.builders import VIEWING_AT, drive, in_request, propose, published_flat
from tests.conftest import counted_statements, outbox
from tests.factories import (
    HouseholdFactory,
    IdentityFactory,
    StaffFactory,
    UserFactory,
)

PROGRAMME = "zuhause@diakoniewerk-duisburg.example"


def page(browser, path: str) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def html_order(html: str, *texts: str) -> bool:
    """Whether ``texts`` all appear in ``html``, in this order."""
    positions = [html.find(text) for text in texts]
    return -1 not in positions and positions == sorted(positions)


def events_of(db, placement) -> list[PlacementEvent]:
    return list(
        db.session.scalars(
            select(PlacementEvent)
            .where(PlacementEvent.placement_id == placement.id)
            .order_by(PlacementEvent.id)
        )
    )


def state_of(db, placement) -> str:
    return db.session.scalar(select(Placement.state).where(Placement.id == placement.id))


@pytest.fixture
def mine(app, browser, db):
    """A logged-in landlord with a published flat and a household proposed for it."""
    landlord = browser.login("landlord")
    flat = published_flat(landlord.organisation, street="Erstweg", created_by_id=landlord.id)
    household = HouseholdFactory()
    IdentityFactory(household=household, main_tenant_name="Amira Haddad")
    specialist = StaffFactory(role="specialist", full_name="Petra Fachkraft")
    placement = propose(app, flat, household, specialist)
    db.session.commit()
    return landlord, flat, household, placement


# The list and the page -----------------------------------------------------------------------


def test_list_shows_only_the_organisations_own_placements(app, browser, db, mine):
    landlord, flat, household, placement = mine
    colleague = UserFactory(organisation=landlord.organisation)
    second_flat = published_flat(landlord.organisation, street="Zweitweg")
    second = propose(app, second_flat, specialist=placement.staff)
    drive(app, second, State.VIEWING_SCHEDULED, colleague)
    foreign = propose(app, published_flat(UserFactory().organisation, street="Fremdweg"))

    html = page(browser, "/placements/")
    assert "<h1>My placements</h1>" in html
    for text in [household.code, "Erstweg", second.household.code, "Zweitweg"]:
        assert text in html, text
    assert f'href="/placements/{placement.public_key}"' in html
    assert foreign.household.code not in html and "Fremdweg" not in html
    assert f"/placements/{foreign.public_key}" not in html
    # Open placements come first, the latest change on top.
    assert html.index(second.household.code) < html.index(household.code)


def test_list_separates_earlier_placements(app, browser, db, mine):
    landlord, _flat, household, placement = mine
    ended = propose(app, published_flat(landlord.organisation, street="Altweg"))
    drive(app, ended, State.CANCELLED, landlord)
    html = page(browser, "/placements/")
    assert html.index("Current placements") < html.index(household.code)
    assert html.index("Earlier placements") < html.index(ended.household.code)
    assert html.index(household.code) < html.index("Earlier placements")


def test_earlier_placements_follow_the_open_ones_on_the_same_pages(
    app, browser, db, mine, monkeypatch
):
    """One list a page at a time: the open placements first, then the earlier ones, the most
    recently ended first, on the page where the open ones end and the pages after it."""
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 2)
    landlord, _flat, household, _placement = mine
    ended = []
    for street in ["Altweg", "Mittelweg", "Neuweg"]:
        placement = propose(app, published_flat(landlord.organisation, street=street))
        drive(app, placement, State.CANCELLED, landlord)
        ended.append(placement.household.code)
    first = page(browser, "/placements/")
    assert "Page 1 of 2" in first and 'href="/placements/?page=2"' in first
    assert first.count('class="placement-card"') == 2
    assert household.code in first and ended[2] in first
    assert html_order(first, "Current placements", household.code, "Earlier placements", ended[2])
    second = page(browser, "/placements/?page=2")
    assert "Page 2 of 2" in second and 'href="/placements/?page=1"' in second
    assert html_order(second, "Earlier placements", ended[1], ended[0])
    assert household.code not in second and ended[2] not in second
    # No open placement on this page: no empty "current" section that would say there is none.
    assert "Current placements" not in second and "You have no current placement." not in second


def open_and_ended(app, landlord, n_open: int, n_ended: int) -> tuple[list[str], list[str]]:
    """The household codes of ``n_open`` proposals and ``n_ended`` cancelled placements of the
    landlord's organisation, each list the most recent first (the list's order)."""
    specialist = StaffFactory(role="specialist")
    codes: dict[bool, list[str]] = {True: [], False: []}
    for i in range(n_open + n_ended):
        placement = propose(app, published_flat(landlord.organisation), specialist=specialist)
        if i >= n_open:
            drive(app, placement, State.CANCELLED, landlord)
        codes[i < n_open].insert(0, placement.household.code)
    return codes[True], codes[False]


def test_many_open_placements_come_a_page_at_a_time(app, browser, db):
    """A housing company with more open placements than a page holds: the same page size as
    every list, the open ones first, the earlier ones after the last open one."""
    landlord = browser.login("landlord")
    current, ended = open_and_ended(app, landlord, PER_PAGE + 3, 2)
    db.session.commit()

    first = page(browser, "/placements/")
    assert first.count('class="placement-card"') == PER_PAGE
    assert all(code in first for code in current[:PER_PAGE])
    assert html_order(first, *current[:PER_PAGE])  # the latest change on top
    assert not any(code in first for code in current[PER_PAGE:] + ended)
    assert "Earlier placements" not in first
    assert "Page 1 of 2" in first and 'href="/placements/?page=2"' in first

    second = page(browser, "/placements/?page=2")
    assert second.count('class="placement-card"') == 5
    assert html_order(second, "Current placements", *current[PER_PAGE:])
    assert html_order(second, current[-1], "Earlier placements", *ended)
    assert not any(code in second for code in current[:PER_PAGE])
    assert "Page 2 of 2" in second and 'href="/placements/?page=1"' in second
    assert 'href="/placements/?page=3"' not in second
    # The rest of the page is the same on every page.
    for html in (first, second):
        assert "<h1>My placements</h1>" in html
        assert "step by step" in html
        assert 'href="/placements/notifications"' in html


@pytest.mark.parametrize("arg", ["abc", "0", "-3", ""])
def test_a_page_argument_that_is_no_page_number_shows_the_first_page(app, browser, db, arg):
    landlord = browser.login("landlord")
    current, _ended = open_and_ended(app, landlord, 2, 1)
    db.session.commit()
    html = page(browser, f"/placements/?page={arg}")
    assert html_order(html, "Current placements", *current, "Earlier placements")
    assert html.count('class="placement-card"') == 3


def test_a_page_beyond_the_last_shows_the_last(app, browser, db, monkeypatch):
    """As every list (``core.pagination.page_of``): an old link to a page that no longer exists
    shows the last page, not an empty one that would read like no placements."""
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 2)
    landlord = browser.login("landlord")
    _current, ended = open_and_ended(app, landlord, 2, 1)
    db.session.commit()
    html = page(browser, "/placements/?page=999")
    assert html.count('class="placement-card"') == 1 and ended[0] in html
    assert "<h1>My placements</h1>" in html and 'href="/placements/notifications"' in html
    assert "Earlier placements" in html and "You have no current placement." not in html
    assert "Page 2 of 2" in html


def test_empty_list_says_what_will_come(browser, db):
    browser.login("landlord")
    html = page(browser, "/placements/")
    assert "You have no current placement." in html
    assert "Earlier placements" not in html


def test_landlord_navigation_links_to_the_placements(browser, db):
    browser.login("landlord")
    html = page(browser, "/flats/")
    assert 'href="/placements/"' in html and "My placements" in html


def test_a_proposal_asks_for_a_decision(browser, db, mine):
    _landlord, _flat, household, placement = mine
    html = page(browser, f"/placements/{placement.public_key}")
    assert f"<h1>Household {household.code}</h1>" in html
    assert "Proposed to you" in html
    assert f"The Kümmerer team proposed household {household.code} for this flat." in html
    assert "Please tell us whether you would like to meet the household." in html
    assert f'action="/placements/{placement.public_key}/accept"' in html
    assert f'action="/placements/{placement.public_key}/decline"' in html
    assert f'action="/placements/{placement.public_key}/viewing-times"' in html
    # The household's public profile is one click away while landlords may see it.
    assert f'href="/households/{household.id}"' in html


def test_the_page_names_who_to_contact_and_offers_mediation(browser, db, mine):
    _landlord, flat, household, placement = mine
    for path in [
        f"/placements/{placement.public_key}",
        "/placements/",
        f"/flats/{flat.public_key}",
    ]:
        html = page(browser, path)
        assert "Your contact at the Kümmerer team: Petra Fachkraft." in html, path
        assert f'href="mailto:{PROGRAMME}"' in html, path
        assert 'href="tel:0203000000-0"' in html, path
        assert "Ask the team for mediation</a>" in html, path
        assert f'href="/mediation/?placement={placement.public_key}"' in html, path


def test_timeline_tells_the_story_in_plain_language(app, browser, db, mine):
    landlord, _flat, household, placement = mine
    companion = StaffFactory(role="specialist", full_name="Jonas Begleiter")
    drive(app, placement, State.MOVED_IN, landlord, companion)
    today = clock.today()
    html = page(browser, f"/placements/{placement.public_key}")
    lines = [
        f"The Kümmerer team proposed household {household.code} for this flat.",
        "You agreed to meet the household.",
        "Viewing on 03/12/2026, 14:00",
        "You meet Amira Haddad, the main tenant. "
        "Jonas Begleiter from the Kümmerer team comes along.",
        "The viewing took place.",
        "went to the Jobcenter or Sozialamt.",
        "The Jobcenter or Sozialamt approved the costs (Zusicherung).",
        f"The lease was signed on {today.day} {today:%b} {today.year}",
        f"Keys handed over on {today.day} {today:%b} {today.year}: the household has moved in.",
    ]
    positions = []
    for line in lines:
        assert line in html, line
        positions.append(html.index(line))
    assert positions == sorted(positions)  # oldest first
    assert "Moved in" in html
    # The team's data that is not on the landlord's list stays out.
    assert "Jobcenter Duisburg-Mitte" not in html
    assert ">gut<" not in html and "gut." not in html


def test_viewing_date_in_german_is_berlin_time(app, browser, db, mine):
    landlord, _flat, _household, placement = mine
    drive(app, placement, State.VIEWING_SCHEDULED, landlord)
    landlord.locale = "de"
    db.session.commit()
    response = browser.client.get(
        f"/placements/{placement.public_key}", headers={"Accept-Language": "de"}
    )
    assert "03.12.2026, 14:00" in response.get_data(as_text=True)


def test_flat_page_shows_its_placements(app, browser, db, mine):
    landlord, flat, household, placement = mine
    other_flat = published_flat(landlord.organisation, street="Zweitweg")
    elsewhere = propose(app, other_flat)
    html = page(browser, f"/flats/{flat.public_key}")
    assert '<h2 id="placements-title">Placements</h2>' in html
    assert household.code in html and f'href="/placements/{placement.public_key}"' in html
    assert elsewhere.household.code not in html
    assert f'action="/placements/{placement.public_key}/accept"' in html
    assert 'name="back" value="flat"' in html
    html = page(browser, f"/flats/{published_flat(landlord.organisation).public_key}")
    assert "No household has been proposed for this flat yet." in html


# Accept and decline ---------------------------------------------------------------------------


def post(browser, path: str, data: dict | None = None, **kw):
    return browser.post(path, data or {}, csrf_from_path="/placements/", **kw)


def test_accept_reserves_the_flat_and_records_the_landlord(browser, db, mine):
    landlord, flat, household, placement = mine
    response = post(browser, f"/placements/{placement.public_key}/accept")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/placements/{placement.public_key}"
    db.session.expire_all()
    assert placement.state == State.LANDLORD_ACCEPTED
    assert flat.status == "reserved"
    last = events_of(db, placement)[-1]
    assert (last.action, last.role, last.actor_id) == ("accept", "landlord", landlord.id)
    assert (last.from_state, last.to_state) == ("proposed", "landlord_accepted")
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "placement.accept"))
    assert audit is not None and audit.actor_id == landlord.id
    html = page(browser, response.headers["Location"])
    assert f"You have agreed to meet household {household.code}." in html
    assert "You agreed to a viewing" in html
    assert f'action="/placements/{placement.public_key}/accept"' not in html
    # Times can still be suggested.
    assert f'action="/placements/{placement.public_key}/viewing-times"' in html


@pytest.mark.parametrize(
    "back, location",
    [("flat", "/flats/{flat}#placements"), ("list", "/placements/#placement-{placement}")],
)
def test_the_buttons_lead_back_where_they_were(browser, db, mine, back, location):
    _landlord, flat, _household, placement = mine
    response = post(browser, f"/placements/{placement.public_key}/accept", {"back": back})
    assert response.headers["Location"] == location.format(
        flat=flat.public_key, placement=placement.public_key
    )
    response = post(
        browser, f"/placements/{placement.public_key}/accept", {"back": "https://evil.example"}
    )
    assert response.headers["Location"] == f"/placements/{placement.public_key}"


def test_decline_ends_the_placement_and_the_flat_stays_offered(browser, db, mine):
    landlord, flat, household, placement = mine
    response = post(browser, f"/placements/{placement.public_key}/decline")
    assert response.status_code == 302
    db.session.expire_all()
    assert placement.state == State.CANCELLED
    assert placement.cancel_reason == "landlord_declined"
    assert flat.status == "published"
    last = events_of(db, placement)[-1]
    assert (last.action, last.role, last.actor_id) == ("decline", "landlord", landlord.id)
    html = page(browser, response.headers["Location"])
    assert f"You have declined household {household.code} for this flat." in html
    assert "You declined the proposal." in html
    assert "Not going ahead" in html
    assert 'action="/placements/' not in html.split("<main", 1)[1]  # nothing left to do here


def test_a_stale_decision_is_refused_and_changes_nothing(browser, db, mine):
    _landlord, flat, _household, placement = mine
    token = browser.csrf(f"/placements/{placement.public_key}")  # the page as it was
    post(browser, f"/placements/{placement.public_key}/decline")
    before = (len(events_of(db, placement)), len(outbox()), state_of(db, placement))
    for action in ["accept", "decline"]:
        response = browser.client.post(
            f"/placements/{placement.public_key}/{action}",
            data={"csrf_token": token},
            follow_redirects=True,
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "This is no longer possible: the placement has moved on in the meantime." in html
        assert "Nothing was changed" in html
    assert (len(events_of(db, placement)), len(outbox()), state_of(db, placement)) == before
    db.session.expire_all()
    assert flat.status == "published"


def test_accepting_when_the_flat_was_reserved_meanwhile_is_refused(app, browser, db, mine):
    landlord, flat, _household, placement = mine
    other = propose(app, flat, specialist=placement.staff)
    with in_request(app):
        ops.take_step(other, Action.ACCEPT, landlord, "landlord")
    db.session.commit()
    before = (len(events_of(db, placement)), len(outbox()))
    response = post(browser, f"/placements/{placement.public_key}/accept", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Your flat is no longer free for this household" in html
    assert state_of(db, placement) == "proposed"
    assert (len(events_of(db, placement)), len(outbox())) == before
    db.session.expire_all()
    assert flat.status == "reserved"


def test_post_without_a_token_changes_nothing(browser, db, mine):
    _landlord, _flat, _household, placement = mine
    response = browser.client.post(f"/placements/{placement.public_key}/accept")
    assert response.status_code == 400
    assert state_of(db, placement) == "proposed"


# Viewing times ----------------------------------------------------------------------------------


def test_suggesting_viewing_times_writes_an_event_and_tells_the_team(browser, db, mine):
    landlord, flat, household, placement = mine
    before = len(outbox(PROGRAMME))
    response = post(
        browser,
        f"/placements/{placement.public_key}/viewing-times",
        {"slots": "Tuesday after 4 pm\nSaturday morning"},
    )
    assert response.status_code == 302
    last = events_of(db, placement)[-1]
    assert (last.action, last.role, last.actor_id) == ("viewing_slots", "landlord", landlord.id)
    assert last.note == "Tuesday after 4 pm\nSaturday morning"
    assert state_of(db, placement) == "proposed"
    mails = outbox(PROGRAMME)
    assert len(mails) == before + 1
    assert household.code in mails[-1].subject
    assert "Saturday morning" in mails[-1].body_text and flat.address_line in mails[-1].body_text
    assert outbox(landlord.email)[-1].subject.startswith("A household for your flat")  # no new
    html = page(browser, response.headers["Location"])
    assert "The Kümmerer team has your suggested times" in html
    assert "You suggested times for the viewing:" in html
    assert "Tuesday after 4 pm\nSaturday morning" in html


@pytest.mark.parametrize(
    "slots, error",
    [
        ("", "Please suggest at least one time."),
        ("x" * 2001, "Please keep it to at most 2,000 characters."),
    ],
)
def test_invalid_viewing_times_are_shown_again(browser, db, mine, slots, error):
    _landlord, _flat, _household, placement = mine
    before = (len(events_of(db, placement)), len(outbox()))
    response = post(browser, f"/placements/{placement.public_key}/viewing-times", {"slots": slots})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error in html and 'aria-invalid="true"' in html
    assert (len(events_of(db, placement)), len(outbox())) == before


def test_viewing_times_after_the_viewing_are_refused(app, browser, db, mine):
    landlord, _flat, _household, placement = mine
    drive(app, placement, State.VIEWING_DONE, landlord)
    db.session.commit()
    html = page(browser, f"/placements/{placement.public_key}")
    assert "viewing-times" not in html
    before = (len(events_of(db, placement)), len(outbox()))
    response = post(
        browser,
        f"/placements/{placement.public_key}/viewing-times",
        {"slots": "Monday"},
        follow_redirects=True,
    )
    assert "This is no longer possible" in response.get_data(as_text=True)
    assert (len(events_of(db, placement)), len(outbox())) == before


# The tier-2 boundary ----------------------------------------------------------------------------

REVEALED = [
    State.VIEWING_SCHEDULED,
    State.VIEWING_DONE,
    State.RENT_OFFER_SUBMITTED,
    State.COSTS_APPROVED,
    State.LEASE_SIGNED,
    State.MOVED_IN,
    State.AFTERCARE,
    State.COMPLETED,
]
HIDDEN = [State.PROPOSED, State.LANDLORD_ACCEPTED, State.CANCELLED]


@pytest.mark.parametrize("state", REVEALED + HIDDEN)
def test_the_name_is_shared_from_the_viewing_on_and_never_after_a_cancellation(
    app, browser, db, mine, state
):
    landlord, flat, _household, placement = mine
    companion = StaffFactory(role="specialist", full_name="Jonas Begleiter")
    drive(app, placement, state, landlord, companion)
    db.session.commit()
    for path in [
        f"/placements/{placement.public_key}",
        "/placements/",
        f"/flats/{flat.public_key}",
    ]:
        html = page(browser, path)
        for name in ["Amira Haddad", "Jonas Begleiter"]:
            assert (name in html) == (state in REVEALED), (state, path, name)
        # The specialist in charge is a staff name, always shown.
        assert "Petra Fachkraft" in html


def test_the_viewing_box_names_both_people(app, browser, db, mine):
    landlord, _flat, _household, placement = mine
    drive(app, placement, State.VIEWING_SCHEDULED, landlord, StaffFactory(full_name="Jo Weg"))
    html = page(browser, f"/placements/{placement.public_key}")
    assert "<dt>Main tenant</dt><dd>Amira Haddad</dd>" in html
    assert "<dt>From the Kümmerer team</dt><dd>Jo Weg</dd>" in html
    assert "<dt>Where</dt><dd>Vor dem Haus</dd>" in html


# Queries ----------------------------------------------------------------------------------------


def test_the_list_needs_a_fixed_number_of_queries(app, browser, db):
    """A page costs the same statements whether the organisation has two placements or more
    than a page holds: the page's ids and their number, one load (with the consents), the steps,
    the tenants' names."""
    landlord = browser.login("landlord")
    specialist = StaffFactory(role="specialist")

    def count_for(n: int, path: str = "/placements/") -> int:
        db.session.execute(PlacementEvent.__table__.delete())
        db.session.execute(Placement.__table__.delete())
        for i in range(n):
            flat = published_flat(landlord.organisation)
            household = HouseholdFactory()
            IdentityFactory(household=household, main_tenant_name=f"Name {i}")
            placement = propose(app, flat, household, specialist)
            if (n - 1 - i) % 2 == 0:  # every other one, the latest among them
                drive(app, placement, State.VIEWING_SCHEDULED, landlord)
        db.session.commit()
        with counted_statements(db.engine) as statements:
            html = page(browser, path)
        shown = min(n, PER_PAGE) if path == "/placements/" else n - PER_PAGE
        assert html.count('class="placement-card"') == shown
        assert f"Name {n - 1 if path == '/placements/' else n - PER_PAGE - 2}" in html
        return len(statements)

    few = count_for(2)
    assert few == count_for(PER_PAGE + 3) == count_for(PER_PAGE + 3, "/placements/?page=2")
    assert few <= 10, few
    assert db.session.scalar(select(func.count(Placement.id))) == PER_PAGE + 3


def test_timeline_of_a_suggestion_taken_up_and_a_moved_viewing(app, browser, db):
    landlord = browser.login("landlord")
    flat = published_flat(landlord.organisation)
    household = HouseholdFactory()
    IdentityFactory(household=household, main_tenant_name="Amira Haddad")
    specialist = StaffFactory(role="specialist")
    first, second = StaffFactory(full_name="Erste Begleitung"), StaffFactory(full_name="Jo Weg")
    interest = Interest(
        flat=flat, household=household, organisation_id=landlord.organisation_id, message="Sa"
    )
    db.session.add(interest)
    db.session.flush()
    with in_request(app):
        placement = ops.accept_interest(interest, specialist)
    drive(app, placement, State.VIEWING_SCHEDULED, landlord, first)
    with in_request(app):
        ops.take_step(
            placement,
            Action.RESCHEDULE_VIEWING,
            specialist,
            "specialist",
            viewing_at=VIEWING_AT + timedelta(days=1),
            viewing_place="Im Hausflur",
            viewing_companion_id=second.id,
        )
    html = page(browser, f"/placements/{placement.public_key}")
    assert (
        f"The Kümmerer team took up your suggestion and proposed household {household.code} "
        "for this flat." in html
    )
    assert "Viewing on 03/12/2026, 14:00" in html
    moved = html.index("The viewing was moved to 04/12/2026, 14:00")
    assert "Im Hausflur. You meet Amira Haddad, the main tenant. Jo Weg from the" in html[moved:]
    # The names go with the current viewing only; the earlier companion is not named.
    assert "Erste Begleitung" not in html
    assert "<dt>When</dt><dd>04/12/2026, 14:00" in html


def test_empty_viewing_times_after_the_viewing_are_refused_with_a_message(app, browser, db, mine):
    landlord, _flat, _household, placement = mine
    drive(app, placement, State.VIEWING_DONE, landlord)
    db.session.commit()
    response = post(
        browser,
        f"/placements/{placement.public_key}/viewing-times",
        {"slots": ""},
        follow_redirects=True,
    )
    assert "This is no longer possible" in response.get_data(as_text=True)
