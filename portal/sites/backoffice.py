"""The admin page of sites (DESIGN.md §9): an admin manages the sites they belong to: name,
status and texts, the staff who work for each, and new sites (whose first member they become).

Only admins; a site the admin does not belong to answers 404, like any object of another site.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.forms import EmptyForm
from portal.accounts.models import Role, User
from portal.accounts.operations.common import find_user
from portal.accounts.permissions import staff_required
from portal.core.fields import page_arg
from portal.core.pagination import page_of
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.sites import operations as ops
from portal.sites.forms import AddStaffForm, NewSiteForm, SiteForm
from portal.sites.models import Site

bp = Blueprint("sites_backoffice", __name__, url_prefix="/backoffice/sites")

# The form field a refusal of ``ops.create_site`` is about (else the code is the field's name).
FIELD_OF = {"slug_taken": "slug", "prefix_taken": "code_prefix"}


def _own_site_or_404(slug: str) -> Site:
    """The site with ``slug`` if the current admin works for it; 404 otherwise (whether or not
    it exists)."""
    site = next((s for s in current_user.sites if s.slug == slug), None)
    if site is None:
        abort(404)
    return site


@bp.route("/")
@staff_required(Role.ADMIN)
def index():
    sites = list(current_user.sites)
    return render_template(
        "sites/index.html", sites=sites, staff_counts=ops.staff_counts(sites) if sites else {}
    )


@bp.route("/new", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def create():
    form = NewSiteForm()
    if form.validate_on_submit():
        try:
            site = ops.create_site(
                form.slug.data,
                form.name.data,
                form.municipality_key.data,
                form.code_prefix.data,
                form.status.data,
                actor=current_user._get_current_object(),
            )
        except Refused as exc:
            db.session.rollback()
            field = FIELD_OF.get(exc.code, exc.code)
            getattr(form, field, form.name).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The site %(name)s is created; you work for it.", name=site.name), "success")
            return redirect(url_for("sites_backoffice.show", slug=site.slug), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("sites/new.html", form=form), status


def _render_site(site: Site, form: SiteForm, staff_form: AddStaffForm, status: int = 200):
    return render_template(
        "sites/show.html",
        site=site,
        form=form,
        staff_form=staff_form,
        staff=page_of(ops.members(site)),
        action_form=EmptyForm(),
    ), status


@bp.route("/<slug>", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def show(slug: str):
    site = _own_site_or_404(slug)
    form = SiteForm(obj=site)
    if form.validate_on_submit():
        try:
            changed = ops.update_site(site, current_user._get_current_object(), form.payload())
        except Refused as exc:
            db.session.rollback()
            getattr(form, exc.code, form.name).errors.append(exc.message)
        else:
            db.session.commit()
            if changed:
                flash(_("The site's details are saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("sites_backoffice.show", slug=site.slug), 303)
    status = 400 if form.is_submitted() else 200
    return _render_site(site, form, AddStaffForm(formdata=None), status)


@bp.route("/<slug>/staff", methods=["POST"])
@staff_required(Role.ADMIN)
def add_staff(slug: str):
    site = _own_site_or_404(slug)
    staff_form = AddStaffForm()
    if staff_form.validate_on_submit():
        user = find_user(staff_form.email.data)
        if user is None or not user.is_staff:
            staff_form.email.errors.append(_("There is no staff account with this address."))
        else:
            try:
                ops.add_member(site, user, current_user._get_current_object())
            except Refused as exc:
                db.session.rollback()
                staff_form.email.errors.append(exc.message)
            else:
                db.session.commit()
                flash(
                    _("%(name)s now works for %(site)s.", name=user.full_name, site=site.name),
                    "success",
                )
                return redirect(url_for("sites_backoffice.show", slug=site.slug), 303)
    return _render_site(site, SiteForm(obj=site, formdata=None), staff_form, 400)


@bp.route("/<slug>/staff/<int:user_id>/remove", methods=["POST"])
@staff_required(Role.ADMIN)
def remove_staff(slug: str, user_id: int):
    site = _own_site_or_404(slug)
    user = db.get_or_404(User, user_id)
    if not ops.is_member(site, user):
        abort(404)
    try:
        ops.remove_member(site, user, current_user._get_current_object())
    except Refused as exc:
        flash_refusal(exc)
        return _back_to_site(site)
    db.session.commit()
    flash(
        _("%(name)s no longer works for %(site)s.", name=user.full_name, site=site.name),
        "success",
    )
    return _back_to_site(site)


def _back_to_site(site: Site):
    """The site's page at the page of its staff the removal was sent from (its form's URL
    carries ``?page=``); a page emptied by it shows the last one (``page_of``)."""
    number = page_arg()
    return redirect(
        url_for("sites_backoffice.show", slug=site.slug, page=number if number > 1 else None), 303
    )
