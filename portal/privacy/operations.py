"""Erasure (GDPR Art. 17, DSG-EKD § 21) of a household or a landlord account, and applying
recorded erasures again after a backup was restored.

What goes and what stays is listed in docs/privacy.md. In short: every name, e-mail address,
phone number, address, free text and stored file of the subject goes (deleted, or replaced by a
fixed value); ids, dates, states and enumerations stay, because the programme's statistics are
built from them. The audit trail is never changed: it holds no personal data (see
``portal.core.audit.DETAIL_KEYS``).

Files follow the database: they are deleted only once the erasure has committed.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, String, cast, func, literal, or_, select, update
from sqlalchemy.orm import selectinload

from portal.accounts.models import Invitation, Organisation, Role, User
from portal.core import audit, clock, storage
from portal.core.db import utcnow
from portal.core.refusals import Refused
from portal.extensions import db
from portal.households.models import ERASED_SCOPE, Household
from portal.households.prevention import PreventionCase
from portal.listings.models import LANDLORD, Flat, FlatReview, FlatStatus
from portal.mediation.models import MediationCase
from portal.placements.messages import Message
from portal.placements.models import Interest, Placement, PlacementEvent
from portal.privacy import erasure_log
from portal.privacy.models import Erasure, ErasureKind, HouseholdExport
from portal.privacy.retention import esf_proof_kept
from portal.privacy.scrub import ERASED_TEXT, scrub_free_texts, scrub_outbox

# An argon2 hash never starts with "!": verify_password answers False, a reset link made for
# the old hash no longer matches.
UNUSABLE_PASSWORD = "!erased"  # noqa: S105  (not a password: no hash looks like it)
# Placement columns (and keys of a step's data) that hold typed text.
PLACEMENT_FREE_TEXT = ("viewing_place", "viewing_outcome", "cancel_note")
ARCHIVABLE = (
    FlatStatus.DRAFT,
    FlatStatus.SUBMITTED,
    FlatStatus.CHANGES_REQUESTED,
    FlatStatus.PUBLISHED,
)


# An erasure is refused (``Refused``) with ``not_admin`` or ``not_landlord`` (guards the routes
# hold already: no words) or ``confirmation``, with what the admin has to type.
CONFIRM_HOUSEHOLD = _l("Type the household's code exactly as shown to confirm the erasure.")
CONFIRM_LANDLORD = _l("Type the account's e-mail address exactly as shown to confirm the erasure.")


ERASED_PREFIX, ERASED_DOMAIN = "erased-", "@invalid"


def erased_email(user_id: int) -> str:
    return f"{ERASED_PREFIX}{user_id}{ERASED_DOMAIN}"


def is_erased_user(user: User) -> bool:
    return user.email == erased_email(user.id)


def _erased_in_sql() -> ColumnElement[bool]:
    """``is_erased_user`` as a condition on User: the address ``erased_email`` gives the row's
    own id."""
    return User.email == literal(ERASED_PREFIX) + cast(User.id, String) + literal(ERASED_DOMAIN)


# Shared steps -----------------------------------------------------------------------------------


def _erase_case(case: MediationCase, contact_too: bool = True) -> None:
    if contact_too:
        case.name = case.email = case.phone = None
        case.contact_purged_at = case.contact_purged_at or utcnow()
    case.message = ERASED_TEXT
    case.flat_address = None
    for entry in case.entries:
        entry.text = ERASED_TEXT
    _erase_messages(Message.mediation_case_id == case.id)


def _erase_messages(condition) -> None:
    """The thread messages (placements/messages.py) matching ``condition`` lose their text."""
    for message in db.session.scalars(select(Message).where(condition)):
        message.body = ERASED_TEXT


def _erase_step(step: PlacementEvent, keys: tuple[str, ...] = PLACEMENT_FREE_TEXT) -> None:
    step.note = None
    if any(key in step.data for key in keys):
        step.data = {k: v for k, v in step.data.items() if k not in keys}


def _placements(condition) -> list[Placement]:
    return list(
        db.session.scalars(
            select(Placement)
            .where(condition)
            .options(selectinload(Placement.follow_ups))
            .order_by(Placement.id)
        )
    )


def _cases(condition) -> list[MediationCase]:
    return list(
        db.session.scalars(
            select(MediationCase).where(condition).options(selectinload(MediationCase.entries))
        )
    )


def _events_of(placement_ids: list[int]) -> list[PlacementEvent]:
    if not placement_ids:
        return []
    return list(
        db.session.scalars(
            select(PlacementEvent).where(PlacementEvent.placement_id.in_(placement_ids))
        )
    )


# The record of erasures -------------------------------------------------------------------------


def _new_erasure(kind: ErasureKind, obj: Household | User, actor: User | None) -> Erasure:
    erasure = Erasure(
        kind=kind.value,
        object_id=obj.id,
        object_created_at=obj.created_at,
        erased_by_id=actor.id if actor is not None else None,
    )
    db.session.add(erasure)
    db.session.flush()  # erased_at, for the log
    return erasure


def _recorded(kind: ErasureKind, obj: Household | User, actor: User | None) -> Erasure:
    """The row of ``erasures`` for ``obj``, written now unless it is there already."""
    existing = db.session.scalar(
        select(Erasure).where(Erasure.kind == kind.value, Erasure.object_id == obj.id)
    )
    return existing or _new_erasure(kind, obj, actor)


def _log(erasure: Erasure) -> None:
    erasure_log.append(
        {
            "kind": erasure.kind,
            "object_id": erasure.object_id,
            "object_created_at": erasure.object_created_at.isoformat()
            if erasure.object_created_at
            else None,
            "erased_at": erasure.erased_at.isoformat(),
            "erased_by_id": erasure.erased_by_id,
        }
    )


# Household --------------------------------------------------------------------------------------


def household_needs_erasure(household: Household) -> bool:
    return (
        household.identity is not None
        or household.profile_text is not None
        or household.override_reason is not None
        or any(c.scope != ERASED_SCOPE for c in household.consents)
        or (
            any(c.document_key for c in household.consents)
            and not esf_proof_kept(household, clock.today())
        )
        or db.session.scalar(
            select(PreventionCase.id)
            .where(
                PreventionCase.household_id == household.id,
                PreventionCase.landlord_name != ERASED_TEXT,
            )
            .limit(1)
        )
        is not None
        or db.session.scalar(
            select(HouseholdExport.id)
            .where(
                HouseholdExport.household_id == household.id,
                HouseholdExport.explanation != ERASED_TEXT,
            )
            .limit(1)
        )
        is not None
    )


def _apply_household(household: Household, today: date) -> None:
    identity = household.identity
    values: list[str | None] = []
    if identity is not None:
        values += [identity.main_tenant_name, identity.phone, identity.email]
        values += (identity.adult_names or "").splitlines()
        household.identity = None  # delete-orphan: the row goes
    household.profile_text = None
    household.profile_text_checked = None
    household.override_reason = None
    # Why the household's data was exported stays (purpose, who, when); the typed words go.
    for export in db.session.scalars(
        select(HouseholdExport).where(HouseholdExport.household_id == household.id)
    ):
        export.explanation = ERASED_TEXT
    files = []
    # Scans that prove ESF participant records stay until the records' retention end; the
    # purge deletes them then (privacy/retention.py).
    keep_scans = bool(esf_proof_kept(household, today))
    for consent in household.consents:
        if consent.document_key and not keep_scans:
            files.append(consent.document_key)
            consent.document_key = consent.document_type = None
        consent.scope = ERASED_SCOPE
        if consent.withdrawn_on is None and consent.expires_on >= today:
            # Erasure ends the consent: the profile disappears from the landlords' lists at once.
            consent.withdrawn_on = max(today, consent.given_on)
    placements = _placements(Placement.household_id == household.id)
    for placement in placements:
        for name in PLACEMENT_FREE_TEXT:
            setattr(placement, name, None)
        for follow_up in placement.follow_ups:
            follow_up.note = None
    for step in _events_of([p.id for p in placements]):
        _erase_step(step)
    if placements:
        # A placement's conversation is about the household, whoever wrote it.
        _erase_messages(Message.placement_id.in_([p.id for p in placements]))
    interests = select(Interest).where(Interest.household_id == household.id)
    for interest in db.session.scalars(interests):
        interest.message = None
    # Prevention cases: the threat's note and the landlord's name and address go; the dates
    # and the outcome stay (reports). Their mediation cases are the household's too.
    linked = []
    for prevention in db.session.scalars(
        select(PreventionCase).where(PreventionCase.household_id == household.id)
    ):
        prevention.threat_note = prevention.landlord_address = None
        prevention.landlord_name = ERASED_TEXT
        if prevention.mediation_case_id is not None:
            linked.append(prevention.mediation_case_id)
    conditions = []
    if linked:
        conditions.append(MediationCase.id.in_(linked))
    if placements:
        conditions.append(MediationCase.placement_id.in_([p.id for p in placements]))
    emails = [v.lower() for v in values if v and "@" in v]
    if emails:
        conditions.append(func.lower(MediationCase.email).in_(emails))
    if conditions:
        for case in _cases(or_(*conditions)):
            # The tenant's own contact data goes; a landlord's stays with the landlord.
            _erase_case(case, contact_too=case.sender_kind != "landlord")
    db.session.flush()
    scrub_free_texts(values)
    scrub_outbox(values)
    storage.delete_after_commit(files)


def erase_household(household: Household, actor: User | None, confirmation: str) -> None:
    """Erase ``household``'s personal data for good; ``confirmation`` must be its code.

    Guarantees: the identity row is deleted; profile text and staff reason are nulled; consent
    scans are deleted from storage once committed, unless they prove ESF participant records
    inside their retention period (``retention.esf_proof_kept``: the purge deletes them at its
    end), and the consents end; notes of its placements,
    steps, follow-ups, interests and linked mediation cases are removed, and so are its
    prevention cases' notes and landlords; e-mails naming it are
    emptied. Kept: the code, counts, dates, target group, ESF categories, placement dates and
    states. Recorded in ``erasures`` and in the erasure log; audited without personal data."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Refused("not_admin")
    if confirmation.strip() != household.code:
        raise Refused("confirmation", CONFIRM_HOUSEHOLD)
    _apply_household(household, clock.today())
    _log(_recorded(ErasureKind.HOUSEHOLD, household, actor))
    audit.record("privacy.erased", actor=actor, obj=household, object_kind="household")


# Landlord ---------------------------------------------------------------------------------------


def landlord_needs_erasure(user: User) -> bool:
    return not is_erased_user(user) or user.is_active or user.phone is not None


def remaining_member_count(organisation: Organisation, user: User) -> int:
    """The number of members of ``organisation`` other than ``user`` that are not erased
    (``is_erased_user``), counted by the database: a housing company may have many."""
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.organisation_id == organisation.id, User.id != user.id, ~_erased_in_sql()
        )
    )


def _apply_organisation(organisation: Organisation, actor: User | None) -> list[str | None]:
    values: list[str | None] = [organisation.name, organisation.address, organisation.phone]
    organisation.name = f"erased-{organisation.id}"
    organisation.address = organisation.phone = None
    flats = list(
        db.session.scalars(
            select(Flat)
            .where(Flat.organisation_id == organisation.id)
            .options(selectinload(Flat.photos))
        )
    )
    files: list[str] = []
    for flat in flats:
        values.append(flat.address_line or None)
        flat.street = flat.house_number = flat.postcode = None
        flat.description = flat.review_comment = flat.changes_comment = None
        flat.pending_changes = flat.changes_submitted_at = None  # proposed values: the same data
        for photo in list(flat.photos):
            files += [photo.file_name(w) for w in photo.width_list]
            flat.photos.remove(photo)
        if flat.status in ARCHIVABLE:
            # On the landlord's behalf: an erased landlord offers no flat any more.
            flat.transition(FlatStatus.ARCHIVED, actor, LANDLORD, reason="erasure")
    flat_ids = [f.id for f in flats]
    if flat_ids:
        # The team's decisions keep who and when; the values looked at and the comments go.
        db.session.execute(
            update(FlatReview)
            .where(FlatReview.flat_id.in_(flat_ids))
            .values(snapshot=None, comment=None)
            .execution_options(synchronize_session=False)
        )
        placements = _placements(Placement.flat_id.in_(flat_ids))
        for placement in placements:
            placement.viewing_place = None
        for step in _events_of([p.id for p in placements]):
            note = step.note
            _erase_step(step, ("viewing_place",))
            if step.role != Role.LANDLORD:
                step.note = note  # the team's notes are the team's, not the landlord's
    for interest in db.session.scalars(
        select(Interest).where(Interest.organisation_id == organisation.id)
    ):
        interest.message = None
    for case in _cases(MediationCase.organisation_id == organisation.id):
        _erase_case(case, contact_too=case.sender_kind == "landlord")
    for invitation in db.session.scalars(
        select(Invitation).where(Invitation.organisation_id == organisation.id)
    ):
        values.append(invitation.email)
        db.session.delete(invitation)
    storage.delete_after_commit(files)
    return values


def _apply_landlord(user: User, actor: User | None) -> None:
    old_email = user.email
    values: list[str | None] = [old_email, user.full_name, user.phone]
    user.email = erased_email(user.id)
    user.full_name = f"erased-{user.id}"
    user.phone = None
    user.password_hash = UNUSABLE_PASSWORD
    user.must_change_password = False
    user.is_active = False
    user.end_all_sessions()  # every open session ends at its next request
    for invitation in db.session.scalars(
        select(Invitation).where(func.lower(Invitation.email) == old_email.lower())
    ):
        invitation.email = erased_email(user.id)
    for interest in db.session.scalars(select(Interest).where(Interest.created_by_id == user.id)):
        interest.message = None
    for step in db.session.scalars(
        select(PlacementEvent).where(
            PlacementEvent.actor_id == user.id, PlacementEvent.role == Role.LANDLORD
        )
    ):
        step.note = None
    _erase_messages(Message.author_id == user.id)
    for case in _cases(
        or_(MediationCase.user_id == user.id, func.lower(MediationCase.email) == old_email)
    ):
        _erase_case(case)
    organisation = user.organisation
    if organisation is not None and not remaining_member_count(organisation, user):
        values += _apply_organisation(organisation, actor)
    db.session.flush()
    scrub_free_texts(values)
    scrub_outbox(values)


def erase_landlord(user: User, actor: User | None, confirmation: str) -> None:
    """Erase a landlord account; ``confirmation`` must be its e-mail address.

    Guarantees: name, e-mail (now ``erased-<id>@invalid``) and phone are replaced, the password
    can no longer be used, the account is deactivated and its sessions end; its notes, interest
    messages and mediation cases lose their text; e-mails naming it are emptied. When no other
    member of its organisation remains, the organisation is anonymised too: name, address and
    phone; its flats lose address, description and photos (files deleted after commit) and are
    archived unless a placement holds them. Kept: ids, dates, states, the flats' facts."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Refused("not_admin")
    if user.role != Role.LANDLORD:
        raise Refused("not_landlord")
    if confirmation.strip().lower() != user.email.lower():
        raise Refused("confirmation", CONFIRM_LANDLORD)
    _apply_landlord(user, actor)
    _log(_recorded(ErasureKind.LANDLORD, user, actor))
    audit.record("privacy.erased", actor=actor, obj=user, object_kind="landlord")
