"""The heating-cost thresholds page of the back office (beside the rent limits) and the
template helpers of the heating-cost check (listings/heating.py). Adds its routes to the
listings back office blueprint (imported in create_app before the blueprint is registered);
kept apart from listings/backoffice.py and listings/forms.py so the rent-limit work there and
this one do not meet."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length

from portal.accounts.models import Role
from portal.accounts.permissions import staff_required
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.listings import heating
from portal.listings.backoffice import bp
from portal.listings.forms import money
from portal.listings.labels import ENERGY_CARRIER_LABELS
from portal.listings.site_choice import chosen_site, site_arg


class HeatingThresholdForm(FlaskForm):
    """A set of thresholds valid from a date: one amount (€ per m² and year) per heating kind,
    empty kinds left out."""

    valid_from = DateField(_l("Valid from"), validators=[InputRequired(_l("Please enter a date."))])
    source = StringField(
        _l("Source"),
        description=_l("Where the figures come from, e.g. the Heizspiegel and its year."),
        validators=[InputRequired(_l("Please name the source.")), Length(max=300)],
    )

    def kind_fields(self):
        return [self[f"kind_{kind}"] for kind in heating.HEATING_KINDS]

    def amounts(self) -> dict[str, Decimal]:
        return {
            kind: self[f"kind_{kind}"].data
            for kind in heating.HEATING_KINDS
            if self[f"kind_{kind}"].data is not None
        }

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.amounts():
            first = self.kind_fields()[0]
            first.errors = list(first.errors) + [str(_l("Please enter at least one amount."))]
            return False
        return ok


for _kind in heating.HEATING_KINDS:
    setattr(
        HeatingThresholdForm,
        f"kind_{_kind}",
        money(
            ENERGY_CARRIER_LABELS[_kind],
            description=_l("€ per m² and year"),
        ),
    )


@bp.route("/heating-thresholds", methods=["GET", "POST"])
@staff_required()
def heating_threshold_table():
    """One site's thresholds (``?site=<slug>`` among the user's sites)."""
    site = chosen_site(current_user)
    form = HeatingThresholdForm(prefix="heat")
    if request.method == "POST":
        if current_user.role != Role.ADMIN:
            abort(403)
        if form.validate_on_submit():
            try:
                heating.add_set(
                    current_user,
                    form.valid_from.data,
                    form.source.data,
                    form.amounts(),
                    site_id=site.id,
                )
            except Refused as refusal:
                flash_refusal(refusal)
            else:
                db.session.commit()
                flash(_("The new heating-cost thresholds are saved."), "success")
                return redirect(
                    url_for(
                        "listings_backoffice.heating_threshold_table",
                        **site_arg(current_user, site),
                    )
                )
        status = 400
    else:
        status = 200
    return render_template(
        "backoffice/heating_thresholds.html",
        site=site,
        sites=current_user.sites,
        site_arg=site_arg(current_user, site),
        rows=heating.all_rows(site.id),
        table=heating.thresholds_in_force(site_id=site.id),
        form=form,
        can_edit=current_user.role == Role.ADMIN,
    ), status


TEMPLATE_HELPERS = {
    "heating_table": heating.thresholds_in_force,
    "heating_check": heating.heating_check,
    "flat_heating": heating.flat_heating,
}


@bp.record_once
def _register_template_helpers(state) -> None:
    state.app.jinja_env.globals.update(TEMPLATE_HELPERS)
