"""The placement page: its timeline, the next step's form, notes and follow-ups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts import operations as account_ops
from portal.accounts.models import Role, User
from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.core.i18n import day, moment
from portal.core.pagination import HOME_ROWS
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.households.models import Household
from portal.households.queries import valid_until
from portal.listings.models import Flat
from portal.placements import operations as ops
from portal.placements.backoffice.common import (
    CASEWORK,
    PLACEMENT_PAGE,
    _staff,
    _staff_choices,
    bp,
)
from portal.placements.backoffice.money import money_section
from portal.placements.calendar import BERLIN
from portal.placements.cost_check import cost_check
from portal.placements.labels import FACT_LABELS, cancel_reason_label
from portal.placements.messages import MessageForm, latest_thread, shown
from portal.placements.models import Action, Interest, Placement, PlacementEvent
from portal.placements.operations import messages as thread_ops
from portal.placements.operations.aftercare import RENT_ARREARS, arrears_check
from portal.placements.paperwork import rent_certificate
from portal.placements.queries import AFTERCARE_STATES, is_overdue, latest_history
from portal.placements.step_forms import STEP_FORMS, FollowUpForm, NoteForm, StepForm, ViewingForm

DONE: dict[Action, Callable[[], str]] = {
    Action.ACCEPT: lambda: _("The landlord's acceptance is recorded. Next: the viewing."),
    Action.DECLINE: lambda: _("The landlord's refusal is recorded; the placement is closed."),
    Action.SCHEDULE_VIEWING: lambda: _(
        "The viewing is scheduled. The landlord gets a calendar invitation."
    ),
    Action.RESCHEDULE_VIEWING: lambda: _("The viewing is moved. The landlord gets the new time."),
    Action.RECORD_VIEWING: lambda: _("The viewing is recorded."),
    Action.SUBMIT_RENT_OFFER: lambda: _("The rent offer is recorded."),
    Action.APPROVE_COSTS: lambda: _("The cost approval is recorded."),
    Action.SIGN_LEASE: lambda: _(
        "The lease is recorded. Other proposals for this flat and the household's other "
        "placements and interests have been closed; the household is off the market."
    ),
    Action.MOVE_IN: lambda: _(
        "The move-in is recorded: the flat is let, and the follow-ups are planned."
    ),
    Action.START_AFTERCARE: lambda: _("Aftercare has started."),
    Action.COMPLETE: lambda: _("The placement is completed."),
    Action.CANCEL: lambda: _("The placement is cancelled. The landlord has been told."),
}


# The placement page -----------------------------------------------------------------------------


def _load(placement_id: int) -> Placement:
    placement = db.session.scalar(_page_statement(), {"placement_id": placement_id})
    if placement is None:
        abort(404)
    return placement


@cache
def _page_statement() -> Select:
    """The placement page's one row with what it shows, built once per process (its loader
    options cost as much to build as the page's SQL takes to run); the id is a parameter."""
    return (
        select(Placement)
        .where(Placement.id == bindparam("placement_id"))
        .options(
            # One row: its many-to-one relations joined into it, the lists loaded after.
            joinedload(Placement.flat).options(
                joinedload(Flat.district),
                joinedload(Flat.organisation),
            ),
            joinedload(Placement.household).options(
                joinedload(Household.identity),
                selectinload(Household.consents),
                selectinload(Household.preferred_districts),
            ),
            # Not the events: a line a step or note for as long as the placement runs, the
            # page shows the newest (``latest_history``), the history page all of them.
            selectinload(Placement.follow_ups),
            joinedload(Placement.staff),
            joinedload(Placement.viewing_companion),
        )
    )


def _step_form(
    action: Action, placement: Placement, staff: list[User], *, posted: bool
) -> StepForm:
    """The step's form, with its own prefix (several forms share a page). Shown fresh, it is
    filled with what the placement knows already, or with today."""
    form_class = STEP_FORMS[action]
    if posted:
        form = form_class(prefix=action.value)
    else:
        form = form_class(formdata=None, prefix=action.value, data=_defaults(action, placement))
    if isinstance(form, ViewingForm):
        form.set_staff(_staff_choices(staff, active_only=True))
    return form.for_step(placement, action)


def _defaults(action: Action, placement: Placement) -> dict:
    today = clock.today()
    if action in (Action.SCHEDULE_VIEWING, Action.RESCHEDULE_VIEWING):
        local = placement.viewing_at.astimezone(BERLIN) if placement.viewing_at else None
        return {
            "viewing_date": local.date() if local else None,
            "viewing_time": local.time().replace(tzinfo=None) if local else None,
            "viewing_place": placement.viewing_place or placement.flat.address_line,
            "companion": placement.viewing_companion_id or current_user.id,
        }
    return {
        Action.SUBMIT_RENT_OFFER: {"rent_offer_on": today},
        Action.APPROVE_COSTS: {"costs_approved_on": today},
        Action.SIGN_LEASE: {"lease_signed_on": today},
        Action.MOVE_IN: {"keys_handed_over_on": today},
    }.get(action, {})


DATE_FACTS = ("rent_offer_on", "costs_approved_on", "lease_signed_on", "rent_start_on")


def _fact(key: str, value: object, names: dict[int, str]) -> str:
    try:
        if key == "viewing_at":
            return moment(datetime.fromisoformat(str(value)))
        if key in DATE_FACTS or key == "keys_handed_over_on":
            return day(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)
    if key == "viewing_companion_id":
        return names.get(value, "–")  # type: ignore[arg-type]
    if key == "deposit_loan":
        return _("yes") if value else _("no")
    if key == "cancel_reason":
        return cancel_reason_label(str(value))
    return str(value)


def event_facts(event: PlacementEvent, names: dict[int, str]) -> list[tuple[str, str]]:
    """The data of a step as (label, text) in the user's language, dates in Duisburg time."""
    return [
        (FACT_LABELS[key](), _fact(key, value, names))
        for key, value in (event.data or {}).items()
        if key in FACT_LABELS
    ]


def _render(
    placement: Placement,
    *,
    posted: tuple[Action, StepForm] | None = None,
    note_form: NoteForm | None = None,
    follow_up_form: FollowUpForm | None = None,
    message_form: MessageForm | None = None,
    money_posted: dict | None = None,
):
    role = current_user.role
    staff = _staff()
    names = {u.id: u.full_name for u in staff}
    forms: dict[Action, StepForm] = {}
    for action in placement.allowed_actions(role):
        if posted is not None and posted[0] == action:
            forms[action] = posted[1]
        else:
            forms[action] = _step_form(action, placement, staff, posted=False)
    cancel_form = forms.pop(Action.CANCEL, None)
    open_follow_up = None
    if placement.state in AFTERCARE_STATES:
        open_follow_up = next((f for f in placement.follow_ups if f.done_on is None), None)
    if open_follow_up is not None and follow_up_form is None:
        follow_up_form = FollowUpForm(formdata=None, prefix="follow_up")
    if role == Role.SPECIALIST and note_form is None:
        note_form = NoteForm(formdata=None, prefix="note")
    # The lists that grow for as long as the placement runs: the newest of each, with the
    # number of all and a link to the page that lists them all (backoffice/history.py).
    events, events_total = latest_history(placement.id, HOME_ROWS)
    # The landlord's people to call: the first of them and how many more (a company has many).
    people, people_total = account_ops.active_members(placement.flat.organisation_id, HOME_ROWS)
    mails, mails_total = ops.latest_messages_of(placement, HOME_ROWS)
    messages, messages_total = latest_thread(HOME_ROWS, placement_id=placement.id)
    return render_template(
        "backoffice/placements/detail.html",
        placement=placement,
        flat=placement.flat,
        household=placement.household,
        identity=placement.household.identity,
        show_case_notes=role == Role.SOCIAL_WORKER,
        step_forms=list(forms.items()),
        cancel_form=cancel_form,
        note_form=note_form if role == Role.SPECIALIST else None,
        open_follow_up=open_follow_up,
        follow_up_form=follow_up_form,
        timeline=[(event, event_facts(event, names)) for event in events],
        events_total=events_total,
        landlord_people=people,
        landlord_people_total=people_total,
        names=names,
        today=clock.today(),
        overdue=is_overdue(placement),
        consent_until=valid_until(placement.household, clock.today()),
        messages=shown(messages),
        messages_total=messages_total,
        message_form=message_form or MessageForm(formdata=None),
        interest_message=_interest_message(placement),
        mails=mails,
        mails_total=mails_total,
        money=money_section(placement, money_posted),
        rent_certificate=rent_certificate.find(placement),
        arrears=arrears_check(placement),
        **PLACEMENT_PAGE.sections(placement),
        cost_check=cost_check(placement),
    )


def _interest_message(placement: Placement) -> str | None:
    """What the landlord wrote with the interest this placement started from."""
    if placement.interest_id is None:
        return None
    interest = db.session.get(Interest, placement.interest_id)
    return interest.message if interest is not None else None


@bp.route("/<int:placement_id>")
@staff_required(*CASEWORK)
def detail(placement_id: int):
    return _render(_load(placement_id))


@bp.route("/<int:placement_id>/steps/<step>", methods=["POST"])
@staff_required(*CASEWORK)
def take_step(placement_id: int, step: str):
    try:
        action = Action(step)
    except ValueError:
        abort(404)
    placement = _load(placement_id)
    here = url_for(".detail", placement_id=placement.id)
    role = current_user.role
    try:
        ops.check_step(placement, action, role)
    except Refused as refusal:
        flash_refusal(refusal)
        return redirect(here)
    form = _step_form(action, placement, _staff(), posted=True)
    if not form.validate_on_submit():
        flash(_("The step was not taken. Please check the marked fields."), "error")
        return _render(placement, posted=(action, form))
    try:
        ops.take_step(placement, action, current_user, role, **form.step_data())
    except Refused as refusal:
        flash_refusal(refusal)
    else:
        db.session.commit()
        flash(DONE[action](), "success")
    return redirect(here)


@bp.route("/<int:placement_id>/notes", methods=["POST"])
@staff_required(Role.SPECIALIST)
def add_note(placement_id: int):
    placement = _load(placement_id)
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        flash(_("The note was not saved. Please check the marked fields."), "error")
        return _render(placement, note_form=form)
    try:
        ops.add_note(placement, current_user, form.note.data)
    except Refused as refusal:
        flash_refusal(refusal)
    else:
        db.session.commit()
        flash(_("The note is saved."), "success")
    return redirect(url_for(".detail", placement_id=placement.id, _anchor="timeline"))


@bp.route("/<int:placement_id>/follow-ups/<int:follow_up_id>", methods=["POST"])
@staff_required(*CASEWORK)
def record_follow_up(placement_id: int, follow_up_id: int):
    placement = _load(placement_id)
    follow_up = next((f for f in placement.follow_ups if f.id == follow_up_id), None)
    if follow_up is None:
        abort(404)
    form = FollowUpForm(prefix="follow_up", moved_in_on=placement.keys_handed_over_on)
    if not form.validate_on_submit():
        flash(_("The follow-up was not recorded. Please check the marked fields."), "error")
        return _render(placement, follow_up_form=form)
    try:
        ops.record_follow_up(
            follow_up,
            current_user,
            form.outcome.data,
            form.note.data,
            form.done_on.data,
            form.outcome_on.data,
        )
    except Refused as refusal:
        flash_refusal(refusal)
    else:
        db.session.commit()
        flash(_("The follow-up is recorded."), "success")
        if form.outcome.data != "all_well":
            flash(mediation_hint(), "warning")
    # Rent arrears: the page proposes what the team can do now (``arrears_check``).
    anchor = "arrears" if form.outcome.data == RENT_ARREARS else "follow-ups"
    return redirect(url_for(".detail", placement_id=placement.id, _anchor=anchor))


def mediation_hint() -> str:
    return _(
        "Not all is well: if tenant and landlord need help with each other, the team can open a "
        "mediation case."
    )


@bp.route("/<int:placement_id>/messages", methods=["POST"])
@staff_required(*CASEWORK)
def write_message(placement_id: int):
    """A message to the landlord's organisation; the landlord hears of it by e-mail, without
    the text."""
    placement = _load(placement_id)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("The message was not sent. Please check the marked fields."), "error")
        return _render(placement, message_form=form)
    try:
        thread_ops.staff_writes(placement, current_user, form.message_body.data)
    except Refused as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _render(_load(placement_id), message_form=form)
    db.session.commit()
    flash(_("The message is sent. The landlord gets an e-mail with a link."), "success")
    return redirect(url_for(".detail", placement_id=placement.id, _anchor="messages"))
