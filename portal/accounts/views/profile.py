"""The profile page and the change of the e-mail address."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import operations as ops
from portal.accounts.forms import (
    ChangeEmailForm,
    EmptyForm,
    InviteForm,
    ProfileForm,
)
from portal.accounts.models import User
from portal.accounts.permissions import login_required
from portal.accounts.views.common import bp, cfg
from portal.core.refusals import Refused
from portal.extensions import db, limiter


@bp.route("/", methods=["GET", "POST"])
@login_required
def profile():
    user: User = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        ops.update_profile(user, form.full_name.data, form.phone.data, form.locale.data)
        db.session.commit()
        session["locale"] = user.locale
        flash(_("Your details are saved."), "success")
        return redirect(url_for("accounts.profile"))
    invite_form = InviteForm(formdata=None) if user.can_invite else None
    return render_template(
        "accounts/profile.html", form=form, invite_form=invite_form, action_form=EmptyForm()
    )


@bp.route("/email", methods=["GET", "POST"])
@login_required
@limiter.limit(
    cfg("RATELIMIT_RESET_ACCOUNT"),
    methods=["POST"],
    key_func=lambda: f"user:{current_user.id}",
    scope="change-email",
)
def change_email():
    """An account not confirmed yet corrects its address; the new one gets a new link."""
    user: User = current_user._get_current_object()
    if user.is_verified:
        flash(
            _("Your e-mail address is confirmed. To change it, please write to the Kümmerer team."),
            "info",
        )
        return redirect(url_for("accounts.profile"))
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            ops.change_unconfirmed_email(user, form.current_password.data, form.email.data)
        except Refused as exc:
            db.session.commit()  # the audit event of the refusal
            field = form.current_password if exc.code == "password" else form.email
            field.errors.append(str(exc.message))
            return render_template("accounts/change_email.html", form=form), 400
        db.session.commit()
        flash(
            _(
                "Your e-mail address is changed to %(email)s. We have sent a new confirmation "
                "link there; earlier links no longer work.",
                email=user.email,
            ),
            "success",
        )
        return redirect(url_for("accounts.confirm_first"))
    return render_template("accounts/change_email.html", form=form)
