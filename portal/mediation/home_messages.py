"""The landlord messages on mediation cases that wait for the team's answer, for the staff
home (portal/accounts/staff_home.py)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.accounts.staff_home import LANDLORD_MESSAGES, HomeMessage, HomeMessages
from portal.core.pagination import first_and_total
from portal.mediation.models import OPEN_STATUSES, MediationCase
from portal.placements.home_messages import waiting_threads
from portal.placements.messages import Message


@LANDLORD_MESSAGES.connect
def case_messages(user: User, limit: int) -> HomeMessages:
    """Mediation threads waiting for the team, newest first (one statement)."""
    if not user.is_staff:
        return HomeMessages()
    query = waiting_threads(
        Message.mediation_case_id,
        MediationCase.status.in_([s.value for s in OPEN_STATUSES]),
        MediationCase,
    )
    rows, count = first_and_total(query.order_by(Message.created_at.desc()), limit)
    return HomeMessages(
        rows=[
            HomeMessage(
                title=_("Mediation case %(number)s", number=case.id),
                url=url_for("mediation_backoffice.detail", case_id=case.id) + "#messages",
                received_at=message.created_at,
                sender=organisation,
            )
            for message, case, organisation in rows
        ],
        count=count,
    )
