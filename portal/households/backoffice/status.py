"""A social worker's status moves of a household."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import Role
from portal.accounts.permissions import staff_required
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.households import operations as ops
from portal.households.backoffice.common import _household, _render_detail, bp
from portal.households.forms import StatusForm
from portal.households.labels import status_label
from portal.households.models import SOCIAL_WORKER, HouseholdStatus

# Status -----------------------------------------------------------------------------------------


def _cannot_move(previous: str, to: HouseholdStatus) -> str:
    """What a refused move without words of its own says: the move itself was not possible."""
    if previous == HouseholdStatus.WITHDRAWN:
        return _("The profile was withdrawn; its status cannot change any more.")
    return _(
        "The status cannot change from “%(previous)s” to “%(to)s”.",
        previous=status_label(previous),
        to=status_label(to.value),
    )


DONE = {
    HouseholdStatus.VETTED: lambda: _("The profile is vetted. Landlords see it now."),
    HouseholdStatus.PAUSED: lambda: _("The profile is paused. Landlords no longer see it."),
    HouseholdStatus.HOUSED: lambda: _("The household is marked as housed."),
    HouseholdStatus.WITHDRAWN: lambda: _("The profile is withdrawn. Landlords no longer see it."),
}


@bp.route("/<int:household_id>/status", methods=["POST"])
@staff_required(Role.SOCIAL_WORKER)
def change_status(household_id: int):
    household = _household(household_id)
    form = StatusForm()
    form.validate_on_submit()
    # Only the exit fields are the user's to correct; anything else is a forged request.
    if not form.is_submitted() or set(form.errors) - {"exit_destination", "exit_on"}:
        abort(400)
    to = HouseholdStatus(form.to.data)
    previous = household.status
    asks_exit = (
        to == HouseholdStatus.WITHDRAWN
        and household.exit_on is None
        and household.can_move(to, SOCIAL_WORKER)
    )
    if asks_exit and not form.check_exit(household.intake_on):
        flash(
            _("The profile was not withdrawn. Please say where the household went."),
            "error",
        )
        return _render_detail(household, status_form=form)
    checklist = tuple(request.form.getlist("checklist"))
    try:
        if to == HouseholdStatus.VETTED:
            ops.vet(household, current_user, request.form.getlist("confirm_hit"), checklist)
        elif asks_exit:
            ops.change_status(
                household, current_user, to, form.exit_destination.data, form.exit_on.data
            )
        else:
            ops.change_status(household, current_user, to)
    except Refused as refusal:
        flash_refusal(refusal, default=_cannot_move(previous, to))
        if refusal.code == "checklist incomplete":  # shown again with what was ticked
            return _render_detail(
                household,
                checklist_ticked=checklist,
                confirmed_keys=tuple(request.form.getlist("confirm_hit")),
            )
        if refusal.code == ops.TEXT_HITS:
            return redirect(url_for(".detail", household_id=household.id, _anchor="text-check"))
    else:
        db.session.commit()
        flash(DONE[to](), "success")
    return redirect(url_for(".detail", household_id=household.id))
