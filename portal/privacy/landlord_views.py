"""A landlord's own data and the end of their account (issue 15): the data as a page and as a
JSON download, and closing the account. On the privacy floor: both read or change listings and
placements, which the accounts pages stand below."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.accounts.models import User
from portal.accounts.permissions import landlord_required
from portal.accounts.sessions import fresh_session
from portal.core.db import begin_writing
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.privacy import closure
from portal.privacy.forms import CloseAccountForm
from portal.privacy.landlord_export import own_data, readable, record_export

bp = Blueprint("own_account", __name__, url_prefix="/account")


@bp.route("/data")
@landlord_required
def data():
    """The landlord's data as a page to read (and print)."""
    user: User = current_user._get_current_object()
    begin_writing(db.session)
    record_export(user, "html")
    db.session.commit()  # the audit event of the look
    return render_template("privacy/own_data.html", data=readable(user))


@bp.route("/data.json")
@landlord_required
def data_json():
    """The same data as a JSON file to take along (GDPR Art. 20)."""
    user: User = current_user._get_current_object()
    own = own_data(user)
    record_export(user, "json")
    db.session.commit()
    text = json.dumps(own, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return Response(
        text,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )


@bp.route("/close", methods=["GET", "POST"])
@landlord_required
def close():
    """Close the account: asks the password; afterwards the browser is logged out."""
    user: User = current_user._get_current_object()
    form = CloseAccountForm()
    others = closure.has_other_active_members(user)
    if form.validate_on_submit():
        try:
            closure.close_account(user, form.current_password.data)
        except Refused as exc:
            db.session.commit()  # the audit event of the refusal
            if exc.code == "password":
                form.current_password.errors.append(str(exc.message))
            else:
                flash_refusal(exc)
            return render_template("privacy/close_account.html", form=form, others=others), 400
        db.session.commit()
        logout_user()
        fresh_session()
        flash(_("Your account is closed and your personal data is erased. Goodbye!"), "success")
        return redirect(url_for("public.landing"))
    status = 400 if form.is_submitted() else 200
    return render_template("privacy/close_account.html", form=form, others=others), status
