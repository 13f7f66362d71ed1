"""Creating and editing a household's profile, and its ESF participant data."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import Role
from portal.accounts.permissions import staff_required
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.households import operations as ops
from portal.households.backoffice.common import (
    _chosen_districts,
    _districts,
    _household,
    _recorded,
    _sees_case_notes,
    bp,
)
from portal.households.forms import HouseholdForm, initial_data
from portal.households.forms.profile import proposal_hints
from portal.households.labels import hit_reason, missing_fields_label
from portal.households.models import Household
from portal.households.participant_forms import (
    ENTRY_COLUMNS,
    EXIT_COLUMNS,
    ParticipantsForm,
    participant_data,
)
from portal.listings.rules import MAX_HOUSEHOLD_SIZE, limits_in_force
from portal.sites.choice import site_id_of
from portal.sites.models import DEFAULT_SITE_ID
from portal.sites.queries import chosen_site, working_sites

# Create and edit --------------------------------------------------------------------------------


def _refuse_save(form: HouseholdForm, refusal: Refused) -> None:
    """A refused save: the operation's words on the field it points at (the form checks the
    exit first; these answer a change made meanwhile by someone else), else in a flash."""
    field = ops.FIELD_OF_REFUSAL.get(refusal.code)
    if field is None:
        flash_refusal(refusal, default=_("The profile could not be saved. Please try again."))
        return
    db.session.rollback()
    getattr(form, field).errors = [*getattr(form, field).errors, str(refusal.message)]
    if refusal.code == ops.TEXT_HITS:
        form.text_hits = refusal.items
        flash(_("The profile was not saved: please check the marked passages."), "error")
    else:
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )


def _site_id(household: Household | None) -> int:
    """The site whose rent limits the form proposes: the household's; for a new one the first
    site of the staff member (the one it is entered into)."""
    if household is not None:
        return household.site_id
    sites = current_user.sites
    return sites[0].id if sites else DEFAULT_SITE_ID


def _form_page(form: HouseholdForm, household: Household | None, fallback_persons: int):
    persons = form.persons or fallback_persons
    site_id = _site_id(household)
    table = limits_in_force(site_id=site_id)
    form.show_proposal(persons, ops.propose(persons, table=table, site_id=site_id))
    # The hints for every size, so that the page can follow a changed size at once (portal.js);
    # without JavaScript the hint shown is the one for the size last sent.
    hints = {
        n: proposal_hints(n, ops.propose(n, table=table, site_id=site_id))
        for n in range(1, MAX_HOUSEHOLD_SIZE + 1)
    }
    return render_template(
        "backoffice/households/form.html",
        proposal_hints_json=json.dumps(hints, ensure_ascii=False),
        form=form,
        household=household,
        text_hits=getattr(form, "text_hits", []),
        confirmed_keys=request.form.getlist("confirm_hit") if request.method == "POST" else [],
        hit_reason=hit_reason,
    )


@bp.route("/new", methods=["GET", "POST"])
@staff_required(Role.SOCIAL_WORKER)
def create():
    sites = working_sites(current_user)
    if not sites:
        abort(403)  # a staff member of no site starts no work
    form = HouseholdForm(
        districts=_districts(), is_new=True, with_case_notes=_sees_case_notes(), sites=sites
    )
    if form.validate_on_submit():
        try:
            household = ops.create_household(
                current_user,
                form.payload(),
                _chosen_districts(form),
                site=chosen_site(sites, site_id_of(form)),
            )
        except Refused as refusal:
            _refuse_save(form, refusal)
        else:
            db.session.commit()
            flash(_("The profile %(code)s is saved as a draft.", code=household.code), "success")
            return redirect(url_for(".detail", household_id=household.id))
    elif form.is_submitted():
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
    return _form_page(form, None, 1)


@bp.route("/<int:household_id>/edit", methods=["GET", "POST"])
@staff_required(Role.SOCIAL_WORKER)
def edit(household_id: int):
    household = _household(household_id)
    size = household.size
    initial = (
        None
        if request.method == "POST"
        else initial_data(household, ops.propose(size, site_id=household.site_id))
    )
    form = HouseholdForm(
        data=initial, districts=_districts(), is_new=False, with_case_notes=_sees_case_notes()
    )
    if form.validate_on_submit():
        try:
            changed = ops.update_household(
                household,
                current_user,
                form.payload(),
                _chosen_districts(form),
                confirmed=request.form.getlist("confirm_hit"),
            )
        except Refused as refusal:
            _refuse_save(form, refusal)
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for(".detail", household_id=household.id))
    elif form.is_submitted():
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
    return _form_page(form, household, size)


# ESF participant data ---------------------------------------------------------------------------


def _participants_page(household: Household, form: ParticipantsForm):
    return render_template(
        "backoffice/households/participants.html",
        household=household,
        form=form,
        entry_columns=ENTRY_COLUMNS,
        exit_columns=EXIT_COLUMNS,
        recorded=_recorded(household),
        missing=_missing(household),
    )


def _missing(household: Household) -> dict[int, str]:
    """Per position: the words of the stored record's missing entry fields (none: complete)."""
    return {
        p.position: missing_fields_label(p.missing_entry_fields())
        for p in household.participants
        if p.missing_entry_fields()
    }


@bp.route("/<int:household_id>/participants", methods=["GET", "POST"])
@staff_required(Role.SOCIAL_WORKER)
def participants(household_id: int):
    """The ESF participant fields, one row per person (the same rights as the profile form)."""
    household = _household(household_id)
    size = {"adults": household.adults, "children": household.children, "household": household}
    if request.method == "GET":
        form = ParticipantsForm(formdata=None, data=participant_data(household), **size)
        return _participants_page(household, form)
    form = ParticipantsForm(**size)
    if not form.validate_on_submit():
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
        return _participants_page(household, form)
    try:
        changed = ops.save_participants(household, current_user, form.rows())
    except Refused as refusal:
        flash_refusal(
            refusal, default=_("The participant data could not be saved. Please try again.")
        )
        return _participants_page(household, form)  # nothing changed; the input stays
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for(".detail", household_id=household.id, _anchor="reporting"))
