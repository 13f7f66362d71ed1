"""Invitations and colleagues (a housing company's first user)."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import operations as ops
from portal.accounts.forms import (
    AcceptInvitationForm,
    EmptyForm,
    InviteForm,
    ProfileForm,
)
from portal.accounts.models import User, normalise_email
from portal.accounts.permissions import landlord_required, login_required
from portal.accounts.sessions import (
    home_for,
    start_session,
)
from portal.accounts.views.common import bp, link_refused
from portal.core.errors import error_page
from portal.core.fields import page_arg
from portal.core.i18n import select_locale
from portal.core.pagination import page_of
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db


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
    page = page_of(ops.colleagues_of(user))
    return render_template("accounts/colleagues.html", page=page, action_form=EmptyForm())


def _back_to_list():
    """The list at the page the action was sent from (its form's URL carries ``?page=``)."""
    number = page_arg()
    return redirect(url_for("accounts.colleagues", page=number if number > 1 else None), 303)


def _colleague_action(user_id: int, operation, done):
    user = _first_user()
    if user is None:
        return _not_first_user()
    colleague = _colleague_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        operation(user, colleague)
    except Refused as exc:
        db.session.commit()  # the audit event of the refusal
        flash_refusal(exc)
        return _back_to_list()
    db.session.commit()
    flash(done(colleague.full_name), "success")
    return _back_to_list()


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
    except Refused as exc:
        return link_refused(exc)
    if current_user.is_authenticated:
        flash(_("Please log out first to accept an invitation for another address."), "info")
        return redirect(home_for(current_user))
    form = AcceptInvitationForm(email=invitation.email)
    if form.validate_on_submit():
        try:
            user = ops.accept_invitation(
                token, form.full_name.data, form.password.data, select_locale()
            )
        except Refused as exc:
            db.session.rollback()
            if exc.code == "weak_password":
                form.password.errors.append(str(exc.message))
                return render_template(
                    "accounts/accept_invitation.html", form=form, invitation=invitation
                )
            return link_refused(exc)
        db.session.commit()
        start_session(user)  # a new landlord account: no second factor yet
        flash(_("Welcome! Your account is ready."), "success")
        return redirect(home_for(user))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)
