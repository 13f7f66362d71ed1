"""Registration and confirmation of the address."""

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
from portal.accounts.forms import (
    ConfirmEmailForm,
    EmptyForm,
    RegistrationForm,
)
from portal.accounts.permissions import login_required
from portal.accounts.sessions import (
    fresh_session,
    home_for,
    start_session,
)
from portal.accounts.views.common import bp, cfg, link_refused
from portal.core.i18n import select_locale
from portal.core.refusals import Refused
from portal.extensions import db, limiter


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(cfg("RATELIMIT_REGISTER"), methods=["POST"], scope="register")
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegistrationForm()
    if form.validate_on_submit():
        ops.register_landlord(
            ops.Registration(
                kind=form.kind.data,
                organisation_name=form.organisation_name.data,
                full_name=form.full_name.data,
                email=form.email.data,
                password=form.password.data,
                phone=form.phone.data,
                locale=select_locale(),
            )
        )
        db.session.commit()
        # The same answer whether or not the address was known.
        return redirect(url_for("accounts.register_done"))
    return render_template("accounts/register.html", form=form)


@bp.route("/register/done")
def register_done():
    return render_template("accounts/register_done.html")


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """Confirm the address and set the password (issue 13.1). Opening the link changes nothing;
    the form does (mail scanners open links too)."""
    try:
        user = ops.user_for_verification(token)
    except Refused as exc:
        return link_refused(exc)
    form = ConfirmEmailForm(email=user.email)
    if form.validate_on_submit():
        try:
            ops.verify_email(token, form.password.data)
        except Refused as exc:
            db.session.rollback()
            if exc.code != "weak_password":
                return link_refused(exc)  # the link expired meanwhile
            form.password.errors.append(str(exc.message))
            return render_template("accounts/verify_email.html", form=form, account=user)
        db.session.commit()
        # Every other session of the account ended; this browser goes on as its owner.
        if user.two_factor_required:  # staff: never logged in without the code
            logout_user()
            fresh_session()
            flash(_("Thank you, your e-mail address is confirmed. Please log in."), "success")
            return redirect(url_for("accounts.login"))
        start_session(user)
        flash(_("Thank you, your e-mail address is confirmed and your password is set."), "success")
        return redirect(home_for(user))
    return render_template("accounts/verify_email.html", form=form, account=user)


@bp.route("/confirm")
@login_required
def confirm_first():
    """Where an account whose address is not confirmed yet is sent from every other page."""
    if current_user.is_verified:
        return redirect(home_for(current_user))
    return render_template("accounts/confirm_first.html", action_form=EmptyForm())


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit(
    cfg("RATELIMIT_RESET_ACCOUNT"), key_func=lambda: f"user:{current_user.id}", scope="resend"
)
def resend_verification():
    if EmptyForm().validate_on_submit() and not current_user.is_verified:
        ops.send_verification(current_user)
        db.session.commit()
        flash(_("We have sent you a new confirmation link."), "success")
    return redirect(url_for("accounts.confirm_first"))
