"""Routes of the second factor: the code step of the login (enrolment for staff at their first
login), and the security page (recovery codes; landlords switch TOTP on and off there).

Every route that takes a code shares two rate limits, per user and per IP address, like the
password step of the login. Pages that show a secret or recovery codes are never cached.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal.accounts import operations as ops
from portal.accounts import twofactor as tf
from portal.accounts.forms import EmptyForm, LoginCodeForm, TotpCodeForm
from portal.accounts.models import User
from portal.accounts.permissions import login_required
from portal.accounts.sessions import (
    drop_pending,
    home_for,
    pending_next,
    pending_user,
    pending_user_id,
    start_session,
)
from portal.core.errors import error_page
from portal.core.refusals import Refused
from portal.core.security import no_store
from portal.extensions import db, limiter

bp = Blueprint("twofactor", __name__, url_prefix="/account")


def _code_user_key() -> str:
    uid = current_user.id if current_user.is_authenticated else pending_user_id()
    return f"2fa-user:{uid}" if uid is not None else f"2fa-anonymous:{get_remote_address()}"


def _refused(response) -> bool:
    """Only refused codes count against the per-user limit."""
    return not g.get("code_accepted", False)


code_limit_per_user = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_TWOFACTOR_ACCOUNT"],
    scope="2fa-account",
    key_func=_code_user_key,
    methods=["POST"],
    deduct_when=_refused,
)
code_limit_per_ip = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_TWOFACTOR_IP"], scope="2fa-ip", methods=["POST"]
)


# Secrets, QR codes and recovery codes: also for the half-logged-in, whom the general no-store
# rule (for logged-in users, core/security.py) does not cover.
bp.after_request(no_store)


def _refusal(exc: Refused) -> str:
    """The words beside the code field: a refused code is wrong unless it was used already."""
    return str(exc.message if exc.code == "reused" else tf.REFUSALS["wrong"])


def _enrol_page(user: User, secret: str, form: TotpCodeForm, *, at_login: bool):
    uri = tf.provisioning_uri(user, secret)
    return render_template(
        "accounts/two_factor_enrol.html",
        form=form,
        qr=tf.qr_svg(uri, _("QR code for your authenticator app")),
        secret=tf.format_secret(secret),
        at_login=at_login,
        action=url_for("twofactor.login_code" if at_login else "twofactor.enable"),
    )


def _recovery_codes_page(codes: list[str], continue_url: str):
    # Shown in the answer to the POST itself and nowhere else: the clear codes are never
    # stored, not even in the session.
    g.code_accepted = True
    return render_template("accounts/recovery_codes.html", codes=codes, continue_url=continue_url)


def _enrolment(user: User, *, at_login: bool, finish: Callable[[], str]):
    """The enrolment page and its form. Once a right code confirms the app, ``finish()`` starts
    the session and returns where the recovery codes page continues to."""
    secret = tf.start_enrolment(user)
    db.session.commit()
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            codes = tf.confirm_enrolment(user, form.code.data)
        except Refused as exc:
            db.session.commit()  # the audit event of the failure
            form.code.errors.append(_refusal(exc))
        else:
            return _recovery_codes_page(codes, finish())
    return _enrol_page(user, secret, form, at_login=at_login)


def _complete_login(user: User, method: str) -> str:
    """Log ``user`` in once their code is accepted; returns where they were going."""
    ops.complete_login(user, second_factor=method)
    db.session.commit()
    g.code_accepted = True
    next_path = pending_next()
    start_session(user, second_factor_done=True)
    return next_path or home_for(user)


# The code step of the login ----------------------------------------------------------------------


@bp.route("/login/code", methods=["GET", "POST"])
@code_limit_per_ip
@code_limit_per_user
def login_code():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    user = pending_user()
    if user is None:
        drop_pending()
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login"))
    if not user.has_two_factor:
        # Staff without an authenticator set one up now; nothing else opens before that.
        return _enrolment(user, at_login=True, finish=lambda: _complete_login(user, "totp"))
    form = LoginCodeForm()
    if form.validate_on_submit():
        try:
            result = tf.check_code(user, form.code.data, purpose="login")
        except Refused as exc:
            db.session.commit()  # the audit event of the failure
            form.code.errors.append(_refusal(exc))
            return render_template("accounts/two_factor_code.html", form=form)
        target = _complete_login(user, result.method)
        if result.method == "recovery":
            flash(
                _(
                    "You used a recovery code; %(n)d are left. Make new ones on your security "
                    "page if you run short.",
                    n=result.recovery_left or 0,
                ),
                "warning",
            )
        if user.must_change_password:
            flash(_("Please choose your own password before you go on."), "info")
            return redirect(url_for("accounts.change_password"))
        return redirect(target)
    return render_template("accounts/two_factor_code.html", form=form)


# The security page --------------------------------------------------------------------------------


def _security_page(regen_form=None, disable_form=None):
    user: User = current_user._get_current_object()
    return render_template(
        "accounts/security.html",
        codes_left=tf.recovery_codes_left(user) if user.has_two_factor else 0,
        regen_form=regen_form or TotpCodeForm(prefix="regen", formdata=None),
        disable_form=disable_form or LoginCodeForm(prefix="disable", formdata=None),
    )


@bp.route("/security")
@login_required
def security():
    return _security_page()


@bp.route("/security/recovery-codes", methods=["POST"])
@login_required
@code_limit_per_ip
@code_limit_per_user
def regenerate_recovery_codes():
    user: User = current_user._get_current_object()
    form = TotpCodeForm(prefix="regen")
    if not user.has_two_factor:
        return redirect(url_for("twofactor.security"))
    if form.validate_on_submit():
        try:
            codes = tf.regenerate_recovery_codes(user, form.code.data)
        except Refused as exc:
            db.session.commit()
            form.code.errors.append(_refusal(exc))
            return _security_page(regen_form=form)
        db.session.commit()
        return _recovery_codes_page(codes, url_for("twofactor.security"))
    return _security_page(regen_form=form)


@bp.route("/security/enable", methods=["GET", "POST"])
@login_required
@code_limit_per_ip
@code_limit_per_user
def enable():
    """A landlord switches the second factor on (staff have it already)."""
    user: User = current_user._get_current_object()
    if not user.is_landlord or user.has_two_factor:
        return redirect(url_for("twofactor.security"))

    def finish() -> str:
        # Sessions elsewhere were opened with the password alone: they end; this one goes on.
        user.end_all_sessions()
        db.session.commit()
        start_session(user, second_factor_done=True)
        return url_for("twofactor.security")

    return _enrolment(user, at_login=False, finish=finish)


@bp.route("/security/disable", methods=["POST"])
@login_required
@code_limit_per_ip
@code_limit_per_user
def disable():
    user: User = current_user._get_current_object()
    form = LoginCodeForm(prefix="disable")
    if not user.has_two_factor:
        return redirect(url_for("twofactor.security"))
    if user.is_staff:
        try:
            tf.disable(user, "")  # refuses staff whatever the code, and audits the attempt
        except Refused:
            db.session.commit()
        return error_page(403, _("Staff accounts must keep their second factor."))
    if form.validate_on_submit():
        try:
            tf.disable(user, form.code.data)
        except Refused as exc:
            db.session.commit()
            form.code.errors.append(_refusal(exc))
            return _security_page(disable_form=form)
        db.session.commit()
        g.code_accepted = True
        flash(_("The second factor is switched off. Your login needs only the password."), "info")
        return redirect(url_for("twofactor.security"))
    return _security_page(disable_form=form)


@bp.route("/security/enable/cancel", methods=["POST"])
@login_required
def cancel_enable():
    """Forget a secret shown but never confirmed (the landlord changed their mind)."""
    user: User = current_user._get_current_object()
    if EmptyForm().validate_on_submit():
        tf.cancel_enrolment(user)
        db.session.commit()
    return redirect(url_for("twofactor.security"))


__all__ = ["bp"]
