"""Staff routes of the listings domain: the review queue, the list of all flats, the review
page, and the rent-limit table."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Role
from portal.accounts.permissions import staff_required
from portal.core.hooks import Hook
from portal.core.pagination import HOME_ROWS, page_of
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.listings import rent_limits, reviews
from portal.listings.forms import ChangesReviewForm, RentLimitCsvForm, RentLimitForm, ReviewForm
from portal.listings.labels import flat_history_label, review_decision_label
from portal.listings.models import District, Flat, FlatStatus, ReviewDecision
from portal.listings.presenters import flat_facts, status_label
from portal.listings.queries import (
    FlatFilter,
    FlatFilterForm,
    changes_queue,
    filtered_flats,
    review_figures,
    review_queue,
)
from portal.listings.rules import limits_in_force
from portal.listings.site_choice import chosen_site, site_arg
from portal.sites.models import Site

bp = Blueprint("listings_backoffice", __name__, url_prefix="/backoffice")

CASEWORK = (Role.SPECIALIST, Role.SOCIAL_WORKER)


@bp.route("/flats/")
@staff_required(*CASEWORK)
def flats():
    # "Affordable for" by each site's own table: the list shows the flats of the user's sites.
    table = [limits_in_force(site_id=site.id) for site in current_user.sites]
    districts = db.session.scalars(select(District).order_by(District.position)).all()
    form = FlatFilterForm(formdata=request.args)
    form.set_choices(districts, table, status_label)
    criteria = FlatFilter.from_form(form)
    page = page_of(filtered_flats(criteria, table))
    waiting, changes_waiting = review_figures()
    return render_template(
        "backoffice/flats.html",
        queue=review_queue(HOME_ROWS),
        waiting=waiting,
        changes_queue=changes_queue(HOME_ROWS),
        changes_waiting=changes_waiting,
        page=page,
        form=form,
    )


# What higher floors show on the flat's page: the households that fit (matching.sections).
FLAT_PAGE = Hook("the staff page of a flat", provides=frozenset({"matches", "in_progress"}))


@bp.route("/flats/<int:flat_id>", methods=["GET", "POST"])
@staff_required(*CASEWORK)
def review(flat_id: int):
    flat = db.session.scalar(
        select(Flat)
        .where(Flat.id == flat_id)
        .options(selectinload(Flat.photos), selectinload(Flat.organisation))
    )
    if flat is None:
        abort(404)
    specialist = current_user.role == Role.SPECIALIST
    can_review = specialist and flat.status == FlatStatus.SUBMITTED
    # A published flat's edits wait beside the approved version until a specialist decides.
    reviews_changes = specialist and not can_review and flat.changes_in_review
    form = ReviewForm() if can_review else ChangesReviewForm() if reviews_changes else None
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            try:
                decision = reviews.decide(
                    flat,
                    current_user,
                    approve=form.decision.data == "publish",
                    comment=form.comment.data,
                    changes_only=bool(reviews_changes),
                )
            except Refused as refusal:
                flash_refusal(refusal)
                return redirect(url_for("listings_backoffice.review", flat_id=flat.id))
            db.session.commit()
            flash(str(DECIDED[decision]), "success")
            return redirect(url_for("listings_backoffice.flats"))
    return render_template(
        "backoffice/flat_review.html",
        flat=flat,
        facts=flat_facts(flat),
        form=form,
        history=reviews.history(flat),
        review_decision_label=review_decision_label,
        flat_history_label=flat_history_label,
        **FLAT_PAGE.sections(flat),
    )


DECIDED = {
    ReviewDecision.CHANGES_APPROVED: _l(
        "The changes are approved and shown now. The landlord has been told."
    ),
    ReviewDecision.CHANGES_RETURNED: _l("The changes were sent back to the landlord."),
    ReviewDecision.PUBLISHED: _l("The flat is published. The landlord has been told."),
    ReviewDecision.CHANGES_REQUESTED: _l("The landlord has been asked for changes."),
}


@bp.route("/rent-limits", methods=["GET", "POST"])
@staff_required()
def rent_limit_table():
    """One site's rent-limit table (``?site=<slug>`` among the user's sites)."""
    site = chosen_site(current_user)
    form = RentLimitForm(prefix="set")
    csv_form = RentLimitCsvForm(prefix="csv")
    if request.method == "POST":
        if current_user.role != Role.ADMIN:
            abort(403)
        if form.validate_on_submit():
            try:
                rent_limits.add_set(
                    current_user,
                    form.valid_from.data,
                    form.source.data,
                    form.amounts(),
                    per_further_person=form.per_further_person.data or None,
                    site_id=site.id,
                )
            except Refused as refusal:
                flash_refusal(refusal)
            else:
                db.session.commit()
                flash(_("The new rent limits are saved."), "success")
                return redirect(_rent_limits_url(site))
    return _render_rent_limits(site, form, csv_form)


@bp.route("/rent-limits/csv", methods=["POST"])
@staff_required(Role.ADMIN)
def rent_limit_csv():
    site = chosen_site(current_user)
    form = RentLimitForm(prefix="set", formdata=None)
    csv_form = RentLimitCsvForm(prefix="csv")
    if csv_form.validate_on_submit() and csv_form.csv_file.data:
        try:
            count = rent_limits.import_csv(
                current_user, csv_form.csv_file.data.read(64 * 1024), site_id=site.id
            )
        except Refused as exc:
            db.session.rollback()
            csv_form.csv_file.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("%(n)d rent limits imported.", n=count), "success")
            return redirect(_rent_limits_url(site))
    elif not csv_form.csv_file.errors:
        csv_form.csv_file.errors = [_("Please choose a CSV file.")]
    return _render_rent_limits(site, form, csv_form), 400


def _rent_limits_url(site: Site) -> str:
    return url_for("listings_backoffice.rent_limit_table", **site_arg(current_user, site))


def _render_rent_limits(site: Site, form: RentLimitForm, csv_form: RentLimitCsvForm):
    return render_template(
        "backoffice/rent_limits.html",
        site=site,
        sites=current_user.sites,
        site_arg=site_arg(current_user, site),
        rows=rent_limits.all_rows(site.id),
        extra_rows=rent_limits.extra_rows(site.id),
        table=limits_in_force(site_id=site.id),
        form=form,
        csv_form=csv_form,
        can_edit=current_user.role == Role.ADMIN,
    )
