"""Builders shared by several test modules: valid forms, objects in a given state, small
helpers to post a form or read a page. A test module imports from here (or from
``tests/factories.py``, ``tests/conftest.py``), never from another ``test_*.py`` module
(tests/test_architecture_tests.py keeps it so).

Sections follow the domains: accounts, listings, households, placements, mediation, mail.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

from PIL import Image
from sqlalchemy import String, Text, select

from portal.accounts.models import utcnow
from portal.core import clock
from portal.extensions import db as _db
from portal.households.models import (
    VETTING_CHECKLIST,
    Consent,
    Household,
    HouseholdIdentity,
    Participant,
    TargetGroup,
)
from portal.households.prevention import PreventionCase
from portal.listings.models import District
from portal.mediation.models import MediationCase
from portal.placements import operations as ops
from portal.placements.messages import Message
from portal.placements.models import Action, Placement, State
from tests.factories import (
    FlatFactory,
    HouseholdFactory,
    IdentityFactory,
    StaffFactory,
    UserFactory,
)

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


def days_from(today: date, fields: dict) -> dict:
    """``fields`` with each int, a number of days from ``today``, as that day's ISO date.
    Parametrize arguments name their dates so because they are built at collection: a date
    computed there is yesterday's for a test that runs after midnight."""
    return {
        name: (today + timedelta(days=value)).isoformat() if isinstance(value, int) else value
        for name, value in fields.items()
    }


def district_id(name: str = "Hochfeld") -> int:
    return _db.session.scalar(select(District.id).where(District.name == name))


@contextmanager
def in_request(app):
    # The operations queue e-mails, rendered like in a request.
    with app.test_request_context():
        yield


# Accounts ----------------------------------------------------------------------------------------

REGISTRATION_FORM = {
    "kind": "company",
    "organisation_name": "Ruhrort Wohnen GmbH",
    "full_name": "Anna Becker",
    "email": "Anna.Becker@Example.org",
    "phone": "0203 55555",
    "password": "lange sichere Passphrase 2026",
    "accept_privacy": "y",
}


# Listings ----------------------------------------------------------------------------------------


def flat_form(**changes) -> dict:
    """A complete, valid flat form (German number formats); ``None`` drops a field."""
    data = {
        "street": "Wanheimer Straße",
        "house_number": "12a",
        "postcode": "47053",
        "district_id": str(district_id()),
        "floor": "1",
        "rooms": "2,5",
        "living_area": "61,5",
        "cold_rent": "395,00",
        "service_charges": "120,00",
        "heating_costs": "75,00",
        "warm_water": "central",
        "deposit": "1.185,00",
        "energy_certificate_pending": "y",
        "description": "Ruhig gelegen.\nMit Keller.",
        "available_from": (clock.today() + timedelta(days=14)).isoformat(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post_flat(browser, path, data, action):
    """A landlord goes through the flat form's steps with ``data`` (a whole ``flat_form``):
    ``path`` is ``/flats/new`` (its first step makes the draft) or a flat's ``/flats/<key>/edit``;
    each step posts its own fields. ``action`` "submit" then submits the flat. Returns the first
    answer that is not a redirect (a step shown again with its errors), or the last one."""
    from portal.listings.steps import STEPS

    response = None
    for step in STEPS:
        if not step.fields:
            continue
        fields = {k: v for k, v in data.items() if k in step.fields}
        response = browser.post(path, {**fields, "action": "next"}, csrf_from_path="/flats/new")
        if response.status_code != 302 or "/flats/" not in response.location:
            return response
        if path == "/flats/new":
            path = "/flats/" + response.location.split("/flats/")[1].split("/")[0] + "/edit"
        path = path.rsplit("/edit", 1)[0] + "/edit/" + _next_field_step(step).name
    if action == "submit":
        key = path.split("/flats/")[1].split("/")[0]
        response = browser.post(f"/flats/{key}/submit", {}, csrf_from_path="/flats/new")
    return response


def post_step(browser, flat, step_name, data, **extra):
    """One step of the flat form, posted with ``data`` (only that step's fields count)."""
    return browser.post(
        f"/flats/{flat.public_key}/edit/{step_name}",
        {**data, **extra},
        csrf_from_path="/flats/new",
    )


def _next_field_step(step):
    from portal.listings.steps import STEPS

    later = STEPS[STEPS.index(step) + 1 :]
    return next((s for s in later if s.fields), later[-1])


def published_flat(organisation, **kw):
    now = utcnow()
    kw.setdefault("status", "published")
    kw.setdefault("submitted_at", now)
    kw.setdefault("published_at", now)
    return FlatFactory(organisation=organisation, **kw)


def jpeg(width=1200, height=800, color=(200, 120, 40)) -> BytesIO:
    buffer = BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def upload(browser, flat, *files, json=False):
    return browser.post(
        f"/flats/{flat.public_key}/photos",
        {"photos": list(files)},
        csrf_from_path=f"/flats/{flat.public_key}/edit",
        content_type="multipart/form-data",
        headers={"Accept": "application/json"} if json else {},
    )


# Households --------------------------------------------------------------------------------------

HOUSEHOLDS = "/backoffice/households"


def status_form(to: str, **extra) -> dict:
    """The data of a household's status form; vetting ticks every item of the checklist."""
    data = {"to": to}
    if to == "vetted":
        data["checklist"] = list(VETTING_CHECKLIST)
    data.update(extra)
    return data


def profile_form(**overrides) -> dict:
    """A complete, valid household form: two adults, one child, no overrides."""
    data = {
        "adults": "2",
        "children": "1",
        "earliest_move_in": (clock.today() + timedelta(days=30)).isoformat(),
        "preferred_districts": [str(district_id("Hochfeld")), str(district_id("Neudorf-Nord"))],
        "cost_bearer": "jobcenter",
        "profile_text": "Wir sind eine ruhige Familie.",
        "needed_rooms": "",
        "needed_area": "",
        "max_gross_cold_rent": "",
        "override_reason": "",
        "main_tenant_name": "Amira Haddad",
        "adult_names": "Amira Haddad\nSamir Haddad",
        "phone": "0176 1234567",
        "email": "haddad@example.org",
        "current_accommodation": "Gemeinschaftsunterkunft Musterweg",
        "case_notes": "Vertrauliche Notiz zur Familie.",
        "intake_on": clock.today().isoformat(),
        "target_group": "refugee_shared_accommodation",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create_household(browser, **overrides):
    return browser.post(
        f"{HOUSEHOLDS}/new", profile_form(**overrides), csrf_from_path=f"{HOUSEHOLDS}/new"
    )


def only_household(db) -> Household:
    return db.session.scalars(select(Household)).one()


# The allow-list markers (DESIGN.md section 2) ----------------------------------------------------

# Text columns of Household that landlords may see (or that hold no household data).
PUBLIC_TEXT = {"code", "status", "cost_bearer", "profile_text"}
# Restricted columns whose values the database limits to a fixed list (no marker fits); the
# allow-list test keeps them out of the landlord's presenter instead.
ENUMERATED = {"target_group", "exit_destination"}


def text_columns(model, skip=()) -> list[str]:
    return [
        column.name
        for column in model.__table__.columns
        if isinstance(column.type, String | Text) and column.name not in skip
    ]


class Markers:
    def __init__(self) -> None:
        self.where: dict[str, str] = {}

    def new(self, what: str, length: int = 40) -> str:
        marker = "qz" + secrets.token_hex(5)  # 12 characters, lowercase: e-mails are lowered
        assert len(marker) <= length
        self.where[marker] = what
        return marker

    def found_in(self, text: str) -> list[str]:
        text = text.lower()
        return [f"{what} ({m})" for m, what in self.where.items() if m in text]


def marked_household(markers: Markers, n: int, **kw) -> Household:
    worker = StaffFactory(role="social_worker")
    worker.full_name = markers.new(f"vetted_by name {n}")
    worker.email = markers.new(f"vetted_by email {n}") + "@example.org"
    household = HouseholdFactory(
        created_by_id=worker.id,
        vetted_by_id=worker.id,
        max_gross_cold_rent=Decimal("687.80"),
        **kw,
    )
    for name in text_columns(Household, skip=PUBLIC_TEXT | ENUMERATED):
        length = Household.__table__.columns[name].type.length or 1000
        setattr(household, name, markers.new(f"Household.{name} {n}", length))
    identity = IdentityFactory(household=household)
    for name in text_columns(HouseholdIdentity):
        length = HouseholdIdentity.__table__.columns[name].type.length or 1000
        setattr(identity, name, markers.new(f"HouseholdIdentity.{name} {n}", length))
    # The reporting fields hold values from fixed lists: the landlord pages must not show
    # their labels (checked in tests/households/test_privacy_markers.py).
    household.target_group = TargetGroup.HOMELESS_MUNICIPAL_SHELTER.value
    household.intake_on = clock.today() - timedelta(days=100)
    for position in range(household.size):
        household.participants.append(
            Participant(
                position=position,
                gender="non_binary",
                age_band="30_54" if position < household.adults else "under_18",
                third_country="yes",
                disability="yes",
                # Annex I (issue 17): each value chosen so that its label is a marker.
                birth_year=1981 if position < household.adults else 2017,
                labour_status="long_term_unemployed",
                education="isced_5_8",
                foreign_background="yes",
                minority="yes",
                homeless="yes",
                rural="yes",
                exit_on=household.intake_on + timedelta(days=50),
                result_job_searching=True,
                result_in_education=True,
                result_qualification=True,
                result_employed=True,
            )
        )
    for consent in household.consents:
        consent.recorded_by_id = worker.id
        for name in text_columns(Consent):
            length = Consent.__table__.columns[name].type.length or 1000
            setattr(consent, name, markers.new(f"Consent.{name} {n}", length))
    # A closed prevention case (issue 16): its threat, note and landlord are staff only.
    _db.session.flush()
    prevention = PreventionCase(
        household_id=household.id,
        opened_on=household.intake_on,
        threat="notice_rent_arrears",
        outcome="tenancy_kept",
        outcome_on=household.intake_on,
    )
    for name in text_columns(PreventionCase, skip={"threat", "outcome"}):
        length = PreventionCase.__table__.columns[name].type.length or 1000
        setattr(prevention, name, markers.new(f"PreventionCase.{name} {n}", length))
    _db.session.add(prevention)
    return household


# Placements, as the team works on them -----------------------------------------------------------

PLACEMENTS = "/backoffice/placements"
TENANT = "Mira Beispiel"
SECRET_NOTE = "Vertraulich: Schuldnerberatung"


def world(**flat_kw) -> SimpleNamespace:
    """A landlord with a published flat, a visible household with an identity, a specialist."""
    landlord = UserFactory()
    flat = FlatFactory(
        organisation=landlord.organisation,
        status="published",
        created_by_id=landlord.id,
        **flat_kw,
    )
    household = HouseholdFactory(max_gross_cold_rent=Decimal("687.80"))  # fits the flat
    IdentityFactory(
        household=household,
        main_tenant_name=TENANT,
        adult_names=f"{TENANT}\nJonas Beispiel",
        case_notes=SECRET_NOTE,
    )
    specialist = StaffFactory(role="specialist", full_name="Sabine Fach")
    return SimpleNamespace(landlord=landlord, flat=flat, household=household, specialist=specialist)


def step_data(specialist_id: int) -> dict[Action, dict]:
    today = clock.today()
    return {
        Action.SCHEDULE_VIEWING: {
            # Earlier today: its outcome may be recorded at once (placements/plausibility.py).
            "viewing_at": clock.utcnow() - timedelta(minutes=1),
            "viewing_place": "Vor dem Haus",
            "viewing_companion_id": specialist_id,
        },
        Action.RECORD_VIEWING: {"viewing_outcome": "Beide wollen weiter"},
        Action.SUBMIT_RENT_OFFER: {"rent_offer_on": today, "rent_offer_office": "Jobcenter"},
        Action.APPROVE_COSTS: {"costs_approved_on": today, "deposit_loan": True},
        Action.SIGN_LEASE: {"lease_signed_on": today, "rent_start_on": today},
        Action.MOVE_IN: {"keys_handed_over_on": today - timedelta(days=40)},
    }


PATH = [
    (State.LANDLORD_ACCEPTED, Action.ACCEPT),
    (State.VIEWING_SCHEDULED, Action.SCHEDULE_VIEWING),
    (State.VIEWING_DONE, Action.RECORD_VIEWING),
    (State.RENT_OFFER_SUBMITTED, Action.SUBMIT_RENT_OFFER),
    (State.COSTS_APPROVED, Action.APPROVE_COSTS),
    (State.LEASE_SIGNED, Action.SIGN_LEASE),
    (State.MOVED_IN, Action.MOVE_IN),
]
ORDER_INDEX = {s: i for i, s in enumerate([State.PROPOSED] + [s for s, _ in PATH])}


def placement_in(app, w: SimpleNamespace, state: State = State.PROPOSED) -> Placement:
    """A placement driven through the operations up to ``state``."""
    data = step_data(w.specialist.id)
    with app.test_request_context():
        placement = ops.propose(w.flat, w.household, w.specialist)
        for reached, action in PATH:
            if ORDER_INDEX[state] < ORDER_INDEX[reached]:
                break
            ops.take_step(placement, action, w.specialist, "specialist", **data.get(action, {}))
    _db.session.flush()
    return placement


def placement_page(browser, placement: Placement) -> str:
    response = browser.client.get(f"{PLACEMENTS}/{placement.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_form(browser, path: str, prefix: str, data: dict | None = None):
    """POST a form of the placement page as the page names its fields: several forms share
    the page, so each has a prefix (its CSRF token too)."""
    form = {f"{prefix}-{key}": value for key, value in (data or {}).items()}
    form[f"{prefix}-csrf_token"] = browser.csrf("/")
    return browser.client.post(path, data=form)


def post_follow_up(browser, placement: Placement, follow_up_id: int, data: dict):
    path = f"{PLACEMENTS}/{placement.id}/follow-ups/{follow_up_id}"
    return post_form(browser, path, "follow_up", data)


def fresh(placement: Placement) -> Placement:
    _db.session.expire_all()
    return _db.session.get(Placement, placement.id)


# Placements, as the landlord sees them ------------------------------------------------------------

VIEWING_AT = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 14:00 in Duisburg


def propose(app, flat, household=None, specialist=None) -> Placement:
    household = household or HouseholdFactory()
    specialist = specialist or StaffFactory(role="specialist")
    with in_request(app):
        placement = ops.propose(flat, household, specialist)
    return placement


# The steps from ``proposed`` to each state, as the team (and, for ACCEPT, the landlord) take
# them.
def _steps(companion_id):
    today = clock.today()
    return [
        (State.LANDLORD_ACCEPTED, Action.ACCEPT, "landlord", {}),
        (
            State.VIEWING_SCHEDULED,
            Action.SCHEDULE_VIEWING,
            "specialist",
            {
                "viewing_at": VIEWING_AT,
                "viewing_place": "Vor dem Haus",
                "viewing_companion_id": companion_id,
            },
        ),
        (State.VIEWING_DONE, Action.RECORD_VIEWING, "specialist", {"viewing_outcome": "gut"}),
        (
            State.RENT_OFFER_SUBMITTED,
            Action.SUBMIT_RENT_OFFER,
            "specialist",
            {"rent_offer_on": today, "rent_offer_office": "Jobcenter Duisburg-Mitte"},
        ),
        (
            State.COSTS_APPROVED,
            Action.APPROVE_COSTS,
            "specialist",
            {"costs_approved_on": today, "deposit_loan": True},
        ),
        (
            State.LEASE_SIGNED,
            Action.SIGN_LEASE,
            "specialist",
            {"lease_signed_on": today, "rent_start_on": today + timedelta(days=14)},
        ),
        (State.MOVED_IN, Action.MOVE_IN, "specialist", {"keys_handed_over_on": today}),
    ]


def drive(app, placement, to: State, landlord, companion=None, note=None, texts=None) -> Placement:
    """Take the steps from ``proposed`` to ``to`` (``cancelled``: from viewing_scheduled on).
    ``note``: written into every step the team takes (an internal note landlords never see);
    ``texts``: values for the steps' free-text data (``viewing_outcome``, ...)."""
    specialist = placement.staff
    companion = companion or StaffFactory(role="specialist")
    with in_request(app):
        target = State.VIEWING_SCHEDULED if to == State.CANCELLED else to
        if target in (State.AFTERCARE, State.COMPLETED):
            target = State.MOVED_IN
        for state, action, role, data in _steps(companion.id):
            if State(placement.state) == target:
                break
            actor = landlord if role == "landlord" else specialist
            data = {k: (texts or {}).get(k, v) for k, v in data.items()}
            ops.take_step(
                placement, action, actor, role, note=None if role == "landlord" else note, **data
            )
            assert placement.state == state
        if to in (State.AFTERCARE, State.COMPLETED):
            follow_ups = list(placement.follow_ups)
            for follow_up in follow_ups if to == State.COMPLETED else follow_ups[:1]:
                ops.record_follow_up(follow_up, specialist, "all_well", note)
        if to == State.CANCELLED:
            ops.take_step(
                placement,
                Action.CANCEL,
                specialist,
                "specialist",
                note=note,
                cancel_reason="other",
                cancel_note=note,
            )
    assert placement.state == to
    return placement


# Mediation ---------------------------------------------------------------------------------------

MEDIATION_FORM = {
    "sender_kind": "tenant",
    "name": "Amal Beispiel",
    "email": "amal@example.org",
    "phone": "",
    "contact_by": "email",
    "topic": "damage",
    "flat_address": "Musterstraße 5, 47057 Duisburg",
    "message": "The heating has not worked for two weeks and nobody answers.",
    "consent": "y",
    "website": "",
}


def started_token(client) -> str:
    import re

    html = client.get("/mediation/").get_data(as_text=True)
    return re.search(r'name="started"[^>]*value="([^"]+)"', html).group(1)


def send_mediation(browser, **changes):
    """Send the public mediation form (``MEDIATION_FORM`` with ``changes``; ``None`` drops a
    field). The minimum time before sending must be off (``MEDIATION_MIN_SECONDS`` = 0)."""
    data = dict(MEDIATION_FORM, **changes)
    data.setdefault("started", started_token(browser.client))
    data = {key: value for key, value in data.items() if value is not None}
    return browser.post("/mediation/", data, csrf_from_path="/mediation/")


def mediation_cases() -> list[MediationCase]:
    return list(_db.session.scalars(select(MediationCase)))


def make_case(org_id: int | None, number: str, **kw) -> MediationCase:
    case = MediationCase(
        number=number,
        sender_kind="landlord",
        name="Lara Landlord",
        email="lara@example.org",
        topic="rent_arrears",
        message="The rent for March has not arrived yet.",
        organisation_id=org_id,
        **kw,
    )
    _db.session.add(case)
    _db.session.flush()
    return case


# Threads (a placement's or a case's conversation) ------------------------------------------------


def conversation(count: int, *, landlord, staff, placement=None, case=None) -> list[Message]:
    """``count`` messages of a placement's or a case's thread, "Nachricht 000" onwards, a minute
    apart and the sides taking turns (the landlord first), written straight into the table."""
    start = utcnow() - timedelta(days=1)
    messages = [
        Message(
            placement_id=placement.id if placement is not None else None,
            mediation_case_id=case.id if case is not None else None,
            organisation_id=landlord.organisation_id,
            author_id=(staff if number % 2 else landlord).id,
            side="staff" if number % 2 else "landlord",
            body=f"Nachricht {number:03d}",
            created_at=start + timedelta(minutes=number),
        )
        for number in range(count)
    ]
    _db.session.add_all(messages)
    _db.session.flush()
    return messages


# Mail --------------------------------------------------------------------------------------------


class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"
