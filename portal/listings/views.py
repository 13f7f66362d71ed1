"""Landlord routes: the flat form, photos (the flat dashboard: portal.dashboards)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.forms import EmptyForm
from portal.accounts.permissions import (
    get_by_key,
    get_owned_or_404,
    landlord_required,
    login_required,
)
from portal.core import storage
from portal.core.hooks import Hook
from portal.core.refusals import Refused, flash_refusal
from portal.core.security import allow_body
from portal.extensions import db
from portal.listings import operations as ops
from portal.listings import steps
from portal.listings.forms import PhotoEditForm, PhotoUploadForm, field_labels, step_form
from portal.listings.models import District, Flat, Photo
from portal.listings.photos import MAX_BYTES
from portal.listings.presenters import TEMPLATE_HELPERS, flat_facts
from portal.listings.steps import Step
from portal.sites.models import Site, SiteStatus

# Photos are personal to the landlord and staff: private, revalidated at every use.
PHOTO_CACHE_CONTROL = "private, no-cache"

bp = Blueprint("listings", __name__, url_prefix="/flats")


@bp.record_once
def _register_template_helpers(state) -> None:
    # Globals, not a context processor: macros imported without context need them too.
    state.app.jinja_env.globals.update(TEMPLATE_HELPERS)


# Twenty photos of up to 15 MB may come in one request; every other form keeps the app-wide
# MAX_CONTENT_LENGTH. Werkzeug spools uploaded files to disk, not to memory.
allow_body(bp, "listings.upload_photos", ops.MAX_PHOTOS * MAX_BYTES + 1024 * 1024)


def _district_choices() -> dict:
    """The districts a flat may lie in, those of every active site (a landlord organisation
    lists flats in any site), and the names of those sites: the flat form's keywords."""
    rows = db.session.execute(
        select(District, Site.name)
        .join(Site, Site.id == District.site_id)
        .where(Site.status == SiteStatus.ACTIVE.value)
        .order_by(Site.id, District.position)
    ).all()
    return {
        "districts": [district for district, _name in rows],
        "site_names": {district.site_id: name for district, name in rows},
    }


def _own_flat(flat_key: str) -> Flat:
    """The landlord's own flat by its public key (landlord URLs carry no sequential id)."""
    return get_owned_or_404(Flat, flat_key, current_user)


def _own_photo(flat: Flat, photo_key: str) -> Photo:
    photo = get_by_key(Photo, photo_key)
    if photo is None or photo.flat_id != flat.id:
        abort(404)
    return photo


def _step(name: str) -> Step:
    step = steps.BY_NAME.get(name)
    if step is None:
        abort(404)
    return step


def _step_url(flat: Flat, step: Step | None, **kw) -> str:
    if step is None:
        return url_for("listings.show", flat_key=flat.public_key)
    return url_for("listings.edit", flat_key=flat.public_key, step_name=step.name, **kw)


def _target(flat: Flat, step: Step) -> str:
    """Where a saved step goes: the step the landlord chose (``goto``), the same one
    (``save``), or the next one."""
    chosen = steps.BY_NAME.get(request.form.get("goto", ""))
    if chosen is not None:
        return _step_url(flat, chosen)
    if request.form.get("action") == "save":
        return _step_url(flat, step)
    return _step_url(flat, steps.following(step))


def _incomplete(flat: Flat | None) -> set[str]:
    """The steps the progress does not tick: those with something missing for submission."""
    if flat is None:
        return {s.name for s in steps.STEPS}
    missing = {gap.step.name for gap in steps.completeness(ops.form_values(flat))}
    return missing | ({"photos"} if not flat.photos else set()) | {"check"}


def _render_step(step: Step, flat: Flat | None, form):
    return render_template(
        "listings/step.html",
        step=step,
        steps=steps,
        flat=flat,
        form=form,
        incomplete=_incomplete(flat),
    )


def _form_invalid(step: Step, flat: Flat | None, form):
    flash(
        _("Please check the marked fields. Nothing was lost: your input is still here."),
        "error",
    )
    return _render_step(step, flat, form)


@bp.route("/new", methods=["GET", "POST"])
@landlord_required
def create():
    """The first step of a new flat; saving it makes the draft (so photos can follow at once)."""
    form = step_form(steps.FIRST, **_district_choices(), is_new_listing=True)
    if request.method == "POST":
        if not form.validate():
            return _form_invalid(steps.FIRST, None, form)
        try:
            flat = ops.create_flat(current_user, form.data)
        except Refused as refusal:
            flash_refusal(refusal)
            return _render_step(steps.FIRST, None, form)
        db.session.commit()
        flash(_("Saved. Your flat is kept as a draft; you can finish it at any time."), "success")
        return redirect(_target(flat, steps.FIRST))
    return _render_step(steps.FIRST, None, form)


@bp.route("/<flat_key>/edit", methods=["GET", "POST"])
@bp.route("/<flat_key>/edit/<step_name>", methods=["GET", "POST"])
@landlord_required
def edit(flat_key: str, step_name: str = steps.FIRST.name):
    """One step of the flat form; each saves its own fields at once (a draft changes, a
    published flat's material changes wait for review: ops.update_flat)."""
    flat = _own_flat(flat_key)
    step = _step(step_name)
    if not flat.can_edit(current_user):
        flash(
            _("This flat cannot be changed in its current state. Please contact the team."),
            "warning",
        )
        return redirect(url_for("listings.show", flat_key=flat.public_key))
    if not step.fields:
        if request.method == "POST":
            abort(405)
        return _render_extra_step(step, flat)
    form = step_form(
        step,
        data=ops.form_values(flat),
        **_district_choices(),
        is_new_listing=flat.published_at is None,
    )
    if request.method == "POST":
        if not form.validate():
            return _form_invalid(step, flat, form)
        try:
            ops.update_flat(flat, current_user, form.data)
        except Refused as refusal:
            flash_refusal(refusal)
            return _render_step(step, flat, form)
        db.session.commit()
        if flat.changes_in_review:
            flash(
                _(
                    "Saved. Your changes wait for the team's review; until then the flat is "
                    "offered as approved."
                ),
                "success",
            )
        else:
            flash(_("Saved."), "success")
        return redirect(_target(flat, step))
    if request.args.get("missing"):
        form.check_complete()
    return _render_step(step, flat, form)


def _render_extra_step(step: Step, flat: Flat):
    """The steps without fields of their own: the photos, and the check before submitting
    (the flat as the team and matched households see it, with what is still missing)."""
    if step.name == "photos":
        return render_template(
            "listings/step_photos.html",
            step=step,
            steps=steps,
            flat=flat,
            upload_form=PhotoUploadForm(formdata=None),
            incomplete=_incomplete(flat),
        )
    return render_template(
        "listings/step_check.html",
        step=step,
        steps=steps,
        flat=flat,
        facts=flat_facts(flat),
        gaps=steps.completeness(ops.form_values(flat)),
        labels=field_labels(),
        form=EmptyForm(),
        incomplete=_incomplete(flat),
    )


@bp.route("/<flat_key>/submit", methods=["POST"])
@landlord_required
def submit(flat_key: str):
    """Send the flat to the team; the operation refuses an incomplete one (or an unconfirmed
    e-mail address) and the landlord is back at the check with the list of what is missing."""
    flat = _own_flat(flat_key)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        ops.submit_flat(flat, current_user)
    except Refused as refusal:
        flash_refusal(refusal, "warning")
        return redirect(_step_url(flat, steps.BY_NAME["check"]))
    db.session.commit()
    flash(_("Thank you! Your flat was sent to the Kümmerer team for review."), "success")
    return redirect(url_for("listings.show", flat_key=flat.public_key))


# What higher floors show on the landlord's page of a flat: its placements (placements.sections).
FLAT_PAGE = Hook("the landlord's page of a flat", provides=frozenset({"placements"}))


@bp.route("/<flat_key>")
@landlord_required
def show(flat_key: str):
    flat = _own_flat(flat_key)
    return render_template(
        "listings/show.html",
        flat=flat,
        facts=flat_facts(flat),
        **FLAT_PAGE.sections(flat, organisation_id=current_user.organisation_id),
    )


def _flat_action(flat_key: str, operation, message: str, target: str = "listings.show"):
    flat = _own_flat(flat_key)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = operation(flat, current_user)
    except Refused as refusal:
        flash_refusal(refusal)
        return redirect(url_for("listings.show", flat_key=flat.public_key))
    db.session.commit()
    flash(message, "success")
    if target == "listings.dashboard":
        return redirect(url_for(target))
    return redirect(url_for(target, flat_key=getattr(result, "public_key", flat.public_key)))


@bp.route("/<flat_key>/withdraw", methods=["POST"])
@landlord_required
def withdraw(flat_key: str):
    return _flat_action(flat_key, ops.withdraw_flat, _("The flat was withdrawn."))


@bp.route("/<flat_key>/relist", methods=["POST"])
@landlord_required
def relist(flat_key: str):
    return _flat_action(flat_key, ops.relist_flat, _("The flat is a draft again."))


@bp.route("/<flat_key>/duplicate", methods=["POST"])
@landlord_required
def duplicate(flat_key: str):
    return _flat_action(
        flat_key,
        ops.duplicate_flat,
        _("A copy was made. Please check the address and the details."),
        target="listings.edit",
    )


@bp.route("/<flat_key>/delete", methods=["POST"])
@landlord_required
def delete(flat_key: str):
    return _flat_action(
        flat_key, ops.delete_flat, _("The draft was deleted."), target="listings.dashboard"
    )


# Photos -----------------------------------------------------------------------------------------


@bp.route("/<flat_key>/photos", methods=["POST"])
@landlord_required
def upload_photos(flat_key: str):
    flat = _own_flat(flat_key)
    wants_json = request.accept_mimetypes.best == "application/json"
    if not flat.can_edit(current_user):
        abort(409)
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    if not files:
        if wants_json:
            return jsonify(added=0, refused=[]), 400
        flash(_("Please choose at least one photo."), "error")
        return redirect(url_for("listings.edit", flat_key=flat.public_key, step_name="photos"))
    added, refused = ops.add_photos(flat, current_user, [(f.filename, f.stream) for f in files])
    db.session.commit()
    messages = [
        _(
            "%(name)s: %(reason)s",
            name=name,
            reason=refusal.message,
        )
        for name, refusal in refused
    ]
    if wants_json:
        return jsonify(added=len(added), refused=messages)
    if added:
        flash(_("%(n)d photo(s) added.", n=len(added)), "success")
    for message in messages:
        flash(message, "error")
    return redirect(url_for("listings.edit", flat_key=flat.public_key, step_name="photos"))


def _photo_action(flat_key: str, photo_key: str, operation, *args):
    flat = _own_flat(flat_key)
    photo = _own_photo(flat, photo_key)
    if not flat.can_edit(current_user):
        abort(409)
    operation(photo, current_user, *args)
    db.session.commit()
    return redirect(url_for("listings.edit", flat_key=flat.public_key, step_name="photos"))


@bp.route("/<flat_key>/photos/<photo_key>/caption", methods=["POST"])
@landlord_required
def photo_caption(flat_key: str, photo_key: str):
    form = PhotoEditForm()
    if not form.validate_on_submit():
        _own_photo(_own_flat(flat_key), photo_key)
        flash(_("The caption can have at most 200 characters."), "error")
        return redirect(url_for("listings.edit", flat_key=flat_key, step_name="photos"))
    return _photo_action(flat_key, photo_key, ops.update_photo, form.caption.data)


@bp.route("/<flat_key>/photos/<photo_key>/cover", methods=["POST"])
@landlord_required
def photo_cover(flat_key: str, photo_key: str):
    return _photo_action(flat_key, photo_key, ops.set_cover)


@bp.route("/<flat_key>/photos/<photo_key>/move/<direction>", methods=["POST"])
@landlord_required
def photo_move(flat_key: str, photo_key: str, direction: str):
    if direction not in ("up", "down"):
        abort(404)
    return _photo_action(flat_key, photo_key, ops.move_photo, -1 if direction == "up" else 1)


@bp.route("/<flat_key>/photos/<photo_key>/delete", methods=["POST"])
@landlord_required
def photo_delete(flat_key: str, photo_key: str):
    return _photo_action(flat_key, photo_key, ops.delete_photo)


@bp.route("/<flat_key>/photos/<photo_key>/<int:width>.<ext>")
@login_required
def photo_file(flat_key: str, photo_key: str, width: int, ext: str):
    """The image itself, for the owning organisation and for staff who work with flats."""
    flat = get_by_key(Flat, flat_key)
    if flat is None or not flat.can_view(current_user):
        abort(404)
    photo = _own_photo(flat, photo_key)
    if width not in photo.width_list or ext != photo.extension:
        abort(404)
    # Checked above, before the conditional answer: a 304 only for who may still see the photo.
    # Streamed from the storage (folder or private bucket), never a redirect to it.
    try:
        response = storage.send(photo.file_name(width), mimetype=f"image/{photo.extension}")
    except ValueError:
        abort(404)
    if response is None:
        abort(404)
    # Only the user's own browser may keep it, and it asks again before every use (a cheap 304
    # while nothing changed): a deleted photo, a flat no longer shared or a logged-out user
    # shows nothing from the cache of a shared computer (issue 13, item 10).
    response.headers["Cache-Control"] = PHOTO_CACHE_CONTROL
    response.headers.pop("Expires", None)
    return response
