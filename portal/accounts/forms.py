"""Forms of the accounts domain."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.accounts.models import OrganisationKind
from portal.accounts.passwords import MAX_LENGTH, password_problems
from portal.core.fields import email_field

LANGUAGE_CHOICES = [SelectChoice("de", "Deutsch"), SelectChoice("en", "English")]


def _check_new_password(form: FlaskForm, field: PasswordField, email: str | None) -> None:
    problems = password_problems(field.data or "", email)
    if problems:
        raise ValidationError(" ".join(problems))


class EmailFieldMixin:
    email = email_field(_l("E-mail address"))


class RegistrationForm(EmailFieldMixin, FlaskForm):
    kind = RadioField(
        _l("You rent out as"),
        choices=[
            SelectChoice(OrganisationKind.PRIVATE.value, _l("Private person")),
            SelectChoice(OrganisationKind.COMPANY.value, _l("Housing company")),
        ],
        validators=[
            InputRequired(_l("Please choose whether you rent out privately or as a company."))
        ],
    )
    organisation_name = StringField(
        _l("Name of the landlord"),
        description=_l("Your own name as a private landlord, or the company's name."),
        validators=[InputRequired(_l("Please enter the landlord's name.")), Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )
    full_name = StringField(
        _l("Contact person"),
        validators=[
            InputRequired(_l("Please enter the name of the contact person.")),
            Length(max=200),
        ],
        render_kw={"autocomplete": "name"},
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "tel", "type": "tel"},
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 12 characters. A sentence you can remember works well."),
        validators=[InputRequired(_l("Please choose a password."))],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )
    accept_privacy = BooleanField(
        _l("I have read the privacy notice and agree that my data is processed for the programme."),
        validators=[InputRequired(_l("Please accept the privacy notice to register."))],
    )

    def validate_password(self, field: PasswordField) -> None:
        _check_new_password(self, field, self.email.data)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Please enter your password.")), Length(max=MAX_LENGTH * 4)],
        render_kw={"autocomplete": "current-password"},
    )


class ResetRequestForm(EmailFieldMixin, FlaskForm):
    pass


class NewPasswordForm(FlaskForm):
    """Choose a new password (after a reset link or an invitation)."""

    password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters. A sentence you can remember works well."),
        validators=[InputRequired(_l("Please choose a password."))],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )

    def __init__(self, *args, email: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_password(self, field: PasswordField) -> None:
        _check_new_password(self, field, self._email)


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class AcceptInvitationForm(NewPasswordForm):
    full_name = StringField(
        _l("Your name"),
        validators=[InputRequired(_l("Please enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    accept_privacy = BooleanField(
        _l("I have read the privacy notice and agree that my data is processed for the programme."),
        validators=[InputRequired(_l("Please accept the privacy notice to register."))],
    )


class ProfileForm(FlaskForm):
    full_name = StringField(
        _l("Your name"),
        validators=[InputRequired(_l("Please enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "tel", "type": "tel"},
    )
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class InviteForm(EmailFieldMixin, FlaskForm):
    pass


class ConfirmEmailForm(NewPasswordForm):
    """Confirming the address sets the password: whoever registered the address chose the old
    one and may not be its owner (issue 13.1)."""

    password = PasswordField(
        _l("Your password"),
        description=_l(
            "At least 12 characters. You may type the password you chose when you registered."
        ),
        validators=[InputRequired(_l("Please choose a password."))],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )


class ChangeEmailForm(FlaskForm):
    """Correct the address of an account that is not confirmed yet."""

    email = email_field(_l("New e-mail address"))
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class LandlordSecondFactorResetForm(FlaskForm):
    """The specialist records how the landlord's identity was confirmed before a reset."""

    identity_check = RadioField(
        _l("How did you confirm who you spoke to?"),
        choices=[
            SelectChoice(
                "callback_known_number",
                _l("I called back on the phone number stored with the account"),
            ),
            SelectChoice(
                "callback_company_switchboard",
                _l("I called back through the company's published switchboard number"),
            ),
            SelectChoice("in_person", _l("In person, with an identity document")),
        ],
        validators=[InputRequired(_l("Please say how you confirmed the person."))],
    )
    confirmed = BooleanField(
        _l(
            "I have confirmed that the person who asked is this account's user, and that they "
            "have lost both their phone and their recovery codes."
        ),
        validators=[InputRequired(_l("Please confirm that you checked the person's identity."))],
    )


class TotpCodeForm(FlaskForm):
    """A code from the authenticator app (enrolment, new recovery codes)."""

    code = StringField(
        _l("Code from your app"),
        description=_l("The 6-digit number your authenticator app shows now."),
        validators=[InputRequired(_l("Please enter the code from your app.")), Length(max=64)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "autocapitalize": "off",
            "spellcheck": "false",
        },
    )


class LoginCodeForm(TotpCodeForm):
    """A code from the app, or one of the recovery codes (login, switching off)."""

    code = StringField(
        _l("Code from your app or a recovery code"),
        description=_l(
            "The 6-digit number your authenticator app shows now. Without your phone, enter one "
            "of your recovery codes instead."
        ),
        validators=[InputRequired(_l("Please enter a code.")), Length(max=64)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state (logout, resend)."""
