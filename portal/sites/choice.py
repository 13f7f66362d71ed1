"""The site select of a form that starts new work: shown only when there is a choice."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired

from portal.sites.models import Site


def site_field(label: Any = None) -> SelectField:
    return SelectField(
        label or _l("Site"),
        coerce=int,
        validators=[InputRequired(message=_l("Please choose the site."))],
        validate_choice=True,
    )


def offer_sites(form: Any, sites: list[Site]) -> None:
    """Fill the form's ``site`` select with ``sites``, or drop it when there is at most one:
    a deployment with one site shows no site anywhere."""
    if len(sites) <= 1:
        del form.site
        return
    form.site.choices = [(site.id, site.name) for site in sites]


def site_id_of(form: Any) -> int | None:
    """The chosen site's id, or None when the form offered no choice."""
    return form.site.data if form.site is not None else None
