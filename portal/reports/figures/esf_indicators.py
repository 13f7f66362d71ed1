"""Section 12: the ESF+ indicators."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select

from portal.extensions import db
from portal.households.models import EXIT_RESULTS, Household, Participant, TargetGroup
from portal.reports import labels
from portal.reports.figures.base import ALL, PROGRAMME, Scope
from portal.reports.periods import Period
from portal.reports.tables import Table, count, text

HOUSING_EXCLUSION = (
    TargetGroup.REFUGEE_SHARED_ACCOMMODATION.value,
    TargetGroup.HOMELESS_MUNICIPAL_SHELTER.value,
)


# 12 -----------------------------------------------------------------------------------------


def esf(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """ESF participant table for the entrants (intake in the period) and the exits (exit date
    in the period): persons, and the participant fields recorded at entry: gender, age band,
    third-country nationals, disability, and (Annex I, issue 17) labour-market status,
    education, foreign background, minority, homeless as answered, rural area, each with the
    records where the field is empty; persons without a record are "not recorded"; the
    incomplete records have their own row; the exits' immediate results (``_annex_rows``).
    Homeless or affected by housing exclusion: every person of a household in the target
    groups "refugees in shared accommodation" and "homeless in a municipal shelter"."""
    entrant = and_(Household.intake_on.between(period.start, period.end), scope.households())
    leaver = and_(Household.exit_on.between(period.start, period.end), scope.households())
    persons = Household.adults + Household.children
    excluded = Household.target_group.in_(HOUSING_EXCLUSION)
    head = db.session.execute(
        select(
            func.sum(case((entrant, persons), else_=0)),
            func.sum(case((leaver, persons), else_=0)),
            func.sum(case((and_(entrant, excluded), persons), else_=0)),
            func.sum(case((and_(leaver, excluded), persons), else_=0)),
            func.count(case((entrant, Household.id))),
            func.count(case((leaver, Household.id))),
        ).where(or_(entrant, leaver))
    ).one()
    table = Table(
        "esf",
        str(_l("ESF participants")),
        str(
            _l(
                "Persons of the households taken in (entrants) and of those that left the "
                "programme (exits) in the period, with the participant data recorded at entry."
            )
        ),
        [("entrants", str(_l("Entrants"))), ("exits", str(_l("Exits")))],
    )
    table.add(
        _l("Households"), {"entrants": count(head[4]), "exits": count(head[5])}, key="households"
    )
    table.add(_l("Persons"), {"entrants": count(head[0]), "exits": count(head[1])}, key="persons")
    participants = Participant.__table__.join(
        Household.__table__, Participant.household_id == Household.id
    )
    attributes = (
        (Participant.gender, labels.GENDER_ROW_LABELS),
        (Participant.age_band, labels.AGE_LABELS),
        (Participant.third_country, labels.THIRD_COUNTRY_LABELS),
        (Participant.disability, labels.DISABILITY_LABELS),
    )
    # One pass over the participants, grouped by all four fields (at most 144 groups); each
    # field's counts are the sums over the groups.
    groups = db.session.execute(
        select(
            *(column for column, _names in attributes),
            func.count(case((entrant, Participant.id))),
            func.count(case((leaver, Participant.id))),
        )
        .select_from(participants)
        .where(or_(entrant, leaver))
        .group_by(*(column for column, _names in attributes))
    ).all()
    recorded = {"entrants": sum(g[4] for g in groups), "exits": sum(g[5] for g in groups)}
    for index, (_column, names) in enumerate(attributes):
        for value, label in names.items():
            entering = sum(g[4] for g in groups if g[index] == value)
            leaving = sum(g[5] for g in groups if g[index] == value)
            table.add(
                label, {"entrants": count(entering), "exits": count(leaving)}, 1, f"{index}:{value}"
            )
    table.add(
        _l("Participant data not recorded"),
        {
            "entrants": count(max(0, int(head[0] or 0) - recorded["entrants"])),
            "exits": count(max(0, int(head[1] or 0) - recorded["exits"])),
        },
        1,
        key="not_recorded",
    )
    _annex_rows(table, participants, entrant, leaver)
    table.add(
        _l("Homeless or affected by housing exclusion"),
        {"entrants": count(head[2]), "exits": count(head[3])},
        key="excluded",
    )
    # Each field's rows and the persons without recorded fields add up to the persons.
    for index, (_column, names) in enumerate(attributes):
        table.sums.append(("persons", (*(f"{index}:{v}" for v in names), "not_recorded")))
    for column, names in ANNEX_ATTRIBUTES:
        table.sums.append(("persons", (*(f"{column.key}:{v}" for v in names), "not_recorded")))
    # The entrants are the intakes of the period.
    table.links += [
        [(("esf", "households", "entrants"), 1), (("intakes", "households", ALL), -1)],
        [(("esf", "persons", "entrants"), 1), (("intakes", "persons", ALL), -1)],
        [(("esf", "excluded", "entrants"), 1)]
        + [(("intakes", "persons", group), -1) for group in HOUSING_EXCLUSION],
    ]
    return table


# The Annex I fields added with issue 17; each field's "" row counts the records where the field
# is empty (not recorded: the record is incomplete).
ANNEX_ATTRIBUTES = (
    (Participant.labour_status, labels.LABOUR_STATUS_ROW_LABELS),
    (Participant.education, labels.EDUCATION_ROW_LABELS),
    (Participant.foreign_background, labels.FOREIGN_BACKGROUND_LABELS),
    (Participant.minority, labels.MINORITY_LABELS),
    (Participant.homeless, labels.HOMELESS_LABELS),
    (Participant.rural, labels.RURAL_LABELS),
)


def _annex_rows(table: Table, participants, entrant, leaver) -> None:
    """The rows of the Annex I fields: labour-market status, education, foreign background,
    minority, homeless (as answered), rural area, each value and "not recorded"; the records
    that are incomplete (their own row, so no field's count is silently smaller: a record
    lacking a mandatory entry field as ``Participant.missing_entry_fields`` says, a declined
    answer counts, an empty field does not); and, for the exits, the immediate results (each
    "yes") of the persons of the households that left in the period. One pass over the
    participants grouped by these fields (as the table's first part); the sums are taken
    here."""
    fields = [column for column, _names in ANNEX_ATTRIBUTES]
    results = [getattr(Participant, name) for name in EXIT_RESULTS]
    no_age = case(
        (and_(Participant.birth_year.is_(None), Participant.age_band.is_(None)), 1), else_=0
    )
    groups = db.session.execute(
        select(
            *fields,
            no_age,
            *results,
            func.count(case((entrant, Participant.id))),
            func.count(case((leaver, Participant.id))),
        )
        .select_from(participants)
        .where(or_(entrant, leaver))
        .group_by(*fields, no_age, *results)
    ).all()
    n = len(fields)
    for index, (column, names) in enumerate(ANNEX_ATTRIBUTES):
        for value, label in names.items():
            wanted = value or None
            table.add(
                label,
                {
                    "entrants": count(sum(g[-2] for g in groups if g[index] == wanted)),
                    "exits": count(sum(g[-1] for g in groups if g[index] == wanted)),
                },
                1,
                f"{column.key}:{value}",
            )
    incomplete = [g for g in groups if g[n] or any(v is None for v in g[:n])]
    table.add(
        _l("Participant records incomplete (a mandatory entry field empty)"),
        {
            "entrants": count(sum(g[-2] for g in incomplete)),
            "exits": count(sum(g[-1] for g in incomplete)),
        },
        1,
        key="incomplete",
    )
    for offset, name in enumerate(EXIT_RESULTS, start=n + 1):
        table.add(
            labels.RESULT_LABELS[name],
            {"entrants": text("–"), "exits": count(sum(g[-1] for g in groups if g[offset]))},
            1,
            key=name,
        )
