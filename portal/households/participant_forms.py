"""The ESF participant form of the households back office: one row per person of a household,
for the programme's reports to the ESF."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField
from wtforms.validators import Optional, ValidationError

from portal.households.forms import choose
from portal.households.labels import AGE_BAND_LABELS, ANSWER_LABELS, GENDER_LABELS
from portal.households.models import AgeBand, Household

PARTICIPANT_COLUMNS = {
    "gender": (_l("Gender"), GENDER_LABELS),
    "age_band": (_l("Age band"), AGE_BAND_LABELS),
    "third_country": (_l("Third-country national"), ANSWER_LABELS),
    "disability": (_l("Disability"), ANSWER_LABELS),
}
NOT_RECORDED = _l("not recorded")


class PersonForm(Form):
    """One person's ESF fields; all empty means "not recorded"."""

    gender = SelectField(choices=choose(GENDER_LABELS, NOT_RECORDED), validators=[Optional()])
    age_band = SelectField(choices=choose(AGE_BAND_LABELS, NOT_RECORDED), validators=[Optional()])
    third_country = SelectField(
        choices=choose(ANSWER_LABELS, NOT_RECORDED), validators=[Optional()]
    )
    disability = SelectField(choices=choose(ANSWER_LABELS, NOT_RECORDED), validators=[Optional()])

    def values(self) -> dict[str, str] | None:
        data = {name: self[name].data or "" for name in PARTICIPANT_COLUMNS}
        return data if any(data.values()) else None


class ParticipantsForm(FlaskForm):
    """The ESF participant fields of every person in a household: ``adults`` rows for adults,
    then the children. A person is recorded once any field is chosen; then all four are
    needed. Adults cannot be under 18; children must be."""

    persons = FieldList(FormField(PersonForm))

    def __init__(self, *args, adults: int, children: int, **kwargs) -> None:
        self.adults, self.children = adults, children
        super().__init__(*args, **kwargs)
        size = adults + children
        # Exactly one row per person, whatever a request sends.
        while len(self.persons.entries) > size:
            self.persons.pop_entry()
        while len(self.persons.entries) < size:
            self.persons.append_entry(dict.fromkeys(PARTICIPANT_COLUMNS, ""))

    def is_adult(self, index: int) -> bool:
        return index < self.adults

    def validate_persons(self, field) -> None:
        for index, entry in enumerate(field.entries):
            values = entry.form.values()
            if values is None:
                continue
            for name, (label, _labels) in PARTICIPANT_COLUMNS.items():
                if not values[name]:
                    entry[name].errors = [
                        *entry[name].errors,
                        str(
                            _l(
                                "Person %(n)d: please choose “%(field)s” too, or set all of "
                                "this person's fields to “not recorded”.",
                                n=index + 1,
                                field=label,
                            )
                        ),
                    ]
            band = values["age_band"]
            if band and self.is_adult(index) and band == AgeBand.UNDER_18:
                entry.age_band.errors = [
                    *entry.age_band.errors,
                    str(
                        _l(
                            "Person %(n)d is an adult of the household: the age band cannot be "
                            "“under 18”.",
                            n=index + 1,
                        )
                    ),
                ]
            elif band and not self.is_adult(index) and band != AgeBand.UNDER_18:
                entry.age_band.errors = [
                    *entry.age_band.errors,
                    str(
                        _l(
                            "Person %(n)d is a child of the household: the age band must be "
                            "“under 18”.",
                            n=index + 1,
                        )
                    ),
                ]
        if any(entry.errors for entry in field.entries):
            raise ValidationError(_l("Please check the marked persons."))

    def rows(self) -> list[dict[str, str] | None]:
        """One entry per person, in order: the four values, or None (not recorded)."""
        return [entry.form.values() for entry in self.persons.entries]


def participant_data(household: Household) -> dict[str, Any]:
    """The participant form's values from the stored rows; persons without a row are empty."""
    stored = {p.position: p for p in household.participants}
    persons = []
    for position in range(household.size):
        row = stored.get(position)
        persons.append({name: getattr(row, name) if row else "" for name in PARTICIPANT_COLUMNS})
    return {"persons": persons}
