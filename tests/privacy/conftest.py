"""A small world for the privacy tests: two households and two landlords, every personal value a
unique marker (lowercase, so e-mail normalisation keeps it), with stored files and mail."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import JSON, String, Text, select

from portal.core import audit, clock, storage
from portal.core.db import utcnow
from portal.core.outbox import OutboxMessage
from portal.extensions import db
from portal.households.models import Household, Participant, ProfileView
from portal.households.prevention import PreventionCase
from portal.listings.models import Photo
from portal.mediation.models import CaseEntry, MediationCase
from portal.placements.messages import Message
from portal.placements.models import FollowUp, Interest, Placement, PlacementEvent
from tests.factories import FlatFactory, HouseholdFactory, IdentityFactory, UserFactory


@pytest.fixture(autouse=True)
def erasure_log(app, tmp_path, monkeypatch):
    """Each test writes its own erasure log."""
    monkeypatch.setitem(app.config, "ERASURE_LOG", str(tmp_path / "erasures.jsonl"))
    return tmp_path / "erasures.jsonl"


class Markers:
    def __init__(self) -> None:
        self.where: dict[str, str] = {}

    def new(self, what: str) -> str:
        marker = "qz" + secrets.token_hex(5)
        self.where[marker] = what
        return marker

    def of(self, prefix: str) -> dict[str, str]:
        return {m: w for m, w in self.where.items() if w.startswith(prefix)}


@dataclass
class World:
    markers: Markers
    households: list[Household] = field(default_factory=list)
    landlords: list = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # storage key -> content
    owner: dict[str, str] = field(default_factory=dict)  # storage key -> "h0", "l1", ...


def scan_database(markers: dict[str, str]) -> list[str]:
    """Every text and JSON column of every table, searched for the markers."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                text = str(value).lower() if value is not None else ""
                found += [
                    f"{table.name}.{column.name}: {what}"
                    for marker, what in markers.items()
                    if marker in text
                ]
    return found


def _file(world: World, key: str, owner: str) -> None:
    content = secrets.token_bytes(64)
    storage.save(key, content)
    world.files[key] = content
    world.owner[key] = owner


def _case(entry: CaseEntry, **columns) -> MediationCase:
    """A mediation case with one entry (a reply or an internal note)."""
    case = MediationCase(**columns)
    db.session.add(case)
    db.session.flush()
    entry.case_id = case.id
    db.session.add(entry)
    return case


def build_landlord(world: World, n: int):
    m = world.markers
    tag = f"l{n}"
    user = UserFactory(
        email=m.new(f"{tag} user email") + "@example.org",
        full_name=m.new(f"{tag} user name"),
        phone=m.new(f"{tag} user phone"),
    )
    org = user.organisation
    org.name = m.new(f"{tag} org name")
    org.address = m.new(f"{tag} org address")
    org.phone = m.new(f"{tag} org phone")
    flat = FlatFactory(
        organisation=org,
        status="published",
        street=m.new(f"{tag} street"),
        description=m.new(f"{tag} description"),
        review_comment=m.new(f"{tag} review comment"),
        submitted_at=utcnow(),
        published_at=utcnow(),
    )
    draft = FlatFactory(organisation=org, street=m.new(f"{tag} draft street"))
    key = storage.new_key()
    photo = Photo(
        flat=flat,
        storage_key=key,
        widths="320,1024",
        height_ratio=Decimal("0.75"),
        caption=m.new(f"{tag} caption"),
        is_cover=True,
    )
    db.session.add(photo)
    db.session.flush()
    for width in photo.width_list:
        _file(world, photo.file_name(width), tag)
    case = _case(
        CaseEntry(kind="reply", text=m.new(f"{tag} case reply")),
        number=f"M-2026-9{n:03d}",
        sender_kind="landlord",
        name=m.new(f"{tag} case name"),
        email=m.new(f"{tag} case email") + "@example.org",
        phone=m.new(f"{tag} case phone"),
        topic="damage",
        message=m.new(f"{tag} case message"),
        flat_address=m.new(f"{tag} case flat address"),
        organisation_id=org.id,
        user_id=user.id,
    )
    # The landlord writes in the case's thread.
    db.session.add(
        Message(
            mediation_case_id=case.id,
            organisation_id=org.id,
            author_id=user.id,
            side="landlord",
            body=m.new(f"{tag} case thread message"),
        )
    )
    db.session.add(
        OutboxMessage(
            to_address=user.email,
            subject="Welcome",
            body_text=f"Hello {user.full_name}",
            status="sent",
        )
    )
    audit.record("auth.login", actor=user, obj=user)
    audit.record("flat.created", actor=user, obj=flat)
    world.landlords.append((user, flat, draft, photo, case))
    return user, flat


def build_household(world: World, n: int, flat, landlord, worker):
    m = world.markers
    tag = f"h{n}"
    household = HouseholdFactory(
        profile_text=m.new(f"{tag} profile text"),
        override_reason=m.new(f"{tag} override reason"),
        target_group="refugee_shared_accommodation" if n == 0 else "homeless_municipal_shelter",
        created_by_id=worker.id,
    )
    identity = IdentityFactory(
        household=household,
        main_tenant_name=m.new(f"{tag} main tenant"),
        adult_names=m.new(f"{tag} adult one") + "\n" + m.new(f"{tag} adult two"),
        phone=m.new(f"{tag} phone"),
        email=m.new(f"{tag} email") + "@example.org",
        current_accommodation=m.new(f"{tag} accommodation"),
        case_notes=m.new(f"{tag} case notes"),
    )
    consent = household.consents[0]
    consent.scope = m.new(f"{tag} consent scope")
    consent.document_key = f"consents/{storage.new_key()}.pdf"
    consent.document_type = "application/pdf"
    _file(world, consent.document_key, tag)
    for position, gender in enumerate(("female", "male")):
        db.session.add(
            Participant(
                household=household,
                position=position,
                gender=gender,
                age_band="30_54",
                third_country="yes",
                disability="no",
                birth_year=1985,
                labour_status="long_term_unemployed",
                education="isced_3_4",
            )
        )
    interest = Interest(
        flat=flat,
        household=household,
        organisation_id=flat.organisation_id,
        created_by_id=landlord.id,
        message=m.new(f"{tag} interest message"),
    )
    db.session.add(interest)
    db.session.flush()
    placement = Placement(
        flat=flat,
        household=household,
        interest_id=interest.id,
        origin="interest",
        state="viewing_scheduled" if n == 0 else "proposed",
        viewing_at=utcnow() + timedelta(days=3),
        viewing_place=m.new(f"{tag} viewing place"),
        viewing_outcome=m.new(f"{tag} viewing outcome"),
        cancel_note=m.new(f"{tag} cancel note"),
        rent_offer_on=clock.today() - timedelta(days=5),
    )
    db.session.add(placement)
    db.session.flush()
    db.session.add_all(
        [
            PlacementEvent(
                placement_id=placement.id,
                action="schedule_viewing",
                from_state="landlord_accepted",
                to_state="viewing_scheduled",
                actor_id=worker.id,
                role="specialist",
                note=m.new(f"{tag} step note"),
                data={"viewing_place": m.new(f"{tag} step data place"), "viewing_sequence": 1},
            ),
            FollowUp(
                placement_id=placement.id,
                months=1,
                due_on=clock.today() + timedelta(days=30),
                note=m.new(f"{tag} follow-up note"),
            ),
            ProfileView(
                household_id=household.id,
                organisation_id=flat.organisation_id,
                user_id=landlord.id,
            ),
            # The placement's thread: the team writes about the household.
            Message(
                placement_id=placement.id,
                organisation_id=flat.organisation_id,
                author_id=worker.id,
                side="staff",
                body=m.new(f"{tag} thread message"),
            ),
        ]
    )
    _case(
        CaseEntry(kind="note", text=m.new(f"{tag} tenant case note")),
        number=f"M-2026-8{n:03d}",
        sender_kind="tenant",
        name=m.new(f"{tag} tenant case name"),
        email=identity.email,
        topic="neighbourhood",
        message=m.new(f"{tag} tenant case message"),
        placement_id=placement.id,
    )
    # A prevention case (issue 16) linked to the tenant's own mediation case with the landlord.
    linked = MediationCase(
        number=f"M-2026-7{n:03d}",
        sender_kind="tenant",
        name=m.new(f"{tag} prevention mediation name"),
        email=m.new(f"{tag} prevention mediation email") + "@example.org",
        topic="rent_arrears",
        message=m.new(f"{tag} prevention mediation message"),
    )
    db.session.add(linked)
    db.session.flush()
    db.session.add(
        PreventionCase(
            household_id=household.id,
            opened_on=household.intake_on,
            threat="notice_rent_arrears",
            threat_note=m.new(f"{tag} prevention note"),
            landlord_name=m.new(f"{tag} prevention landlord"),
            landlord_address=m.new(f"{tag} prevention landlord address"),
            mediation_case_id=linked.id,
        )
    )
    db.session.add(
        OutboxMessage(
            to_address=landlord.email,
            subject="Viewing",
            body_text=f"You meet {identity.main_tenant_name}, the main tenant.",
            status="pending",
        )
    )
    audit.record("household.created", actor=worker, obj=household)
    audit.record("consent.recorded", actor=worker, obj=consent, household_id=household.id)
    audit.record(
        "placement.proposed",
        actor=worker,
        obj=placement,
        flat_id=flat.id,
        household_id=household.id,
    )
    db.session.flush()
    world.households.append(household)
    return household


@pytest.fixture
def world(app, db) -> World:
    from tests.factories import StaffFactory

    world = World(Markers())
    worker = StaffFactory(role="social_worker")
    landlords = [build_landlord(world, n) for n in range(2)]
    for n in range(2):
        user, flat = landlords[n]
        build_household(world, n, flat, user, worker)
    # A note about household 1 that mentions household 0's main tenant and landlord 0's name:
    # erasure removes the names from it and leaves the rest.
    identity0 = world.households[0].identity
    user0 = world.landlords[0][0]
    world.households[1].identity.case_notes += f" Neighbour of {identity0.main_tenant_name}."
    world.households[1].identity.case_notes += f" Knows {user0.full_name}."
    db.session.flush()
    return world
