"""Demo paperwork (issue 16), recorded through the operations, then dated back: on the moved-in
demo placement the handover record of its move-in, the Wohnungsgeberbestätigung the landlord
confirmed that day and the household's registration at the Bürgeramt a week later; and the
Mietbescheinigungen of the demo placements past the rent offer, confirmed or still waiting."""

from __future__ import annotations

from datetime import timedelta

from portal.accounts.models import User
from portal.demo.dating import at
from portal.extensions import db
from portal.placements.models import Placement, State
from portal.placements.paperwork import handover, rent_certificate


def seed_paperwork(placement: Placement, specialist: User) -> None:
    moved_in = placement.keys_handed_over_on
    landlord = db.session.get(User, placement.flat.created_by_id)
    if moved_in is None or landlord is None:
        return
    handover.record_handover(
        placement,
        specialist,
        handed_over_on=moved_in,
        meters=[
            {"kind": "electricity", "number": "1ESY1160456789", "reading": "24811.4"},
            {"kind": "district_heat", "number": "FW-20931", "reading": "1207"},
            {"kind": "water", "number": "WZ-88213", "reading": "315.72"},
        ],
        keys=[
            {"kind": "Wohnungstür / Haustür", "count": 3},
            {"kind": "Briefkasten", "count": 2},
            {"kind": "Keller", "count": 1},
        ],
        rooms=[
            {"room": "Küche", "condition": "Einbauküche vollständig, Herd mit Gebrauchsspuren."},
            {"room": "Bad", "condition": "Eine Fliese über der Wanne hat einen Sprung."},
            {"room": "Wohnzimmer", "condition": "Frisch gestrichen, Laminat ohne Schäden."},
        ],
        landlord_signed_by=landlord.full_name,
        tenant_signed_by=placement.household.identity.main_tenant_name or "",
        signed_on=moved_in,
    )
    confirmation = handover.confirm_move_in(placement, landlord)
    confirmation.confirmed_at = at(moved_in, 15)
    registered_on = moved_in + timedelta(days=7)
    handover.record_registration(placement, specialist, registered_on)
    db.session.flush()


# The landlords' accounts for the rent (valid IBANs, the usual published examples).
ACCOUNTS = {
    State.MOVED_IN: ("DE02120300000000202051", "Ayşe Yılmaz-Schneider"),
    State.COSTS_APPROVED: ("DE02500105170137075030", "Rhein-Ruhr Wohnen eG"),
}


def seed_rent_certificates(placed: dict[State, Placement]) -> None:
    """The Mietbescheinigung filled at each rent offer: confirmed by the landlord two days
    later on the moved-in and the costs-approved placements; the rent offer's one still waits
    for the housing company's check (``wohnungsbau``)."""
    for state, (iban, holder) in ACCOUNTS.items():
        placement = placed.get(state)
        if placement is None:
            continue
        landlord = db.session.get(User, placement.flat.created_by_id)
        cert = rent_certificate.for_placement(placement)
        if landlord is None or cert is None:
            continue
        rent_certificate.confirm(cert, landlord, iban, holder)
        if placement.rent_offer_on is not None:
            cert.answered_at = at(placement.rent_offer_on + timedelta(days=2), 11)
    db.session.flush()
