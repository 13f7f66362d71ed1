"""One world of objects for the attack suite: everything belongs to organisation A; the attacker
is a landlord of organisation B. Built once per module inside one outer transaction that is
rolled back at the end (the same savepoint scheme as ``tests/conftest.py``'s ``db`` fixture, one
level up), so hundreds of requests share it.

The world holds plain ids and the users' Flask-Login ids, never ORM objects: each request runs in
its own session state.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from PIL import Image
from sqlalchemy import func, select, text
from sqlalchemy.orm import scoped_session, sessionmaker

from portal.accounts import tokens
from portal.accounts.models import Invitation
from portal.core import clock, storage
from portal.extensions import db as _db
from portal.households.models import Consent
from portal.households.prevention import PreventionCase
from portal.listings.models import Photo
from portal.listings.photos import process_photo
from portal.mediation.models import MediationCase
from portal.placements.models import Interest, State
from portal.placements.paperwork import handover, money
from portal.reports import submissions
from portal.reports.periods import preset
from portal.sites.models import Site
from tests.builders import placement_in
from tests.factories import (
    CompanyFactory,
    FlatFactory,
    HouseholdFactory,
    IdentityFactory,
    StaffFactory,
    UserFactory,
)
from tests.security.rules import (
    ADMIN,
    OTHER_LANDLORD,
    OWNER,
    SOCIAL_WORKER,
    SPECIALIST,
)

PDF = b"%PDF-1.4\n%%EOF\n"


@contextmanager
def module_transaction(app) -> Iterator[None]:
    """Swap Flask-SQLAlchemy's session for one bound to an outer transaction, rolled back at
    the end; the code's commits only release savepoints."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        original = _db.session
        _db.session = session
        try:
            yield
        finally:
            session.remove()
            outer.rollback()
            connection.close()
            _db.session = original


def _photo(flat) -> Photo:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 120, 40)).save(buffer, "JPEG")
    buffer.seek(0)
    processed = process_photo(buffer)
    key = storage.new_key()
    photo = Photo(
        flat=flat,
        storage_key=key,
        widths=",".join(str(v.width) for v in processed.variants),
        extension=processed.extension,
        height_ratio=Decimal("0.75"),
        position=0,
        is_cover=True,
    )
    for variant in processed.variants:
        storage.save(photo.file_name(variant.width), variant.data)
    _db.session.add(photo)
    return photo


def build_world(app) -> SimpleNamespace:
    """Organisation A (a company) with its landlord, flats, a photo, placements at the viewing
    and in aftercare (with follow-ups), an interest, a mediation case, an invitation and tokens;
    a household with identity, consent and consent document; organisation B's landlord; one
    user per staff role."""
    org_a = CompanyFactory(name="Wohnbau A GmbH")
    owner = UserFactory(organisation=org_a, email="owner@a.example")
    org_b = CompanyFactory(name="Wohnbau B GmbH")
    attacker = UserFactory(organisation=org_b, email="attacker@b.example")
    # A first user of organisation A whose address is not confirmed (issue 13.1): without the
    # confirm-first rule it could do everything the owner can.
    unconfirmed = UserFactory(
        organisation=org_a, email="unconfirmed@a.example", email_verified_at=None
    )
    specialist = StaffFactory(role=SPECIALIST, full_name="Sabine Fach")
    social_worker = StaffFactory(role=SOCIAL_WORKER)
    admin = StaffFactory(role=ADMIN)
    # A second site (issue 19): its staff must find nothing of the first site's objects.
    other_site = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E")
    _db.session.add(other_site)
    _db.session.flush()
    other_site_staff = {
        role: StaffFactory(role=role, sites=[other_site])
        for role in (SPECIALIST, SOCIAL_WORKER, ADMIN)
    }

    def flat(**kw):
        return FlatFactory(organisation=org_a, status="published", created_by_id=owner.id, **kw)

    def household():
        h = HouseholdFactory(max_gross_cold_rent=Decimal("687.80"))
        IdentityFactory(household=h, main_tenant_name="Mira Beispiel", case_notes="Vertraulich")
        return h

    # A placement at the viewing (the landlord sees tier 2) on a flat with a photo.
    viewing = SimpleNamespace(
        landlord=owner, flat=flat(), household=household(), specialist=specialist
    )
    photo = _photo(viewing.flat)
    placement = placement_in(app, viewing, State.VIEWING_SCHEDULED)
    # A placement in aftercare, for the follow-ups.
    housed = SimpleNamespace(
        landlord=owner, flat=flat(), household=household(), specialist=specialist
    )
    moved_in = placement_in(app, housed, State.MOVED_IN)
    follow_up = moved_in.follow_ups[0]
    with app.test_request_context():
        handover.record_handover(
            moved_in,
            specialist,
            handed_over_on=moved_in.lease_signed_on,
            meters=[{"kind": "water", "number": "W-1", "reading": "3"}],
            keys=[{"kind": "Wohnungstür", "count": 2}],
            rooms=[{"room": "Küche", "condition": "gut"}],
            landlord_signed_by="Vermieterin",
            tenant_signed_by="Mieterin",
            signed_on=moved_in.lease_signed_on,
        )
    # A requested deposit and a requested direct payment on the viewing's placement.
    cost_item = money.request_cost(
        placement, specialist, "deposit", Decimal("100.00"), clock.today()
    )
    money.request_direct_payment(placement, specialist, clock.today())
    # An open interest of organisation A in a third household for a third flat.
    interest_flat, interest_household = flat(), household()
    interest = Interest(
        flat=interest_flat,
        household=interest_household,
        organisation_id=org_a.id,
        created_by_id=owner.id,
    )
    _db.session.add(interest)
    # A flat and a household with nothing between them yet, for proposing.
    propose = (flat().id, household().id)
    # The consent of the household at the viewing, with its document (tier 3).
    consent: Consent = viewing.household.consents[0]
    consent.document_key = f"consents/{storage.new_key()}"
    consent.document_type = "application/pdf"
    storage.save(consent.document_key, PDF)
    case = MediationCase(
        number="M-2026-0042",
        sender_kind="landlord",
        name="Lara Landlord",
        email="owner@a.example",
        topic="rent_arrears",
        message="The rent for March has not arrived yet.",
        organisation_id=org_a.id,
        user_id=owner.id,
    )
    _db.session.add(case)
    # A prevention case (issue 16) of a paused household, with its landlord (staff only).
    threatened = household()
    threatened.status = "paused"
    _db.session.flush()
    prevention = PreventionCase(
        household_id=threatened.id,
        opened_on=clock.today(),
        threat="notice_rent_arrears",
        landlord_name="Prevention Vermieter",
        threat_note="Vertraulich: Mietschulden",
    )
    _db.session.add(prevention)
    # A submitted report (issue 17) of this year's programme figures.
    with app.test_request_context():
        submitted = submissions.submit(
            preset("this_year", clock.today()), "MAGS Zwischenbericht", admin
        )
    invitation = Invitation(organisation=org_a, email="colleague@a.example", invited_by=owner)
    _db.session.add(invitation)
    _db.session.flush()
    with app.test_request_context():
        invitation_token = tokens.make_token(
            tokens.INVITATION, {"iid": invitation.id, "email": invitation.email}
        )
        verify_token = tokens.make_token(
            tokens.VERIFY_EMAIL, {"uid": unconfirmed.id, "email": unconfirmed.email}
        )
        reset_token = tokens.make_token(
            tokens.RESET_PASSWORD,
            {"uid": owner.id, "fp": tokens.fingerprint(owner.password_hash)},
        )
        email_change_token = tokens.make_token(
            tokens.CHANGE_EMAIL, {"uid": owner.id, "old": owner.email, "new": "new@a.example"}
        )
    _db.session.flush()
    _db.session.commit()
    return SimpleNamespace(
        users={
            OWNER: owner.get_id(),
            OTHER_LANDLORD: attacker.get_id(),
            SPECIALIST: specialist.get_id(),
            SOCIAL_WORKER: social_worker.get_id(),
            ADMIN: admin.get_id(),
        },
        other_site_users={role: user.get_id() for role, user in other_site_staff.items()},
        # What staff of another site must never read: the first site's households, their
        # people, its mediation and prevention cases.
        site_markers=[
            viewing.household.code,
            housed.household.code,
            interest_household.code,
            threatened.code,
            "Mira Beispiel",
            case.number,
            "Prevention Vermieter",
        ],
        emails={OWNER: owner.email, OTHER_LANDLORD: attacker.email},
        unconfirmed=unconfirmed.get_id(),
        specialist_id=specialist.id,
        url_values={
            "flat_id": viewing.flat.id,  # back-office routes: ids
            "flat_key": viewing.flat.public_key,  # landlord routes: public keys
            "photo_key": photo.public_key,
            "width": photo.width_list[0],
            "ext": photo.extension,
            "direction": "down",
            "step_name": "address",  # the flat form's first step
            "household_id": viewing.household.id,
            "consent_id": consent.id,
            "placement_id": placement.id,
            "placement_key": placement.public_key,
            "follow_up_id": follow_up.id,
            "item_id": cost_item.id,
            "interest_id": interest.id,
            "case_id": case.id,
            "case_key": case.public_key,
            "prevention_id": prevention.id,
            "submission_id": submitted.id,
            "step": "cancel",
            "user_id": owner.id,  # privacy pages of the landlord
            "organisation_id": owner.organisation_id,  # the landlord list's organisation page
            "key": "placements",  # a report chart
            "kind": "pdf",  # a submitted report's file
            "slug": "duisburg",  # the site of every staff member of the world
            "token": None,  # per endpoint, below
        },
        tokens={
            "accounts.accept_invitation": invitation_token,
            "accounts.verify_email": verify_token,
            "accounts.reset_password": reset_token,
            "accounts.confirm_email_change": email_change_token,
        },
        follow_up_placement_id=moved_in.id,
        paperwork_placement=(moved_in.id, moved_in.public_key),
        follow_up_placement_key=moved_in.public_key,
        propose=propose,
        prevention_household_id=threatened.id,
    )


PAPERWORK = frozenset(
    {
        "placements.confirm_move_in",
        "placements.landlord_handover_download",
        "placements_backoffice.paperwork",
        "placements_backoffice.record_handover",
        "placements_backoffice.record_registration",
        "placements_backoffice.handover_download",
        "placements_backoffice.move_in_download",
    }
)


def url_values_for(world: SimpleNamespace, endpoint: str, arguments: set[str]) -> dict:
    values = {name: world.url_values[name] for name in arguments}
    if "token" in arguments:
        values["token"] = world.tokens[endpoint]
    if endpoint == "backoffice.reset_second_factor":
        values["user_id"] = world.specialist_id  # a colleague's second factor
    if endpoint == "placements_backoffice.record_follow_up":
        values["placement_id"] = world.follow_up_placement_id
    if endpoint in PAPERWORK:
        # A placement moved in, with a handover record (issue 16).
        placement_id, placement_key = world.paperwork_placement
        values.update(
            {
                k: v
                for k, v in (("placement_id", placement_id), ("placement_key", placement_key))
                if k in arguments
            }
        )
    if "rent_certificate" in endpoint:  # past the rent offer: the Mietbescheinigung exists
        if "placement_id" in arguments:
            values["placement_id"] = world.follow_up_placement_id
        if "placement_key" in arguments:
            values["placement_key"] = world.follow_up_placement_key
    if "prevention" in endpoint and "household_id" in arguments:
        values["household_id"] = world.prevention_household_id
    if endpoint == "placements_backoffice.propose":
        # A flat and household with nothing between them yet: proposing would create a row.
        values["flat_id"], values["household_id"] = world.propose
    return values


def log_in(client, login_id: str) -> None:
    """Put the user into the test client's session as Flask-Login does, without the form."""
    with client.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True


def fingerprint() -> str:
    """A digest of every row of every table: any change a request makes shows."""
    _db.session.expire_all()
    digest = hashlib.sha256()
    for table in _db.metadata.sorted_tables:
        order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns) or "1"
        # A refusal may leave its own audit event (a security event); nothing else may change.
        where = "WHERE action NOT LIKE '%refused%'" if table.name == "audit_events" else ""
        rows = _db.session.execute(text(f'SELECT * FROM "{table.name}" {where} ORDER BY {order}'))  # noqa: S608 - table names from our own metadata
        digest.update(table.name.encode())
        for row in rows:
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def row_counts() -> dict[str, int]:
    """Rows per table: what a refused form must leave as it was."""
    return {
        table.name: _db.session.scalar(select(func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }
