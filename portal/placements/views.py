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
from portal.core.pagination import HOME_ROWS, page_of
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.placements import operations as ops
from portal.placements.forms import StepMailsForm, ViewingSlotsForm
from portal.placements.messages import (
    LANDLORD_SIDE,
    MessageForm,
    latest_thread,
    render_conversation,
    shown,
    thread_of,
)
from portal.placements.models import LANDLORD, Action, Placement
from portal.placements.operations import messages as thread_ops
from portal.placements.paperwork import rent_certificate
from portal.placements.paperwork.handover_forms import landlord_move_in
from portal.placements.paperwork.money import landlord_view
from portal.placements.presenters import (
    listed_placements,
    own_placement,
    placement_ids,
    present,
    present_list,
)

bp = Blueprint("placements", __name__, url_prefix="/placements")

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


def _refused(placement: Placement, refusal: Refused):
    """The operation's words (placements/refusals.py), back where the button was."""
    flash_refusal(refusal)
    return _back(placement)


def _render_show(
    placement: Placement,
    slots_form: ViewingSlotsForm | None = None,
    message_form: MessageForm | None = None,
):
    # The newest messages right above the form, with the number of all and a link to the
    # whole conversation (``conversation``): a long one is not loaded whole.
    messages, messages_total = latest_thread(HOME_ROWS, placement_id=placement.id)
    return render_template(
        "placements/show.html",
        placement=present([placement])[0],
        slots_form=slots_form or ViewingSlotsForm(formdata=None),
        messages=shown(messages),
        messages_total=messages_total,
        message_form=message_form or MessageForm(formdata=None),
        thread_side=LANDLORD_SIDE,
        thread_closed=not placement.is_open,
        **landlord_move_in(placement),
        money=landlord_view(placement),
        rent_certificate=rent_certificate.status_of(placement),
    )


@bp.get("/")
@landlord_required
def index():
    organisation_id = current_user.organisation_id
    # One list a page at a time, like every list: the open placements first (what the landlord
    # follows and acts on), then the earlier ones; a page may hold both.
    listed = page_of(placement_ids(organisation_id))
    shown = present_list(listed_placements(organisation_id, list(listed.items)))
    return render_template(
        "placements/index.html",
        open_placements=[p for p in shown if p.is_open],
        closed_placements=[p for p in shown if not p.is_open],
        page=listed,
    )


@bp.get("/<placement_key>")
@landlord_required
def show(placement_key: str):
    return _render_show(_own_or_404(placement_key))


@bp.get("/<placement_key>/conversation")
@landlord_required
def conversation(placement_key: str):
    """The whole conversation with the team about this placement, a page at a time, oldest
    first; the placement page shows the newest messages."""
    placement = _own_or_404(placement_key)
    shown_placement = present([placement])[0]
    return render_conversation(
        thread_of(placement_id=placement.id),
        heading=_("Messages with the Kümmerer team"),
        subject=_("Household %(code)s", code=shown_placement.household_code),
        detail=shown_placement.flat_label,
        back_url=url_for("placements.show", placement_key=shown_placement.key, _anchor="messages"),
    )


def _step(placement_key: str, action: Action):
    placement = _own_or_404(placement_key)
    if not EmptyForm().validate_on_submit():
        abort(400)
    code = placement.household.code
    try:
        ops.take_step(placement, action, current_user, LANDLORD)
        db.session.commit()
    except Refused as refusal:
        return _refused(placement, refusal)
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
    try:
        # Refused before the form is read: a page without the form could not show its errors.
        ops.check_viewing_slots(placement, current_user)
    except Refused as refusal:
        return _refused(placement, refusal)
    form = ViewingSlotsForm()
    if not form.validate_on_submit():
        return _render_show(placement, form)
    try:
        ops.propose_viewing_slots(placement, current_user, form.slots.data)
        db.session.commit()
    except Refused as refusal:
        return _refused(placement, refusal)
    flash(
        _("Thank you! The Kümmerer team has your suggested times and will confirm the viewing."),
        "success",
    )
    return _back(placement)


@bp.post("/<placement_key>/messages")
@landlord_required
def write_message(placement_key: str):
    """A message to the Kümmerer team about this placement; the team hears of it by e-mail."""
    placement = _own_or_404(placement_key)
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_show(placement, message_form=form)
    try:
        thread_ops.landlord_writes(placement, current_user, form.message_body.data)
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _render_show(_own_or_404(placement_key), message_form=form)
    flash(_("Your message is sent. The Kümmerer team answers here."), "success")
    return redirect(
        url_for("placements.show", placement_key=placement.public_key, _anchor="messages")
    )


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


# The paperwork's landlord routes join this blueprint (and the staff PDF the back office's).
from portal.placements.paperwork import rent_certificate_pages  # noqa: E402, F401
