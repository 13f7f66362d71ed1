"""Forms of mediation: the public contact form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.core.fields import email_field
from portal.core.i18n import Count
from portal.mediation.labels import CONTACT_BY_LABELS, SENDER_KIND_LABELS, TOPIC_LABELS
from portal.sites.choice import offer_sites, site_field
from portal.sites.models import Site

MESSAGE_MIN = 20
MESSAGE_MAX = 5000
NO_FLAT = ""  # the choice values are the flats' public keys
# The tenancies the form offers at most (those let or reserved most recently): a housing company
# may have hundreds, which no one scrolls through on a phone; another is named by its address.
FLAT_CHOICES = 50


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class MediationForm(FlaskForm):
    sender_kind = RadioField(
        _l("Who is writing?"),
        choices=_choices(SENDER_KIND_LABELS),
        validators=[InputRequired(_l("Please tell us whether you are landlord, tenant or else."))],
    )
    # Names and addresses longer than the column are shortened when stored, not refused.
    name = StringField(
        _l("Your name"),
        validators=[InputRequired(_l("Please enter your name."))],
        render_kw={"autocomplete": "name", "maxlength": 200},
    )
    email = email_field(
        _l("E-mail address"),
        description=_l("We send you a confirmation with your case number."),
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "tel", "type": "tel", "maxlength": 40},
    )
    contact_by = RadioField(
        _l("How should we contact you?"),
        choices=_choices(CONTACT_BY_LABELS),
        default="email",
        validators=[InputRequired(_l("Please choose how we should contact you."))],
    )
    topic = SelectField(
        _l("What is it about?"),
        choices=[SelectChoice("", _l("Please choose"))] + _choices(TOPIC_LABELS),
        validators=[InputRequired(_l("Please choose a topic."))],
    )
    flat = SelectField(
        _l("Which tenancy is it about?"),
        description=_l("Choose one of your flats, or type the address below."),
        coerce=str,
        default=NO_FLAT,
        validate_choice=True,
    )
    flat_address = StringField(
        _l("Address of the flat (optional)"),
        validators=[Optional()],
        render_kw={"autocomplete": "street-address", "maxlength": 300},
    )
    message = TextAreaField(
        _l("Your message"),
        description=_l(
            "Describe what happened and what you would like. %(min)d to %(max)s characters.",
            min=MESSAGE_MIN,
            max=Count(MESSAGE_MAX),
        ),
        validators=[
            InputRequired(_l("Please write your message.")),
            Length(
                min=MESSAGE_MIN,
                max=MESSAGE_MAX,
                message=_l(
                    "Please write between %(min)d and %(max)s characters.",
                    min=MESSAGE_MIN,
                    max=Count(MESSAGE_MAX),
                ),
            ),
        ],
        render_kw={"rows": 8},
    )
    consent = BooleanField(
        _l("I agree that the Kümmerer team processes my details to handle this request."),
        validators=[InputRequired(_l("Please agree to the processing so that we can help you."))],
    )
    # Abuse protection: a field people never see (bots fill it in) and when the form was opened.
    website = StringField(
        _l("Leave this field empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    started = HiddenField()

    # Where several sites take requests: which city or district the request is about.
    site = site_field(_l("Which city or district is it about?"))

    def __init__(
        self,
        *args,
        flats: list[tuple[str, str]] | None = None,
        more_flats: bool = False,
        sites: list[Site] | None = None,
        **kwargs,
    ) -> None:
        """``flats``: the (public key, label) pairs offered, the only keys accepted;
        ``more_flats``: the organisation has more tenancies than offered, which the hint says."""
        super().__init__(*args, **kwargs)
        offer_sites(self, sites or [])
        self.has_flats = bool(flats)
        if more_flats:
            self.flat.description = _l(
                "Your %(num)d flats let or reserved most recently are listed: choose one, or "
                "type the address of another flat below.",
                num=FLAT_CHOICES,
            )
        self.flat.choices = [SelectChoice(NO_FLAT, _l("None of these / I type the address"))] + [
            SelectChoice(flat_key, label) for flat_key, label in (flats or [])
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not in validate_phone: Optional() stops the field's own chain when it is empty.
        if self.contact_by.data == "phone" and not (self.phone.data or "").strip():
            self.phone.errors = [
                *self.phone.errors,
                _l("Please enter a phone number, or choose contact by e-mail."),
            ]
            valid = False
        return valid

    def validate_message(self, field: TextAreaField) -> None:
        # Spaces alone do not make a message (Length counts them).
        if not field.errors and len((field.data or "").strip()) < MESSAGE_MIN:
            raise ValidationError(
                _l(
                    "Please write between %(min)d and %(max)s characters.",
                    min=MESSAGE_MIN,
                    max=Count(MESSAGE_MAX),
                )
            )
