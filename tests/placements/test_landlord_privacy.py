"""The allow-list test of the landlord's placement pages and e-mails (DESIGN.md section 2).

Every restricted value holds a unique marker: the household's non-public columns, its identity
and consents (found from the models, as in tests/households/test_privacy_markers.py), the
placement's staff-only columns (found from the model too, minus the few landlords may see), the
team's notes on each step, and the staff's e-mail addresses. None may appear in any landlord
response or e-mail. The two tier-2 values of each placement (the main tenant's name and the
accompanying staff member's name) must appear on its pages from the scheduled viewing on, and
must not appear before it or after a cancellation. From the lease on, the Wohnungsgeberbestätigung
on the placement's own page names every adult moving in (§19 (3) BMG; issue 16): those names may
appear there, and nowhere else.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.households.models import HouseholdIdentity
from portal.placements import operations as ops
from portal.placements.models import Placement, State
from tests.builders import (
    Markers,
    drive,
    in_request,
    marked_household,
    propose,
    published_flat,
    text_columns,
)
from tests.conftest import outbox
from tests.factories import StaffFactory, UserFactory

# Placement columns a landlord may see (or that hold no free text about the household); the
# public key is the placement's address in landlord URLs.
PLACEMENT_PUBLIC = {"state", "origin", "viewing_place", "cancel_reason", "public_key"}
STATES = [
    State.PROPOSED,
    State.LANDLORD_ACCEPTED,
    State.VIEWING_SCHEDULED,
    State.VIEWING_DONE,
    State.RENT_OFFER_SUBMITTED,
    State.COSTS_APPROVED,
    State.LEASE_SIGNED,
    State.MOVED_IN,
    State.AFTERCARE,
    State.COMPLETED,
    State.CANCELLED,
]
REVEALED_STATES = STATES[2:10]  # viewing_scheduled .. completed
MOVE_IN_STATES = STATES[6:10]  # lease_signed .. completed: the Wohnungsgeberbestätigung


def test_every_staff_only_placement_column_is_marked():
    # A new column in Placement is restricted until someone decides otherwise, here.
    assert set(text_columns(Placement, skip=PLACEMENT_PUBLIC)) == {
        "viewing_outcome",
        "rent_offer_office",
        "cancel_note",
    }


class World:
    def __init__(self) -> None:
        self.markers = Markers()
        self.tier2: dict[int, set[str]] = {}  # placement id -> its tier-2 markers
        self.move_in: dict[int, set[str]] = {}  # placement id -> the adults' names it may show
        self.revealed: set[int] = set()  # revealing now
        self.reached_viewing: set[int] = set()  # got a viewing invitation at some point
        self.placements: list[Placement] = []

    def never(self) -> set[str]:
        shown_sometimes = set().union(*self.tier2.values(), *self.move_in.values())
        return set(self.markers.where) - shown_sometimes

    def tier2_of(self, placement_ids) -> set[str]:
        return set().union(*(self.tier2[i] for i in placement_ids))


def marked_placement(app, db, world: World, landlord, n: int, state: State) -> Placement:
    m = world.markers
    household = marked_household(m, n)
    identity = db.session.scalar(
        select(HouseholdIdentity).where(HouseholdIdentity.household_id == household.id)
    )
    specialist = StaffFactory(role="specialist")  # the name of the specialist may be shown
    specialist.email = m.new(f"specialist email {n}") + "@example.org"
    companion = StaffFactory(role="specialist")
    companion.full_name = m.new(f"companion name {n}")
    companion.email = m.new(f"companion email {n}") + "@example.org"
    # Every other flat has heating costs above the Jobcenter's threshold for small households:
    # its page shows the landlord the heating hint, which names no household.
    heating = {"energy_certificate_pending": False, "energy_carrier": "gas"}
    heating["heating_costs"] = Decimal("190.00")
    flat = published_flat(landlord.organisation, **(heating if n % 2 else {}))
    placement = propose(app, flat, household, specialist)
    drive(
        app,
        placement,
        state,
        landlord,
        companion,
        note=m.new(f"step note {n}"),
        texts={
            "viewing_outcome": m.new(f"viewing_outcome step {n}"),
            "rent_offer_office": m.new(f"rent_offer_office step {n}", 120),
        },
    )
    with in_request(app):
        ops.add_note(placement, specialist, m.new(f"team note {n}"))
    for name in text_columns(Placement, skip=PLACEMENT_PUBLIC):
        setattr(placement, name, m.new(f"Placement.{name} {n}"))
    world.tier2[placement.id] = {identity.main_tenant_name.lower(), companion.full_name.lower()}
    if placement.identity_revealed:
        world.revealed.add(placement.id)
    if state in MOVE_IN_STATES:
        names = identity.adult_names.splitlines()
        world.move_in[placement.id] = {name.lower() for name in names if name.strip()}
    if state in REVEALED_STATES or state == State.CANCELLED:
        world.reached_viewing.add(placement.id)
    world.placements.append(placement)
    return placement


@pytest.fixture
def world(app, browser, db):
    world = World()
    landlord = browser.login("landlord")
    for n, state in enumerate(STATES, start=1):
        marked_placement(app, db, world, landlord, n, state)
    # Three more proposals, for the buttons: accept, decline, suggest times.
    for n in range(len(STATES) + 1, len(STATES) + 4):
        marked_placement(app, db, world, landlord, n, State.PROPOSED)
    # Another organisation's placement, revealed to them: never to this landlord.
    other = UserFactory()
    foreign = marked_placement(app, db, world, other, 99, State.VIEWING_SCHEDULED)
    world.placements.remove(foreign)
    world.revealed.discard(foreign.id)
    world.reached_viewing.discard(foreign.id)
    world.foreign = foreign
    db.session.commit()
    assert len(world.revealed) == 8  # viewing_scheduled .. completed
    return world, landlord


def test_no_restricted_value_reaches_a_landlord(app, browser, db, world):
    world, landlord = world
    never = world.never()
    seen: list[tuple[str, str, set[int]]] = []  # where, text, placements shown there

    def fetch(method: str, path: str, shows: set[int], **kw) -> str:
        response = browser.client.open(path, method=method, **kw)
        assert response.status_code in (200, 302), (method, path, response.status_code)
        text = (response.get_data(as_text=True) + str(response.headers)).lower()
        seen.append((f"{method} {path}", text, shows))
        return text

    mine = {p.id: p for p in world.placements}
    all_ids = set(mine)
    accept, decline, slots = world.placements[-3:]
    keys = {p.id: (p.public_key, p.flat.public_key) for p in world.placements}
    by_key = {p.public_key: p.id for p in world.placements}

    def pages() -> None:
        fetch("GET", "/placements/", all_ids)
        fetch("GET", "/flats/", set())
        for placement_id, (key, flat_key) in keys.items():
            fetch("GET", f"/placements/{key}", {placement_id})
            fetch("GET", f"/flats/{flat_key}", {placement_id})

    pages()
    token = browser.csrf("/placements/")
    for path, data in [
        (f"/placements/{accept.public_key}/accept", {}),
        (f"/placements/{accept.public_key}/accept", {}),  # stale
        (f"/placements/{decline.public_key}/decline", {"back": "list"}),
        (f"/placements/{decline.public_key}/accept", {"back": "flat"}),  # stale
        (f"/placements/{slots.public_key}/viewing-times", {"slots": "Monday"}),
        (f"/placements/{slots.public_key}/viewing-times", {"slots": ""}),  # form error, re-rendered
        (f"/placements/{mine_key(world, State.VIEWING_DONE)}/viewing-times", {"slots": "x"}),
    ]:
        placement_id = by_key[path.split("/")[2]]
        for follow in (False, True):
            fetch(
                "POST",
                path,
                all_ids if data.get("back") == "list" else {placement_id},
                data={"csrf_token": token, **data},
                follow_redirects=follow,
            )
    pages()  # once more, after the changes
    for placement in world.placements[:-3]:
        db.session.refresh(placement)
        assert placement.identity_revealed == (placement.id in world.revealed)

    mails = outbox(landlord.email)
    assert len(mails) >= len(world.placements)
    for mail in mails:
        text = (mail.subject + mail.body_text + (mail.attachment_text or "")).lower()
        # A viewing invitation carries the tier-2 names of its own placement, which reached the
        # viewing when the mail was written; nothing else does.
        shows = {
            p.id for p in world.placements if f"/placements/{p.public_key.lower()}\n" in text + "\n"
        }
        seen.append((f"mail {mail.subject}", text, shows & world.tier2.keys()))

    leaks = [
        (where, sorted(world.markers.where[m] for m in never if m in text))
        for where, text, _shows in seen
        if any(m in text for m in never)
    ]
    assert leaks == []

    # Tier 2: only the placement's own names, only where the placement is shown, and only
    # while it reveals them (mails: when it did at the time).
    wrong = []
    for where, text, shows in seen:
        allowed_ids = shows & (
            world.reached_viewing if where.startswith("mail") else world.revealed
        )
        allowed = world.tier2_of(allowed_ids)
        for marker in world.tier2_of(world.tier2.keys()) - allowed:
            if marker in text:
                wrong.append((where, world.markers.where[marker]))
        for marker in allowed if not where.startswith(("mail", "POST")) else ():
            if marker not in text:
                wrong.append((where, "missing " + world.markers.where[marker]))
    assert wrong == []

    # The adults' names: only on the placement's own page, while it reveals its tier 2.
    own_page = {f"GET /placements/{p.public_key}": p.id for p in world.placements}
    for where, text, _shows in seen:
        allowed = world.move_in.get(own_page.get(where), set())
        if own_page.get(where) not in world.revealed:
            allowed = set()
        for names in world.move_in.values():
            for name in names - allowed:
                if name in text:
                    wrong.append((where, world.markers.where[name]))
    assert wrong == []
    # Not vacuous: each revealed placement past the lease names its adults on its own page.
    for where, text, _shows in seen:
        placement_id = own_page.get(where)
        if placement_id in world.move_in and placement_id in world.revealed:
            assert all(name in text for name in world.move_in[placement_id]), where

    # Not vacuous: the allowed data is there.
    everything = "\n".join(text for _where, text, _shows in seen)
    for placement in world.placements:
        assert placement.household.code.lower() in everything
        assert placement.flat.address_line.lower() in everything
    assert world.foreign.household.code.lower() not in everything
    assert "vor dem haus" in everything and "you meet" in everything
    assert "above what the jobcenter pays for heating" in everything


def mine_key(world: World, state: State) -> str:
    return next(p.public_key for p in world.placements if p.state == state)


@pytest.mark.parametrize("state", STATES)
def test_each_state_reveals_exactly_its_tier_two_in_german_too(app, browser, db, world, state):
    world, landlord = world
    landlord.locale = "de"
    db.session.commit()
    placement = next(p for p in world.placements if p.state == state)
    for path in [
        f"/placements/{placement.public_key}",
        f"/flats/{placement.flat.public_key}",
        "/placements/",
    ]:
        response = browser.client.get(path, headers={"Accept-Language": "de"})
        assert response.status_code == 200
        text = response.get_data(as_text=True).lower()
        assert [world.markers.where[m] for m in world.never() if m in text] == []
        for marker in world.tier2[placement.id]:
            assert (marker in text) == (state in REVEALED_STATES), (path, state)
