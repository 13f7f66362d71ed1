"""The ESF participant form of the households back office: one record per person of a
household (Annex I, Regulation (EU) 2021/1057), for the programme's reports to the ESF."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from portal.households.forms import choose
from portal.households.labels import (
    ANSWER_LABELS,
    EDUCATION_LABELS,
    GENDER_LABELS,
    LABOUR_STATUS_LABELS,
    PARTICIPANT_FIELD_LABELS,
    YES_NO_LABELS,
)
from portal.households.models import (
    EARLIEST_BIRTH_YEAR,
    ENTRY_FIELDS,
    EXIT_RESULTS,
    Household,
)

NOT_RECORDED = _l("not recorded")
# The select fields and their choices; the birth year and the exit date are typed.
SELECTS = {
    "gender": GENDER_LABELS,
    "labour_status": LABOUR_STATUS_LABELS,
    "education": EDUCATION_LABELS,
    "disability": ANSWER_LABELS,
    "third_country": ANSWER_LABELS,
    "foreign_background": ANSWER_LABELS,
    "minority": ANSWER_LABELS,
    "homeless": ANSWER_LABELS,
    "rural": ANSWER_LABELS,
    **dict.fromkeys(EXIT_RESULTS, YES_NO_LABELS),
}
ENTRY_COLUMNS = {name: PARTICIPANT_FIELD_LABELS[name] for name in ENTRY_FIELDS}
EXIT_COLUMNS = {name: PARTICIPANT_FIELD_LABELS[name] for name in ("exit_on", *EXIT_RESULTS)}
# Kept for the templates that list the fields (entry, then exit).
PARTICIPANT_COLUMNS = {**ENTRY_COLUMNS, **EXIT_COLUMNS}
# A record needs these once any field is chosen (the other fields may stay empty: the record
# is then incomplete and flagged).
REQUIRED = ("gender", "third_country", "disability")
# The field each refusal of ``save_participants`` is about.
REFUSAL_FIELDS = {
    "birth year after entry": "birth_year",
    "implausible birth year": "birth_year",
    "age band does not fit": "birth_year",
    "exit before entry": "exit_on",
    "exit in the future": "exit_on",
    "results without exit": "exit_on",
}


def _select(name: str) -> SelectField:
    return SelectField(choices=choose(SELECTS[name], NOT_RECORDED), validators=[Optional()])


class PersonForm(Form):
    """One person's record; all empty means "no record"."""

    gender = _select("gender")
    birth_year = IntegerField(
        validators=[Optional(), NumberRange(min=EARLIEST_BIRTH_YEAR, max=9999)]
    )
    labour_status = _select("labour_status")
    education = _select("education")
    disability = _select("disability")
    third_country = _select("third_country")
    foreign_background = _select("foreign_background")
    minority = _select("minority")
    homeless = _select("homeless")
    rural = _select("rural")
    exit_on = DateField(validators=[Optional()])
    result_job_searching = _select("result_job_searching")
    result_in_education = _select("result_in_education")
    result_qualification = _select("result_qualification")
    result_employed = _select("result_employed")

    def values(self) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        for name in PARTICIPANT_COLUMNS:
            value = self[name].data
            if name in EXIT_RESULTS:
                value = {"yes": True, "no": False}.get(value or "")
            data[name] = value if value not in ("", None) else None
        return data if any(v is not None for v in data.values()) else None


class ParticipantsForm(FlaskForm):
    """The participant records of every person in a household: ``adults`` records for adults,
    then the children. A person is recorded once any field is chosen; then gender,
    third-country national and disability are needed. The rules on values (birth year, exit
    date) are the operation's (``save_participants``)."""

    persons = FieldList(FormField(PersonForm))

    def __init__(
        self, *args, adults: int, children: int, household: Household | None = None, **kwargs
    ) -> None:
        self.adults, self.children = adults, children
        self.household = household
        super().__init__(*args, **kwargs)
        size = adults + children
        # Exactly one row per person, whatever a request sends.
        while len(self.persons.entries) > size:
            self.persons.pop_entry()
        while len(self.persons.entries) < size:
            self.persons.append_entry(dict.fromkeys(PARTICIPANT_COLUMNS))

    def is_adult(self, index: int) -> bool:
        return index < self.adults

    def validate_persons(self, field) -> None:
        for index, entry in enumerate(field.entries):
            values = entry.form.values()
            if values is None:
                continue
            for name in REQUIRED:
                if values[name] is None:
                    entry[name].errors = [
                        *entry[name].errors,
                        str(
                            _l(
                                "Person %(n)d: please choose “%(field)s” too, or set all of "
                                "this person's fields to “not recorded”.",
                                n=index + 1,
                                field=PARTICIPANT_FIELD_LABELS[name],
                            )
                        ),
                    ]
            if self.household is not None and not entry.errors:
                self._check_with_the_rules(index, entry, values)
        if any(entry.errors for entry in field.entries):
            raise ValidationError(_l("Please check the marked persons."))

    def _check_with_the_rules(self, index: int, entry, values: dict[str, Any]) -> None:
        """The operation's refusal (birth year, exit date) marked on the field it is about."""
        from portal.core.refusals import Refused
        from portal.households.operations.profiles import check_participant

        try:
            check_participant(self.household, index, values)
        except Refused as refusal:
            name = REFUSAL_FIELDS.get(refusal.code, "gender")
            entry[name].errors = [*entry[name].errors, str(refusal.message or refusal.code)]

    def rows(self) -> list[dict[str, Any] | None]:
        """One entry per person, in order: the values, or None (no record)."""
        return [entry.form.values() for entry in self.persons.entries]


def participant_data(household: Household) -> dict[str, Any]:
    """The participant form's values from the stored rows; persons without a row are empty."""
    stored = {p.position: p for p in household.participants}
    persons = []
    for position in range(household.size):
        row = stored.get(position)
        values: dict[str, Any] = {}
        for name in PARTICIPANT_COLUMNS:
            value = getattr(row, name) if row else None
            if name in EXIT_RESULTS and value is not None:
                value = "yes" if value else "no"
            values[name] = value if value is not None else ("" if name in SELECTS else None)
        persons.append(values)
    return {"persons": persons}
