"""The rules of the placements domain, one module per job: a landlord's interest in a household
(``interests``), a placement's steps (``workflow``), the follow-ups after the move-in
(``aftercare``) and the e-mails and reminders (``notifications``). Callers import this package
(``from portal.placements import operations as ops``); it re-exports what they use."""

from portal.placements.operations.aftercare import record_follow_up
from portal.placements.operations.digest import (
    STEP_MAIL_CHOICES,
    choose_step_mails,
    send_digests,
)
from portal.placements.operations.interests import (
    accept_interest,
    decline_interest,
    register_interest,
)
from portal.placements.operations.notifications import (
    OVERDUE_DAYS,
    _landlord_of,
    _notify,
    _tell_landlord,
    latest_messages_of,
    messages_of,
    placement_topic,
    remind,
    tell_step,
    texts_for,
)
from portal.placements.operations.workflow import (
    NEEDS_CONSENT,
    REQUIRED_DATA,
    _lock,
    _side_effects,
    add_note,
    check_step,
    check_viewing_slots,
    propose,
    propose_viewing_slots,
    take_step,
)

__all__ = [
    "STEP_MAIL_CHOICES",
    "choose_step_mails",
    "latest_messages_of",
    "messages_of",
    "placement_topic",
    "send_digests",
    "tell_step",
    "texts_for",
    "NEEDS_CONSENT",
    "OVERDUE_DAYS",
    "REQUIRED_DATA",
    "_landlord_of",
    "_lock",
    "_notify",
    "_side_effects",
    "_tell_landlord",
    "accept_interest",
    "add_note",
    "check_step",
    "check_viewing_slots",
    "decline_interest",
    "propose",
    "propose_viewing_slots",
    "record_follow_up",
    "register_interest",
    "remind",
    "take_step",
]
