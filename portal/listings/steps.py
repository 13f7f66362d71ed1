"""The flat form as a short sequence of steps, each saving its own fields, and what a flat
still lacks before it may be submitted, step by step (the rule itself: listings.rules)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.listings.models import IMMEDIATE_FIELDS, MATERIAL_FIELDS
from portal.listings.rules import ENERGY_FIELDS, missing_for_submission


@dataclass(frozen=True)
class Step:
    name: str
    title: Any  # lazy text
    fields: tuple[str, ...] = ()  # the flat form's fields this step saves (none: photos, check)
    missing: Any = None  # what the completeness list says while a field of it is empty


STEPS: tuple[Step, ...] = (
    Step(
        "address",
        _l("Address"),
        ("street", "house_number", "postcode", "district_id"),
        _l("Address incomplete"),
    ),
    Step(
        "size",
        _l("Size and rooms"),
        ("rooms", "living_area", "floor"),
        _l("Size and rooms missing"),
    ),
    Step(
        "costs",
        _l("Costs"),
        ("cold_rent", "service_charges", "heating_costs", "warm_water", "deposit"),
        _l("Costs incomplete"),
    ),
    Step(
        "energy",
        _l("Energy certificate"),
        ("energy_certificate_pending", *ENERGY_FIELDS),
        _l("Energy certificate missing"),
    ),
    Step(
        "features",
        _l("Features and description"),
        (
            "wbs_required",
            "wbs_persons",
            "is_step_free",
            "is_wheelchair_accessible",
            "has_lift",
            "has_balcony",
            "pets_allowed",
            "description",
            "available_from",
        ),
        _l("Description, date or WBS details missing"),
    ),
    Step("photos", _l("Photos")),
    Step("check", _l("Check and submit")),
)
BY_NAME = {step.name: step for step in STEPS}
FIRST = STEPS[0]
# Every field of a flat is saved by exactly one step, so a new field cannot be left out.
assert sorted(f for s in STEPS for f in s.fields) == sorted(MATERIAL_FIELDS + IMMEDIATE_FIELDS)  # noqa: S101


def following(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def previous(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index else None


def step_of(field_name: str) -> Step:
    return next(step for step in STEPS if field_name in step.fields)


@dataclass(frozen=True)
class Gap:
    """A step with fields still empty before the flat may be submitted."""

    step: Step
    fields: tuple[str, ...]


def completeness(values: dict[str, Any]) -> list[Gap]:
    """What the flat (its values as the form shows them) still lacks for submission, by step
    in the order of the steps; empty when it may be submitted."""
    missing = missing_for_submission(values)
    return [
        Gap(step, tuple(f for f in step.fields if f in missing))
        for step in STEPS
        if any(f in missing for f in step.fields)
    ]
