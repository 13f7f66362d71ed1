"""Changing the password, and the reset link."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.accounts import operations as ops
from portal.accounts import throttle
from portal.accounts.forms import (
    ChangePasswordForm,
    NewPasswordForm,
    ResetRequestForm,
)
from portal.accounts.permissions import login_required
from portal.accounts.sessions import (
    home_for,
    start_session,
)
from portal.accounts.views.common import bp, cfg, form_email_key, link_refused
from portal.core.i18n import select_locale
from portal.core.refusals import Refused
from portal.extensions import db, limiter


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(email=current_user.email)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            ops.change_password(user, form.current_password.data, form.password.data)
        except Refused as exc:
            db.session.commit()  # keep the audit event of the failed attempt
            field = form.current_password if exc.code == "current" else form.password
            field.errors.append(str(exc.message))
            return render_template("accounts/change_password.html", form=form)
        db.session.commit()
        # This session goes on with the new token (it was made with the second factor, where
        # one is needed); all others end.
        start_session(user, second_factor_done=True)
        flash(_("Your password is changed. You were logged out everywhere else."), "success")
        return redirect(home_for(user))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(cfg("RATELIMIT_RESET_IP"), methods=["POST"], scope="reset-ip")
@limiter.limit(
    cfg("RATELIMIT_RESET_ACCOUNT"),
    methods=["POST"],
    key_func=form_email_key,
    scope="reset-account",
)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        ops.request_password_reset(form.email.data, select_locale())
        db.session.commit()
        return render_template("accounts/reset_sent.html")
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = ops.user_for_reset(token)
    except Refused as exc:
        return link_refused(exc)
    form = NewPasswordForm(email=user.email)
    if form.validate_on_submit():
        ops.reset_password(token, form.password.data)
        db.session.commit()
        throttle.forget(user.email)  # the link proved the address: no wait at the next login
        logout_user()
        flash(_("Your new password is set. Please log in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)
