"""The words for a flat's statuses (with what happens next, as the landlord reads them), hot
water and the energy certificate, in one place."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.listings.models import EnergyCertificateKind, WarmWater

WARM_WATER_LABELS = {
    WarmWater.CENTRAL.value: _l("Central, with the heating"),
    WarmWater.ELECTRIC.value: _l("Electric boiler or instantaneous water heater"),
    WarmWater.OTHER.value: _l("Other"),
}
ENERGY_KIND_LABELS = {
    EnergyCertificateKind.DEMAND.value: _l("Energy demand certificate (Bedarfsausweis)"),
    EnergyCertificateKind.CONSUMPTION.value: _l(
        "Energy consumption certificate (Verbrauchsausweis)"
    ),
}
ENERGY_CARRIER_LABELS = {
    "gas": _l("Gas"),
    "oil": _l("Oil"),
    "district_heating": _l("District heating"),
    "electricity": _l("Electricity"),
    "heat_pump": _l("Heat pump"),
    "wood_pellets": _l("Wood or pellets"),
    "other": _l("Other"),
}


# (label, what happens next) per status; lazy strings, translated when shown.
STATUS_TEXTS = {
    "draft": (_l("Draft"), _l("Complete the details and submit the flat for review.")),
    "submitted": (
        _l("In review"),
        _l("The Kümmerer team checks your flat, usually within two working days."),
    ),
    "changes_requested": (
        _l("Changes requested"),
        _l("Please look at the team's comment, change the flat and submit it again."),
    ),
    "published": (
        _l("Published"),
        _l("The team looks for a suitable household and will contact you."),
    ),
    "reserved": (_l("Reserved"), _l("A placement is in progress. The team keeps you up to date.")),
    "let": (_l("Let"), _l("The flat is let through the programme. Thank you!")),
    "archived": (_l("Withdrawn"), _l("The flat is not offered. You can list it again.")),
}


def status_label(status: str) -> str:
    return str(STATUS_TEXTS.get(status, (status, ""))[0])


def next_step(status: str) -> str:
    return str(STATUS_TEXTS.get(status, ("", ""))[1])


def warm_water_label(value: str | None) -> str:
    return str(WARM_WATER_LABELS.get(value or "", "–"))


def energy_kind_label(value: str | None) -> str:
    return str(ENERGY_KIND_LABELS.get(value or "", "–"))


def energy_carrier_label(value: str | None) -> str:
    return str(ENERGY_CARRIER_LABELS.get(value or "", "–"))


# The review history of a flat (listings/reviews.py) -----------------------------------------

DECISION_LABELS = {
    "published": _l("Published"),
    "changes_requested": _l("Changes requested"),
    "changes_approved": _l("Changes approved"),
    "changes_returned": _l("Changes sent back"),
}
HISTORY_LABELS = {
    "flat.submitted": _l("Submitted for review"),
    "flat.changes_submitted": _l("Changes submitted for review"),
    "flat.changes_withdrawn": _l("Changes taken back by the landlord"),
    "flat.published": _l("Published"),
    "flat.changes_requested": _l("Changes requested"),
    "flat.changes_approved": _l("Changes approved"),
    "flat.changes_returned": _l("Changes sent back"),
    "flat.archived": _l("Withdrawn"),
}


def review_decision_label(decision: str) -> str:
    return str(DECISION_LABELS.get(decision, decision))


def flat_history_label(action: str) -> str:
    return str(HISTORY_LABELS.get(action, action))
