"""The message thread of a mediation case with the landlord's organisation that sent it (or
that it was matched to by a confirmed address). The e-mails say a message is waiting and link
to it; they never carry its text, which may name a tenant."""

from __future__ import annotations

from flask import current_app

from portal.accounts.models import Organisation, User
from portal.core.outbox import queue_mail
from portal.extensions import db
from portal.mediation.models import CaseStatus, MediationCase
from portal.placements.messages import LANDLORD_SIDE, STAFF_SIDE, Message, add_message


def _landlord_reader(case: MediationCase) -> User | None:
    """Who hears of the team's message: the account that sent the request, while it is active
    and in the case's organisation; otherwise the organisation's first active member."""
    user = db.session.get(User, case.user_id) if case.user_id is not None else None
    if user is not None and user.is_active and user.organisation_id == case.organisation_id:
        return user
    organisation = db.session.get(Organisation, case.organisation_id or -1)
    if organisation is None:
        return None
    return next((m for m in organisation.members if m.is_active), None)


def landlord_writes(case: MediationCase, author: User, body: str | None) -> Message:
    """A message from the landlord's organisation about its own case, while the case is open.
    The person assigned (or the programme's address) gets an e-mail with the link."""
    message = add_message(
        author=author,
        side=LANDLORD_SIDE,
        body=body,
        organisation_id=case.organisation_id,
        is_open=case.is_open,
        mediation_case_id=case.id,
    )
    staff = case.assigned_to
    if staff is not None and staff.is_active:
        address, locale = staff.email, staff.locale or "de"
    else:
        address, locale = current_app.config["PROGRAMME_CONTACT_EMAIL"], "de"
    organisation = db.session.get(Organisation, case.organisation_id)
    queue_mail(
        address,
        "thread_to_team",
        locale,
        organisation=organisation.name if organisation is not None else "–",
        case_number=case.number,
        url=current_app.config["PORTAL_BASE_URL"] + f"/backoffice/mediation/{case.id}#messages",
    )
    return message


def staff_writes(case: MediationCase, author: User, body: str | None) -> Message:
    """A message from the team to the case's organisation, while the case is open; refused
    for a request without an organisation (answered by e-mail instead). A new case moves to
    "in progress", and the first answer is timed, as with a reply by e-mail."""
    message = add_message(
        author=author,
        side=STAFF_SIDE,
        body=body,
        organisation_id=case.organisation_id,
        is_open=case.is_open,
        mediation_case_id=case.id,
    )
    if case.first_answer_at is None:
        case.first_answer_at = message.created_at
    if case.status == CaseStatus.NEW:
        case.set_status(CaseStatus.IN_PROGRESS, author)
    reader = _landlord_reader(case)
    if reader is not None:
        queue_mail(
            reader.email,
            "thread_to_landlord",
            reader.locale,
            name=reader.full_name,
            case_number=case.number,
            url=current_app.config["PORTAL_BASE_URL"]
            + f"/mediation/mine/{case.public_key}#messages",
        )
    return message
