"""Forms of the sites' admin page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.core.fields import email_field
from portal.sites.labels import STATUS_LABELS
from portal.sites.models import SiteStatus
from portal.sites.operations import MAX_NAME, MAX_TEXT

STATUS_CHOICES = [SelectChoice(status.value, STATUS_LABELS[status]) for status in SiteStatus]
TEXT_HINT = _l("Leave empty to use the text set for the whole portal.")


def _name_field() -> StringField:
    return StringField(
        _l("Name"),
        description=_l("As the site is called in lists and reports, e.g. Essen or Kreis Wesel."),
        validators=[InputRequired(_l("Please enter the site's name.")), Length(max=MAX_NAME)],
    )


def _status_field() -> SelectField:
    return SelectField(
        _l("Status"),
        choices=STATUS_CHOICES,
        description=_l(
            "In preparation: staff and reference data are being set up. Archived: the project "
            "has ended, its records are kept."
        ),
        validators=[InputRequired()],
    )


class SiteForm(FlaskForm):
    """A site's name, status and own texts."""

    name = _name_field()
    status = _status_field()
    contact_text = TextAreaField(
        _l("Programme contact"),
        description=_l(
            "The team's contact for this site (address, e-mail, phone), shown on pages and "
            "in e-mails instead of the portal's. Leave empty to use the text set for the whole "
            "portal."
        ),
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 3},
    )
    funding_text = TextAreaField(
        _l("Funding line"),
        description=TEXT_HINT,
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 2},
    )
    esf_project_id = StringField(
        _l("ESF+ project number"),
        description=_l(
            "The site's project number with the funding body, written into the Annex I files. "
            "Leave empty to use the number set for the whole portal."
        ),
        validators=[Optional(), Length(max=40)],
    )
    imprint_text = TextAreaField(
        _l("Legal notice"),
        description=TEXT_HINT,
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 5},
    )

    def payload(self) -> dict[str, str | None]:
        return {
            "name": self.name.data,
            "status": self.status.data,
            "contact_text": self.contact_text.data,
            "funding_text": self.funding_text.data,
            "imprint_text": self.imprint_text.data,
            "esf_project_id": self.esf_project_id.data,
        }


class NewSiteForm(FlaskForm):
    """A new site: what identifies it (fixed once created) and its name and status."""

    name = _name_field()
    slug = StringField(
        _l("Short name"),
        description=_l("Lower-case letters, digits and hyphens, e.g. essen; cannot be changed."),
        validators=[InputRequired(_l("Please enter a short name.")), Length(max=40)],
    )
    municipality_key = StringField(
        _l("Municipality key (AGS)"),
        description=_l("The Amtlicher Gemeindeschlüssel, 8 digits, e.g. 05113000 for Essen."),
        validators=[InputRequired(_l("Please enter the municipality key.")), Length(max=8)],
        render_kw={"inputmode": "numeric"},
    )
    code_prefix = StringField(
        _l("Household code prefix"),
        description=_l(
            "1 to 6 capital letters that start this site's household codes (E-2026-0001); "
            "cannot be changed."
        ),
        validators=[InputRequired(_l("Please enter a code prefix.")), Length(max=6)],
    )
    status = _status_field()


class AddStaffForm(FlaskForm):
    """An existing staff account, by its e-mail address."""

    email = email_field(
        _l("E-mail address of the staff account"),
        description=_l(
            "A staff account that exists already; new accounts are created on the server."
        ),
    )
