"""The case page and what is posted from it: notes, replies, the status, the assignment, the
linked placement, messages to the landlord; and opening a case from a placement page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.forms import EmptyForm
from portal.accounts.models import User
from portal.accounts.permissions import staff_required
from portal.core.pagination import HOME_ROWS
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.households.models import Household
from portal.households.prevention import PreventionCase
from portal.mediation import linking
from portal.mediation import operations as ops
from portal.mediation import thread as thread_ops
from portal.mediation.backoffice.common import CASEWORK, _labels, _load, _staff, bp
from portal.mediation.labels import history_label, status_label
from portal.mediation.models import MediationCase
from portal.mediation.queries import age_in_working_days, is_overdue, latest_entries, latest_history
from portal.mediation.staff_forms import (
    CaseAssignForm,
    CaseLinkForm,
    CaseNoteForm,
    CaseReplyForm,
    CaseStatusForm,
    PlacementSearchForm,
)
from portal.placements.messages import MessageForm, latest_thread, shown
from portal.placements.models import Placement

# The case page ----------------------------------------------------------------------------------


def _placement(placement_id: int | None) -> Placement | None:
    if placement_id is None:
        return None
    return db.session.scalar(
        select(Placement)
        .where(Placement.id == placement_id)
        .options(
            selectinload(Placement.household).load_only(Household.code),
            selectinload(Placement.flat),
        )
    )


def _render(case: MediationCase, **posted):
    """The case page; a form that was posted with errors is shown as the user filled it."""
    staff = _staff(active_only=True)
    forms = {
        "note_form": posted.get("note_form") or CaseNoteForm(formdata=None),
        "reply_form": posted.get("reply_form") or CaseReplyForm(formdata=None),
        "status_form": posted.get("status_form")
        or CaseStatusForm(formdata=None, data={"status": case.status}),
        "assign_form": posted.get("assign_form")
        or CaseAssignForm(formdata=None, data={"assigned_to": case.assigned_to_id}),
        "link_form": posted.get("link_form")
        or CaseLinkForm(formdata=None, data={"placement_id": case.placement_id}),
        "message_form": posted.get("message_form") or MessageForm(formdata=None),
    }
    forms["assign_form"].set_choices(staff)
    search_form = PlacementSearchForm(formdata=request.args)
    search_form.validate()
    forms["link_form"].set_choices(
        linking.choices(case, search_form.placement_search.data if not search_form.errors else "")
    )
    names = dict(_staff(active_only=False))
    # The newest messages right above the form, with the number of all and a link to the
    # whole conversation (``conversation``): a long one is not loaded whole.
    messages, messages_total = latest_thread(HOME_ROWS, mediation_case_id=case.id)
    # The same for the notes, the replies and the history: they grow for as long as the case
    # is worked. Nothing on the page needs all of them: the first answer, the age and
    # "overdue" are columns of the case (``first_answer_at``, ``created_at``, ``status``).
    notes, notes_total = latest_entries(case.id, "note", HOME_ROWS)
    replies, replies_total = latest_entries(case.id, "reply", HOME_ROWS)
    history, history_total = latest_history(case.id, HOME_ROWS)
    return render_template(
        "backoffice/mediation/case.html",
        case=case,
        placement=_placement(case.placement_id),
        prevention=db.session.scalar(
            select(PreventionCase).where(PreventionCase.mediation_case_id == case.id)
        ),
        notes=notes,
        notes_total=notes_total,
        replies=replies,
        replies_total=replies_total,
        history=history,
        history_total=history_total,
        history_label=history_label,
        names=names,
        age=age_in_working_days(case),
        overdue=is_overdue(case),
        search_form=search_form,
        messages=shown(messages),
        messages_total=messages_total,
        **forms,
        **_labels(),
    )


@bp.route("/<int:case_id>")
@staff_required(*CASEWORK)
def detail(case_id: int):
    return _render(_load(case_id))


# Changes ----------------------------------------------------------------------------------------


def _refuse(case: MediationCase, refusal: Refused, **posted):
    """The operation's words (mediation/operations.py), with what was typed still there."""
    flash_refusal(refusal, default=_("This was refused. Nothing was changed."))
    return _render(_load(case.id), **posted)


def _invalid(case: MediationCase, **posted):
    flash(
        _("Nothing was changed. Please check the marked fields; your input is still here."),
        "error",
    )
    return _render(case, **posted)


def _done(case: MediationCase, message: str, anchor: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".detail", case_id=case.id, _anchor=f"case-{anchor}"))


@bp.route("/for-placement/<int:placement_id>", methods=["POST"])
@staff_required(*CASEWORK)
def open_for_placement(placement_id: int):
    """The rent-arrears proposal on the placement page: a case for this placement, opened by
    the team; refused while one is open (back to the placement page, nothing changed)."""
    placement = db.get_or_404(Placement, placement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        case = ops.open_for_placement(placement, current_user)
    except Refused as refusal:
        flash_refusal(refusal)
        return redirect(
            url_for("placements_backoffice.detail", placement_id=placement_id, _anchor="arrears")
        )
    db.session.commit()
    flash(
        _("Mediation case %(number)s is opened and linked to the placement.", number=case.number),
        "success",
    )
    return redirect(url_for(".detail", case_id=case.id))


@bp.route("/<int:case_id>/notes", methods=["POST"])
@staff_required(*CASEWORK)
def add_note(case_id: int):
    case = _load(case_id)
    form = CaseNoteForm()
    if not form.validate_on_submit():
        return _invalid(case, note_form=form)
    try:
        ops.add_note(case, current_user, form.note.data)
    except Refused as refusal:
        return _refuse(case, refusal, note_form=form)
    return _done(case, _("The internal note is saved."), "notes")


@bp.route("/<int:case_id>/reply", methods=["POST"])
@staff_required(*CASEWORK)
def reply(case_id: int):
    case = _load(case_id)
    form = CaseReplyForm()
    if not form.validate_on_submit():
        return _invalid(case, reply_form=form)
    try:
        ops.reply(case, current_user, form.reply_text.data)
    except Refused as refusal:
        return _refuse(case, refusal, reply_form=form)
    return _done(case, _("The reply is sent by e-mail and kept on the case."), "replies")


@bp.route("/<int:case_id>/status", methods=["POST"])
@staff_required(*CASEWORK)
def change_status(case_id: int):
    case = _load(case_id)
    form = CaseStatusForm()
    if not form.validate_on_submit():
        return _invalid(case, status_form=form)
    if form.status.data == case.status:
        flash(_("The case already has this status."), "info")
        return redirect(url_for(".detail", case_id=case.id))
    try:
        ops.change_status(case, current_user, form.status.data)
    except Refused as refusal:
        return _refuse(case, refusal, status_form=form)
    return _done(
        case, _("The status is now “%(status)s”.", status=status_label(case.status)), "status"
    )


@bp.route("/<int:case_id>/assignment", methods=["POST"])
@staff_required(*CASEWORK)
def assign(case_id: int):
    case = _load(case_id)
    form = CaseAssignForm()
    form.set_choices(_staff(active_only=True))
    if not form.validate_on_submit():
        return _invalid(case, assign_form=form)
    staff = db.session.get(User, form.assigned_to.data) if form.assigned_to.data else None
    try:
        ops.assign(case, current_user, staff)
    except Refused as refusal:
        return _refuse(case, refusal, assign_form=form)
    if staff is None:
        return _done(case, _("Nobody is assigned to the case now."), "status")
    return _done(case, _("%(name)s is assigned to the case.", name=staff.full_name), "status")


@bp.route("/<int:case_id>/placement", methods=["POST"])
@staff_required(*CASEWORK)
def link_placement(case_id: int):
    case = _load(case_id)
    form = CaseLinkForm()
    if not form.validate_on_submit():
        return _invalid(case, link_form=form)
    placement_id = form.placement_id.data
    try:
        ops.link_placement(case, current_user, placement_id)
    except Refused:
        db.session.rollback()
        form.placement_id.errors = [
            *form.placement_id.errors,
            _("This placement does not exist (any more). Please choose another."),
        ]
        return _invalid(_load(case_id), link_form=form)
    if placement_id is None:
        return _done(case, _("The case is no longer linked to a placement."), "placement")
    return _done(case, _("The case is linked to the chosen placement."), "placement")


@bp.route("/<int:case_id>/messages", methods=["POST"])
@staff_required(*CASEWORK)
def write_message(case_id: int):
    """A message to the organisation the case belongs to; it hears of it by e-mail, without
    the text. A request sent without an account has no such thread (answer by e-mail)."""
    case = _load(case_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _invalid(case, message_form=form)
    try:
        thread_ops.staff_writes(case, current_user, form.message_body.data)
    except Refused as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _render(_load(case_id), message_form=form)
    db.session.commit()
    flash(_("The message is sent. The landlord gets an e-mail with a link."), "success")
    return redirect(url_for(".detail", case_id=case.id, _anchor="messages"))
