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
    send_file,
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
from portal.listings.forms import FlatForm, PhotoEditForm, PhotoUploadForm
from portal.listings.models import District, Flat, Photo
from portal.listings.photos import MAX_BYTES
from portal.listings.presenters import TEMPLATE_HELPERS, flat_facts

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


def _districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.position)))


def _own_flat(flat_key: str) -> Flat:
    """The landlord's own flat by its public key (landlord URLs carry no sequential id)."""
    return get_owned_or_404(Flat, flat_key, current_user)


def _own_photo(flat: Flat, photo_key: str) -> Photo:
    photo = get_by_key(Photo, photo_key)
    if photo is None or photo.flat_id != flat.id:
        abort(404)
    return photo


def _save(form: FlatForm, flat: Flat | None):
    """Validate and save the form; submit when asked and complete. Returns a response, or None
    to re-render the form with its errors."""
    if not form.validate():
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
        return None
    submit = form.action.data == "submit"
    if submit and not current_user.is_verified:
        flash(
            _(
                "Please confirm your e-mail address first: use the link we sent you. Your flat "
                "is saved as a draft."
            ),
            "warning",
        )
        submit = False
        complete = True
    else:
        complete = form.check_complete() if submit else True
    try:
        if flat is None:
            flat = ops.create_flat(current_user, form.data)
        else:
            ops.update_flat(flat, current_user, form.data)
    except Refused:  # the form checks the same rules; this is the last line
        db.session.rollback()
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
        return None
    if submit and complete:
        try:
            ops.submit_flat(flat, current_user)
        except Refused:  # incomplete as stored (e.g. a description of spaces only)
            complete = False
        else:
            db.session.commit()
            flash(_("Thank you! Your flat was sent to the Kümmerer team for review."), "success")
            return redirect(url_for("listings.show", flat_key=flat.public_key))
    db.session.commit()
    if submit:
        flash(
            _(
                "Your flat is saved as a draft. A few details are still missing before you can "
                "submit it; they are marked below."
            ),
            "warning",
        )
        return render_template(
            "listings/form.html",
            form=form,
            flat=flat,
            upload_form=PhotoUploadForm(formdata=None),
            photo_form=PhotoEditForm(formdata=None),
        ), 200
    if flat.changes_in_review:
        flash(
            _(
                "Saved. Your changes wait for the team's review; until then the flat is offered "
                "as approved."
            ),
            "success",
        )
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("listings.edit", flat_key=flat.public_key))


@bp.route("/new", methods=["GET", "POST"])
@landlord_required
def create():
    form = FlatForm(districts=_districts(), is_new_listing=True)
    if request.method == "POST":
        response = _save(form, None)
        if response is not None:
            return response
    return render_template("listings/form.html", form=form, flat=None)


@bp.route("/<flat_key>/edit", methods=["GET", "POST"])
@landlord_required
def edit(flat_key: str):
    flat = _own_flat(flat_key)
    if not flat.can_edit(current_user):
        flash(
            _("This flat cannot be changed in its current state. Please contact the team."),
            "warning",
        )
        return redirect(url_for("listings.show", flat_key=flat.public_key))
    form = FlatForm(
        data=ops.form_values(flat), districts=_districts(), is_new_listing=flat.published_at is None
    )
    if request.method == "POST":
        response = _save(form, flat)
        if response is not None:
            return response
    return render_template(
        "listings/form.html",
        form=form,
        flat=flat,
        upload_form=PhotoUploadForm(formdata=None),
        photo_form=PhotoEditForm(formdata=None),
    )


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
    except Refused as exc:
        flash_refusal(exc)
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
        return redirect(url_for("listings.edit", flat_key=flat.public_key, _anchor="flat-photos"))
    added, refused = ops.add_photos(flat, current_user, [(f.filename, f.stream) for f in files])
    db.session.commit()
    messages = [
        _(
            "%(name)s: %(reason)s",
            name=name,
            reason=_("A flat can have at most 20 photos.") if reason == "limit" else reason,
        )
        for name, reason in refused
    ]
    if wants_json:
        return jsonify(added=len(added), refused=messages)
    if added:
        flash(_("%(n)d photo(s) added.", n=len(added)), "success")
    for message in messages:
        flash(message, "error")
    return redirect(url_for("listings.edit", flat_key=flat.public_key, _anchor="flat-photos"))


def _photo_action(flat_key: str, photo_key: str, operation, *args):
    flat = _own_flat(flat_key)
    photo = _own_photo(flat, photo_key)
    if not flat.can_edit(current_user):
        abort(409)
    operation(photo, current_user, *args)
    db.session.commit()
    return redirect(url_for("listings.edit", flat_key=flat.public_key, _anchor="flat-photos"))


@bp.route("/<flat_key>/photos/<photo_key>/caption", methods=["POST"])
@landlord_required
def photo_caption(flat_key: str, photo_key: str):
    form = PhotoEditForm()
    if not form.validate_on_submit():
        _own_photo(_own_flat(flat_key), photo_key)
        flash(_("The caption can have at most 200 characters."), "error")
        return redirect(url_for("listings.edit", flat_key=flat_key, _anchor="flat-photos"))
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
    try:
        path = storage.path_for(photo.file_name(width))
    except ValueError:
        abort(404)
    if not path.exists():
        abort(404)
    # Checked above, before the conditional answer: a 304 only for who may still see the photo.
    response = send_file(
        path, mimetype=f"image/{photo.extension}", max_age=None, conditional=True, etag=True
    )
    # Only the user's own browser may keep it, and it asks again before every use (a cheap 304
    # while nothing changed): a deleted photo, a flat no longer shared or a logged-out user
    # shows nothing from the cache of a shared computer (issue 13, item 10).
    response.headers["Cache-Control"] = PHOTO_CACHE_CONTROL
    response.headers.pop("Expires", None)
    return response
