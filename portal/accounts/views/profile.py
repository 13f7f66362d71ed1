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
from portal.accounts.views.common import bp, cfg, link_refused
from portal.core.pagination import HOME_ROWS
from portal.core.refusals import Refused, flash_refusal
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
    members, members_total = ([], 0)
    if user.organisation_id is not None:
        members, members_total = ops.active_members(user.organisation_id, HOME_ROWS)
    return render_template(
        "accounts/profile.html",
        form=form,
        invite_form=invite_form,
        action_form=EmptyForm(),
        members=members,
        members_total=members_total,
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
    """Change the account's address. Not confirmed yet: the address is corrected at once and the
    new one gets a new confirmation link. Confirmed: a link goes to the new address, a notice
    to the current one; the address changes when the link is followed."""
    user: User = current_user._get_current_object()
    form = ChangeEmailForm()
    if form.validate_on_submit():
        change = ops.request_email_change if user.is_verified else ops.change_unconfirmed_email
        try:
            new = change(user, form.current_password.data, form.email.data)
        except Refused as exc:
            db.session.commit()  # the audit event of the refusal
            field = form.current_password if exc.code == "password" else form.email
            field.errors.append(str(exc.message))
            return render_template("accounts/change_email.html", form=form), 400
        db.session.commit()
        if user.is_verified:
            flash(
                _(
                    "We have sent a link to %(email)s. Your address changes when you follow "
                    "it; until then you log in with your current address.",
                    email=new,
                ),
                "success",
            )
            return redirect(url_for("accounts.profile"))
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


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    """The link sent to the new address. Opening it changes nothing (mail scanners open links
    too); the button does. The signed link is the credential: no login needed."""
    try:
        user, new = ops.email_change_for(token)
    except Refused as exc:
        return link_refused(exc)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            ops.confirm_email_change(token)
        except Refused as exc:
            db.session.commit()  # the audit event of the refusal
            if exc.code in ("invalid", "expired"):
                return link_refused(exc)
            flash_refusal(exc)
            return render_template(
                "accounts/confirm_email_change.html", form=form, new=new, refused=True
            ), exc.status
        db.session.commit()
        flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
        if current_user.is_authenticated and current_user.id == user.id:
            return redirect(url_for("accounts.profile"))
        return redirect(url_for("accounts.login"))
    status = 400 if form.is_submitted() else 200  # a POST without a valid CSRF token
    return render_template("accounts/confirm_email_change.html", form=form, new=new), status
