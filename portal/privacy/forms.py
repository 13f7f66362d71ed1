"""Forms of the privacy pages: the reason for a household export, the erasure confirmation and
the audit log's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.core.fields import FilterForm, WholeNumberField
from portal.privacy.labels import PURPOSE_LABELS
from portal.privacy.models import EXPLANATION_MAX, EXPLANATION_MIN


def _one_spaced(value: str | None) -> str | None:
    """Runs of white space count as one: the length is that of the words."""
    return " ".join(value.split()) if value else value


class HouseholdExportForm(FlaskForm):
    """Why the household's full data is exported: a purpose and a few words of explanation,
    both required. The household's social worker sees both."""

    purpose = SelectField(
        _l("Reason"),
        choices=[SelectChoice("", _l("Please choose"))]
        + [SelectChoice(p.value, label) for p, label in PURPOSE_LABELS.items()],
        validators=[DataRequired(message=_l("Please choose the reason for the export."))],
    )
    explanation = TextAreaField(
        _l("Explanation"),
        filters=[_one_spaced],
        description=_l(
            "For example the date and way of the household's request. The household's social "
            "worker sees it."
        ),
        validators=[
            DataRequired(message=_l("Please explain the export in a few words.")),
            Length(
                min=EXPLANATION_MIN,
                max=EXPLANATION_MAX,
                message=_l(
                    "Please explain the export in %(min)d to %(max)d characters.",
                    min=EXPLANATION_MIN,
                    max=EXPLANATION_MAX,
                ),
            ),
        ],
    )


class EraseForm(FlaskForm):
    confirmation = StringField(
        _l("Confirmation"),
        validators=[DataRequired(message=_l("Type the text shown above.")), Length(max=254)],
    )


class AuditFilterForm(FilterForm):
    """Read from the query string (GET); no CSRF token, nothing changes."""

    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=40)])
    object_id = WholeNumberField(
        _l("Object id"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)]
    )
    actor = StringField(
        _l("Actor (user id or e-mail address)"), validators=[Optional(), Length(max=254)]
    )


class CloseAccountForm(FlaskForm):
    """A landlord closes their own account: the password, and a tick that they mean it."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    understood = BooleanField(
        _l("I understand that my account and my personal data are erased for good."),
        validators=[
            InputRequired(_l("Please confirm that you want to close your account for good."))
        ],
    )
