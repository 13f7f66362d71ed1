"""A social worker's moves of a household: vetting the profile, pausing and withdrawing it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.accounts.models import Role, User
from portal.core import clock
from portal.core.hooks import Hook, Veto
from portal.core.refusals import Refused
from portal.households import textcheck
from portal.households.limits import limit_of
from portal.households.models import (
    SOCIAL_WORKER,
    VETTING_CHECKLIST,
    ExitDestination,
    Household,
    HouseholdStatus,
)
from portal.households.operations.prevention import open_case_of
from portal.households.operations.profiles import open_text_hits, text_hits_refused

# Withdrawing a profile: the programme's own placements record their exit at the move-in.
WITHDRAWAL_DESTINATIONS = tuple(
    d.value for d in ExitDestination if d != ExitDestination.OWN_TENANCY_PROGRAMME
)
# A household is paused or withdrawn: placements let it go first (``placements.release``), or
# veto while a lease is signed.
HOUSEHOLD_LEAVES = Hook("a household leaves the portal")


def vet(
    household: Household,
    actor: User,
    confirmed: Iterable[str] = (),
    checklist: Iterable[str] = (),
) -> None:
    """Only a social worker, only with a valid consent, and only with a checked profile text:
    every hit of the check (households/textcheck.py) must be in ``confirmed`` (the social
    worker's "checked, may stay"), unless this very text was confirmed before; otherwise
    refused (``TEXT_HITS``). The confirmation is kept as the text's fingerprint; the audit event
    counts the confirmed hits.

    The first vetting (from a draft) also needs every item of ``VETTING_CHECKLIST`` in
    ``checklist`` (consent signed and scanned, needs discussed, profile text read with the
    household); otherwise refused (``checklist incomplete``) and nothing changes. The
    ticked items are kept with who ticked them and when (``Household.vetting_checklist``).
    Resuming a paused profile asks for no checklist: it was vetted before."""
    if actor.role != Role.SOCIAL_WORKER:
        raise Refused("not allowed")
    first_vetting = household.status == HouseholdStatus.DRAFT
    ticked = set(checklist)
    if first_vetting and not ticked >= set(VETTING_CHECKLIST):
        raise Refused(
            "checklist incomplete",
            _l(
                "The profile was not vetted: please tick every item of the vetting checklist "
                "once you have done it with the household."
            ),
        )
    if open_case_of(household) is not None:
        raise Refused(
            "prevention case open",
            _l(
                "The household has an open prevention case: it keeps its flat and is not offered "
                "to landlords. Please record the case's outcome first."
            ),
        )
    if limit_of(household).amount is None:
        # Neither the staff's override nor a figure of the table in force for its size.
        raise Refused(
            "no rent limit",
            _l(
                "The profile cannot be vetted without a maximum gross cold rent. Please enter one "
                "in the profile."
            ),
        )
    details: dict[str, Any] = {}
    if household.can_move(HouseholdStatus.VETTED, SOCIAL_WORKER):
        names = textcheck.identity_names(household.identity)
        if open_text_hits(household.profile_text, names, household.profile_text_checked, confirmed):
            raise text_hits_refused(
                textcheck.check(household.profile_text, names),
                _l(
                    "The profile was not vetted: the check of the profile text found passages "
                    "that may not reach a landlord. Please edit the text or confirm each passage "
                    "below."
                ),
            )
        confirmed_hits = len(textcheck.check(household.profile_text, names))
        if confirmed_hits:
            details["confirmed_hits"] = confirmed_hits
    household.transition(HouseholdStatus.VETTED, actor, SOCIAL_WORKER, **details)
    names = textcheck.identity_names(household.identity)
    household.profile_text_checked = textcheck.fingerprint(household.profile_text, names)
    if first_vetting:
        household.vetting_checklist = {
            "items": [item for item in VETTING_CHECKLIST if item in ticked],
            "ticked_by_id": actor.id,
            "ticked_at": clock.utcnow().isoformat(),
        }


def change_status(
    household: Household,
    actor: User,
    to: HouseholdStatus,
    exit_destination: str | None = None,
    exit_on: date | None = None,
) -> None:
    """A social worker's status move. Withdrawing a household that has not left the programme
    yet needs where it went (not ``own_tenancy_programme``: placements record that at the
    move-in) and records the exit on ``exit_on`` (default today; not before the intake, not in
    the future). Pausing or withdrawing cancels the household's open placements and closes its
    open interests ("household no longer available", see ``placements.release``); refused
    (``lease signed``, nothing changed) while a placement of it is at or past ``lease_signed``;
    withdrawing is refused (``prevention case open``) while the household has an open prevention
    case."""
    if actor.role != Role.SOCIAL_WORKER:
        raise Refused("not allowed")
    if to == HouseholdStatus.WITHDRAWN and open_case_of(household) is not None:
        raise Refused(
            "prevention case open",
            _l(
                "The household has an open prevention case. Please record its outcome before "
                "withdrawing the profile."
            ),
        )
    records_exit = to == HouseholdStatus.WITHDRAWN and household.exit_on is None
    if records_exit and household.can_move(to, SOCIAL_WORKER):
        exit_on = exit_on or clock.today()
        if exit_destination not in WITHDRAWAL_DESTINATIONS:
            raise Refused("exit destination required")
        if exit_on > clock.today():
            raise Refused("date in the future")
        if exit_on < household.intake_on:
            raise Refused("exit before intake")
    leaves = to in (HouseholdStatus.PAUSED, HouseholdStatus.WITHDRAWN)
    if leaves and household.can_move(to, SOCIAL_WORKER):
        try:
            HOUSEHOLD_LEAVES(household, actor)
        except Veto as exc:
            raise Refused(
                "lease signed",
                _l(
                    "A lease has been signed through a placement of this household, so the "
                    "profile cannot be paused or withdrawn now. Please settle the placement first."
                ),
            ) from exc
    household.transition(to, actor, SOCIAL_WORKER, **({"exit": "recorded"} if records_exit else {}))
    if records_exit:
        household.exit_on, household.exit_destination = exit_on, exit_destination
