"""Submission and review: the landlord sends a complete flat to the team; the team publishes
it or asks for changes, and decides on a published flat's pending changes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core import audit
from portal.listings import changes
from portal.listings.models import LANDLORD, SPECIALIST, Flat, FlatStatus
from portal.listings.operations.base import clear_changes, move, refused, set_values
from portal.listings.operations.editing import check_address, form_values
from portal.listings.operations.notices import notify_team_of_submission, tell_landlord
from portal.listings.rules import missing_for_submission


def submit_flat(flat: Flat, user: User) -> None:
    """Send the flat to the team for review: the user's e-mail must be verified (refused
    ``unverified``) and the flat complete (listings.rules.missing_for_submission, with its
    proposed values; refused ``incomplete``), whatever the form let through."""
    if not user.is_verified:
        raise refused(
            "unverified",
            _l(
                "Please confirm your e-mail address first: use the link we sent you. Your flat "
                "is saved as a draft."
            ),
        )
    if missing_for_submission(form_values(flat)):
        raise refused(
            "incomplete",
            _l(
                "Your flat is saved as a draft. A few details are still missing before you can "
                "submit it; they are marked below."
            ),
        )
    if flat.status in (FlatStatus.SUBMITTED, FlatStatus.PUBLISHED):
        return  # a published flat's changes go to review when saved
    move(flat, FlatStatus.SUBMITTED, user, LANDLORD)
    flat.review_comment = None
    notify_team_of_submission(flat, user)


def publish_flat(flat: Flat, reviewer: User) -> None:
    """Approve a submitted flat, all its photos with it; the landlord is told by e-mail."""
    move(flat, FlatStatus.PUBLISHED, reviewer, SPECIALIST)
    flat.review_comment = None
    for photo in flat.photos:
        photo.is_approved = True
    clear_changes(flat)
    tell_landlord(flat, "flat_published")


def request_changes(flat: Flat, reviewer: User, comment: str) -> None:
    """Send a submitted flat back with a comment the landlord sees and receives by e-mail."""
    comment = (comment or "").strip()
    if not comment:
        raise refused("comment required")
    # The comment stays on the flat, not in the append-only audit trail: it is free text.
    move(flat, FlatStatus.CHANGES_REQUESTED, reviewer, SPECIALIST)
    flat.review_comment = comment
    tell_landlord(flat, "flat_changes_requested", comment=comment)


def approve_changes(flat: Flat, reviewer: User) -> list[str]:
    """The team approves a published flat's pending changes: the proposed values become the
    flat's, new photos are shown, new captions applied; the landlord is told. Returns the
    changed field names. Refused (``address``) when postcode and district do not agree."""
    if not flat.changes_in_review:
        raise refused("nothing to review")
    pending = changes.pending_fields(flat)
    check_address(
        pending.get("postcode", flat.postcode), pending.get("district_id", flat.district_id)
    )
    changed = set_values(flat, pending)
    captions = changes.pending_captions(flat)
    for photo in flat.photos:
        if photo.id in captions:
            photo.caption = captions[photo.id]
        if not photo.is_approved:
            photo.is_approved = True
            changed.append("photos")
    if captions:
        changed.append("captions")
    clear_changes(flat)
    audit.record(
        "flat.changes_approved", actor=reviewer, obj=flat, fields=",".join(dict.fromkeys(changed))
    )
    tell_landlord(flat, "flat_changes_approved")
    return changed


def return_changes(flat: Flat, reviewer: User, comment: str) -> None:
    """The team sends a published flat's pending changes back with a comment the landlord sees
    and receives by e-mail. The flat stays offered as approved; the proposed values stay with
    the landlord to correct (or to set back)."""
    comment = (comment or "").strip()
    if not comment:
        raise refused("comment required")
    if not flat.changes_in_review:
        raise refused("nothing to review")
    flat.changes_submitted_at = None
    flat.changes_comment = comment  # on the flat, not in the append-only audit trail
    audit.record("flat.changes_returned", actor=reviewer, obj=flat)
    tell_landlord(flat, "flat_changes_returned", comment=comment)
