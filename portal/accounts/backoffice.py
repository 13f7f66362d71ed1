"""Staff routes of the accounts domain: the back-office home (with the placements dashboard for
casework) and the landlord list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts import operations as ops
from portal.accounts import twofactor as tf
from portal.accounts.forms import EmptyForm, LandlordSecondFactorResetForm
from portal.accounts.models import STAFF_ROLES, Organisation, Role, User
from portal.accounts.permissions import staff_required
from portal.core.fields import page_arg
from portal.core.pagination import page_of
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.sites.queries import colleagues_of

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")


# Users named in an organisation's row of the landlord list: most landlords are one person or
# a small company, whom three lines name in full; a housing company with hundreds of users
# keeps its row three lines long, with the number of the others and a link to all of them.
ROW_MEMBERS = 3


@bp.route("/landlords")
@staff_required(Role.SPECIALIST, Role.SOCIAL_WORKER)
def landlords():
    page = page_of(
        select(Organisation).order_by(Organisation.created_at.desc(), Organisation.id.desc())
    )
    members = ops.first_members([org.id for org in page.items], ROW_MEMBERS)
    return render_template("backoffice/landlords.html", page=page, members=members)


@bp.route("/landlords/organisations/<int:organisation_id>")
@staff_required(Role.SPECIALIST, Role.SOCIAL_WORKER)
def organisation(organisation_id: int):
    """Every user of one landlord organisation, a page at a time: the people its row in the
    landlord list does not name."""
    org = db.get_or_404(Organisation, organisation_id)
    page = page_of(select(User).where(User.organisation_id == org.id).order_by(User.id))
    return render_template("backoffice/landlord_organisation.html", org=org, page=page)


@bp.route("/staff")
@staff_required(Role.ADMIN)
def staff():
    # The staff of the admin's own sites (DESIGN.md §9).
    own_sites = [site.id for site in current_user.sites]
    page = page_of(
        select(User)
        .where(User.role.in_([str(r) for r in STAFF_ROLES]), colleagues_of(User.id, own_sites))
        .order_by(User.email)
    )
    return render_template("backoffice/staff.html", page=page, action_form=EmptyForm())


def _back_to_staff():
    """The staff list at the page the reset was sent from (its form's URL carries ``?page=``)."""
    number = page_arg()
    return redirect(url_for("backoffice.staff", page=number if number > 1 else None), 303)


@bp.route("/staff/<int:user_id>/reset-second-factor", methods=["POST"])
@staff_required(Role.ADMIN)
def reset_second_factor(user_id: int):
    """Remove a colleague's authenticator (lost phone): they enrol again at their next login,
    and every session of theirs ends now. Never one's own."""
    target = db.get_or_404(User, user_id)
    if not target.is_staff or not {s.id for s in target.sites} & {s.id for s in current_user.sites}:
        abort(404)  # a landlord, or staff of another site
    try:
        tf.reset_by_admin(current_user._get_current_object(), target)
    except Refused as exc:
        db.session.commit()  # the audit event of the refusal
        if exc.code != "own_reset":
            abort(403)
        flash_refusal(exc)
        return _back_to_staff()
    db.session.commit()
    flash(
        _(
            "The second factor of %(name)s is reset and their sessions are ended. They set up "
            "their authenticator again at their next login.",
            name=target.full_name,
        ),
        "success",
    )
    return _back_to_staff()


@bp.route("/landlords/<int:user_id>/reset-second-factor", methods=["GET", "POST"])
@staff_required(Role.SPECIALIST)
def reset_landlord_second_factor(user_id: int):
    """Staff-assisted reset for a landlord who lost phone and recovery codes (issue 13.15):
    the specialist confirms the person by phone and records how; the authenticator and the
    recovery codes go, the landlord's sessions end, they are told by e-mail. Staff accounts
    are reset by an admin on the staff page, never here."""
    target = db.get_or_404(User, user_id)
    if not target.is_landlord:
        abort(404)
    enrolled = target.has_two_factor or bool(target.totp_secret_encrypted)
    form = LandlordSecondFactorResetForm()
    if enrolled and form.validate_on_submit():
        tf.reset_for_landlord(current_user._get_current_object(), target, form.identity_check.data)
        db.session.commit()
        flash(
            _(
                "The second factor of %(name)s is reset and their sessions are ended. They "
                "were told by e-mail.",
                name=target.full_name,
            ),
            "success",
        )
        return redirect(url_for("backoffice.landlords"), 303)
    return render_template(
        "backoffice/landlord_second_factor.html", target=target, form=form, enrolled=enrolled
    ), (400 if form.is_submitted() else 200)
