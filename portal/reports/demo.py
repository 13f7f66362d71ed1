"""Demo history for ``make run``: a year of programme work behind the report page and its
charts. About seventy households taken in over the last twelve months (every target group,
ESF participant rows), thirty placements with their leases spread over the last twelve months
(key handovers, follow-ups with outcomes, a few tenancies ended or given up for a shelter), a
few cancelled placements, households that left the programme otherwise, the flats for them
(the demo landlords' and five more landlords'), and mediation cases over the year.

Historical rows are written directly with the models, dated back, and kept consistent with
the database's rules: a flat or household holds at most one open placement, moved-in
households are housed and left the programme at the key handover, an ended tenancy carries
its date. No demo placement here stays in ``moved_in`` (every move-in is at least a month old
and its first check is recorded), so the workflow demo's placements stay the only ones in the
early states. A fixed random seed gives the same history on every load (its dates move with
today). All names are invented.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.accounts.models import Organisation, OrganisationKind, User
from portal.core import clock
from portal.core.dates import add_months
from portal.extensions import db
from portal.households.models import (
    CONSENT_SCOPE,
    Consent,
    ExitDestination,
    Household,
    HouseholdIdentity,
    HouseholdStatus,
    Participant,
    TargetGroup,
)
from portal.households.operations import propose as propose_needs
from portal.listings.models import District, Flat, FlatStatus
from portal.mediation.models import CaseEntry, CaseStatus, MediationCase
from portal.placements.calendar import BERLIN
from portal.placements.models import (
    ENDED_OUTCOMES,
    FOLLOW_UP_MONTHS,
    FollowUp,
    Placement,
    PlacementEvent,
    State,
)

SEED = 2026
FIRST_CODE = 500  # household codes DU-<year>-0500 on; the workflow demo uses 0001 on
FIRST_CASE = 500  # mediation numbers M-<year>-0500 on
PLACED, RECENT_LEASES = 28, 2
# The flats (by lease order, oldest first) that first had a placement that failed.
CANCELLED_ON = (10, 13, 16, 19)
WITHDRAWN = (
    [ExitDestination.DROPPED_OUT] * 3
    + [ExitDestination.MOVED_AWAY] * 2
    + [ExitDestination.OWN_TENANCY_WITH_SUPPORT] * 3
)
ACTIVE = [HouseholdStatus.VETTED] * 26 + [HouseholdStatus.PAUSED] * 4 + [HouseholdStatus.DRAFT] * 4
MEDIATION_CASES = 15

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
MEDIATION_TEXTS = {
    "rent_arrears": "Die Miete für den letzten Monat ist nicht eingegangen. Bitte um Rückruf.",
    "neighbourhood": "Es gibt wiederholt Beschwerden über Lärm am Abend im Treppenhaus.",
    "damage": "Im Bad ist ein Wasserschaden entstanden; wer übernimmt die Reparatur?",
    "communication": "Wir verstehen uns sprachlich schlecht und brauchen Hilfe beim Gespräch.",
    "other": "Frage zur Nebenkostenabrechnung und zur Mülltrennung.",
}


@dataclass
class _Plan:
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
    extra: dict = field(default_factory=dict)


def _at(day: date, hour: int = 10, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN).astimezone(UTC)


def _size(rng: random.Random) -> tuple[int, int]:
    size = rng.choices([1, 2, 3, 4, 5], [30, 25, 20, 15, 10])[0]
    adults = min(size, rng.choice([1, 2, 2]))
    return adults, size - adults


def _plans(rng: random.Random, today: date) -> tuple[list[_Plan], list[_Plan], list[_Plan]]:
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
            _Plan(
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
            _Plan(
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
            _Plan(
                today - timedelta(days=days_ago),
                status,
                rng.choices(groups, weights)[0],
                *_size(rng),
            )
        )
    return placed, withdrawn, active


def _households(
    plans: list[_Plan], worker: User, districts: list[District], rng: random.Random, today: date
) -> None:
    for number, plan in enumerate(sorted(plans, key=lambda p: p.intake), start=FIRST_CODE):
        size = plan.adults + plan.children
        needs = propose_needs(size, plan.intake)
        vetted = plan.status != HouseholdStatus.DRAFT
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        changed = plan.keys or plan.exit_on or plan.intake + timedelta(days=14)
        household = Household(
            code=f"DU-{plan.intake.year}-{number:04d}",
            status=plan.status.value,
            status_changed_at=_at(min(changed, today)),
            created_by_id=worker.id,
            created_at=_at(plan.intake, 9),
            adults=plan.adults,
            children=plan.children,
            needed_rooms=needs.rooms,
            needed_area=needs.area,
            max_gross_cold_rent=needs.max_rent,
            earliest_move_in=plan.intake + timedelta(days=30),
            cost_bearer=rng.choices(["jobcenter", "sozialamt", "own_income"], [80, 15, 5])[0],
            profile_text=rng.choice(PROFILE_TEXTS),
            waiting_since=plan.intake,
            vetted_at=_at(min(plan.intake + timedelta(days=14), today), 15) if vetted else None,
            vetted_by_id=worker.id if vetted else None,
            intake_on=plan.intake,
            target_group=plan.group,
            exit_on=plan.exit_on,
            exit_destination=plan.destination,
            preferred_districts=rng.sample(districts, rng.choice([0, 1, 2])),
        )
        household.identity = HouseholdIdentity(
            main_tenant_name=f"{first} {last}",
            adult_names="\n".join(
                [f"{first} {last}"]
                + [f"{rng.choice(FIRST_NAMES)} {last}" for _ in range(plan.adults - 1)]
            ),
            phone=f"0176 555{number:04d}",
            current_accommodation=(
                "Seit dem Einzug in eigener Wohnung" if plan.keys else ACCOMMODATION[plan.group]
            ),
        )
        household.consents.append(_consent(plan, worker, rng, today))
        if rng.random() < 0.9:  # one in ten without participant data ("not recorded")
            for position in range(size):
                adult = position < plan.adults
                household.participants.append(
                    Participant(
                        position=position,
                        gender=rng.choices(["female", "male", "no_answer"], [48, 48, 4])[0],
                        age_band=(
                            rng.choice(["18_29", "30_54", "30_54", "55_plus"])
                            if adult
                            else "under_18"
                        ),
                        third_country=(
                            rng.choices(["yes", "no"], [85, 15])[0]
                            if plan.group == TargetGroup.REFUGEE_SHARED_ACCOMMODATION
                            else rng.choices(["yes", "no", "no_answer"], [20, 75, 5])[0]
                        ),
                        disability=rng.choices(["yes", "no", "no_answer"], [8, 82, 10])[0],
                    )
                )
        db.session.add(household)
        plan.household = household
    db.session.flush()


def _consent(plan: _Plan, worker: User, rng: random.Random, today: date) -> Consent:
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
    return Consent(
        given_on=given,
        scope=CONSENT_SCOPE,
        expires_on=expires,
        withdrawn_on=withdrawn,
        recorded_by_id=worker.id,
        created_at=_at(given, 11),
    )


def _organisations() -> list[Organisation]:
    organisations = []
    for kind, name, address, phone in NEW_LANDLORDS:
        organisation = Organisation(kind=kind.value, name=name, address=address, phone=phone)
        db.session.add(organisation)
        organisations.append(organisation)
    db.session.flush()
    return organisations


def _flat(
    owner: Organisation,
    owner_user: User | None,
    district: District,
    street: str,
    postcode: str,
    published: date,
    size: int,
    rng: random.Random,
) -> Flat:
    rooms = Decimal(max(1, min(size, 4)))
    area = Decimal(38 + 13 * min(size, 5) + rng.randrange(0, 8))
    cold = (area * Decimal("6.40")).quantize(Decimal("1"))
    created = _at(published - timedelta(days=4), 9)
    return Flat(
        organisation_id=owner.id,
        created_by_id=owner_user.id if owner_user else None,
        submitted_by_id=owner_user.id if owner_user else None,
        status=FlatStatus.PUBLISHED.value,
        status_changed_at=_at(published, 14),
        submitted_at=_at(published - timedelta(days=2), 16),
        published_at=_at(published, 14),
        created_at=created,
        street=street,
        house_number=str(rng.randrange(2, 140)),
        postcode=postcode,
        district_id=district.id,
        floor=rng.randrange(0, 5),
        rooms=rooms,
        living_area=area,
        cold_rent=cold,
        service_charges=(area * Decimal("2.10")).quantize(Decimal("1")),
        heating_costs=(area * Decimal("1.30")).quantize(Decimal("1")),
        warm_water="central",
        deposit=cold * 2,
        has_balcony=rng.random() < 0.4,
        energy_certificate_pending=True,
        description="Gepflegte Wohnung in einem Mehrfamilienhaus, Keller, Bad mit Wanne.",
        available_from=published + timedelta(days=14),
    )


def _event(placement, action, before, after, day, actor, role, data=None, **more):
    return PlacementEvent(
        placement_id=placement.id,
        action=action,
        from_state=before,
        to_state=after,
        actor_id=actor.id if actor else None,
        role=role,
        data={k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in (data or {}).items()},
        created_at=_at(day, 10 + len(action) % 6),
        **more,
    )


def _steps(placement: Placement, start: date, lease: date | None, specialist: User) -> list:
    """The workflow steps up to the lease, a few days apart (the viewing's data on the
    placement too)."""
    viewing = start + timedelta(days=6)
    offer = start + timedelta(days=8)
    office = "Sozialamt Duisburg" if placement.household.cost_bearer == "sozialamt" else None
    office = office or "Jobcenter Duisburg"
    steps = [
        ("accept", "proposed", "landlord_accepted", start + timedelta(days=2), {}),
        (
            "schedule_viewing",
            "landlord_accepted",
            "viewing_scheduled",
            start + timedelta(days=3),
            {
                "viewing_at": _at(viewing, 16, 0),
                "viewing_place": "Vor dem Hauseingang",
                "viewing_companion_id": specialist.id,
            },
        ),
        (
            "record_viewing",
            "viewing_scheduled",
            "viewing_done",
            viewing,
            {"viewing_outcome": "Beide Seiten möchten weitermachen."},
        ),
        (
            "submit_rent_offer",
            "viewing_done",
            "rent_offer_submitted",
            offer,
            {"rent_offer_on": offer, "rent_offer_office": office},
        ),
    ]
    if lease is not None:
        approved = lease - timedelta(days=3)
        steps += [
            (
                "approve_costs",
                "rent_offer_submitted",
                "costs_approved",
                approved,
                {"costs_approved_on": approved, "deposit_loan": True},
            ),
            (
                "sign_lease",
                "costs_approved",
                "lease_signed",
                lease,
                {"lease_signed_on": lease, "rent_start_on": lease + timedelta(days=7)},
            ),
        ]
    return steps


def _follow_ups(
    placement: Placement, keys: date, ending: str | None, overdue: bool, worker, rng, today
) -> list[FollowUp]:
    """The four checks, recorded where due (the first always: no demo tenancy stays in
    ``moved_in``); ``ending`` ends the tenancy at the second or third check; ``overdue`` leaves
    the latest due check unrecorded."""
    due_days = [add_months(keys, months) for months in FOLLOW_UP_MONTHS]
    due_count = sum(due <= today for due in due_days)
    # A return to a shelter is recorded at the 3-month check, an ended tenancy at the 6-month one.
    wanted = 1 if ending == "returned_to_shelter" else 2
    ends_at = min(due_count - 1, wanted) if ending and due_count >= 2 else None
    checks, ended_on = [], None
    for index, (months, due) in enumerate(zip(FOLLOW_UP_MONTHS, due_days, strict=True)):
        check = FollowUp(placement_id=placement.id, months=months, due_on=due)
        checks.append(check)
        if ended_on is not None:
            check.done_on = ended_on
            check.note = "not needed: the tenancy has ended"
            check.recorded_by_id = worker.id
            continue
        if due > today or (overdue and index == due_count - 1 and index > 0):
            continue
        check.done_on = min(today, due + timedelta(days=rng.randrange(-3, 11)))
        check.recorded_by_id = worker.id
        if index == ends_at:
            previous = checks[index - 1].done_on
            check.outcome = ending
            check.outcome_on = previous + timedelta(
                days=rng.randrange(1, max(2, (check.done_on - previous).days))
            )
            ended_on = check.done_on
        else:
            check.outcome = rng.choices(
                ["all_well", "needs_support", "rent_arrears", "conflict"], [75, 15, 5, 5]
            )[0]
        check.note = FOLLOW_UP_NOTES[check.outcome]
    return checks


def _placements(
    placed: list[_Plan],
    active: list[_Plan],
    owners: list[tuple[Organisation, User | None]],
    districts: dict[str, District],
    users: dict[str, User],
    rng: random.Random,
    today: date,
) -> list[tuple[Placement, Flat]]:
    specialist, worker = users["immobilien"], users["sozialarbeit"]
    moved = [p for p in placed if p.keys is not None]
    # Among the older half: their ends fall within the first six months after the move-in.
    endings = dict.fromkeys(rng.sample(range(len(moved) // 2), 4))
    for index, outcome in zip(endings, ["tenancy_ended", "returned_to_shelter"] * 2, strict=True):
        endings[index] = outcome
    overdue = set(rng.sample([i for i in range(len(moved)) if i not in endings], 2))
    made: list[tuple[Placement, Flat]] = []
    moved_sorted = sorted(moved, key=lambda p: p.lease)  # oldest first: endings fit the checks
    for n, plan in enumerate(
        [*moved_sorted, *[p for p in placed if p.keys is None]],
    ):
        organisation, owner_user = owners[n % len(owners)]
        street, postcode, district = STREETS[n % len(STREETS)]
        cancelled_before = n in CANCELLED_ON
        gap = rng.randrange(60, 91) if cancelled_before else rng.randrange(30, 91)
        published = plan.lease - timedelta(days=gap)
        flat = _flat(
            organisation,
            owner_user,
            districts[district],
            street,
            postcode,
            published,
            plan.adults + plan.children,
            rng,
        )
        db.session.add(flat)
        db.session.flush()
        if cancelled_before:
            _cancelled(flat, published, active, users, rng, n)
        start = plan.lease - timedelta(days=rng.randrange(18, 29))
        placement = Placement(
            flat_id=flat.id,
            household_id=plan.household.id,
            origin="specialist",
            state=State.LEASE_SIGNED.value,
            staff_id=specialist.id,
            created_at=_at(start, 9),
        )
        placement.household = plan.household
        db.session.add(placement)
        db.session.flush()
        events = [_event(placement, "propose", "", "proposed", start, specialist, "specialist")]
        for action, before, after, day, data in _steps(placement, start, plan.lease, specialist):
            for name, value in data.items():
                setattr(placement, name, value)
            extra = {"on_behalf_of": "landlord"} if action == "accept" else {}
            events.append(
                _event(
                    placement, action, before, after, day, specialist, "specialist", data, **extra
                )
            )
        last_day = plan.lease
        if plan.keys is None:  # keys still to come: the flat is held for the household
            flat.status = FlatStatus.RESERVED.value
            flat.status_changed_at = _at(start + timedelta(days=2))
        else:
            placement.keys_handed_over_on = plan.keys
            events.append(
                _event(
                    placement,
                    "move_in",
                    "lease_signed",
                    "moved_in",
                    plan.keys,
                    specialist,
                    "specialist",
                    {"keys_handed_over_on": plan.keys},
                )
            )
            flat.status = FlatStatus.LET.value
            flat.status_changed_at = _at(plan.keys, 12)
            checks = _follow_ups(
                placement, plan.keys, endings.get(n), n in overdue, worker, rng, today
            )
            db.session.add_all(checks)
            done = sorted(c.done_on for c in checks if c.done_on is not None)
            assert done, "every demo move-in has its first check recorded"  # noqa: S101 - demo data invariant
            events.append(
                _event(
                    placement, "start_aftercare", "moved_in", "aftercare", done[0], worker, "system"
                )
            )
            placement.state = State.AFTERCARE.value
            last_day = done[0]
            if len(done) == len(checks):
                events.append(
                    _event(
                        placement, "complete", "aftercare", "completed", done[-1], worker, "system"
                    )
                )
                placement.state = State.COMPLETED.value
                last_day = done[-1]
        placement.state_changed_at = _at(last_day, 15)
        db.session.add_all(events)
        made.append((placement, flat))
    db.session.flush()
    return made


def _cancelled(flat: Flat, published: date, active: list[_Plan], users, rng, n: int) -> None:
    """A placement on ``flat`` that failed before the household it was let to came along."""
    specialist = users["immobilien"]
    start = published + timedelta(days=3)
    candidates = sorted(
        (
            p
            for p in active
            if p.status == HouseholdStatus.VETTED and p.intake <= start - timedelta(days=14)
        ),
        key=lambda p: p.intake,
    )
    if not candidates:
        return
    which = CANCELLED_ON.index(n)
    plan = candidates[-1 - which % len(candidates)]  # the most recent intakes before it
    reason, taken = CANCEL_STEPS[which % len(CANCEL_STEPS)]
    placement = Placement(
        flat_id=flat.id,
        household_id=plan.household.id,
        origin="specialist",
        state=State.CANCELLED.value,
        staff_id=specialist.id,
        created_at=_at(start, 9),
        cancel_reason=reason,
        cancel_note=CANCEL_NOTE,
    )
    placement.household = plan.household
    db.session.add(placement)
    db.session.flush()
    events = [_event(placement, "propose", "", "proposed", start, specialist, "specialist")]
    state, last = "proposed", start
    for action, before, after, day, data in _steps(placement, start, None, specialist):
        if action not in taken:
            break
        for name, value in data.items():
            setattr(placement, name, value)
        events.append(_event(placement, action, before, after, day, specialist, "specialist", data))
        state, last = after, day
    action = "decline" if reason == "landlord_declined" else "cancel"
    cancelled_on = last + timedelta(days=2)
    events.append(
        _event(
            placement,
            action,
            state,
            "cancelled",
            cancelled_on,
            specialist,
            "specialist",
            {"cancel_reason": reason},
            on_behalf_of="landlord" if action == "decline" else None,
        )
    )
    placement.state_changed_at = _at(cancelled_on, 15)
    db.session.add_all(events)


def _mediation(
    made: list[tuple[Placement, Flat]], users: dict[str, User], rng: random.Random, today: date
) -> int:
    """Cases over the year, most about the demo tenancies; answered within days, the older ones
    resolved."""
    staff = [users["sozialarbeit"], users["immobilien"]]
    now = clock.utcnow()
    running = [(p, f) for p, f in made if p.keys_handed_over_on is not None]
    topics = list(MEDIATION_TEXTS)
    for index in range(MEDIATION_CASES):
        days_ago = 8 + round(index * (355 - 8) / (MEDIATION_CASES - 1)) + rng.randrange(-3, 4)
        opened = _at(today - timedelta(days=days_ago), 8 + rng.randrange(9), rng.randrange(60))
        tenancies = [
            (p, f) for p, f in running if p.keys_handed_over_on < opened.date() - timedelta(days=7)
        ]
        placement, flat = rng.choice(tenancies) if tenancies else (None, None)
        sender = rng.choice(["landlord", "landlord", "tenant", "other"]) if flat else "other"
        topic = rng.choice(topics)
        assigned = staff[index % 2]
        answered = opened + timedelta(hours=rng.randrange(2, 120))
        if index == 0 or answered > now:  # the newest case waits for its first answer
            answered = None
        resolved = None
        if answered is not None and days_ago > 30:
            resolved = answered + timedelta(days=rng.randrange(2, 28))
            resolved = resolved if resolved < now else None
        status = (
            (CaseStatus.CLOSED if index % 4 == 0 else CaseStatus.RESOLVED)
            if resolved
            else (CaseStatus.WAITING if index % 3 == 0 else CaseStatus.IN_PROGRESS)
            if answered
            else CaseStatus.NEW
        )
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        case = MediationCase(
            number=f"M-{opened.year}-{FIRST_CASE + index:04d}",
            status=status.value,
            sender_kind=sender,
            name=f"{first} {last}",
            email=f"{first.lower()}.{index}@example.org",
            contact_by="email",
            topic=topic,
            flat_address=flat.address_line if flat else None,
            flat_id=flat.id if flat else None,
            message=MEDIATION_TEXTS[topic],
            locale="de",
            organisation_id=flat.organisation_id if flat and sender == "landlord" else None,
            assigned_to_id=assigned.id,
            placement_id=placement.id if placement else None,
            first_answer_at=answered,
            resolved_at=resolved,
            created_at=opened,
            updated_at=resolved or answered or opened,
        )
        if answered is not None:
            case.entries.append(
                CaseEntry(
                    kind="reply",
                    author_id=assigned.id,
                    text="Vielen Dank für Ihre Nachricht. Wir melden uns für einen Termin.",
                    created_at=answered,
                )
            )
        if resolved is not None:
            case.entries.append(
                CaseEntry(
                    kind="note",
                    author_id=assigned.id,
                    text="Gespräch vor Ort geführt; Lösung mit beiden Seiten vereinbart.",
                    created_at=resolved,
                )
            )
        db.session.add(case)
    db.session.flush()
    return MEDIATION_CASES


def seed(users: dict[str, User], echo: Callable[[str], None]) -> None:
    """Add the year of history (after the workflow demo, whose records stay as they are)."""
    rng = random.Random(SEED)  # noqa: S311  (repeatable demo data, not a secret)
    today = clock.today()
    districts = {d.name: d for d in db.session.scalars(select(District).order_by(District.id))}
    placed, withdrawn, active = _plans(rng, today)
    _households(
        [*placed, *withdrawn, *active], users["sozialarbeit"], list(districts.values()), rng, today
    )
    new = _organisations()
    owners = []
    for owner in OWNERS:
        if isinstance(owner, int):
            owners.append((new[owner], None))
        else:
            user = users[owner]
            owners.append((db.session.get(Organisation, user.organisation_id), user))
    rng.shuffle(owners)
    made = _placements(placed, active, owners, districts, users, rng, today)
    cases = _mediation(made, users, rng, today)
    ended = db.session.scalars(
        select(FollowUp.outcome).where(FollowUp.outcome.in_(ENDED_OUTCOMES))
    ).all()
    failed = db.session.scalars(
        select(Placement.id).where(Placement.cancel_note == CANCEL_NOTE)
    ).all()
    echo(
        f"  report history: {len(placed) + len(withdrawn) + len(active)} households over the "
        f"last year, {len(made)} leases ({len(ended)} tenancies ended), {len(failed)} cancelled "
        f"placements, {len(new)} more landlords, {cases} mediation cases"
    )
