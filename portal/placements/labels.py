"""The words for placements' states, steps, timeline events, cancel reasons and follow-up
outcomes, in one place: the staff's (``STATE_LABELS`` ...) and the landlord's (``STATE_TEXTS``
with the next step; the words of each step are in ``steps_text``)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.placements.models import Action, State

STATE_LABELS = {
    State.PROPOSED.value: _l("Proposed"),
    State.LANDLORD_ACCEPTED.value: _l("Landlord accepted"),
    State.VIEWING_SCHEDULED.value: _l("Viewing scheduled"),
    State.VIEWING_DONE.value: _l("Viewing done"),
    State.RENT_OFFER_SUBMITTED.value: _l("Rent offer submitted"),
    State.COSTS_APPROVED.value: _l("Costs approved"),
    State.LEASE_SIGNED.value: _l("Lease signed"),
    State.MOVED_IN.value: _l("Moved in"),
    State.AFTERCARE.value: _l("Aftercare"),
    State.COMPLETED.value: _l("Completed"),
    State.CANCELLED.value: _l("Cancelled"),
}
# What a button says.
ACTION_LABELS = {
    Action.ACCEPT.value: _l("Accept on the landlord's behalf"),
    Action.DECLINE.value: _l("Decline on the landlord's behalf"),
    Action.SCHEDULE_VIEWING.value: _l("Schedule the viewing"),
    Action.RESCHEDULE_VIEWING.value: _l("Move the viewing"),
    Action.RECORD_VIEWING.value: _l("Record the viewing"),
    Action.SUBMIT_RENT_OFFER.value: _l("Record the rent offer"),
    Action.APPROVE_COSTS.value: _l("Record the cost approval"),
    Action.SIGN_LEASE.value: _l("Record the lease"),
    Action.MOVE_IN.value: _l("Record the move-in"),
    Action.START_AFTERCARE.value: _l("Start aftercare"),
    Action.COMPLETE.value: _l("Complete the placement"),
    Action.CANCEL.value: _l("Cancel the placement"),
}
# What the timeline says happened.
EVENT_LABELS = {
    "propose": _l("Proposed"),
    Action.ACCEPT.value: _l("Landlord accepted"),
    Action.DECLINE.value: _l("Landlord declined"),
    Action.SCHEDULE_VIEWING.value: _l("Viewing scheduled"),
    Action.RESCHEDULE_VIEWING.value: _l("Viewing moved"),
    Action.RECORD_VIEWING.value: _l("Viewing recorded"),
    Action.SUBMIT_RENT_OFFER.value: _l("Rent offer submitted"),
    Action.APPROVE_COSTS.value: _l("Costs approved"),
    Action.SIGN_LEASE.value: _l("Lease signed"),
    Action.MOVE_IN.value: _l("Moved in"),
    Action.START_AFTERCARE.value: _l("Aftercare started"),
    Action.COMPLETE.value: _l("Completed"),
    Action.CANCEL.value: _l("Cancelled"),
    "note": _l("Note"),
    "follow_up": _l("Aftercare check recorded"),
    "viewing_slots": _l("Viewing times suggested by the landlord"),
}
CANCEL_REASON_LABELS = {
    "landlord_declined": _l("The landlord declined"),
    "household_declined": _l("The household declined"),
    "viewing_negative": _l("The viewing did not lead to a lease"),
    "costs_refused": _l("The costs were not approved"),
    "flat_let": _l("The flat was let otherwise"),
    "household_housed_elsewhere": _l("The household found a flat elsewhere"),
    "no_contact": _l("No contact any more"),
    "flat_withdrawn": _l("The flat was withdrawn"),
    "household_unavailable": _l("The household is no longer available"),
    "other": _l("Other reason"),
}
OUTCOME_LABELS = {
    "all_well": _l("All well"),
    "needs_support": _l("Needs support"),
    "rent_arrears": _l("Rent arrears"),
    "conflict": _l("Conflict with the landlord or neighbours"),
    "tenancy_ended": _l("The tenancy has ended"),
    "returned_to_shelter": _l("Returned to a shelter or shared accommodation"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def cancel_reason_label(reason: str | None) -> str:
    return str(CANCEL_REASON_LABELS.get(reason or "", reason or "–"))


def outcome_label(outcome: str | None) -> str:
    return str(OUTCOME_LABELS.get(outcome or "", outcome or "–"))


# The facts a step records, as the timeline names them.
FACT_LABELS: dict[str, Callable[[], str]] = {
    "viewing_at": lambda: _("Viewing"),
    "viewing_place": lambda: _("Place"),
    "viewing_companion_id": lambda: _("Accompanied by"),
    "viewing_outcome": lambda: _("Outcome"),
    "rent_offer_on": lambda: _("Rent offer sent on"),
    "rent_offer_office": lambda: _("Sent to"),
    "costs_approved_on": lambda: _("Costs approved on"),
    "deposit_loan": lambda: _("Deposit as a loan"),
    "lease_signed_on": lambda: _("Lease signed on"),
    "rent_start_on": lambda: _("Rent starts on"),
    "keys_handed_over_on": lambda: _("Keys handed over on"),
    "cancel_reason": lambda: _("Reason"),
}


# The landlord's words ---------------------------------------------------------------------------

# (label, what happens next) per state, from the landlord's side; lazy, translated when shown.
STATE_TEXTS = {
    State.PROPOSED: (
        _l("Proposed to you"),
        _l(
            "Please tell us whether you would like to meet the household. If you agree, the "
            "Kümmerer team arranges a viewing with you and the household."
        ),
    ),
    State.LANDLORD_ACCEPTED: (
        _l("You agreed to a viewing"),
        _l(
            "The Kümmerer team arranges the viewing and tells you the date. You can suggest "
            "times that suit you."
        ),
    ),
    State.VIEWING_SCHEDULED: (
        _l("Viewing arranged"),
        _l(
            "Please show the flat at the agreed time. Someone from the Kümmerer team comes "
            "along. If the time does not suit you, suggest another one."
        ),
    ),
    State.VIEWING_DONE: (
        _l("Viewing done"),
        _l(
            "If you and the household want to go on, the Kümmerer team prepares the rent offer "
            "(Mietangebot) for the Jobcenter or Sozialamt with you."
        ),
    ),
    State.RENT_OFFER_SUBMITTED: (
        _l("Rent offer submitted"),
        _l(
            "The Jobcenter or Sozialamt checks the rent offer; this can take a few weeks. The "
            "Kümmerer team tells you as soon as the costs are approved."
        ),
    ),
    State.COSTS_APPROVED: (
        _l("Costs approved"),
        _l("The costs are approved. The Kümmerer team arranges the signing of the lease."),
    ),
    State.LEASE_SIGNED: (
        _l("Lease signed"),
        _l("The Kümmerer team arranges the key handover with you."),
    ),
    State.MOVED_IN: (
        _l("Moved in"),
        _l(
            "The household has moved in. The Kümmerer team stays in touch with the household "
            "in the first months; contact the team whenever something comes up."
        ),
    ),
    State.AFTERCARE: (
        _l("Aftercare"),
        _l(
            "The Kümmerer team checks in with the household during the first year. Contact the "
            "team whenever something comes up."
        ),
    ),
    State.COMPLETED: (
        _l("Completed"),
        _l("The placement is complete. Thank you! The Kümmerer team is still there for you."),
    ),
    State.CANCELLED: (
        _l("Not going ahead"),
        _l(
            "This placement will not go ahead. The Kümmerer team will contact you about other "
            "households."
        ),
    ),
}


def landlord_state_label(state: str) -> str:
    return str(STATE_TEXTS[State(state)][0])


def next_step(state: str) -> str:
    return str(STATE_TEXTS[State(state)][1])


# The team's mail when a flat or a household leaves (release.py, mail/placements_closed.txt):
# its subject and first paragraph by the reason; ``%(address)s`` or ``%(code)s`` is the subject
# line (the flat's address or the household's code).
CLOSED_MAIL_TEXTS = {
    "flat_withdrawn": (
        _l("Flat withdrawn: %(address)s"),
        _l(
            "The landlord has withdrawn the flat %(address)s. Its open placements were cancelled "
            "and its open interests closed; the households are free for other flats."
        ),
    ),
    "household_unavailable": (
        _l("Household no longer available: %(code)s"),
        _l(
            "The household %(code)s was paused or withdrawn. Its open placements were cancelled "
            "and its open interests closed; the landlords were told in neutral words."
        ),
    ),
    "household_housed_elsewhere": (
        _l("Lease signed, household off the market: %(code)s"),
        _l(
            "The household %(code)s has signed a lease. No landlord sees it any more; its other "
            "open placements were cancelled and its open interests closed. The landlords were "
            "told in neutral words."
        ),
    ),
}


# The money questions of a placement (placements/paperwork/money.py).
COST_KIND_LABELS = {
    "deposit": _l("Deposit (loan)"),
    "shares": _l("Cooperative shares"),
    "moving": _l("Moving costs"),
    "furnishing": _l("Initial furnishing"),
}
COST_STATUS_LABELS = {
    "requested": _l("requested"),
    "approved": _l("approved"),
    "refused": _l("refused"),
    "paid": _l("paid"),
}
PAYEE_LABELS = {
    "landlord": _l("Landlord"),
    "household": _l("Household"),
    "moving_company": _l("Moving company"),
    "cooperative": _l("Cooperative"),
    "other": _l("Other"),
}


# The Mietbescheinigung's statuses (placements/paperwork/rent_certificate.py).
RENT_CERTIFICATE_LABELS = {
    "prepared": _l("Waiting for the landlord's check"),
    "confirmed": _l("Confirmed by the landlord"),
    "corrections_requested": _l("The landlord has reported corrections"),
}
