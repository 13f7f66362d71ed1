"""The pages of the Mietbescheinigung: the landlord checks the filled form on their placement
(confirm with the bank account, or report a correction); staff download the PDF from the
back-office placement page. A placement of another organisation answers 404 for every method."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.accounts.forms import EmptyForm
from portal.accounts.permissions import landlord_required, staff_required
from portal.core.refusals import Refused
from portal.extensions import db
from portal.placements.backoffice.common import CASEWORK
from portal.placements.backoffice.common import bp as staff_bp
from portal.placements.models import Placement
from portal.placements.paperwork import rent_certificate as rc
from portal.placements.views import _own_or_404, bp


class ConfirmForm(FlaskForm):
    iban = StringField(
        _l("IBAN"),
        validators=[InputRequired(), Length(max=42)],
        description=_l("The account the rent is paid to, e.g. DE89 3704 0044 0532 0130 00."),
        render_kw={"autocomplete": "off", "maxlength": 42},
    )
    account_holder = StringField(
        _l("Account holder"),
        validators=[InputRequired(), Length(max=200)],
        render_kw={"maxlength": 200},
    )


class CorrectionForm(FlaskForm):
    note = TextAreaField(
        _l("What is wrong?"),
        validators=[InputRequired(), Length(max=2000)],
        description=_l("For example the right service charges. At most 2,000 characters."),
        render_kw={"rows": 4, "maxlength": 2000},
    )


def _certificate_or_404(placement: Placement) -> rc.RentCertificate:
    cert = rc.for_placement(placement)
    if cert is None:
        abort(404)
    return cert


def _render(placement: Placement, cert, confirm_form=None, correction_form=None, status=200):
    return (
        render_template(
            "placements/rent_certificate.html",
            placement_key=placement.public_key,
            flat_label=placement.flat.address_line,
            cert=cert,
            rows=rc.rows(cert),
            bank_rows=rc.bank_rows(cert),
            confirm_form=confirm_form or ConfirmForm(prefix="confirm", formdata=None),
            correction_form=correction_form or CorrectionForm(prefix="correct", formdata=None),
        ),
        status,
    )


def _done(placement: Placement):
    return redirect(url_for("placements.rent_certificate", placement_key=placement.public_key))


@bp.get("/<placement_key>/rent-certificate")
@landlord_required
def rent_certificate(placement_key: str):
    """The filled Mietbescheinigung for the landlord to check."""
    placement = _own_or_404(placement_key)
    cert = _certificate_or_404(placement)
    db.session.commit()  # a form filled just now for an older placement
    return _render(placement, cert)


@bp.post("/<placement_key>/rent-certificate/confirm")
@landlord_required
def confirm_rent_certificate(placement_key: str):
    placement = _own_or_404(placement_key)
    cert = _certificate_or_404(placement)
    form = ConfirmForm(prefix="confirm")
    if not form.validate_on_submit():
        return _render(placement, cert, confirm_form=form, status=400)
    try:
        rc.confirm(cert, current_user, form.iban.data, form.account_holder.data)
    except Refused as refusal:
        db.session.rollback()
        cert = _certificate_or_404(placement)
        if refusal.code == "iban":
            form.iban.errors = [str(refusal.message)]
        elif refusal.code == "holder":
            form.account_holder.errors = [str(refusal.message)]
        else:
            flash(str(refusal.message), "error")
            return _done(placement)
        return _render(placement, cert, confirm_form=form, status=400)
    db.session.commit()
    flash(_("Thank you! You have confirmed the Mietbescheinigung."), "success")
    return _done(placement)


@bp.post("/<placement_key>/rent-certificate/correct")
@landlord_required
def correct_rent_certificate(placement_key: str):
    placement = _own_or_404(placement_key)
    cert = _certificate_or_404(placement)
    form = CorrectionForm(prefix="correct")
    if not form.validate_on_submit():
        return _render(placement, cert, correction_form=form, status=400)
    try:
        rc.request_correction(cert, current_user, form.note.data)
    except Refused as refusal:
        db.session.rollback()
        if refusal.code == "note":
            form.note.errors = [str(refusal.message)]
            return _render(
                placement, _certificate_or_404(placement), correction_form=form, status=400
            )
        flash(str(refusal.message), "error")
        return _done(placement)
    db.session.commit()
    flash(_("Thank you! The Kümmerer team corrects the figures and asks you again."), "success")
    return _done(placement)


@staff_bp.post("/<int:placement_id>/rent-certificate/refill")
@staff_required(*CASEWORK)
def refill_rent_certificate(placement_id: int):
    """Fill the form anew from the flat (after the landlord reported a correction and staff
    corrected the flat): the landlord is asked to check it again."""
    placement = db.get_or_404(Placement, placement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not rc.has_offer(placement):
        abort(404)
    rc.prepare(placement, current_user)
    db.session.commit()
    flash(_("The Mietbescheinigung is filled anew; the landlord is asked to check it."), "success")
    return redirect(
        url_for(
            "placements_backoffice.detail", placement_id=placement.id, _anchor="rent-certificate"
        )
    )


@staff_bp.get("/<int:placement_id>/rent-certificate.pdf")
@staff_required(*CASEWORK)
def rent_certificate_pdf(placement_id: int):
    """The Mietbescheinigung as a PDF for the Jobcenter."""
    placement = db.get_or_404(Placement, placement_id)
    cert = _certificate_or_404(placement)
    db.session.commit()
    return Response(
        rc.pdf_bytes(cert),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="mietbescheinigung-{placement.household.code}.pdf"'
            ),
            "Cache-Control": "no-store",
        },
    )
