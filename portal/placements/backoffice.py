"""Staff routes of placements: the filterable list and its CSV export, the placement page with
its next step, notes and follow-ups, proposing from the matching lists, deciding landlord
interests; and the placement part of the back-office home (``dashboard``).

Rights (DESIGN.md §1 and the STEPS table in models.py): specialists take every staff step;
social workers read placements, record follow-ups and take only the steps STEPS gives their
role; admins and landlords get 403; anonymous visitors go to the login. A step the workflow
refuses (wrong state, wrong role, missing data, flat or household taken) is rolled back and
explained in a flash message; nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.forms import EmptyForm
from portal.accounts.models import Organisation, Role, User
from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.core.fields import page_arg
from portal.core.i18n import day, moment
from portal.core.spreadsheet import csv_response
from portal.extensions import db
from portal.households.models import Household
from portal.households.queries import valid_until
from portal.listings.models import District, Flat
from portal.placements import operations as ops
from portal.placements.calendar import BERLIN
from portal.placements.forms import (
    STEP_FORMS,
    FollowUpForm,
    NoteForm,
    PlacementFilterForm,
    StepForm,
    ViewingForm,
)
from portal.placements.labels import (
    FACT_LABELS,
    action_label,
    cancel_reason_label,
    event_label,
    outcome_label,
    state_label,
)
from portal.placements.models import (
    Action,
    Interest,
    Placement,
    PlacementEvent,
)
from portal.placements.queries import (
    AFTERCARE_STATES,
    PlacementFilter,
    is_overdue,
)

bp = Blueprint("placements_backoffice", __name__, url_prefix="/backoffice/placements")

CASEWORK = (Role.SPECIALIST, Role.SOCIAL_WORKER)
PER_PAGE = 25
# Open and not yet moved in: these can be overdue (operations.remind uses the same states).


@bp.record_once
def _register_template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        placement_state_label=state_label,
        placement_action_label=action_label,
        placement_event_label=event_label,
        cancel_reason_label=cancel_reason_label,
        follow_up_outcome_label=outcome_label,
    )


def _staff() -> list[User]:
    """Specialists and social workers, active or not (names in timelines and filters)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.SPECIALIST.value, Role.SOCIAL_WORKER.value]))
            .order_by(User.full_name, User.id)
        )
    )


def _staff_choices(staff: list[User], active_only: bool) -> list[tuple[int, str]]:
    return [
        (u.id, u.full_name if u.is_active else _("%(name)s (inactive)", name=u.full_name))
        for u in staff
        if u.is_active or not active_only
    ]


# Refusals ---------------------------------------------------------------------------------------

REFUSALS: dict[str, Callable[[], str]] = {
    "role": lambda: _("Your role may not take this step. Nothing was changed."),
    "data": lambda: _("Information this step needs is missing. Nothing was changed."),
    "flat_taken": lambda: _("The flat is already held by another placement. Nothing was changed."),
    "household_taken": lambda: _(
        "The household is already in another placement past the viewing. Nothing was changed."
    ),
    "busy": lambda: _(
        "Someone else changed this placement at the same moment. Nothing was changed; please "
        "look at the page and try again."
    ),
    "flat_not_free": lambda: _(
        "The flat is no longer in a status that allows this step. Nothing was changed."
    ),
    "not_visible": lambda: _(
        "The household is no longer in a status that allows this step (vetted, with a valid "
        "consent). Nothing was changed."
    ),
    "duplicate": lambda: _("This household is already proposed for this flat."),
    "decided": lambda: _("This interest has been decided already."),
    "done": lambda: _("This follow-up has been recorded already."),
}


def refusal_message(exc: ops.PlacementError, state: str | None = None) -> str:
    """A refused operation in words the user can act on."""
    if exc.code == "state":
        if state is None:
            return _("This is not possible in the placement's current state. Nothing was changed.")
        return _(
            "This step is not possible while the placement is “%(state)s”; perhaps someone else "
            "was quicker. Nothing was changed.",
            state=state_label(state),
        )
    message = REFUSALS.get(exc.code)
    return message() if message else _("This was refused. Nothing was changed.")


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
        "The lease is recorded. Other proposals for this flat have been closed."
    ),
    Action.MOVE_IN: lambda: _(
        "The move-in is recorded: the flat is let, and the follow-ups are planned."
    ),
    Action.START_AFTERCARE: lambda: _("Aftercare has started."),
    Action.COMPLETE: lambda: _("The placement is completed."),
    Action.CANCEL: lambda: _("The placement is cancelled. The landlord has been told."),
}


# The list and its CSV ---------------------------------------------------------------------------


def _filters(staff: list[User]) -> tuple[PlacementFilterForm, PlacementFilter]:
    form = PlacementFilterForm(formdata=request.args)
    districts = db.session.scalars(select(District).order_by(District.position)).all()
    form.set_choices(districts, _staff_choices(staff, active_only=False))
    form.validate()
    return form, PlacementFilter.from_form(form)


@bp.route("/")
@staff_required(*CASEWORK)
def index():
    staff = _staff()
    form, criteria = _filters(staff)
    page = db.paginate(
        criteria.query(),
        page=page_arg(),
        per_page=PER_PAGE,
        error_out=False,
    )
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "backoffice/placements/list.html",
        page=page,
        form=form,
        export_url=url_for(".export", **args),
        today=clock.today(),
        is_overdue=is_overdue,
    )


def _german_day(moment_: datetime | None) -> str:
    return moment_.astimezone(BERLIN).strftime("%d.%m.%Y") if moment_ else ""


@bp.route("/export.csv")
@staff_required(*CASEWORK)
def export():
    """The filtered list for spreadsheets: semicolons, UTF-8 with BOM (Excel), German dates;
    household codes only, never names."""
    staff = _staff()
    _form, criteria = _filters(staff)
    rows: list[list[object]] = [
        [
            _("ID"),
            _("Household code"),
            _("Flat address"),
            _("District"),
            _("Landlord organisation"),
            _("State"),
            _("Started"),
            _("Last change"),
            _("Staff member"),
        ]
    ]
    for placement in db.session.scalars(criteria.query()):
        flat = placement.flat
        rows.append(
            [
                placement.id,
                placement.household.code,
                flat.address_line,
                flat.district.name if flat.district else "",
                flat.organisation.name,
                state_label(placement.state),
                _german_day(placement.created_at),
                _german_day(placement.state_changed_at),
                placement.staff.full_name if placement.staff else "",
            ]
        )
    return csv_response(rows, f"placements-{clock.today().isoformat()}.csv")


# The placement page -----------------------------------------------------------------------------


def _load(placement_id: int) -> Placement:
    placement = db.session.scalar(
        select(Placement)
        .where(Placement.id == placement_id)
        .options(
            selectinload(Placement.flat).options(
                selectinload(Flat.district),
                selectinload(Flat.organisation).selectinload(Organisation.members),
            ),
            selectinload(Placement.household).options(
                selectinload(Household.identity),
                selectinload(Household.consents),
                selectinload(Household.preferred_districts),
            ),
            selectinload(Placement.events).selectinload(PlacementEvent.actor),
            selectinload(Placement.follow_ups),
            selectinload(Placement.staff),
            selectinload(Placement.viewing_companion),
        )
    )
    if placement is None:
        abort(404)
    return placement


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
    return form


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
        timeline=[(event, event_facts(event, names)) for event in placement.events],
        names=names,
        today=clock.today(),
        overdue=is_overdue(placement),
        consent_until=valid_until(placement.household, clock.today()),
    )


@bp.route("/<int:placement_id>")
@staff_required(*CASEWORK)
def detail(placement_id: int):
    return _render(_load(placement_id))


def _refuse(exc: ops.PlacementError, state: str | None) -> None:
    db.session.rollback()
    flash(refusal_message(exc, state), "error")


@bp.route("/<int:placement_id>/steps/<step>", methods=["POST"])
@staff_required(*CASEWORK)
def take_step(placement_id: int, step: str):
    try:
        action = Action(step)
    except ValueError:
        abort(404)
    placement = _load(placement_id)
    here = url_for(".detail", placement_id=placement.id)
    state, role = placement.state, current_user.role
    try:
        ops.check_step(placement, action, role)
    except ops.PlacementError as exc:
        _refuse(exc, state)
        return redirect(here)
    form = _step_form(action, placement, _staff(), posted=True)
    if not form.validate_on_submit():
        flash(_("The step was not taken. Please check the marked fields."), "error")
        return _render(placement, posted=(action, form))
    try:
        ops.take_step(placement, action, current_user, role, **form.step_data())
    except ops.PlacementError as exc:
        _refuse(exc, state)
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
    except ops.PlacementError as exc:
        _refuse(exc, None)
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
    state = placement.state
    try:
        ops.record_follow_up(
            follow_up,
            current_user,
            form.outcome.data,
            form.note.data,
            form.done_on.data,
            form.outcome_on.data,
        )
    except ops.PlacementError as exc:
        _refuse(exc, state)
    else:
        db.session.commit()
        flash(_("The follow-up is recorded."), "success")
        if form.outcome.data != "all_well":
            flash(mediation_hint(), "warning")
    return redirect(url_for(".detail", placement_id=placement.id, _anchor="follow-ups"))


def mediation_hint() -> str:
    return _(
        "Not all is well: if tenant and landlord need help with each other, the team can open a "
        "mediation case."
    )


# Starting placements from the matching lists and from landlord interests -----------------------


def _back(flat_id: int, household_id: int) -> str:
    if request.form.get("back") == "household":
        return url_for("households_backoffice.detail", household_id=household_id)
    return url_for("listings_backoffice.review", flat_id=flat_id)


@bp.route("/propose/<int:flat_id>/<int:household_id>", methods=["POST"])
@staff_required(Role.SPECIALIST)
def propose(flat_id: int, household_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    flat = db.get_or_404(Flat, flat_id)
    household = db.get_or_404(Household, household_id)
    try:
        placement = ops.propose(flat, household, current_user)
    except ops.PlacementError as exc:
        _refuse(exc, None)
        return redirect(_back(flat_id, household_id))
    db.session.commit()
    flash(
        _(
            "Household %(code)s is proposed. The landlord has been asked to accept or decline.",
            code=household.code,
        ),
        "success",
    )
    return redirect(url_for(".detail", placement_id=placement.id))


@bp.route("/interests/<int:interest_id>/accept", methods=["POST"])
@staff_required(Role.SPECIALIST)
def accept_interest(interest_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    interest = db.get_or_404(Interest, interest_id)
    household_id = interest.household_id
    try:
        placement = ops.accept_interest(interest, current_user)
    except ops.PlacementError as exc:
        _refuse(exc, None)
        return redirect(url_for("households_backoffice.detail", household_id=household_id))
    db.session.commit()
    flash(_("The interest is accepted: the placement is proposed to the landlord."), "success")
    return redirect(url_for(".detail", placement_id=placement.id))


@bp.route("/interests/<int:interest_id>/decline", methods=["POST"])
@staff_required(Role.SPECIALIST)
def decline_interest(interest_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    interest = db.get_or_404(Interest, interest_id)
    household_id = interest.household_id
    try:
        ops.decline_interest(interest, current_user)
    except ops.PlacementError as exc:
        _refuse(exc, None)
    else:
        db.session.commit()
        flash(
            _("The interest is declined. The landlord gets a polite message without reasons."),
            "success",
        )
    return redirect(url_for("households_backoffice.detail", household_id=household_id))
