"""Forms of the handover record, the landlord's move-in confirmation and the registration date.
Fixed numbers of rows (a tablet form that works without JavaScript); empty rows are ignored."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.placements.paperwork import handover as ops

METER_ROWS, KEY_ROWS, ROOM_ROWS = 3, 4, 6


def _required() -> list:
    return [InputRequired(_l("Please fill in this field."))]


class _Row(Form):
    """A row is either empty or complete."""

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        values = [f.data for f in self if f.type != "SelectField"]
        filled = [v not in (None, "") for v in values]
        if any(filled) and not all(filled):
            first = next(f for f in self if f.type != "SelectField" and f.data in (None, ""))
            first.errors = [*first.errors, _l("Please complete this row or leave it empty.")]
            return False
        return ok


class MeterRow(_Row):
    kind = SelectField(
        _l("Meter"),
        choices=[
            SelectChoice("electricity", _l("Electricity")),
            SelectChoice("gas", _l("Gas")),
            SelectChoice("district_heat", _l("District heat")),
            SelectChoice("water", _l("Water")),
        ],
        validate_choice=False,  # a missing row posts no kind; the operation checks the kind
    )
    number = StringField(_l("Meter number"), validators=[Optional(), Length(max=40)])
    reading = DecimalField(
        _l("Reading"),
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("A meter reading cannot be negative.")),
        ],
    )


class KeyRow(_Row):
    kind = StringField(_l("Key"), validators=[Optional(), Length(max=80)])
    count = IntegerField(
        _l("Number"),
        validators=[
            Optional(),
            NumberRange(min=1, max=99, message=_l("Between 1 and 99, please.")),
        ],
    )


class RoomRow(_Row):
    room = StringField(_l("Room"), validators=[Optional(), Length(max=80)])
    condition = TextAreaField(_l("Condition"), validators=[Optional(), Length(max=1000)])


class HandoverForm(FlaskForm):
    handed_over_on = DateField(_l("Handed over on"), validators=_required())
    meters = FieldList(FormField(MeterRow), min_entries=METER_ROWS, max_entries=METER_ROWS)
    keys = FieldList(FormField(KeyRow), min_entries=KEY_ROWS, max_entries=KEY_ROWS)
    rooms = FieldList(FormField(RoomRow), min_entries=ROOM_ROWS, max_entries=ROOM_ROWS)
    landlord_signed_by = StringField(
        _l("Signed for the landlord by"), validators=[*_required(), Length(max=200)]
    )
    tenant_signed_by = StringField(
        _l("Signed for the tenant by"), validators=[*_required(), Length(max=200)]
    )
    signed_on = DateField(_l("Signed on"), validators=_required())

    def validate_meters(self, field) -> None:
        if not any(row.form.number.data for row in field):
            raise ValidationError(_("Please record at least one meter."))  # a str: shown as such

    def handover_data(self) -> dict:
        return {
            "handed_over_on": self.handed_over_on.data,
            "meters": [
                {
                    "kind": r.form.kind.data,
                    "number": (r.form.number.data or "").strip(),
                    "reading": r.form.reading.data,
                }
                for r in self.meters
            ],
            "keys": [
                {"kind": (r.form.kind.data or "").strip(), "count": r.form.count.data}
                for r in self.keys
            ],
            "rooms": [
                {"room": (r.form.room.data or "").strip(), "condition": r.form.condition.data}
                for r in self.rooms
            ],
            "landlord_signed_by": self.landlord_signed_by.data,
            "tenant_signed_by": self.tenant_signed_by.data,
            "signed_on": self.signed_on.data,
        }


class MoveInConfirmForm(FlaskForm):
    owner_name = StringField(
        _l("Owner's name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Only if you are not the owner of the flat."),
    )
    owner_address = StringField(
        _l("Owner's address"),
        validators=[Optional(), Length(max=300)],
        description=_l("Only if you are not the owner of the flat."),
    )


class RegistrationForm(FlaskForm):
    registered_on = DateField(_l("Registered at the Bürgeramt on"), validators=_required())


def landlord_move_in(placement) -> dict:
    """What the landlord's placement page shows of the paperwork: the sheet (allow-listed
    values only), the confirmation form while not confirmed, whether a handover PDF exists."""
    if not ops.lease_signed(placement):
        return {"move_in": None}
    sheet = ops.sheet(placement)
    return {
        "move_in": sheet,
        "move_in_form": MoveInConfirmForm(formdata=None) if sheet.confirmed_on is None else None,
        "has_handover": ops.handover_of(placement) is not None,
    }
