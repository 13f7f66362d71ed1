"""The landlord messages on placements that wait for the team's answer, for the staff home
(portal/accounts/staff_home.py): threads whose newest message is the landlord's, on placements
still open."""

from __future__ import annotations

from functools import lru_cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from portal.accounts.models import Organisation, User
from portal.accounts.staff_home import LANDLORD_MESSAGES, HomeMessage, HomeMessages
from portal.core.pagination import first_and_total_statement, run_first_and_total
from portal.placements.messages import LANDLORD_SIDE, Message
from portal.placements.models import CLOSED_STATES, Placement


def waiting_threads(thread_column, open_condition, join_model):
    """Messages that are the newest of their thread, written by the landlord, on an open
    placement or case: each is a thread waiting for the team."""
    newest = select(func.max(Message.id)).where(thread_column.is_not(None)).group_by(thread_column)
    return (
        select(Message, join_model, Organisation.name)
        .join(join_model, join_model.id == thread_column)
        .join(Organisation, Organisation.id == Message.organisation_id)
        .where(Message.id.in_(newest), Message.side == LANDLORD_SIDE, open_condition)
    )


@LANDLORD_MESSAGES.connect
def placement_messages(user: User, limit: int) -> HomeMessages:
    """Placement threads waiting for the team, newest first (one statement)."""
    if not user.is_staff:
        return HomeMessages()
    rows, count = run_first_and_total(_statement(limit), limit)
    return HomeMessages(
        rows=[
            HomeMessage(
                title=_("Placement %(key)s", key=placement.public_key),
                url=url_for("placements_backoffice.detail", placement_id=placement.id)
                + "#messages",
                received_at=message.created_at,
                sender=organisation,
            )
            for message, placement, organisation in rows
        ],
        count=count,
    )


@lru_cache(maxsize=8)
def _statement(limit: int) -> Select:
    """Built once per process (the staff home runs it on every request)."""
    query = waiting_threads(
        Message.placement_id, Placement.state.not_in([s.value for s in CLOSED_STATES]), Placement
    )
    return first_and_total_statement(query.order_by(Message.created_at.desc()), limit)
