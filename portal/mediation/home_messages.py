"""The landlord messages on mediation cases that wait for the team's answer, for the staff
home (portal/accounts/staff_home.py)."""

from __future__ import annotations

from functools import lru_cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select

from portal.accounts.models import User
from portal.accounts.staff_home import LANDLORD_MESSAGES, HomeMessage, HomeMessages
from portal.core.pagination import first_and_total_statement, run_first_and_total
from portal.mediation.models import OPEN_STATUSES, MediationCase
from portal.placements.home_messages import waiting_threads
from portal.placements.messages import Message


@LANDLORD_MESSAGES.connect
def case_messages(user: User, limit: int) -> HomeMessages:
    """Mediation threads waiting for the team, newest first (one statement)."""
    if not user.is_staff:
        return HomeMessages()
    rows, count = run_first_and_total(_statement(limit), limit)
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


@lru_cache(maxsize=8)
def _statement(limit: int) -> Select:
    """Built once per process (the staff home runs it on every request)."""
    query = waiting_threads(
        Message.mediation_case_id,
        MediationCase.status.in_([s.value for s in OPEN_STATUSES]),
        MediationCase,
    )
    return first_and_total_statement(query.order_by(Message.created_at.desc()), limit)
