"""Routes of the handover record and the Wohnungsgeberbestätigung: staff record the handover,
download both PDFs and record the registration (back office, specialists); the landlord
confirms the move-in on their placement page (another organisation's placement: 404).

Registered on the placements' blueprints; importing this module adds the routes (the app
factory imports it before registering the blueprints)."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import Role
from portal.accounts.permissions import landlord_required, staff_required
from portal.core import clock
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.placements.backoffice.common import CASEWORK
from portal.placements.backoffice.common import bp as staff_bp
from portal.placements.backoffice.page import _load
from portal.placements.paperwork import handover as ops
from portal.placements.paperwork.handover_forms import (
    HandoverForm,
    MoveInConfirmForm,
    RegistrationForm,
)
from portal.placements.paperwork.handover_pdf import handover_pdf, move_in_pdf
from portal.placements.views import _own_or_404
from portal.placements.views import bp as landlord_bp


def _pdf(data: bytes, name: str):
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# Back office --------------------------------------------------------------------------------


def _handover_defaults(placement) -> dict:
    record = ops.handover_of(placement)
    if record is None:
        today = clock.today()
        return {"handed_over_on": placement.keys_handed_over_on or today, "signed_on": today}
    return {
        "handed_over_on": record.handed_over_on,
        "signed_on": record.signed_on,
        "landlord_signed_by": record.landlord_signed_by,
        "tenant_signed_by": record.tenant_signed_by,
        "meters": record.meters,
        "keys": record.keys,
        "rooms": record.rooms,
    }


def _render_paperwork(placement, handover_form=None, registration_form=None, status=200):
    if handover_form is None:
        handover_form = HandoverForm(formdata=None, data=_handover_defaults(placement))
    if registration_form is None:
        registration_form = RegistrationForm(formdata=None, data={"registered_on": clock.today()})
    return (
        render_template(
            "backoffice/placements/paperwork.html",
            placement=placement,
            lease_signed=ops.lease_signed(placement),
            record=ops.handover_of(placement),
            sheet=ops.sheet(placement),
            handover_form=handover_form,
            registration_form=registration_form,
            can_edit=current_user.role == Role.SPECIALIST,
        ),
        status,
    )


@staff_bp.get("/<int:placement_id>/paperwork")
@staff_required(*CASEWORK)
def paperwork(placement_id: int):
    return _render_paperwork(_load(placement_id))


@staff_bp.post("/<int:placement_id>/handover")
@staff_required(Role.SPECIALIST)
def record_handover(placement_id: int):
    placement = _load(placement_id)
    form = HandoverForm()
    if not form.validate_on_submit():
        flash(_("The handover was not saved. Please check the marked fields."), "error")
        return _render_paperwork(placement, handover_form=form, status=400)
    try:
        ops.record_handover(placement, current_user, **form.handover_data())
    except Refused as refusal:
        db.session.rollback()
        flash_refusal(refusal)
        return _render_paperwork(_load(placement_id), handover_form=form, status=refusal.status)
    db.session.commit()
    flash(_("The handover record is saved."), "success")
    return redirect(url_for(".paperwork", placement_id=placement.id))


@staff_bp.post("/<int:placement_id>/registration")
@staff_required(Role.SPECIALIST)
def record_registration(placement_id: int):
    placement = _load(placement_id)
    form = RegistrationForm()
    if not form.validate_on_submit():
        flash(_("The registration was not saved. Please check the marked fields."), "error")
        return _render_paperwork(placement, registration_form=form, status=400)
    try:
        ops.record_registration(placement, current_user, form.registered_on.data)
    except Refused as refusal:
        db.session.rollback()
        flash_refusal(refusal)
        return _render_paperwork(_load(placement_id), registration_form=form, status=refusal.status)
    db.session.commit()
    flash(_("The registration is recorded."), "success")
    return redirect(url_for(".paperwork", placement_id=placement.id))


@staff_bp.get("/<int:placement_id>/handover.pdf")
@staff_required(*CASEWORK)
def handover_download(placement_id: int):
    placement = _load(placement_id)
    record = ops.handover_of(placement)
    if record is None:
        abort(404)
    data = handover_pdf(record, placement.flat.address_line, placement.flat.organisation.name)
    return _pdf(data, f"uebergabeprotokoll-{placement.household.code}.pdf")


@staff_bp.get("/<int:placement_id>/wohnungsgeberbestaetigung.pdf")
@staff_required(*CASEWORK)
def move_in_download(placement_id: int):
    placement = _load(placement_id)
    if not ops.lease_signed(placement):
        abort(404)
    data = move_in_pdf(ops.sheet(placement))
    return _pdf(data, f"wohnungsgeberbestaetigung-{placement.household.code}.pdf")


# Landlord -----------------------------------------------------------------------------------


@landlord_bp.post("/<placement_key>/move-in-confirmation")
@landlord_required
def confirm_move_in(placement_key: str):
    placement = _own_or_404(placement_key)
    form = MoveInConfirmForm()
    here = url_for("placements.show", placement_key=placement.public_key, _anchor="move-in")
    if not form.validate_on_submit():
        abort(400)
    try:
        ops.confirm_move_in(
            placement,
            current_user,
            owner_name=form.owner_name.data or "",
            owner_address=form.owner_address.data or "",
        )
    except Refused as refusal:
        db.session.rollback()
        flash_refusal(refusal)
        return redirect(here)
    db.session.commit()
    flash(_("Thank you! The move-in is confirmed; the household can register."), "success")
    return redirect(here)


@landlord_bp.get("/<placement_key>/handover.pdf")
@landlord_required
def landlord_handover_download(placement_key: str):
    placement = _own_or_404(placement_key)
    record = ops.handover_of(placement)
    if record is None:
        abort(404)
    data = handover_pdf(record, placement.flat.address_line, placement.flat.organisation.name)
    return _pdf(data, "uebergabeprotokoll.pdf")
