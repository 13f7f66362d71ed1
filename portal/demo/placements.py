"""Demo placements for ``make run``: one in every stage a specialist meets on the home page,
driven through the operations (events, audit, mails) and then dated back so the timelines,
"due today" and "overdue" lists look like real work. All names are invented."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.accounts.models import User
from portal.demo import money
from portal.demo.dating import at, today
from portal.demo.households import participant_rows
from portal.demo.listings import offer_flat
from portal.demo.messages import date_messages
from portal.demo.paperwork import seed_paperwork, seed_rent_certificates
from portal.extensions import db
from portal.households import operations as households_ops
from portal.households.models import VETTING_CHECKLIST, Household, TargetGroup
from portal.listings.models import District, Flat
from portal.placements import operations as ops
from portal.placements.calendar import BERLIN
from portal.placements.models import (
    ORDER,
    SPECIALIST,
    Action,
    Interest,
    InterestStatus,
    Placement,
    State,
)

# (landlord login, street and number, postcode, district, rooms, m², cold rent, service charges,
# heating costs)
FLATS = [
    ("wohnungsbau", "Wanheimer Straße 88", "47053", "Hochfeld", "2", "54", "330", "110", "70"),
    (
        "vermieterin",
        "Düsseldorfer Landstr. 215",
        "47259",
        "Huckingen",
        "3",
        "71",
        "420",
        "135",
        "85",
    ),
    ("wohnungsbau", "Kaiserstraße 61", "47229", "Friemersheim", "2", "58", "340", "115", "72"),
    ("wohnungsbau", "Bahnhofstraße 17", "47137", "Obermeiderich", "3", "68", "400", "140", "90"),
    ("vermieterin", "Mülheimer Straße 40", "47057", "Neudorf-Nord", "2", "52", "320", "105", "68"),
    ("wohnungsbau", "Friedrich-Ebert-Str. 12", "47179", "Aldenrade", "3", "70", "410", "140", "88"),
    ("wohnungsbau", "Am Buchenbaum 9", "47051", "Altstadt", "2", "55", "335", "110", "70"),
]

# (adults, children, main tenant, current accommodation, days since the intake, target group)
HOUSEHOLDS = [
    (1, 1, "Amina Yusuf", "Gemeinschaftsunterkunft Wanheimer Straße", 250, "refugee"),
    (2, 1, "Goran Petrović", "Städtische Notunterkunft Hochfeld", 310, "homeless"),
    (2, 0, "Farid Noori", "Gemeinschaftsunterkunft Hamborn", 200, "refugee"),
    (1, 2, "Mariam Tesfaye", "Übergangswohnheim Neudorf", 160, "homeless"),
    (1, 0, "Jonas Krämer", "Städtische Notunterkunft Hochfeld", 140, "homeless"),
    (2, 2, "Hevin Ali", "Gemeinschaftsunterkunft Hamborn", 190, "refugee"),
    (1, 0, "Sabine Wolters", "Übergangswohnheim Neudorf", 120, "homeless"),
]
TARGET_GROUPS = {
    "refugee": TargetGroup.REFUGEE_SHARED_ACCOMMODATION.value,
    "homeless": TargetGroup.HOMELESS_MUNICIPAL_SHELTER.value,
}
# ESF rows of the adults (gender, age band, third-country national, disability); the children
# are recorded as under 18 with the third-country answer of the first adult.
ADULT_ROWS = {
    "Amina Yusuf": [("female", "30_54", "yes", "no")],
    "Goran Petrović": [("male", "30_54", "yes", "no"), ("female", "30_54", "yes", "no_answer")],
    "Farid Noori": [("male", "18_29", "yes", "no"), ("male", "18_29", "yes", "no")],
    "Mariam Tesfaye": [("female", "30_54", "yes", "yes")],
    "Jonas Krämer": [("male", "30_54", "no", "no")],
    "Hevin Ali": [("female", "30_54", "yes", "no"), ("male", "30_54", "yes", "no")],
    "Sabine Wolters": [("female", "55_plus", "no", "no")],
}

# Each demo placement: its flat and household (indexes above), the state to reach, and how many
# days ago its last step was (older than 14 days before the move-in: overdue on the home page).
PLAN = [
    (0, 0, State.VIEWING_SCHEDULED, 3),
    (1, 1, State.MOVED_IN, 40),
    (2, 2, State.CANCELLED, 9),
    (3, 3, State.RENT_OFFER_SUBMITTED, 18),
    # So that every step can be seen with its messages to the landlord (issue 15):
    (4, 4, State.LANDLORD_ACCEPTED, 2),
    (5, 5, State.VIEWING_DONE, 5),
    (6, 6, State.COSTS_APPROVED, 6),
]


def _flats(users: dict[str, User]) -> list[Flat]:
    """Published through the landlord's and the team's steps (``offer_flat``)."""
    districts = {d.name: d for d in db.session.scalars(select(District))}
    flats = []
    for login, address, postcode, district, rooms, area, cold, service, heating in FLATS:
        street, number = address.rsplit(" ", 1)
        data = {
            "street": street,
            "house_number": number,
            "postcode": postcode,
            "district_id": districts[district].id,
            "floor": 1,
            "rooms": Decimal(rooms),
            "living_area": Decimal(area),
            "cold_rent": Decimal(cold),
            "service_charges": Decimal(service),
            "heating_costs": Decimal(heating),
            "warm_water": "central",
            "deposit": Decimal(cold) * 2,
            "energy_certificate_pending": True,
            "description": "Renovierte Wohnung, Bad mit Fenster, Keller.",
            "available_from": today() - timedelta(days=60),
        }
        flats.append(offer_flat(users[login], users["immobilien"], data))
    db.session.flush()
    return flats


def _households(worker: User) -> list[Household]:
    households = []
    for adults, children, name, accommodation, intake, group in HOUSEHOLDS:
        household = households_ops.create_household(
            worker,
            {
                "adults": adults,
                "children": children,
                "earliest_move_in": today() - timedelta(days=60),
                "waiting_since": today() - timedelta(days=400),
                "cost_bearer": "jobcenter",
                "profile_text": "Wir suchen eine ruhige Wohnung und freuen uns auf Nachbarn.",
                "main_tenant_name": name,
                "adult_names": name,
                "current_accommodation": accommodation,
                "intake_on": today() - timedelta(days=intake),
                "target_group": TARGET_GROUPS[group],
            },
            [],
        )
        rows = ADULT_ROWS[name]
        rows = rows + [
            (("female", "male")[i % 2], "under_18", rows[0][2], "no") for i in range(children)
        ]
        households_ops.save_participants(
            household, worker, participant_rows(rows, household.intake_on, household.target_group)
        )
        households_ops.record_consent(household, worker, today() - timedelta(days=80), None)
        households_ops.vet(household, worker, checklist=VETTING_CHECKLIST)
        households.append(household)
    db.session.flush()
    return households


STEP_DAYS = 4  # between two steps of a demo placement
PATH = [
    (State.LANDLORD_ACCEPTED, Action.ACCEPT),
    (State.VIEWING_SCHEDULED, Action.SCHEDULE_VIEWING),
    (State.VIEWING_DONE, Action.RECORD_VIEWING),
    (State.RENT_OFFER_SUBMITTED, Action.SUBMIT_RENT_OFFER),
    (State.COSTS_APPROVED, Action.APPROVE_COSTS),
    (State.LEASE_SIGNED, Action.SIGN_LEASE),
    (State.MOVED_IN, Action.MOVE_IN),
]


def _actions(target: State) -> list[Action]:
    """The steps to ``target``; a cancelled demo placement ends after its viewing."""
    stop = State.VIEWING_DONE if target == State.CANCELLED else target
    actions = [action for reached, action in PATH if ORDER.index(reached) <= ORDER.index(stop)]
    return [*actions, Action.CANCEL] if target == State.CANCELLED else actions


def _data(action: Action, on: date, viewing_day: date, specialist: User) -> dict:
    """What the specialist records with ``action`` taken on day ``on``."""
    return {
        Action.ACCEPT: {"on_behalf_of": "landlord", "note": "Zusage am Telefon."},
        Action.SCHEDULE_VIEWING: {
            "viewing_at": datetime.combine(viewing_day, time(16, 0), BERLIN).astimezone(UTC),
            "viewing_place": "Vor dem Hauseingang",
            "viewing_companion_id": specialist.id,
        },
        Action.RECORD_VIEWING: {"viewing_outcome": "Beide Seiten möchten weitermachen."},
        Action.SUBMIT_RENT_OFFER: {"rent_offer_on": on, "rent_offer_office": "Jobcenter Duisburg"},
        Action.APPROVE_COSTS: {"costs_approved_on": on, "deposit_loan": True},
        Action.SIGN_LEASE: {"lease_signed_on": on, "rent_start_on": on + timedelta(days=7)},
        Action.MOVE_IN: {"keys_handed_over_on": on},
        Action.CANCEL: {
            "cancel_reason": "household_declined",
            "note": "Die Familie möchte näher an der Schule der Kinder wohnen.",
        },
    }[action]


def _drive(placement: Placement, target: State, specialist: User, days_ago: int) -> None:
    """Take the steps up to ``target``, a few days apart, the last one ``days_ago`` days ago;
    then date the history back to match."""
    actions = _actions(target)
    last = today() - timedelta(days=days_ago)
    days = {
        action: last - timedelta(days=STEP_DAYS * (len(actions) - 1 - index))
        for index, action in enumerate(actions)
    }
    # The viewing-stage placement is the home page's "viewing today".
    viewing_day = days.get(Action.RECORD_VIEWING, today())
    ops.add_note(placement, specialist, "Vermieter telefonisch gut erreichbar, vormittags.")
    for action in actions:
        data = _data(action, days[action], viewing_day, specialist)
        ops.take_step(placement, action, specialist, SPECIALIST, **data)
    db.session.flush()
    first = days[actions[0]]
    for event in placement.events:
        if event.action == "propose":
            event.created_at = at(first - timedelta(days=2))
        elif event.action == "note":
            event.created_at = at(first - timedelta(days=1))
        else:
            event.created_at = at(days[Action(event.action)])
    placement.created_at = at(first - timedelta(days=2))
    placement.state_changed_at = at(last)


def seed(users: dict[str, User], echo: Callable[[str], None]) -> None:
    """Four extra published flats and vetted households, placed through the workflow: a
    viewing today, a move-in 40 days ago with its first follow-up due, a cancelled placement,
    an overdue rent offer; and one landlord interest taken up as a proposal."""
    specialist = users["immobilien"]
    flats = _flats(users)
    households = _households(users["sozialarbeit"])
    placed: dict[State, Placement] = {}
    for flat_index, household_index, target, days_ago in PLAN:
        placement = ops.propose(flats[flat_index], households[household_index], specialist)
        _drive(placement, target, specialist, days_ago)
        placed[target] = placement
        db.session.flush()
        if target == State.MOVED_IN:
            seed_paperwork(placement, specialist)
        # One delivery failed (the overdue rent offer's), so staff see how that looks.
        date_messages(placement, failed=target == State.RENT_OFFER_SUBMITTED)
    seed_rent_certificates(placed)
    echo(f"  {money.seed(placed, specialist, users['sozialarbeit'])} demo cost items")
    # The housing company's interest becomes a proposal; the private landlord's stays open.
    interest = db.session.scalar(
        select(Interest)
        .where(
            Interest.organisation_id == users["wohnungsbau"].organisation_id,
            Interest.status == InterestStatus.OPEN.value,
        )
        .limit(1)
    )
    if interest is not None:
        date_messages(ops.accept_interest(interest, specialist))
    db.session.flush()
    echo(f"  {len(PLAN) + (interest is not None)} demo placements")
