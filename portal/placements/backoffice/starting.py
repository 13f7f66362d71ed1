"""Starting placements from the matching lists and from landlord interests, and the page of
all of a household's open interests (its staff page shows the newest)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.forms import EmptyForm
from portal.accounts.models import Role
from portal.accounts.permissions import staff_required
from portal.core.pagination import page_of
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.households.models import Household
from portal.listings.models import Flat
from portal.placements import operations as ops
from portal.placements.backoffice.common import CASEWORK, bp
from portal.placements.models import Interest
from portal.placements.queries import open_interests_of


def _back(flat_id: int, household_id: int) -> str:
    if request.form.get("back") == "household":
        return url_for("households_backoffice.detail", household_id=household_id)
    return url_for("listings_backoffice.review", flat_id=flat_id)


@bp.route("/propose/<int:flat_id>/<int:household_id>", methods=["POST"])
@staff_required(Role.SPECIALIST)
def propose(flat_id: int, household_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    flat = db.get_or_404(Flat, flat_id)
    household = db.get_or_404(Household, household_id)
    try:
        placement = ops.propose(flat, household, current_user)
    except Refused as refusal:
        flash_refusal(refusal)
        return redirect(_back(flat_id, household_id))
    db.session.commit()
    flash(
        _(
            "Household %(code)s is proposed. The landlord has been asked to accept or decline.",
            code=household.code,
        ),
        "success",
    )
    return redirect(url_for(".detail", placement_id=placement.id))


@bp.route("/interests/<int:interest_id>/accept", methods=["POST"])
@staff_required(Role.SPECIALIST)
def accept_interest(interest_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    interest = db.get_or_404(Interest, interest_id)
    household_id = interest.household_id
    try:
        placement = ops.accept_interest(interest, current_user)
    except Refused as refusal:
        flash_refusal(refusal)
        return redirect(url_for("households_backoffice.detail", household_id=household_id))
    db.session.commit()
    flash(_("The interest is accepted: the placement is proposed to the landlord."), "success")
    return redirect(url_for(".detail", placement_id=placement.id))


@bp.route("/interests/<int:interest_id>/decline", methods=["POST"])
@staff_required(Role.SPECIALIST)
def decline_interest(interest_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    interest = db.get_or_404(Interest, interest_id)
    household_id = interest.household_id
    try:
        ops.decline_interest(interest, current_user)
    except Refused as refusal:
        flash_refusal(refusal)
    else:
        db.session.commit()
        flash(
            _("The interest is declined. The landlord gets a polite message without reasons."),
            "success",
        )
    return redirect(url_for("households_backoffice.detail", household_id=household_id))


@bp.get("/households/<int:household_id>/interests")
@staff_required(*CASEWORK)
def household_interests(household_id: int):
    """All of a household's open interests, a page at a time, newest first as the household's
    page shows them (which shows the newest ``HOME_ROWS``), with the specialist's decision on
    each. Who reads the household's page reads this; another site's household is not there
    (the site filter): 404."""
    household = db.session.scalar(select(Household).where(Household.id == household_id))
    if household is None:
        abort(404)
    page = page_of(open_interests_of(household.id))
    return render_template(
        "backoffice/placements/household_interests.html",
        household=household,
        page=page,
        interests=page.items,
    )
