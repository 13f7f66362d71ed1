"""The small forms of the money section on the staff placement page (paperwork/money.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from portal.core import clock
from portal.placements.labels import COST_KIND_LABELS as KIND_LABELS
from portal.placements.labels import PAYEE_LABELS


class CostRequestForm(FlaskForm):
    kind = SelectField(
        _l("Kind of cost"),
        choices=[SelectChoice(k, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired(_l("Please choose the kind of cost."))],
    )
    amount = DecimalField(
        _l("Amount in euros"),
        places=2,
        validators=[
            InputRequired(_l("Please enter an amount above zero.")),
            NumberRange(min=0.01, max=99999999, message=_l("Please enter an amount above zero.")),
        ],
    )
    requested_on = DateField(
        _l("Requested on"),
        default=clock.today,
        validators=[InputRequired(_l("Please enter a date."))],
    )


class CostDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("approved", _l("approved")), SelectChoice("refused", _l("refused"))],
        validators=[InputRequired(_l("Please choose approved or refused."))],
    )
    decided_on = DateField(
        _l("Decided on"),
        default=clock.today,
        validators=[InputRequired(_l("Please enter a date."))],
    )


class CostPaymentForm(FlaskForm):
    paid_on = DateField(
        _l("Paid on"), default=clock.today, validators=[InputRequired(_l("Please enter a date."))]
    )
    paid_to = SelectField(
        _l("Paid to"),
        choices=[SelectChoice(k, label) for k, label in PAYEE_LABELS.items()],
        validators=[InputRequired(_l("Please choose who was paid."))],
    )


class DirectPaymentRequestForm(FlaskForm):
    requested_on = DateField(
        _l("Requested on"),
        default=clock.today,
        validators=[InputRequired(_l("Please enter a date."))],
    )


class DirectPaymentConfirmForm(FlaskForm):
    confirmed_on = DateField(
        _l("Confirmed by the cost bearer on"),
        default=clock.today,
        validators=[InputRequired(_l("Please enter a date."))],
    )
    from_month = DateField(
        _l("Paid directly from the month"),
        format="%Y-%m",
        render_kw={"type": "month"},
        validators=[InputRequired(_l("Please enter the month (YYYY-MM)."))],
    )
