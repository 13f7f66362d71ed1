"""Login, logout, and the session's user."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.accounts import operations as ops
from portal.accounts import throttle
from portal.accounts.forms import (
    EmptyForm,
    LoginForm,
)
from portal.accounts.models import User
from portal.accounts.sessions import (
    begin_second_factor,
    fresh_session,
    home_for,
    pending_user,
    start_session,
)
from portal.accounts.views.common import bp, cfg
from portal.core.i18n import clock_time
from portal.core.security import is_safe_path
from portal.extensions import db, limiter, login_manager
from portal.sites import scope as site_scope


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    uid, _sep, token = user_id.partition(":")
    if not uid.isdigit() or not token:
        return None
    with site_scope.reading_the_user():
        user = db.session.get(User, int(uid))
    if user is None or not user.is_active or not user.matches_session(token):
        return None
    if user.two_factor_required and not user.has_two_factor:
        # A staff (or state-level reader) session is only ever started after the second
        # factor; one without it (made before enrolment became mandatory, or after an admin's
        # reset) is not honoured.
        return None
    return user


def _wait_page(wait: throttle.Wait):
    """429 for an account and address that must wait (accounts/throttle.py): when to try
    again, and the way to a new password."""
    response = make_response(
        render_template(
            "accounts/login_wait.html",
            at=clock_time(wait.until),
            within=format_timedelta(timedelta(seconds=wait.seconds), threshold=1),
        ),
        429,
    )
    response.headers["Retry-After"] = str(wait.seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(cfg("RATELIMIT_LOGIN_IP"), methods=["POST"], scope="login-ip")
def login():
    next_path = request.args.get("next")
    if not is_safe_path(next_path):
        next_path = None
    if current_user.is_authenticated:
        return redirect(next_path or home_for(current_user))
    if request.method == "GET" and pending_user() is not None:
        # Password given, code missing (e.g. sent here from a page that needs a login).
        return redirect(url_for("twofactor.login_code"))
    form = LoginForm()
    if form.validate_on_submit():
        wait = throttle.current_wait(form.email.data)
        if wait is not None:
            return _wait_page(wait)  # the password is not even checked
        user = ops.authenticate(form.email.data, form.password.data)
        if user is None:
            throttle.record_failure(form.email.data)
            db.session.commit()  # the audit event of the failure
            flash(_("The e-mail address or the password is not correct."), "error")
            return render_template("accounts/login.html", form=form, next=next_path), 200
        db.session.commit()
        throttle.forget(form.email.data)
        if user.two_factor_required:
            begin_second_factor(user, next_path)
            return redirect(url_for("twofactor.login_code"))
        start_session(user)
        if user.must_change_password:
            flash(_("Please choose your own password before you go on."), "info")
            return redirect(url_for("accounts.change_password"))
        return redirect(next_path or home_for(user))
    return render_template("accounts/login.html", form=form, next=next_path)


@bp.route("/logout", methods=["POST"])
def logout():
    if EmptyForm().validate_on_submit() and current_user.is_authenticated:
        ops.logout(current_user._get_current_object())
        db.session.commit()
    logout_user()
    fresh_session()  # also forgets a login that was waiting for its code
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.landing"))


def enforce_password_change():
    """Staff with a one-time password may do nothing but choose their own."""
    user = current_user._get_current_object()  # the proxy looks the user up on each use
    if (
        user.is_authenticated
        and user.must_change_password
        and request.endpoint
        not in {
            "accounts.change_password",
            "accounts.logout",
            "static",
            "public.set_language",
            "health.healthz",
        }
    ):
        return redirect(url_for("accounts.change_password"))
    return None
