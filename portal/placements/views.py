"""Landlord routes of placements: their placements, accept or decline, propose viewing slots.

Templates here receive ``LandlordPlacement`` objects only (placements/presenters.py), never a
``Placement``, whose household leads to the identity and the consents. A placement of another
organisation's flat answers 404, for every method, like a key that does not exist. Placements
and flats are named by their public keys here, never by their sequential ids.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.accounts.forms import EmptyForm
from portal.accounts.permissions import landlord_required
from portal.extensions import db
from portal.placements import operations as ops
from portal.placements.forms import StepMailsForm, ViewingSlotsForm
from portal.placements.models import LANDLORD, Action, Placement
from portal.placements.presenters import (
    SUGGEST_TIMES_STATES,
    landlord_placements,
    own_placement,
    present,
)

bp = Blueprint("placements", __name__, url_prefix="/placements")

# Why a step was refused (PlacementError.code); the fallback covers the rest.
REFUSED = {
    "state": _l(
        "This is no longer possible: the placement has moved on in the meantime. Nothing was "
        "changed; you see its current state below."
    ),
    "flat_taken": _l(
        "Your flat is no longer free for this household: it has been reserved for another "
        "placement in the meantime, or it is not offered at the moment. Nothing was changed."
    ),
    "household_taken": _l(
        "The household is no longer available for this flat. Nothing was changed; the "
        "Kümmerer team will contact you."
    ),
    "busy": _l(
        "Someone changed this placement at the same moment. Nothing was changed; please try again."
    ),
}
REFUSED_OTHER = _l("This is not possible at the moment. Nothing was changed.")
DONE = {
    Action.ACCEPT: _l(
        "Thank you! You have agreed to meet household %(code)s. The Kümmerer team arranges the "
        "viewing and tells you the date."
    ),
    Action.DECLINE: _l(
        "You have declined household %(code)s for this flat. Thank you for telling us; your "
        "flat stays offered."
    ),
}


def _own_or_404(placement_key: str) -> Placement:
    placement = own_placement(current_user.organisation_id, placement_key)
    if placement is None:
        abort(404)
    return placement


def _back(placement: Placement):
    """Back to where the button was: the flat page, the list, or (by default) the placement.
    A keyword, never a URL, so nothing can redirect elsewhere."""
    where = request.form.get("back")
    if where == "flat":
        return redirect(
            url_for("listings.show", flat_key=placement.flat.public_key, _anchor="placements")
        )
    if where == "list":
        return redirect(url_for("placements.index", _anchor=f"placement-{placement.public_key}"))
    return redirect(url_for("placements.show", placement_key=placement.public_key))


def _refused(placement: Placement, exc: ops.PlacementError):
    db.session.rollback()
    flash(str(REFUSED.get(exc.code, REFUSED_OTHER)), "error")
    return _back(placement)


def _render_show(placement: Placement, slots_form: ViewingSlotsForm | None = None):
    return render_template(
        "placements/show.html",
        placement=present([placement])[0],
        slots_form=slots_form or ViewingSlotsForm(formdata=None),
    )


@bp.get("/")
@landlord_required
def index():
    placements = landlord_placements(current_user.organisation_id)
    return render_template(
        "placements/index.html",
        open_placements=[p for p in placements if p.is_open],
        closed_placements=[p for p in placements if not p.is_open],
    )


@bp.get("/<placement_key>")
@landlord_required
def show(placement_key: str):
    return _render_show(_own_or_404(placement_key))


def _step(placement_key: str, action: Action):
    placement = _own_or_404(placement_key)
    if not EmptyForm().validate_on_submit():
        abort(400)
    code = placement.household.code
    try:
        ops.take_step(placement, action, current_user, LANDLORD)
        db.session.commit()
    except ops.PlacementError as exc:
        return _refused(placement, exc)
    flash(str(DONE[action]) % {"code": code}, "success")
    return _back(placement)


@bp.post("/<placement_key>/accept")
@landlord_required
def accept(placement_key: str):
    """The landlord agrees to meet the household: the flat is reserved for this placement."""
    return _step(placement_key, Action.ACCEPT)


@bp.post("/<placement_key>/decline")
@landlord_required
def decline(placement_key: str):
    """The landlord does not want to meet the household: the placement ends, the flat stays
    offered."""
    return _step(placement_key, Action.DECLINE)


@bp.post("/<placement_key>/viewing-times")
@landlord_required
def viewing_times(placement_key: str):
    """The landlord suggests times for the viewing; the team gets them by e-mail."""
    placement = _own_or_404(placement_key)
    if placement.state not in SUGGEST_TIMES_STATES:
        # Refused before the form is read: a page without the form could not show its errors.
        return _refused(placement, ops.PlacementError("state"))
    form = ViewingSlotsForm()
    if not form.validate_on_submit():
        return _render_show(placement, form)
    try:
        ops.propose_viewing_slots(placement, current_user, form.slots.data)
        db.session.commit()
    except ops.PlacementError as exc:
        return _refused(placement, exc)
    flash(
        _("Thank you! The Kümmerer team has your suggested times and will confirm the viewing."),
        "success",
    )
    return _back(placement)


@bp.route("/notifications", methods=["GET", "POST"])
@landlord_required
def notifications():
    """The landlord's own choice: one e-mail per step, or one summary a day."""
    form = StepMailsForm(data={"step_mails": current_user.step_mails})
    if request.method == "POST":
        form = StepMailsForm()
        if form.validate_on_submit():
            ops.choose_step_mails(current_user, form.step_mails.data)
            db.session.commit()
            flash(_("Saved. This is how you hear from us from now on."), "success")
            return redirect(url_for("placements.notifications"))
    return render_template("placements/notifications.html", form=form)
