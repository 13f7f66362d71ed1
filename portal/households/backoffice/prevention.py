"""Prevention cases on the household's staff page (open, link the mediation case, record the
outcome) and the list of open cases. Specialists and social workers, like mediation cases
(DESIGN.md §1); admins and landlords get 403."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import staff_required
from portal.core.pagination import page_of
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.households import operations as ops
from portal.households.backoffice.common import READERS, _household, _render_detail, bp
from portal.households.forms import PreventionLinkForm, PreventionOpenForm, PreventionOutcomeForm
from portal.households.models import Household
from portal.households.prevention import PreventionCase

ANCHOR = "prevention"


def _case(household: Household, case_id: int) -> PreventionCase:
    case = db.session.get(PreventionCase, case_id)
    if case is None or case.household_id != household.id:
        abort(404)
    return case


def _back(household: Household):
    return redirect(url_for(".detail", household_id=household.id, _anchor=ANCHOR))


def _invalid(household_id: int, **posted):
    flash(
        _("Nothing was changed. Please check the marked fields; your input is still here."),
        "error",
    )
    return _render_detail(_household(household_id), **posted)


@bp.route("/prevention")
@staff_required(*READERS)
def prevention_cases():
    page = page_of(ops.open_cases())
    return render_template("backoffice/households/prevention.html", page=page)


@bp.route("/<int:household_id>/prevention", methods=["POST"])
@staff_required(*READERS)
def open_prevention(household_id: int):
    household = _household(household_id)
    form = PreventionOpenForm()
    if not form.validate_on_submit():
        return _invalid(household_id, prevention_open_form=form)
    try:
        ops.open_case(
            household,
            current_user,
            opened_on=form.opened_on.data,
            threat=form.threat.data,
            landlord_name=form.landlord_name.data,
            landlord_address=form.landlord_address.data,
            threat_note=form.threat_note.data,
        )
    except Refused as refusal:
        flash_refusal(refusal, default=_("This was refused. Nothing was changed."))
        return _render_detail(_household(household_id), prevention_open_form=form)
    db.session.commit()
    flash(_("The prevention case is open. The household is not offered to landlords."), "success")
    return _back(household)


@bp.route("/<int:household_id>/prevention/<int:prevention_id>/mediation", methods=["POST"])
@staff_required(*READERS)
def link_prevention(household_id: int, prevention_id: int):
    household = _household(household_id)
    case = _case(household, prevention_id)
    form = PreventionLinkForm()
    form.set_choices(ops.linkable(case))
    if not form.validate_on_submit():
        return _invalid(household_id, prevention_link_form=form)
    chosen = form.mediation_case_id.data
    try:
        ops.link_mediation_case(case, current_user, chosen)
    except Refused as refusal:
        flash_refusal(refusal, default=_("This was refused. Nothing was changed."))
        return _back(household)
    db.session.commit()
    if chosen is None:
        flash(_("The prevention case is no longer linked to a mediation case."), "success")
    else:
        flash(_("The prevention case is linked to the chosen mediation case."), "success")
    return _back(household)


@bp.route("/<int:household_id>/prevention/<int:prevention_id>/outcome", methods=["POST"])
@staff_required(*READERS)
def record_prevention_outcome(household_id: int, prevention_id: int):
    household = _household(household_id)
    case = _case(household, prevention_id)
    form = PreventionOutcomeForm()
    if not form.validate_on_submit():
        return _invalid(household_id, prevention_outcome_form=form)
    try:
        ops.record_outcome(case, current_user, form.outcome.data, form.outcome_on.data)
    except Refused as refusal:
        flash_refusal(refusal, default=_("This was refused. Nothing was changed."))
        return _render_detail(_household(household_id), prevention_outcome_form=form)
    db.session.commit()
    flash(_("The outcome is recorded and the prevention case is closed."), "success")
    return _back(household)
