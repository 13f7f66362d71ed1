"""A household's profile: creating and saving it with its identity and reporting fields, the
rules' proposal for its size, the check of its text, and its ESF participant rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Role, User
from portal.core import audit, clock
from portal.core.refusals import Refused
from portal.extensions import db
from portal.households import textcheck
from portal.households.models import (
    EARLIEST_BIRTH_YEAR,
    EXIT_RESULTS,
    AgeBand,
    Answer,
    Education,
    ExitDestination,
    Gender,
    Household,
    HouseholdIdentity,
    HouseholdStatus,
    LabourStatus,
    Participant,
    TargetGroup,
    age_band_at,
)
from portal.listings.models import District
from portal.listings.rules import RentLimitTable, limits_in_force, max_area_for, rooms_for
from portal.sites.models import DEFAULT_SITE_ID, Site
from portal.sites.queries import default_site

PUBLIC_FIELDS = (
    "adults",
    "children",
    "earliest_move_in",
    "cost_bearer",
    "has_wbs",
    "wbs_persons",
    "has_pets",
    "needs_step_free",
    "needs_wheelchair",
    "profile_text",
)
# Tier 3, for the programme's reports (staff only).
REPORTING_FIELDS = ("intake_on", "target_group", "exit_on", "exit_destination")
PARTICIPANT_FIELDS = (
    "gender",
    "birth_year",
    "age_band",
    "labour_status",
    "education",
    "third_country",
    "disability",
    "foreign_background",
    "minority",
    "homeless",
    "rural",
    "exit_on",
    *EXIT_RESULTS,
)
# The fields every recorded person has (NOT NULL since the first participant table); the others
# may stay empty, which makes the record incomplete (``Participant.missing_entry_fields``).
REQUIRED_PARTICIPANT_FIELDS = ("gender", "third_country", "disability")
PARTICIPANT_CHOICES: dict[str, set[str]] = {
    "gender": set(Gender),
    "age_band": set(AgeBand),
    "labour_status": set(LabourStatus),
    "education": set(Education),
    "third_country": set(Answer),
    "disability": set(Answer),
    "foreign_background": set(Answer),
    "minority": set(Answer),
    "homeless": set(Answer),
    "rural": set(Answer),
}
# Older than this at entry is taken for a typing error.
OLDEST_AGE_AT_ENTRY = 110
IDENTITY_FIELDS = (
    "main_tenant_name",
    "adult_names",
    "phone",
    "email",
    "current_accommodation",
    "case_notes",
)


# A profile text with hits of the check (households/textcheck.py) that the social worker has not
# confirmed: refused with this code, ``items`` the text's hits (each shown with its tick).
TEXT_HITS = "profile text hits"
# The profile form's fields a refusal of saving it points at (the form marks the field).
FIELD_OF_REFUSAL = {
    "exit needs date and destination": "exit_on",
    "exit before intake": "exit_on",
    "override reason required": "override_reason",
    TEXT_HITS: "profile_text",
    "districts of another site": "preferred_districts",
}


def text_hits_refused(hits: list[textcheck.Hit], message: Any) -> Refused:
    """Refused for the text check's ``hits``, in the words of what was refused."""
    return Refused(TEXT_HITS, message, items=hits)


# Statuses in which landlords see the profile, or may again without a new vetting.
CHECKED_STATUSES = (HouseholdStatus.VETTED, HouseholdStatus.PAUSED, HouseholdStatus.HOUSED)


def open_text_hits(
    text: str | None,
    names: list[str | None],
    checked: str | None,
    confirmed: Iterable[str] = (),
) -> list[textcheck.Hit]:
    """The hits of ``text`` still to be confirmed: none when this text (with these names) was
    confirmed before (``checked`` is its fingerprint), else those whose key is not in
    ``confirmed``."""
    if not text or checked == textcheck.fingerprint(text, names):
        return []
    keys = set(confirmed)
    return [hit for hit in textcheck.check(text, names) if hit.key not in keys]


def text_hits_of(household: Household) -> list[textcheck.Hit]:
    """What the social worker still has to check in the household's current profile text."""
    names = textcheck.identity_names(household.identity)
    return open_text_hits(household.profile_text, names, household.profile_text_checked)


@dataclass(frozen=True)
class Proposal:
    """What the rules propose for a household of ``persons``."""

    rooms: Decimal
    area: Decimal
    max_rent: Decimal | None


def propose(
    persons: int,
    on: date | None = None,
    table: RentLimitTable | None = None,
    *,
    site_id: int = DEFAULT_SITE_ID,
) -> Proposal:
    """Rooms and area from the WNB rule, the maximum gross cold rent from site ``site_id``'s
    rent limits in force (beyond the table's largest size: plus its amount per further person).
    The rent is shown, never stored: a household without an override follows the table."""
    if table is None or table.site_id != site_id:
        table = limits_in_force(on or (table.on if table else None), site_id=site_id)
    limit = table.limit_for(persons)
    return Proposal(Decimal(rooms_for(persons)), max_area_for(persons), limit)


def next_code(year: int, site: Site | None = None) -> str:
    """The next pseudonymous code of ``site`` (the default site when None) in ``year``:
    ``DU-2026-0042``. Read over every site: a code is unique in the whole deployment."""
    prefix = f"{(site or default_site()).code_prefix}-{year}-"
    last = db.session.scalar(
        select(func.max(Household.code))
        .where(Household.code.like(prefix + "%"))
        .execution_options(all_sites=True)
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _reporting_values(household: Household, data: dict[str, Any]) -> dict[str, Any]:
    """The reporting fields in ``data``, checked: a known target group and destination, an
    intake not in the future, an exit with its destination (both or neither), neither before
    the intake nor in the future. Refuses (``Refused``) otherwise."""
    values = {name: data[name] or None for name in REPORTING_FIELDS if name in data}
    today = clock.today()
    intake = values.get("intake_on") or household.intake_on or today
    exit_on = values.get("exit_on", household.exit_on)
    destination = values.get("exit_destination", household.exit_destination)
    if "target_group" in values and values["target_group"] not in set(TargetGroup):
        raise Refused("unknown target group")
    if destination is not None and destination not in set(ExitDestination):
        raise Refused("unknown exit destination")
    if intake > today or (exit_on is not None and exit_on > today):
        raise Refused("date in the future")
    if (exit_on is None) != (destination is None):
        raise Refused(
            "exit needs date and destination",
            _l("Please enter both the day the household left and where it went, or neither."),
        )
    if exit_on is not None and exit_on < intake:
        raise Refused(
            "exit before intake",
            _l("The household cannot leave the programme before it was taken in."),
        )
    if "intake_on" in values and values["intake_on"] is None:
        values["intake_on"] = intake  # empty: today (new) or as before
    return values


def _apply(household: Household, data: dict[str, Any], districts: list[District]) -> list[str]:
    """Copy the profile onto ``household``. Checked first, changed after: a refusal (an
    override without a reason, an impossible exit) leaves the household untouched.

    The rent limit is stored only as the staff's override (``max_gross_cold_rent``); empty, or
    equal to what the table in force gives today, it is NULL, and the household follows the
    rent-limit table, whichever is in force on the day it is measured."""
    adults = data["adults"] if data.get("adults") is not None else household.adults
    children = data["children"] if data.get("children") is not None else household.children
    proposal = propose(adults + children, site_id=household.site_id or DEFAULT_SITE_ID)
    rent_override = data.get("max_gross_cold_rent") or None
    if rent_override is not None and rent_override == proposal.max_rent:
        rent_override = None
    overrides = {
        "needed_rooms": data.get("needed_rooms") or proposal.rooms,
        "needed_area": data.get("needed_area") or proposal.area,
        "max_gross_cold_rent": rent_override,
    }
    differs = (
        overrides["needed_rooms"] != proposal.rooms
        or overrides["needed_area"] != proposal.area
        or rent_override is not None
    )
    reason = " ".join((data.get("override_reason") or "").split()) or None
    if differs and not reason:
        raise Refused(
            "override reason required",
            _l(
                "A value differs from the proposal: please give the reason, or empty the field "
                "to use the proposal."
            ),
        )
    reporting = _reporting_values(household, data)
    values: dict[str, Any] = {}
    for name in PUBLIC_FIELDS:
        if name in data:
            value = data[name]
            values[name] = (value.strip() or None) if isinstance(value, str) else value
    if not data.get("has_wbs", household.has_wbs):
        values["wbs_persons"] = None
    values.update(overrides, override_reason=reason if differs else None)
    values.update(reporting)
    previous_size = (household.adults, household.children)
    changed = [name for name, value in values.items() if getattr(household, name) != value]
    for name in changed:
        setattr(household, name, values[name])
    if (household.adults, household.children) != previous_size and _fit_participants(
        household, previous_size[0]
    ):
        changed.append("participants")
    if {d.id for d in household.preferred_districts} != {d.id for d in districts}:
        household.preferred_districts = list(districts)
        changed.append("preferred_districts")
    return changed


def _apply_identity(household: Household, data: dict[str, Any], actor: User) -> list[str]:
    identity = household.identity or HouseholdIdentity(household=household)
    changed = []
    for name in IDENTITY_FIELDS:
        if name not in data:
            continue
        if name == "case_notes" and actor.role != Role.SOCIAL_WORKER:
            continue  # case notes are for social workers alone
        value = data[name]
        value = (value.strip() or None) if isinstance(value, str) else value
        if getattr(identity, name) != value:
            setattr(identity, name, value)
            changed.append(name)
    return changed


def _fit_participants(household: Household, old_adults: int | None) -> bool:
    """After a change of size, keep the participant rows of the adults and children that are
    still there (the first ones of each), renumbered: adults first, then children. Surplus rows
    are deleted; persons without a row show as "not recorded". True if a row changed."""
    rows = list(household.participants)
    if not rows or old_adults is None:
        return False
    adults = sorted((p for p in rows if p.position < old_adults), key=lambda p: p.position)
    children = sorted((p for p in rows if p.position >= old_adults), key=lambda p: p.position)
    kept = {p.position: p for p in adults if p.position < household.adults}
    kept.update(
        (household.adults + p.position - old_adults, p)
        for p in children
        if p.position - old_adults < household.children
    )
    if all(p.position == position for position, p in kept.items()) and len(kept) == len(rows):
        return False
    values = {
        position: {name: getattr(p, name) for name in PARTICIPANT_FIELDS}
        for position, p in kept.items()
    }
    # New rows in place of moved ones: an UPDATE of the position could meet the unique
    # (household, position) of a row not yet deleted.
    household.participants.clear()
    db.session.flush()
    for position in sorted(values):
        household.participants.append(Participant(position=position, **values[position]))
    return True


def create_household(
    actor: User, data: dict[str, Any], districts: list[District], site: Site | None = None
) -> Household:
    """A new draft profile of ``site`` (default: the actor's first site, else the default
    site) with a generated code ``<site prefix>-<year>-<number>`` (``DU-2026-0042``); the intake
    date is today unless given."""
    site = site or (actor.sites[0] if actor.sites else default_site())
    if any(district.site_id != site.id for district in districts):
        raise Refused(
            "districts of another site",
            _l("Please choose districts of %(site)s only.", site=site.name),
        )
    household = Household(
        site_id=site.id,
        created_by_id=actor.id,
        status=HouseholdStatus.DRAFT.value,
        waiting_since=data.get("waiting_since") or clock.today(),
        intake_on=data.get("intake_on") or clock.today(),
        adults=data["adults"],
        children=data["children"],
        earliest_move_in=data["earliest_move_in"],
    )
    _apply(household, data, districts)
    _apply_identity(household, data, actor)
    year = clock.today().year
    for _attempt in range(5):
        household.code = next_code(year, site)
        try:
            with db.session.begin_nested():
                db.session.add(household)
                db.session.flush()
            break
        except IntegrityError:
            continue  # someone took the number at the same moment
    else:
        raise Refused("no code")
    audit.record(
        "household.created", actor=actor, obj=household, code=household.code, site_id=site.id
    )
    return household


def _text_and_names(household: Household, data: dict[str, Any]) -> tuple[str | None, list]:
    """The profile text and the members' names as they will be after saving ``data``."""
    text = household.profile_text
    if "profile_text" in data:
        text = (data["profile_text"] or "").strip() or None
    identity = household.identity
    main = data.get("main_tenant_name", identity.main_tenant_name if identity else None)
    adults = data.get("adult_names", identity.adult_names if identity else None)
    return text, [main, *((adults or "").splitlines())]


def update_household(
    household: Household,
    actor: User,
    data: dict[str, Any],
    districts: list[District],
    confirmed: Iterable[str] = (),
) -> list[str]:
    """Save the profile, identity and reporting fields; audits the names of the changed fields
    (not values). A new household size keeps the participant rows of the persons still there
    (see ``_fit_participants``).

    A profile that landlords see (or may again without a new vetting) keeps a checked text: a
    new text, or new names of members, with hits of the check not in ``confirmed`` is refused
    (``TEXT_HITS``) before anything changes."""
    checked = None
    if household.status in CHECKED_STATUSES:
        text, names = _text_and_names(household, data)
        before = (household.profile_text, textcheck.identity_names(household.identity))
        if (text, textcheck.name_parts(names)) != (before[0], textcheck.name_parts(before[1])):
            if open_text_hits(text, names, household.profile_text_checked, confirmed):
                raise text_hits_refused(
                    textcheck.check(text, names),
                    _l(
                        "Landlords read this text. The check found passages that may not belong "
                        "in it (listed below): edit the text, or confirm each passage as checked."
                    ),
                )
            checked = textcheck.fingerprint(text, names)
    changed = _apply(household, data, districts) + _apply_identity(household, data, actor)
    if checked is not None:
        household.profile_text_checked = checked
    if changed:
        audit.record("household.updated", actor=actor, obj=household, fields=",".join(changed))
    return changed


def _participant_row(
    household: Household, position: int, row: dict[str, Any], stored: Participant | None
) -> dict[str, Any]:
    """One person's values, checked, with every field of ``PARTICIPANT_FIELDS``: the age band
    derived from the birth year at entry (the household's intake date); without a birth year a
    stored record keeps its earlier age band. Refuses what the record cannot hold."""
    values: dict[str, Any] = {name: row.get(name) or None for name in PARTICIPANT_FIELDS}
    for name in EXIT_RESULTS:
        values[name] = row.get(name)
        if values[name] not in (None, True, False):
            raise Refused("unknown value")
    for name, allowed in PARTICIPANT_CHOICES.items():
        if values[name] is not None and values[name] not in allowed:
            raise Refused("unknown value")
    if any(values[name] is None for name in REQUIRED_PARTICIPANT_FIELDS):
        raise Refused("gender, third-country national and disability are needed")
    entry = household.intake_on
    birth_year = values["birth_year"]
    if birth_year is not None:
        if not isinstance(birth_year, int) or isinstance(birth_year, bool):
            raise Refused("birth year is no number")
        if birth_year > min(entry.year, clock.today().year):
            raise Refused(
                "birth year after entry",
                _l(
                    "Person %(n)d: the birth year %(year)d lies after the household's intake "
                    "or in the future.",
                    n=position + 1,
                    year=birth_year,
                ),
            )
        if birth_year < EARLIEST_BIRTH_YEAR or entry.year - birth_year > OLDEST_AGE_AT_ENTRY:
            raise Refused(
                "implausible birth year",
                _l(
                    "Person %(n)d: the birth year %(year)d is not plausible.",
                    n=position + 1,
                    year=birth_year,
                ),
            )
        values["age_band"] = age_band_at(birth_year, entry).value
    elif values["age_band"] is None and stored is not None and stored.birth_year is None:
        values["age_band"] = stored.age_band  # recorded before the birth year was asked
    band = values["age_band"]
    if band is not None and (band == AgeBand.UNDER_18) != (position >= household.adults):
        raise Refused(
            "age band does not fit",
            _l(
                "Person %(n)d: an adult of the household must be 18 or older at intake, a "
                "child younger.",
                n=position + 1,
            ),
        )
    exit_on = values["exit_on"]
    if exit_on is not None:
        if not isinstance(exit_on, date):
            raise Refused("exit date is no date")
        if exit_on < entry:
            raise Refused(
                "exit before entry",
                _l(
                    "Person %(n)d: the exit date lies before the household's intake.",
                    n=position + 1,
                ),
            )
        if exit_on > clock.today():
            raise Refused(
                "exit in the future",
                _l("Person %(n)d: the exit date lies in the future.", n=position + 1),
            )
    elif any(values[name] is not None for name in EXIT_RESULTS):
        raise Refused(
            "results without exit",
            _l("Person %(n)d: the results at exit need the exit date.", n=position + 1),
        )
    return values


def check_participant(household: Household, position: int, row: dict[str, Any]) -> None:
    """Refuses (``Refused``) what ``save_participants`` would refuse for this person's row."""
    stored = {p.position: p for p in household.participants}
    _participant_row(household, position, row, stored.get(position))


def save_participants(household: Household, actor: User, rows: list[dict[str, Any] | None]) -> bool:
    """Replace the household's ESF participant records: ``rows`` holds one entry per person
    (adults first, then children), a dict of ``PARTICIPANT_FIELDS`` (missing or empty: not
    recorded) or None for "no record". Gender, third-country national and disability are needed
    for a record; every other entry field may stay empty (the record is then incomplete). The
    age band is derived from the birth year at entry. Refuses a wrong number of rows, unknown
    values, a birth year after the entry or in the future or implausibly early, an adult under
    18 and a child not under 18 at entry, an exit date before entry or in the future, and
    results without an exit date; then nothing changes. Audits the number of persons recorded,
    never the values. True if something changed."""
    if len(rows) != household.size:
        raise Refused("one row per person")
    stored = {p.position: p for p in household.participants}
    checked = [
        None if row is None else _participant_row(household, position, row, stored.get(position))
        for position, row in enumerate(rows)
    ]
    rows = checked
    stored = {p.position: p for p in household.participants}
    changed = False
    for participant in list(household.participants):
        position = participant.position
        if position >= household.size or rows[position] is None:
            household.participants.remove(participant)
            changed = True
    for position, row in enumerate(rows):
        if row is None:
            continue
        participant = stored.get(position)
        if participant is None:
            household.participants.append(Participant(position=position, **row))
            changed = True
            continue
        for name in PARTICIPANT_FIELDS:
            if getattr(participant, name) != row[name]:
                setattr(participant, name, row[name])
                changed = True
    if changed:
        db.session.flush()
        audit.record(
            "household.participants",
            actor=actor,
            obj=household,
            recorded=sum(row is not None for row in rows),
            persons=household.size,
        )
    return changed
