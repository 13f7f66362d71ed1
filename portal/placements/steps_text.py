"""What the landlord is told about each placement step, in one table shared by the e-mail and
the timeline on the landlord's placement page: what happened, what happens next and who does
it, and, where the landlord has to act, the one button.

Texts are built from the step's kind and dates only, never from the team's free text (notes,
the viewing's outcome) and never from the household's reasons: a cancellation is told in words
fair to both sides. The names of the viewing (main tenant, companion) are passed in by the
caller, which knows whether the placement reveals them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.core.i18n import day, moment
from portal.placements.models import LANDLORD, Action, Placement, PlacementEvent

# Where a button on the placement page leads (an anchor of templates/placements/show.html).
DECIDE, VIEWING_TIMES = "decide", "viewing-times"
RENT_CERTIFICATE, MOVE_IN = "rent-certificate", "move-in"  # the paperwork (issue 16)


@dataclass(frozen=True)
class StepText:
    subject: str  # the e-mail's subject
    happened: str  # what happened (the timeline's line)
    next: str  # what happens next, and who does it
    button: str | None = None  # the one thing the landlord has to do, if any
    anchor: str | None = None  # where on the placement page the button leads


@dataclass(frozen=True)
class StepContext:
    placement: Placement
    data: Mapping[str, Any]
    by_landlord: bool  # the landlord took the step (or the team on their behalf, by phone)
    tenant: str | None = None  # tier 2, only when revealed
    companion: str | None = None  # tier 2, only when revealed

    @property
    def address(self) -> str:
        return self.placement.flat.address_line or _("your flat")

    @property
    def code(self) -> str:
        return self.placement.household.code

    def when(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    def on(self, key: str) -> date | None:
        value = self.data.get(key)
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value[:10]) if value else None
        except (TypeError, ValueError):
            return None


def _propose(c: StepContext) -> StepText:
    if c.placement.origin == "interest":
        happened = _(
            "The Kümmerer team took up your suggestion and proposed household %(code)s for "
            "this flat.",
            code=c.code,
        )
    else:
        happened = _("The Kümmerer team proposed household %(code)s for this flat.", code=c.code)
    return StepText(
        subject=_("A household for your flat %(address)s", address=c.address),
        happened=happened,
        next=_(
            "Now it is your turn. Please tell us whether you would like to meet the household. "
            "If you agree, the Kümmerer team arranges a viewing with you."
        ),
        button=_("Accept or decline the proposal"),
        anchor=DECIDE,
    )


def _accept(c: StepContext) -> StepText:
    return StepText(
        subject=_("You agreed to meet household %(code)s", code=c.code),
        happened=_("You agreed to meet the household.")
        if c.by_landlord
        else _("The Kümmerer team noted that you would like to meet the household."),
        next=_(
            "The Kümmerer team arranges the viewing and tells you the date. Your flat is "
            "reserved for this household until then. You can suggest times that suit you."
        ),
    )


def _viewing(c: StepContext, moved: bool) -> StepText:
    when, place = c.when("viewing_at"), c.data.get("viewing_place")
    at = moment(when) if when else ""
    if moved:
        happened = _("The viewing was moved to %(when)s, %(place)s.", when=at, place=place or "")
        subject = _("New time for the viewing: %(address)s", address=c.address)
    else:
        happened = _("Viewing on %(when)s, %(place)s.", when=at, place=place or "")
        subject = _("Viewing: %(address)s", address=c.address)
    parts = [happened]
    if c.tenant:
        parts.append(_("You meet %(tenant)s, the main tenant.", tenant=c.tenant))
    if c.companion:
        parts.append(_("%(companion)s from the Kümmerer team comes along.", companion=c.companion))
    else:
        parts.append(_("Someone from the Kümmerer team comes along."))
    return StepText(
        subject=subject,
        happened=" ".join(parts),
        next=_(
            "Now it is your turn. Please show the flat at this time. If the time does not suit "
            "you, suggest another one; the Kümmerer team then arranges a new date."
        ),
        button=_("Suggest another time"),
        anchor=VIEWING_TIMES,
    )


def _record_viewing(c: StepContext) -> StepText:
    return StepText(
        subject=_("After the viewing: %(address)s", address=c.address),
        happened=_("The viewing took place."),
        next=_(
            "If you and the household want to go on, the Kümmerer team prepares the rent offer "
            "(Mietangebot) for the Jobcenter or Sozialamt with you and the household."
        ),
    )


def _rent_offer(c: StepContext) -> StepText:
    # Which office it went to stays with the team: it would tell where the household lives.
    sent = c.on("rent_offer_on")
    happened = (
        _(
            "On %(date)s the rent offer (Mietangebot) went to the Jobcenter or Sozialamt.",
            date=day(sent),
        )
        if sent
        else _("The rent offer (Mietangebot) went to the Jobcenter or Sozialamt.")
    )
    return StepText(
        subject=_("Rent offer sent: %(address)s", address=c.address),
        happened=happened,
        next=_(
            "Now it is your turn. The Kümmerer team has filled in the Mietbescheinigung from "
            "your flat's figures (cold rent, service charges, heating costs, deposit, size and "
            "the date the flat is free): please check it in the portal and confirm it with the "
            "account the rent goes to, or report what is wrong, because the office decides on "
            "these figures. The office's check can take a few weeks; the Kümmerer team tells "
            "you as soon as the costs are approved."
        ),
        button=_("Check the Mietbescheinigung"),
        anchor=RENT_CERTIFICATE,
    )


def _costs(c: StepContext) -> StepText:
    happened = _("The Jobcenter or Sozialamt approved the costs (Zusicherung).")
    return StepText(
        subject=_("Costs approved: %(address)s", address=c.address),
        happened=" ".join(
            [
                happened,
                _(
                    "The Kümmerer team will tell you whether the Jobcenter pays the rent "
                    "directly to you, and how the deposit is paid."
                ),
            ]
        ),
        next=_("The Kümmerer team arranges the signing of the lease with you and the household."),
    )


def _lease(c: StepContext) -> StepText:
    signed, start = c.on("lease_signed_on"), c.on("rent_start_on")
    happened = (
        _(
            "The lease was signed on %(signed)s; the rent starts on %(start)s.",
            signed=day(signed),
            start=day(start),
        )
        if signed and start
        else _("The lease was signed.")
    )
    return StepText(
        subject=_("Lease signed: %(address)s", address=c.address),
        happened=happened,
        next=_("The Kümmerer team arranges the key handover with you and the household."),
    )


def _move_in(c: StepContext) -> StepText:
    on = c.on("keys_handed_over_on")
    return StepText(
        subject=_("Moved in: %(address)s", address=c.address),
        happened=_("Keys handed over on %(date)s: the household has moved in.", date=day(on))
        if on
        else _("The household has moved in."),
        next=_(
            "Please confirm the move-in in the portal (Wohnungsgeberbestätigung): the household "
            "needs it to register at the Bürgeramt within two weeks. The Kümmerer team stays in "
            "touch with the household during the first year and checks in after 1, 3, 6 and 12 "
            "months. Contact the team whenever something comes up."
        ),
        button=_("Confirm the move-in"),
        anchor=MOVE_IN,
    )


def _follow_up(c: StepContext) -> StepText:
    months = int(c.data.get("months") or 0)
    return StepText(
        subject=_("Aftercare: %(address)s", address=c.address),
        happened=ngettext(
            "The Kümmerer team checked in with the household (the check after %(num)d month).",
            "The Kümmerer team checked in with the household (the check after %(num)d months).",
            months,
        ),
        next=_(
            "The Kümmerer team stays in touch with the household. If something comes up with "
            "the tenancy, contact the team: it mediates between you and the household."
        ),
    )


def _complete(c: StepContext) -> StepText:
    return StepText(
        subject=_("Placement complete: %(address)s", address=c.address),
        happened=_("The placement is complete."),
        next=_("Thank you! The Kümmerer team is still there for you whenever you need it."),
    )


# Why a placement ended, as the landlord is told: fair to both sides, nothing about the
# household's reasons.
def _cancel_happened(reason: str | None) -> str:
    if reason == "landlord_declined":
        return _("You declined the proposal. Thank you for telling us; your flat stays offered.")
    if reason == "flat_let":
        return _("The placement was ended: your flat has been let to another household.")
    if reason == "flat_withdrawn":
        return _("The placement was ended because you withdrew the flat.")
    return _(
        "This placement will not go ahead, for reasons that have nothing to do with you or "
        "your flat. Not every match works out, and that is nobody's fault."
    )


def _cancel(c: StepContext) -> StepText:
    reason = c.data.get("cancel_reason")
    if reason == "landlord_declined":
        next_text = _("The Kümmerer team will contact you when another household could fit.")
    elif reason in ("flat_let", "flat_withdrawn"):
        next_text = _("Nothing more to do for you here. Thank you for your openness.")
    else:
        next_text = _(
            "Thank you for your openness. The Kümmerer team will contact you about other "
            "households."
        )
    return StepText(
        subject=_("Update on your flat %(address)s", address=c.address),
        happened=_cancel_happened(reason),
        next=next_text,
    )


def _viewing_slots(c: StepContext) -> StepText:
    return StepText(
        subject=_("Your suggested times: %(address)s", address=c.address),
        happened=_("You suggested times for the viewing:"),
        next=_("The Kümmerer team confirms the viewing with you and the household."),
    )


# One entry per step the landlord hears of; a step not here is not for landlords (the team's
# notes, the start of aftercare, which the first check already tells).
BY_STEP: dict[str, Callable[[StepContext], StepText]] = {
    "propose": _propose,
    Action.ACCEPT.value: _accept,
    Action.DECLINE.value: _cancel,
    Action.SCHEDULE_VIEWING.value: lambda c: _viewing(c, moved=False),
    Action.RESCHEDULE_VIEWING.value: lambda c: _viewing(c, moved=True),
    Action.RECORD_VIEWING.value: _record_viewing,
    Action.SUBMIT_RENT_OFFER.value: _rent_offer,
    Action.APPROVE_COSTS.value: _costs,
    Action.SIGN_LEASE.value: _lease,
    Action.MOVE_IN.value: _move_in,
    "follow_up": _follow_up,
    Action.COMPLETE.value: _complete,
    Action.CANCEL.value: _cancel,
    "viewing_slots": _viewing_slots,
}
# Steps whose e-mail would only repeat what the landlord just did in the portal.
NO_MAIL = frozenset({"viewing_slots"})


def step_text(
    event: PlacementEvent,
    placement: Placement,
    tenant: str | None = None,
    companion: str | None = None,
) -> StepText | None:
    """The landlord's words for one step (in the current locale), None when the step is not
    for landlords."""
    build = BY_STEP.get(event.action)
    if build is None:
        return None
    data = dict(event.data or {})
    if event.action == Action.DECLINE:
        data["cancel_reason"] = "landlord_declined"
    by_landlord = event.role == LANDLORD or event.on_behalf_of == LANDLORD
    return build(StepContext(placement, data, by_landlord, tenant, companion))
