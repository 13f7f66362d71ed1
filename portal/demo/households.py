"""Demo households for ``make run``: every status a social worker meets, with identities,
consents (one about to expire), the reporting fields (intake over the last year, target group,
ESF participant rows for most persons, an exit where the household left) and two open landlord
interests. All names are invented."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.demo import dating
from portal.extensions import db
from portal.households import operations as ops
from portal.households.models import (
    VETTING_CHECKLIST,
    AgeBand,
    Answer,
    ExitDestination,
    Gender,
    Household,
    HouseholdStatus,
    TargetGroup,
)
from portal.listings import rent_limits
from portal.listings.models import District, Flat, FlatStatus
from portal.placements import operations as placements_ops
from portal.sites.models import DEFAULT_SITE_ID

# The demo's amount per further person counts from the seeded table's date.
DEMO_TABLE_FROM = date(2021, 10, 1)

# (adults, children, preferred districts, status, consent, days waited, other fields)
# consent: "valid", "expiring" (within 14 days), "withdrawn" or None.
HOUSEHOLDS: list[tuple[int, int, tuple[str, ...], HouseholdStatus, str | None, int, dict]] = [
    (
        2,
        2,
        ("Neudorf-Nord", "Duissern"),
        HouseholdStatus.VETTED,
        "valid",
        420,
        {
            "profile_text": (
                "Wir sind eine Familie mit zwei Kindern (6 und 9 Jahre). Die Kinder gehen in "
                "Neudorf zur Schule. Wir sind ruhig, zuverlässig und freuen uns auf eine "
                "eigene Wohnung."
            ),
            "main_tenant_name": "Rana Haddad",
            "adult_names": "Rana Haddad\nKarim Haddad",
            "phone": "0176 5550101",
            "current_accommodation": "Gemeinschaftsunterkunft Wanheimer Straße",
            "case_notes": "Erstgespräch im Februar; Unterlagen für das Jobcenter vollständig.",
        },
    ),
    (
        1,
        0,
        ("Rheinhausen-Mitte", "Hochemmerich"),
        HouseholdStatus.VETTED,
        "valid",
        300,
        {
            "has_pets": True,
            "profile_text": (
                "Ich bin 52, arbeite in Teilzeit in einer Bäckerei und lebe mit meiner Katze. "
                "Ich suche eine kleine Wohnung, gern in Rheinhausen."
            ),
            "main_tenant_name": "Dieter Kowalski",
            "adult_names": "Dieter Kowalski",
            "phone": "0157 5550102",
            "current_accommodation": "Städtische Notunterkunft",
            "case_notes": "Schuldnerberatung läuft; Mietzahlungen über das Jobcenter direkt.",
        },
    ),
    (
        1,
        1,
        ("Marxloh", "Alt-Hamborn"),
        HouseholdStatus.VETTED,
        "expiring",
        240,
        {
            "cost_bearer": "sozialamt",
            "profile_text": "Mutter mit Tochter (4). Wir möchten in der Nähe der Kita bleiben.",
            "main_tenant_name": "Leyla Aydın",
            "adult_names": "Leyla Aydın",
            "email": "leyla.aydin@example.org",
            "current_accommodation": "Frauenhaus (Adresse nicht weitergeben)",
            "case_notes": "Einwilligung läuft bald ab: beim nächsten Termin erneuern.",
        },
    ),
    (
        2,
        0,
        ("Hochfeld",),
        HouseholdStatus.DRAFT,
        None,
        20,
        {
            "main_tenant_name": "Tesfay Gebremedhin",
            "adult_names": "Tesfay Gebremedhin\nSaba Tesfay",
            "current_accommodation": "Gemeinschaftsunterkunft Hamborn",
            "case_notes": "Zweites Gespräch vereinbart; Einwilligung noch nicht unterschrieben.",
        },
    ),
    (
        2,
        3,
        ("Untermeiderich", "Mittelmeiderich", "Beeck"),
        HouseholdStatus.DRAFT,
        "valid",
        60,
        {
            "has_wbs": True,
            "wbs_persons": 5,
            "profile_text": "Familie mit drei Kindern, WBS für fünf Personen liegt vor.",
            "main_tenant_name": "Olena Bondarenko",
            "adult_names": "Olena Bondarenko\nAndrij Bondarenko",
            "phone": "0152 5550105",
            "current_accommodation": "Gemeinschaftsunterkunft Meiderich",
            "case_notes": "Bereit zur Prüfung; Einwilligung liegt vor.",
        },
    ),
    (
        1,
        0,
        ("Wanheimerort", "Hochfeld"),
        HouseholdStatus.PAUSED,
        "valid",
        500,
        {
            "needs_step_free": True,
            "profile_text": "Ich brauche eine Wohnung ohne Stufen, gern mit Aufzug.",
            "main_tenant_name": "Hans-Peter Lange",
            "adult_names": "Hans-Peter Lange",
            "current_accommodation": "Städtische Notunterkunft",
            "case_notes": "Auf eigenen Wunsch pausiert: Umzug erst im Frühjahr möglich.",
        },
    ),
    (
        2,
        1,
        ("Rheinhausen-Mitte",),
        HouseholdStatus.HOUSED,
        "valid",
        380,
        {
            "main_tenant_name": "Ahmad Rahimi",
            "adult_names": "Ahmad Rahimi\nNargis Rahimi",
            "current_accommodation": "Seit Oktober in eigener Wohnung",
            "case_notes": "Nachbetreuung: erster Besuch nach einem Monat vereinbart.",
        },
    ),
    (
        1,
        0,
        (),
        HouseholdStatus.WITHDRAWN,
        "withdrawn",
        150,
        {
            "main_tenant_name": "Marco Bianchi",
            "adult_names": "Marco Bianchi",
            "case_notes": "Hat selbst eine Wohnung gefunden und die Einwilligung zurückgezogen.",
        },
    ),
    (
        2,
        0,
        ("Neuenkamp", "Kaßlerfeld"),
        HouseholdStatus.VETTED,
        "valid",
        90,
        {
            "needs_wheelchair": True,
            "needed_area": Decimal("75"),
            "override_reason": "Rollstuhl braucht Bewegungsfläche (DIN 18040-2).",
            "profile_text": "Ein Paar, ruhig, Nichtraucher. Wir brauchen eine rollstuhlgerechte "
            "Wohnung.",
            "main_tenant_name": "Jelena Marković",
            "adult_names": "Jelena Marković\nIvan Marković",
            "phone": "0176 5550109",
            "current_accommodation": "Übergangswohnheim Neudorf",
        },
    ),
    (
        # Seven persons: beyond the table's largest size, measured with the amount per further
        # person (issue 16).
        2,
        5,
        ("Hochfeld", "Marxloh"),
        HouseholdStatus.VETTED,
        "valid",
        260,
        {
            "profile_text": "Eine große Familie mit fünf Kindern sucht eine Wohnung mit Platz für "
            "alle. Wir sind freundlich und hilfsbereit.",
            "main_tenant_name": "Amina Yusuf",
            "adult_names": "Amina Yusuf\nAbdi Yusuf",
            "phone": "0176 5550110",
            "current_accommodation": "Gemeinschaftsunterkunft Hochfeld",
        },
    ),
]


# For the reports, in the order of HOUSEHOLDS: days since the intake, target group, exit (days
# ago and destination, or None), and the ESF rows (gender, age band, third-country national,
# disability) of each person, adults first; None: not recorded yet.
_F, _M = Gender.FEMALE.value, Gender.MALE.value
_YES, _NO, _NA = Answer.YES.value, Answer.NO.value, Answer.NO_ANSWER.value
_CHILD, _YOUNG, _MID, _OLD = (band.value for band in AgeBand)
REFUGEE = TargetGroup.REFUGEE_SHARED_ACCOMMODATION.value
HOMELESS = TargetGroup.HOMELESS_MUNICIPAL_SHELTER.value
OTHER = TargetGroup.OTHER.value
WITH_SUPPORT = ExitDestination.OWN_TENANCY_WITH_SUPPORT.value
Row = tuple[str, str, str, str] | None
REPORTING: list[tuple[int, str, tuple[int, str] | None, list[Row]]] = [
    (
        330,
        REFUGEE,
        None,
        [
            (_F, _MID, _YES, _NO),
            (_M, _MID, _YES, _NO),
            (_F, _CHILD, _YES, _NO),
            (_M, _CHILD, _YES, _NO),
        ],
    ),
    (290, HOMELESS, None, [(_M, _MID, _NO, _NO)]),
    (230, OTHER, None, [(_F, _YOUNG, _NA, _NO), None]),
    (20, REFUGEE, None, [(_M, _YOUNG, _YES, _NO), (_F, _YOUNG, _YES, _NA)]),
    (
        55,
        REFUGEE,
        None,
        [
            (_F, _MID, _YES, _NO),
            (_M, _MID, _YES, _NO),
            (_F, _CHILD, _YES, _NO),
            (_M, _CHILD, _YES, _YES),
            None,
        ],
    ),
    (360, HOMELESS, None, [(_M, _OLD, _NO, _YES)]),
    (345, REFUGEE, (40, WITH_SUPPORT), [(_M, _MID, _YES, _NO), (_F, _YOUNG, _YES, _NO), None]),
    (140, OTHER, (6, WITH_SUPPORT), [(_M, _MID, _NO, _NO)]),
    (85, HOMELESS, None, [(_F, _MID, _YES, _YES), (_M, _MID, _YES, _NO)]),
    (240, REFUGEE, None, [(_F, _MID, _YES, _NO), (_M, _MID, _YES, _NO), *[None] * 5]),
]


# A representative age per band, far from the band's limits (the birth year derives from it).
BAND_AGES = {"under_18": 9, "18_29": 24, "30_54": 41, "55_plus": 61}
ADULT_LABOUR = ("long_term_unemployed", "unemployed", "employed", "inactive", "no_answer")
ADULT_EDUCATION = ("isced_0_2", "isced_3_4", "isced_0_2", "isced_5_8", "none")
# The demo's one incomplete participant record: the household (index in REPORTING) whose first
# person lacks education and rural area.
INCOMPLETE = 2


def annex_fields(
    position: int, band: str, third_country: str, intake: date, target_group: str
) -> dict[str, Any]:
    """The Annex I fields of a demo person, varying by position: the birth year from the age
    band at intake; adults' labour-market status and education in turn, children inactive with
    ISCED 0-2; foreign background with third-country nationals; homeless or housing exclusion
    for the target groups in a shelter or shared accommodation; nobody in a rural area
    (Duisburg)."""
    adult = band != "under_18"
    return {
        "birth_year": intake.year - BAND_AGES[band],
        "labour_status": ADULT_LABOUR[position % 5] if adult else "inactive",
        "education": ADULT_EDUCATION[(position + 1) % 5] if adult else "isced_0_2",
        "foreign_background": "yes" if third_country == "yes" else "no",
        "minority": "no_answer" if position == 1 else "no",
        "homeless": "no" if target_group == TargetGroup.OTHER else "yes",
        "rural": "no",
    }


def participant_rows(
    rows: list[Row],
    intake: date | None = None,
    target_group: str = TargetGroup.OTHER.value,
    exit_on: date | None = None,
    incomplete: bool = False,
) -> list[dict[str, Any] | None]:
    """Demo rows in the shape ``ops.save_participants`` takes. With ``intake``, the Annex I
    fields too (``annex_fields``; the birth year instead of the band); with ``exit_on``, the
    adults' exit date and results; ``incomplete`` leaves the first person's education and
    rural area empty."""
    names = ("gender", "age_band", "third_country", "disability")
    result: list[dict[str, Any] | None] = []
    for position, row in enumerate(rows):
        if not row:
            result.append(None)
            continue
        values: dict[str, Any] = dict(zip(names, row, strict=True))
        if intake is not None:
            values.update(annex_fields(position, row[1], row[2], intake, target_group))
            del values["age_band"]
            if incomplete and position == 0:
                values.update(education=None, rural=None)
        if exit_on is not None and row[1] != "under_18":
            values.update(
                exit_on=exit_on,
                result_job_searching=position % 2 == 0,
                result_in_education=False,
                result_qualification=position == 1,
                result_employed=position % 2 == 1,
            )
        result.append(values)
    return result


def _consent(household: Household, actor: User, kind: str | None) -> None:
    """Record the demo consent; a withdrawn one is withdrawn after the status moves."""
    today = dating.today()
    if kind == "expiring":
        # Given almost six months ago: it runs out in ten days (the list shows the badge).
        ops.record_consent(
            household, actor, today - timedelta(days=172), today + timedelta(days=10)
        )
    elif kind is not None:
        ops.record_consent(household, actor, today - timedelta(days=30), None)


def seed(users: dict[str, User], flats: list[Flat], echo: Callable[[str], None]) -> None:
    """Create the demo households through the operations (codes, proposals, audit) and two
    open interests of the demo landlords for their published flats."""
    worker = users["sozialarbeit"]
    # Without an amount per further person, the seven-person household would have no limit.
    rent_limits.add_set(
        users["admin"],
        DEMO_TABLE_FROM,
        "Demo: Beispielwert je weitere Person (nicht die amtliche Zahl)",
        {},
        per_further_person=Decimal("110.00"),
    )
    districts = {
        d.name: d
        for d in db.session.scalars(select(District).where(District.site_id == DEFAULT_SITE_ID))
    }
    created: list[Household] = []
    today = dating.today()
    for index, (row, reporting) in enumerate(zip(HOUSEHOLDS, REPORTING, strict=True)):
        adults, children, preferred, status, consent, waited, extra = row
        intake, target_group, exit_, persons = reporting
        data: dict[str, Any] = {
            "adults": adults,
            "children": children,
            "earliest_move_in": today + timedelta(days=14),
            "waiting_since": today - timedelta(days=waited),
            "cost_bearer": "jobcenter",
            "intake_on": today - timedelta(days=intake),
            "target_group": target_group,
            **extra,
        }
        if exit_ and status != HouseholdStatus.WITHDRAWN:  # a withdrawal records its own exit
            data.update(exit_on=today - timedelta(days=exit_[0]), exit_destination=exit_[1])
        household = ops.create_household(worker, data, [districts[n] for n in preferred])
        rows = participant_rows(
            persons,
            household.intake_on,
            target_group,
            today - timedelta(days=exit_[0]) if exit_ else None,
            incomplete=index == INCOMPLETE,
        )
        ops.save_participants(household, worker, rows)
        _consent(household, worker, consent)
        if status != HouseholdStatus.DRAFT:
            ops.vet(household, worker, checklist=VETTING_CHECKLIST)
            household.vetted_at = utcnow() - timedelta(days=max(1, waited - 30))
        if status == HouseholdStatus.WITHDRAWN:
            days_ago, destination = exit_  # withdrawing asks where the household went
            ops.change_status(
                household, worker, status, destination, today - timedelta(days=days_ago)
            )
        elif status in (HouseholdStatus.PAUSED, HouseholdStatus.HOUSED):
            ops.change_status(household, worker, status)
        if consent == "withdrawn":
            ops.withdraw_consent(household.consents[0], worker, on=today - timedelta(days=5))
        created.append(household)
    db.session.flush()
    _interests(users, flats, created)
    echo(f"  {len(created)} demo households, 2 open landlord interests")


def _interests(users: dict[str, User], flats: list[Flat], households: list[Household]) -> None:
    published = {
        flat.organisation_id: flat for flat in flats if flat.status == FlatStatus.PUBLISHED.value
    }
    for login, household, message in (
        ("vermieterin", households[0], "Die Wohnung liegt nah an der Schule der Kinder."),
        ("wohnungsbau", households[1], "Katzen sind bei uns willkommen."),
    ):
        landlord = users[login]
        flat = published[landlord.organisation_id]
        placements_ops.register_interest(landlord, household, flat, message)
    db.session.flush()
