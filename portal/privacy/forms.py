"""Forms of the privacy pages: the erasure confirmation and the audit log's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.core.fields import WholeNumberField


class EraseForm(FlaskForm):
    confirmation = StringField(
        _l("Confirmation"),
        validators=[DataRequired(message=_l("Type the text shown above.")), Length(max=254)],
    )


class AuditFilterForm(FlaskForm):
    """Read from the query string (GET); no CSRF token, nothing changes."""

    class Meta:
        csrf = False

    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=40)])
    object_id = WholeNumberField(
        _l("Object id"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)]
    )
    actor = StringField(
        _l("Actor (user id or e-mail address)"), validators=[Optional(), Length(max=254)]
    )
