"""Recording and withdrawing a household's consent, downloading its scan, and printing the
blank consent form for the household to sign."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.forms import EmptyForm
from portal.accounts.models import Role
from portal.accounts.permissions import staff_required
from portal.extensions import db
from portal.households import operations as ops
from portal.households.backoffice.common import _consent, _household, _render_detail, bp
from portal.households.consent_pdf import consent_form_pdf
from portal.households.forms import ConsentForm

# Consents ---------------------------------------------------------------------------------------


@bp.route("/<int:household_id>/consents", methods=["POST"])
@staff_required(Role.SOCIAL_WORKER)
def record_consent(household_id: int):
    household = _household(household_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("The consent was not recorded. Please check the marked fields."), "error")
        return _render_detail(household, consent_form=form)
    consent = None
    try:
        consent = ops.record_consent(
            household,
            current_user,
            form.given_on.data,
            form.expires_on.data,
            form.scope.data,
            form.checked_document,
            shares_payment_status=form.shares_payment_status.data,
        )
        db.session.commit()
    except Exception:
        stored = consent.document_key if consent is not None else None
        db.session.rollback()
        ops.discard_document(stored)
        raise
    flash(_("The consent is recorded."), "success")
    return redirect(url_for(".detail", household_id=household.id, _anchor="consents"))


@bp.route("/<int:household_id>/consents/<int:consent_id>/withdraw", methods=["POST"])
@staff_required(Role.SOCIAL_WORKER)
def withdraw_consent(household_id: int, consent_id: int):
    household = _household(household_id)
    consent = _consent(household, consent_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if consent.withdrawn_on is not None:
        flash(_("This consent was withdrawn already."), "info")
        return redirect(url_for(".detail", household_id=household.id, _anchor="consents"))
    ops.withdraw_consent(consent, current_user)
    db.session.commit()
    if household.is_visible_to_landlords():
        flash(
            _(
                "The consent is withdrawn. Another consent is still valid, so landlords still "
                "see the profile."
            ),
            "warning",
        )
    else:
        flash(_("The consent is withdrawn. Landlords no longer see the profile."), "success")
    return redirect(url_for(".detail", household_id=household.id, _anchor="consents"))


@bp.route("/<int:household_id>/consents/<int:consent_id>/document")
@staff_required(Role.SOCIAL_WORKER)
def consent_document(household_id: int, consent_id: int):
    """The signed form, for social workers only; always a download, never shown inline."""
    household = _household(household_id)
    consent = _consent(household, consent_id)
    document = ops.open_consent_document(consent, current_user)
    if document is None:
        abort(404)
    db.session.commit()
    response = document.response()
    if response is None:  # removed since it was found
        abort(404)
    return response


@bp.route("/<int:household_id>/consent-form.pdf")
@staff_required(Role.SOCIAL_WORKER)
def consent_form(household_id: int):
    """The blank consent form to print and sign: the household's code, no names. Not audited,
    like the other paperwork downloads: it holds nothing of the household but its code and
    number of adults, and changes nothing."""
    household = _household(household_id)
    response = make_response(consent_form_pdf(household))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="einwilligung-{household.code}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
