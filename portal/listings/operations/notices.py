"""Who is told when a flat moves: the team (by the programme's address) and the landlord."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from portal.accounts.models import User
from portal.core.outbox import queue_mail
from portal.extensions import db
from portal.listings.models import Flat


def notify_team_of_submission(flat: Flat, user: User, resubmitted: bool = False) -> None:
    queue_mail(
        current_app.config["PROGRAMME_CONTACT_EMAIL"],
        "flat_submitted",
        "de",
        flat=flat,
        organisation=flat.organisation.name,
        resubmitted=resubmitted,
        url=current_app.config["PORTAL_BASE_URL"]
        + url_for("listings_backoffice.review", flat_id=flat.id),
    )


def tell_landlord(flat: Flat, template: str, **context: Any) -> None:
    """Mail the user who submitted the flat (or another active member of its organisation)."""
    recipient = db.session.get(User, flat.submitted_by_id or flat.created_by_id or -1)
    if recipient is None or not recipient.is_active:
        recipient = next((m for m in flat.organisation.members if m.is_active), None)
    if recipient is None:
        return
    url = current_app.config["PORTAL_BASE_URL"] + url_for("listings.show", flat_key=flat.public_key)
    queue_mail(
        recipient.email,
        template,
        recipient.locale,
        name=recipient.full_name,
        flat=flat,
        url=url,
        **context,
    )
