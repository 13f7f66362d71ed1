"""The plan of the demo's year of history: who was taken in when, who was placed, who left;
the fixed random seed makes it the same on every load (its dates move with today). The other
``history_*`` modules carry it out through the operations. All names are invented."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.accounts.models import OrganisationKind
from portal.households.models import ExitDestination, Household, HouseholdStatus, TargetGroup

SEED = 2026
PLACED, RECENT_LEASES = 28, 2
# The flats (by lease order, oldest first) that first had a placement that failed.
CANCELLED_ON = (10, 13, 16, 19)
WITHDRAWN = (
    [ExitDestination.DROPPED_OUT] * 3
    + [ExitDestination.MOVED_AWAY] * 2
    + [ExitDestination.OWN_TENANCY_WITH_SUPPORT] * 3
)
ACTIVE = [HouseholdStatus.VETTED] * 26 + [HouseholdStatus.PAUSED] * 4 + [HouseholdStatus.DRAFT] * 4

# (kind, name, address, phone): landlords won during the year.
NEW_LANDLORDS = [
    (
        OrganisationKind.COMPANY,
        "Wohnungsgenossenschaft Rheinblick eG",
        "Friedrich-Wilhelm-Str. 20, 47051 Duisburg",
        "0203 4455660",
    ),
    (
        OrganisationKind.COMPANY,
        "Niederrhein Wohnbau GmbH",
        "Sonnenwall 8, 47051 Duisburg",
        "0203 7788990",
    ),
    (OrganisationKind.PRIVATE, "Brigitte und Klaus Hoffmann", None, "02066 123987"),
    (OrganisationKind.PRIVATE, "Mehmet Demir", None, "0203 5566771"),
    (OrganisationKind.PRIVATE, "Anna Lewandowska", None, "02065 901234"),
]
# Who owns the thirty flats: "vermieterin" and "wohnungsbau" are the demo landlords, numbers
# index NEW_LANDLORDS.
OWNERS = ["vermieterin"] * 3 + ["wohnungsbau"] * 7 + [0] * 6 + [1] * 5 + [2] * 3 + [3] * 3 + [4] * 3
# (street, postcode, district)
STREETS = [
    ("Wanheimer Straße", "47053", "Hochfeld"),
    ("Heerstraße", "47053", "Hochfeld"),
    ("Weseler Straße", "47169", "Marxloh"),
    ("Kaiser-Wilhelm-Straße", "47169", "Marxloh"),
    ("Duisburger Straße", "47166", "Alt-Hamborn"),
    ("Bahnhofstraße", "47137", "Obermeiderich"),
    ("Moerser Straße", "47198", "Alt-Homberg"),
    ("Friedrich-Ebert-Straße", "47226", "Rheinhausen-Mitte"),
    ("Krefelder Straße", "47226", "Hochemmerich"),
    ("Sittardsberger Allee", "47249", "Buchholz"),
    ("Neudorfer Straße", "47057", "Neudorf-Nord"),
    ("Dr.-Wilhelm-Roelen-Straße", "47179", "Aldenrade"),
    ("Ruhrorter Straße", "47059", "Kaßlerfeld"),
    ("Fabrikstraße", "47119", "Ruhrort"),
]
FIRST_NAMES = [
    "Amal", "Yusuf", "Fatima", "Oleksandr", "Hevin", "Samir", "Dragana", "Thomas", "Nadia",
    "Aliou", "Zeynep", "Ivana", "Karim", "Selin", "Bashir", "Monika", "Rami", "Tetiana",
    "Dawit", "Sandra", "Hamid", "Lina", "Mustafa", "Olga",
]  # fmt: skip
LAST_NAMES = [
    "Haddad", "Kaya", "Mensah", "Petrenko", "Rashid", "Schulz", "Jovanović", "Okafor", "Demir",
    "Hussein", "Nowak", "Tesfaye", "Bauer", "Şahin", "Popescu", "Ali", "Marić", "Osman",
]  # fmt: skip
PROFILE_TEXTS = [
    "Wir sind eine ruhige Familie und freuen uns auf eine eigene Wohnung.",
    "Ich arbeite in Teilzeit und suche eine kleine Wohnung mit guter Busverbindung.",
    "Wir möchten in der Nähe der Schule der Kinder bleiben.",
    "Ich bin zuverlässig, Nichtraucher und helfe gern in der Hausgemeinschaft.",
    "Wir suchen eine Wohnung mit zwei Zimmern, gern mit Balkon.",
]
ACCOMMODATION = {
    TargetGroup.REFUGEE_SHARED_ACCOMMODATION.value: "Gemeinschaftsunterkunft Wanheimer Straße",
    TargetGroup.HOMELESS_MUNICIPAL_SHELTER.value: "Städtische Notunterkunft",
    TargetGroup.OTHER.value: "Bei Bekannten untergekommen",
}
FOLLOW_UP_NOTES = {
    "all_well": "Hausbesuch: alles in Ordnung, Miete kommt pünktlich.",
    "needs_support": "Unterstützung beim Antrag auf Weiterbewilligung vereinbart.",
    "rent_arrears": "Ein Monat Mietrückstand; Ratenzahlung mit dem Vermieter abgesprochen.",
    "conflict": "Streit um die Hausordnung; Gespräch mit allen Beteiligten geplant.",
    "tenancy_ended": "Mietverhältnis einvernehmlich beendet; Familie zieht in eine größere "
    "Wohnung.",
    "returned_to_shelter": "Wohnung aufgegeben; zurück in der Notunterkunft.",
}
CANCEL_STEPS = [  # (reason, the steps taken before the cancellation)
    ("landlord_declined", []),
    ("household_declined", ["accept", "schedule_viewing"]),
    ("viewing_negative", ["accept", "schedule_viewing", "record_viewing"]),
    ("costs_refused", ["accept", "schedule_viewing", "record_viewing", "submit_rent_offer"]),
]
CANCEL_NOTE = "Nicht weiter verfolgt."


@dataclass
class Plan:
    """One demo household and what happened to it."""

    intake: date
    status: HouseholdStatus
    group: str
    adults: int
    children: int
    lease: date | None = None
    keys: date | None = None
    exit_on: date | None = None
    destination: str | None = None
    household: Household | None = None
    consent: tuple[date, date, date | None] | None = None  # given, expires, withdrawn
    extra: dict = field(default_factory=dict)


def _size(rng: random.Random) -> tuple[int, int]:
    size = rng.choices([1, 2, 3, 4, 5], [30, 25, 20, 15, 10])[0]
    adults = min(size, rng.choice([1, 2, 2]))
    return adults, size - adults


def plans(rng: random.Random, today: date) -> tuple[list[Plan], list[Plan], list[Plan]]:
    """Placed, withdrawn and active households (in that order, with their dates)."""
    groups = [g.value for g in TargetGroup]
    weights = [55, 30, 15]
    oldest = today - timedelta(days=365)  # every intake within the last year
    placed = []
    # Leases 63 to 345 days ago (every move-in at least a month old), two in the last weeks.
    lease_days = [
        63 + round(k * (345 - 63) / (PLACED - 1)) + rng.randrange(-4, 5) for k in range(PLACED)
    ]
    lease_days = [min(345, max(63, d)) for d in lease_days] + [6, 15][:RECENT_LEASES]
    for days_ago in lease_days:
        lease = today - timedelta(days=days_ago)
        # Intake 45 to 220 days before the lease (20 for the oldest leases), within the year.
        low = max(oldest, lease - timedelta(days=220))
        high = max(low, lease - timedelta(days=45))
        intake = min(low + timedelta(days=rng.randrange((high - low).days + 1)), lease)
        keys = lease + timedelta(days=rng.randrange(7, 29))
        recent = days_ago < 63
        placed.append(
            Plan(
                intake,
                HouseholdStatus.VETTED if recent else HouseholdStatus.HOUSED,
                rng.choices(groups, weights)[0],
                *_size(rng),
                lease=lease,
                keys=None if recent else keys,
                exit_on=None if recent else keys,
                destination=None if recent else ExitDestination.OWN_TENANCY_PROGRAMME.value,
                extra={"planned_keys": keys},
            )
        )
    withdrawn = []
    for destination in WITHDRAWN:
        intake = today - timedelta(days=rng.randrange(60, 366))
        exit_on = intake + timedelta(days=rng.randrange(30, min(220, (today - intake).days)))
        withdrawn.append(
            Plan(
                intake,
                HouseholdStatus.WITHDRAWN,
                rng.choices(groups, weights)[0],
                *_size(rng),
                exit_on=exit_on,
                destination=destination.value,
            )
        )
    active = []
    for status in ACTIVE:
        # Drafts are new; the others spread over the whole year.
        days_ago = rng.randrange(0, 40) if status == HouseholdStatus.DRAFT else rng.randrange(366)
        active.append(
            Plan(
                today - timedelta(days=days_ago),
                status,
                rng.choices(groups, weights)[0],
                *_size(rng),
            )
        )
    return placed, withdrawn, active
