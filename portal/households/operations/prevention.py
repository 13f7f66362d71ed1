"""Prevention cases (issue 16): opening one for a household threatened with losing its flat,
linking the mediation case with its landlord, recording the outcome.

Specialists and social workers do all three (like mediation cases, DESIGN.md §1); nobody else.
Each refusal changes nothing."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Role, User
from portal.core import audit, clock
from portal.core.hooks import Hook
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db
from portal.households.models import Household, HouseholdStatus
from portal.households.prevention import Outcome, PreventionCase, Threat

RECORDERS = (Role.SPECIALIST, Role.SOCIAL_WORKER)
# The mediation cases a prevention case may be linked to, as (id, label), the linked one
# included: mediation answers (mediation/sections.py). Called with the prevention case.
LINKABLE_MEDIATION_CASES = Hook("mediation cases a prevention case may be linked to")

FUTURE = _l("The date cannot be in the future.")


def _check_actor(actor: User) -> None:
    if actor.role not in RECORDERS:
        raise Refused("not allowed", status=403)


def open_case_of(household: Household) -> PreventionCase | None:
    return db.session.scalar(
        select(PreventionCase).where(
            PreventionCase.household_id == household.id, PreventionCase.outcome.is_(None)
        )
    )


def cases_of(household: Household) -> list[PreventionCase]:
    """The household's prevention cases, the newest first."""
    return list(
        db.session.scalars(
            select(PreventionCase)
            .where(PreventionCase.household_id == household.id)
            .order_by(PreventionCase.opened_on.desc(), PreventionCase.id.desc())
        )
    )


def open_case(
    household: Household,
    actor: User,
    *,
    opened_on: date,
    threat: str,
    landlord_name: str,
    landlord_address: str | None = None,
    threat_note: str | None = None,
) -> PreventionCase:
    """Opens a prevention case: the household stays in its flat and is not offered to
    landlords. Refused (nothing changed): a date in the future or before the household's
    intake, an unknown threat, no landlord's name, a household that already has an open case,
    one whose profile landlords can see (``vetted``: pause it first) or one that was
    withdrawn."""
    _check_actor(actor)
    if opened_on > clock.today():
        raise Refused("date in the future", FUTURE, status=BAD_INPUT)
    if opened_on < household.intake_on:
        raise Refused(
            "opened before intake",
            _l("The case cannot be opened before the household was taken in."),
            status=BAD_INPUT,
        )
    if threat not in {t.value for t in Threat}:
        raise Refused("unknown threat", status=BAD_INPUT)
    landlord_name = " ".join((landlord_name or "").split())
    if not landlord_name:
        raise Refused(
            "landlord name required",
            _l("Please enter the name of the household's landlord."),
            status=BAD_INPUT,
        )
    if open_case_of(household) is not None:
        raise Refused("case open", _l("This household already has an open prevention case."))
    if household.status == HouseholdStatus.VETTED:
        raise Refused(
            "offered to landlords",
            _l(
                "Landlords see this profile. A household that keeps its flat is not offered to "
                "landlords: please pause the profile first."
            ),
        )
    if household.status == HouseholdStatus.WITHDRAWN:
        raise Refused(
            "household withdrawn",
            _l("The profile was withdrawn; no prevention case can be opened for it."),
        )
    case = PreventionCase(
        site_id=household.site_id,
        household_id=household.id,
        opened_on=opened_on,
        threat=threat,
        threat_note=(threat_note or "").strip() or None,
        landlord_name=landlord_name,
        landlord_address=" ".join((landlord_address or "").split()) or None,
        opened_by_id=actor.id,
    )
    db.session.add(case)
    db.session.flush()
    audit.record("prevention.opened", actor=actor, obj=case, household_id=household.id)
    return case


def linkable(case: PreventionCase) -> list[tuple[int, str]]:
    """(id, label) of the mediation cases the case may be linked to, the linked one first."""
    seen: dict[int, str] = {}
    for answer in LINKABLE_MEDIATION_CASES(case):
        for case_id, label in answer:
            seen.setdefault(case_id, label)
    return list(seen.items())


def link_mediation_case(case: PreventionCase, actor: User, mediation_case_id: int | None) -> None:
    """Links the mediation case with the landlord (``None`` removes the link). Only a case
    that mediation offers for it (``linkable``: an open one, not linked to another prevention
    case); refused (nothing changed) for any other, and for a closed prevention case."""
    _check_actor(actor)
    if not case.is_open:
        raise Refused(
            "case closed",
            _l("The prevention case is closed; its mediation case cannot change any more."),
        )
    if mediation_case_id is not None:
        elsewhere = db.session.scalar(
            select(PreventionCase.id).where(
                PreventionCase.mediation_case_id == mediation_case_id,
                PreventionCase.id != case.id,
            )
        )
        if elsewhere is not None:
            raise Refused(
                "linked elsewhere",
                _l("This mediation case is linked to another prevention case."),
            )
        if mediation_case_id not in {case_id for case_id, _label in linkable(case)}:
            raise Refused(
                "not linkable",
                _l("This mediation case cannot be linked (it is closed or does not exist)."),
            )
    if mediation_case_id == case.mediation_case_id:
        return
    case.link(mediation_case_id, actor)


def record_outcome(case: PreventionCase, actor: User, outcome: str, on: date) -> None:
    """Records how the case ended and closes it. Refused (nothing changed): an unknown
    outcome, a date in the future or before the case was opened, a case closed already."""
    _check_actor(actor)
    if not case.is_open:
        raise Refused(
            "outcome recorded", _l("The outcome of this prevention case is recorded already.")
        )
    if outcome not in {o.value for o in Outcome}:
        raise Refused("unknown outcome", status=BAD_INPUT)
    if on > clock.today():
        raise Refused("date in the future", FUTURE, status=BAD_INPUT)
    if on < case.opened_on:
        raise Refused(
            "outcome before opening",
            _l("The outcome cannot be dated before the case was opened."),
            status=BAD_INPUT,
        )
    case.close(Outcome(outcome), on, actor)


def open_cases() -> Select[tuple[PreventionCase]]:
    """The statement of every open prevention case, the oldest first, with its household (the
    staff list reads a page of it)."""
    return (
        select(PreventionCase)
        .where(PreventionCase.outcome.is_(None))
        .options(selectinload(PreventionCase.household))
        .order_by(PreventionCase.opened_on, PreventionCase.id)
    )
