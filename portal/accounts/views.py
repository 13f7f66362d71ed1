"""Routes of the accounts domain: registration, login, passwords, profile, invitations."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from portal.accounts import operations as ops
from portal.accounts import throttle
from portal.accounts.forms import (
    AcceptInvitationForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmEmailForm,
    EmptyForm,
    InviteForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegistrationForm,
    ResetRequestForm,
)
from portal.accounts.models import Role, User, normalise_email
from portal.accounts.permissions import landlord_required, login_required
from portal.accounts.sessions import (
    begin_second_factor,
    fresh_session,
    home_for,
    pending_user,
    start_session,
)
from portal.accounts.tokens import TokenError
from portal.core.errors import error_page
from portal.core.i18n import clock_time, select_locale
from portal.core.security import is_safe_path
from portal.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _cfg(name: str):
    return lambda: current_app.config[name]


def _form_email_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    uid, _sep, token = user_id.partition(":")
    if not uid.isdigit() or not token:
        return None
    user = db.session.get(User, int(uid))
    if user is None or not user.is_active or not user.matches_session(token):
        return None
    if user.is_staff and not user.has_two_factor:
        # A staff session is only ever started after the second factor; one without it (made
        # before enrolment became mandatory, or after an admin's reset) is not honoured.
        return None
    return user


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_cfg("RATELIMIT_REGISTER"), methods=["POST"], scope="register")
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
    except TokenError as exc:
        return render_template("accounts/token_invalid.html", expired=exc.expired), 400
    form = ConfirmEmailForm(email=user.email)
    if form.validate_on_submit():
        try:
            ops.verify_email(token, form.password.data)
        except ops.AccountError as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
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


@bp.route("/email", methods=["GET", "POST"])
@login_required
@limiter.limit(
    _cfg("RATELIMIT_RESET_ACCOUNT"),
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
        except ops.AccountError as exc:
            db.session.commit()  # the audit event of the refusal
            if exc.message == "password":
                form.current_password.errors.append(_("The current password is not correct."))
            elif exc.message == "same":
                form.email.errors.append(_("This is the address the account has already."))
            else:
                form.email.errors.append(
                    _("This address cannot be used for your account. Please choose another.")
                )
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


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit(
    _cfg("RATELIMIT_RESET_ACCOUNT"), key_func=lambda: f"user:{current_user.id}", scope="resend"
)
def resend_verification():
    if EmptyForm().validate_on_submit() and not current_user.is_verified:
        ops.send_verification(current_user)
        db.session.commit()
        flash(_("We have sent you a new confirmation link."), "success")
    return redirect(url_for("accounts.confirm_first"))


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
@limiter.limit(_cfg("RATELIMIT_LOGIN_IP"), methods=["POST"], scope="login-ip")
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


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(email=current_user.email)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            ops.change_password(user, form.current_password.data, form.password.data)
        except ops.AccountError:
            db.session.commit()  # keep the audit event of the failed attempt
            form.current_password.errors.append(_("The current password is not correct."))
            return render_template("accounts/change_password.html", form=form)
        db.session.commit()
        # This session goes on with the new token (it was made with the second factor, where
        # one is needed); all others end.
        start_session(user, second_factor_done=True)
        flash(_("Your password is changed. You were logged out everywhere else."), "success")
        return redirect(home_for(user))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_cfg("RATELIMIT_RESET_IP"), methods=["POST"], scope="reset-ip")
@limiter.limit(
    _cfg("RATELIMIT_RESET_ACCOUNT"),
    methods=["POST"],
    key_func=_form_email_key,
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
    except TokenError as exc:
        return render_template("accounts/token_invalid.html", expired=exc.expired), 400
    form = NewPasswordForm(email=user.email)
    if form.validate_on_submit():
        ops.reset_password(token, form.password.data)
        db.session.commit()
        throttle.forget(user.email)  # the link proved the address: no wait at the next login
        logout_user()
        flash(_("Your new password is set. Please log in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


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


@bp.route("/invite", methods=["POST"])
@login_required
def invite():
    user: User = current_user._get_current_object()
    if not user.can_invite:
        return error_page(403, _("Only the first user of a housing company can invite colleagues."))
    invite_form = InviteForm()
    if invite_form.validate_on_submit():
        ops.invite_colleague(user, invite_form.email.data)
        db.session.commit()
        flash(
            _(
                "If this address has no account yet, an invitation is on its way to %(email)s.",
                email=normalise_email(invite_form.email.data),
            ),
            "success",
        )
        return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        form=ProfileForm(obj=user),
        invite_form=invite_form,
        action_form=EmptyForm(),
    ), 400


# Colleagues (a housing company's first user) ------------------------------------------------

COLLEAGUE_REFUSALS = {
    "own": _l("You cannot do this to your own account."),
    "inactive": _l("This colleague was removed already."),
    "unconfirmed": _l(
        "Only a colleague who has confirmed their e-mail address can become the first user."
    ),
}


def _first_user() -> User | None:
    user: User = current_user._get_current_object()
    return user if user.can_invite else None


def _colleague_or_404(user_id: int) -> User:
    """A user of the current user's organisation; anyone else's id answers 404."""
    colleague = db.session.get(User, user_id)
    if colleague is None or colleague.organisation_id != current_user.organisation_id:
        abort(404)
    return colleague


def _not_first_user():
    return error_page(403, _("Only the first user of a housing company manages colleagues."))


@bp.route("/colleagues")
@landlord_required
def colleagues():
    user = _first_user()
    if user is None:
        return _not_first_user()
    return render_template(
        "accounts/colleagues.html", colleagues=ops.colleagues_of(user), action_form=EmptyForm()
    )


def _colleague_action(user_id: int, operation, done):
    user = _first_user()
    if user is None:
        return _not_first_user()
    colleague = _colleague_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        operation(user, colleague)
    except ops.AccountError as exc:
        db.session.commit()  # the audit event of the refusal
        flash(str(COLLEAGUE_REFUSALS.get(exc.message, _("This is not possible."))), "error")
        return redirect(url_for("accounts.colleagues"), 303)
    db.session.commit()
    flash(done(colleague.full_name), "success")
    return redirect(url_for("accounts.colleagues"), 303)


@bp.route("/colleagues/<int:user_id>/remove", methods=["POST"])
@landlord_required
def remove_colleague(user_id: int):
    """Remove a colleague: their account is deactivated and their sessions end at once."""
    return _colleague_action(
        user_id,
        ops.remove_colleague,
        lambda name: _("%(name)s was removed; their sessions have ended.", name=name),
    )


@bp.route("/colleagues/<int:user_id>/hand-over", methods=["POST"])
@landlord_required
def hand_over(user_id: int):
    """Hand the first-user role to a confirmed colleague."""
    return _colleague_action(
        user_id,
        ops.hand_over_first_user,
        lambda name: _("%(name)s is now the first user of your company.", name=name),
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = ops.invitation_for(token)
    except TokenError as exc:
        return render_template("accounts/token_invalid.html", expired=exc.expired), 400
    if current_user.is_authenticated:
        flash(_("Please log out first to accept an invitation for another address."), "info")
        return redirect(home_for(current_user))
    form = AcceptInvitationForm(email=invitation.email)
    if form.validate_on_submit():
        try:
            user = ops.accept_invitation(
                token, form.full_name.data, form.password.data, select_locale()
            )
        except TokenError as exc:
            db.session.rollback()
            return render_template("accounts/token_invalid.html", expired=exc.expired), 400
        db.session.commit()
        start_session(user)  # a new landlord account: no second factor yet
        flash(_("Welcome! Your account is ready."), "success")
        return redirect(home_for(user))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


def enforce_password_change():
    """Staff with a one-time password may do nothing but choose their own."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
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


__all__ = ["bp", "enforce_password_change", "home_for", "Role"]
