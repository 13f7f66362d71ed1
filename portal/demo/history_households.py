"""The households of the demo's year, through the operations of a social worker:
``create_household``, ``save_participants``, ``record_consent``, ``vet`` and, for those who
paused or left, ``change_status`` and ``withdraw_consent``. Each consent is recorded as given
yesterday (vetting and proposing need one valid today); once the placements are made, ``date_back``
moves it and the household's own times to the plan's dates (``portal.demo.dating``)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from portal.accounts.models import User
from portal.demo.dating import at
from portal.demo.history_plan import ACCOMMODATION, FIRST_NAMES, LAST_NAMES, PROFILE_TEXTS, Plan
from portal.demo.households import annex_fields
from portal.extensions import db
from portal.households import operations as ops
from portal.households.models import VETTING_CHECKLIST, HouseholdStatus, TargetGroup
from portal.listings.models import District


def _participants(plan: Plan, rng: random.Random) -> list[dict[str, str] | None]:
    """One row per person, adults first; one household in ten without them ("not
    recorded")."""
    size = plan.adults + plan.children
    if rng.random() >= 0.9:
        return [None] * size
    rows: list[dict[str, str] | None] = []
    for position in range(size):
        adult = position < plan.adults
        rows.append(
            {
                "gender": rng.choices(["female", "male", "no_answer"], [48, 48, 4])[0],
                "age_band": (
                    rng.choice(["18_29", "30_54", "30_54", "55_plus"]) if adult else "under_18"
                ),
                "third_country": (
                    rng.choices(["yes", "no"], [85, 15])[0]
                    if plan.group == TargetGroup.REFUGEE_SHARED_ACCOMMODATION
                    else rng.choices(["yes", "no", "no_answer"], [20, 75, 5])[0]
                ),
                "disability": rng.choices(["yes", "no", "no_answer"], [8, 82, 10])[0],
            }
        )
    # The Annex I fields, without drawing from ``rng`` (the rest of the history stays as it was).
    for position, row in enumerate(rows):
        if row is not None:
            band = row.pop("age_band")
            row.update(annex_fields(position, band, row["third_country"], plan.intake, plan.group))
    return rows


def _consent_dates(plan: Plan, rng: random.Random, today: date) -> tuple[date, date, date | None]:
    """Valid today for households still looking (vetted, or waiting for their keys); given at
    intake and long expired or withdrawn for the others."""
    given = plan.intake
    if plan.status == HouseholdStatus.VETTED or (
        plan.status == HouseholdStatus.PAUSED and rng.random() < 0.5
    ):
        given = max(plan.intake, today - timedelta(days=rng.randrange(10, 150)))
    expires = given + timedelta(days=182)
    withdrawn = None
    if plan.status == HouseholdStatus.WITHDRAWN and plan.exit_on <= expires:
        withdrawn = plan.exit_on
    return given, expires, withdrawn


def create(
    plans: list[Plan], worker: User, districts: list[District], rng: random.Random, today: date
) -> None:
    """Every planned household, vetted unless a draft; the placed ones stay vetted for the
    placements to house them."""
    for number, plan in enumerate(sorted(plans, key=lambda p: p.intake), start=500):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        others = [f"{rng.choice(FIRST_NAMES)} {last}" for _ in range(plan.adults - 1)]
        data = {
            "adults": plan.adults,
            "children": plan.children,
            "earliest_move_in": plan.intake + timedelta(days=30),
            "waiting_since": plan.intake,
            "cost_bearer": rng.choices(["jobcenter", "sozialamt", "own_income"], [80, 15, 5])[0],
            "profile_text": rng.choice(PROFILE_TEXTS),
            "intake_on": plan.intake,
            "target_group": plan.group,
            "main_tenant_name": f"{first} {last}",
            "adult_names": "\n".join([f"{first} {last}", *others]),
            "phone": f"0176 555{number:04d}",
            "current_accommodation": (
                "Seit dem Einzug in eigener Wohnung" if plan.keys else ACCOMMODATION[plan.group]
            ),
        }
        preferred = rng.sample(districts, rng.choice([0, 1, 2]))
        household = ops.create_household(worker, data, preferred)
        ops.save_participants(household, worker, _participants(plan, rng))
        plan.consent = _consent_dates(plan, rng, today)
        # Given yesterday: valid on the server's date too, whatever the hour (dated back below).
        ops.record_consent(household, worker, today - timedelta(days=1), None)
        if plan.status != HouseholdStatus.DRAFT:
            ops.vet(household, worker, checklist=VETTING_CHECKLIST)
        plan.household = household
    db.session.flush()


def leave(plans: list[Plan], worker: User) -> None:
    """Pause or withdraw (with the exit: where the household went, and when) as planned."""
    for plan in plans:
        household = plan.household
        if plan.status == HouseholdStatus.PAUSED:
            ops.change_status(household, worker, HouseholdStatus.PAUSED)
        elif plan.status == HouseholdStatus.WITHDRAWN:
            ops.change_status(
                household, worker, HouseholdStatus.WITHDRAWN, plan.destination, plan.exit_on
            )
            if plan.consent[2] is not None:
                ops.withdraw_consent(household.consents[0], worker, on=plan.consent[2])
    db.session.flush()


def date_back(plans: list[Plan], today: date) -> None:
    """Move the households' times and consents to the plan's dates."""
    for plan in plans:
        household = plan.household
        changed = plan.keys or plan.exit_on or plan.intake + timedelta(days=14)
        household.created_at = at(plan.intake, 9)
        household.status_changed_at = at(min(changed, today))
        if household.vetted_at is not None:
            household.vetted_at = at(min(plan.intake + timedelta(days=14), today), 15)
        given, expires, withdrawn = plan.consent
        consent = household.consents[0]
        consent.given_on, consent.expires_on, consent.withdrawn_on = given, expires, withdrawn
        consent.created_at = at(given, 11)
    db.session.flush()
