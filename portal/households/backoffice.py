"""Staff routes of the households domain: the list, the profile form, the detail page (consents,
status, who looked, open interests, flats that fit) and the consent documents.

Rights (DESIGN.md §1): social workers do everything here; specialists read the list and the
detail page (tier 1 and tier 2, never case notes or consent documents); admins and landlords get
403, anonymous visitors go to the login. Every change is a POST with a CSRF token.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.forms import EmptyForm
from portal.accounts.models import Organisation, Role, User
from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.core.fields import page_arg
from portal.core.hooks import Hook
from portal.core.security import allow_body
from portal.extensions import db
from portal.households import operations as ops
from portal.households import textcheck
from portal.households.forms import (
    MAX_DOCUMENT_BYTES,
    ConsentForm,
    HouseholdForm,
    StatusForm,
    initial_data,
)
from portal.households.labels import (
    cost_bearer_label,
    exit_destination_label,
    hit_reason,
    status_label,
    target_group_label,
)
from portal.households.models import (
    SOCIAL_WORKER,
    Consent,
    Household,
    HouseholdStatus,
    ProfileView,
)
from portal.households.participant_forms import (
    PARTICIPANT_COLUMNS,
    ParticipantsForm,
    participant_data,
)
from portal.households.queries import (
    EXPIRY_WARNING_DAYS,
    CaseloadFilter,
    CaseloadFilterForm,
    consent_state,
    expiring_count,
    valid_until,
)
from portal.listings.models import District

bp = Blueprint("households_backoffice", __name__, url_prefix="/backoffice/households")

READERS = (Role.SPECIALIST, Role.SOCIAL_WORKER)
PER_PAGE = 25
# The status buttons a social worker may see, in this order.
MOVES = (
    HouseholdStatus.VETTED,
    HouseholdStatus.PAUSED,
    HouseholdStatus.HOUSED,
    HouseholdStatus.WITHDRAWN,
)

# A consent scan of up to 10 MB plus the form around it, whatever MAX_CONTENT_LENGTH says.
allow_body(bp, "households_backoffice.record_consent", MAX_DOCUMENT_BYTES + 1024 * 1024)


@bp.record_once
def _register_template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        household_status_label=status_label,
        cost_bearer_label=cost_bearer_label,
        consent_state=consent_state,
        target_group_label=target_group_label,
        exit_destination_label=exit_destination_label,
    )


@bp.route("/")
@staff_required(*READERS)
def index():
    today = clock.today()
    form = CaseloadFilterForm(formdata=request.args)
    form.set_choices(status_label)
    criteria = CaseloadFilter.from_form(form)
    page = db.paginate(
        criteria.query(today),
        page=page_arg(),
        per_page=PER_PAGE,
        error_out=False,
    )
    rows = [(h, valid_until(h, today)) for h in page.items]
    return render_template(
        "backoffice/households/list.html",
        page=page,
        rows=rows,
        form=form,
        expiring=expiring_count(today),
        warn_until=today + timedelta(days=EXPIRY_WARNING_DAYS),
        today=today,
        can_edit=current_user.role == Role.SOCIAL_WORKER,
    )


# Loading ----------------------------------------------------------------------------------------


def _household(household_id: int) -> Household:
    household = db.session.scalar(
        select(Household)
        .where(Household.id == household_id)
        .options(
            selectinload(Household.identity),
            selectinload(Household.consents),
            selectinload(Household.preferred_districts),
            selectinload(Household.participants),
        )
    )
    if household is None:
        abort(404)
    return household


def _consent(household: Household, consent_id: int) -> Consent:
    for consent in household.consents:
        if consent.id == consent_id:
            return consent
    abort(404)


def _districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.position)))


def _chosen_districts(form: HouseholdForm) -> list[District]:
    ids = form.preferred_districts.data or []
    if not ids:
        return []
    return list(
        db.session.scalars(select(District).where(District.id.in_(ids)).order_by(District.position))
    )


# The detail page --------------------------------------------------------------------------------

# What higher floors show on the household's page: its open landlord interests
# (placements.sections), the flats that fit (matching.sections), its data exports
# (privacy.sections). Receivers are called with the household and ``social_worker``.
HOUSEHOLD_PAGE = Hook(
    "the staff page of a household",
    provides=frozenset({"interests", "matches", "in_progress", "exports", "purpose_label"}),
)


def _sees_case_notes() -> bool:
    """Case notes and consent documents (tier 3) are for social workers alone."""
    return current_user.role == Role.SOCIAL_WORKER


def _recorded(household: Household) -> int:
    """How many persons of the household have their ESF participant row."""
    return sum(1 for p in household.participants if p.position < household.size)


def _render_detail(
    household: Household,
    consent_form: ConsentForm | None = None,
    status_form: StatusForm | None = None,
):
    is_social_worker = _sees_case_notes()
    if is_social_worker and consent_form is None:
        consent_form = ConsentForm(formdata=None)
    if is_social_worker and status_form is None:
        status_form = StatusForm(formdata=None)
    sections = HOUSEHOLD_PAGE.sections(household, social_worker=is_social_worker)
    people_ids = {household.vetted_by_id} | {c.recorded_by_id for c in household.consents}
    people_ids |= {e.actor_id for e in sections["exports"]}
    people_ids.discard(None)
    people = (
        {u.id: u.full_name for u in db.session.scalars(select(User).where(User.id.in_(people_ids)))}
        if people_ids
        else {}
    )
    views = db.session.execute(
        select(ProfileView.viewed_at, Organisation.name)
        .join(Organisation, Organisation.id == ProfileView.organisation_id)
        .where(ProfileView.household_id == household.id)
        .order_by(ProfileView.viewed_at.desc(), ProfileView.id.desc())
        .limit(100)
    ).all()
    moves = (
        [to for to in MOVES if household.can_move(to, SOCIAL_WORKER)] if is_social_worker else []
    )
    # The check of the profile text: what the social worker still has to edit or confirm.
    text_hits = ops.text_hits_of(household) if is_social_worker else []
    return render_template(
        "backoffice/households/detail.html",
        household=household,
        identity=household.identity,
        show_restricted=is_social_worker,
        consent_form=consent_form,
        status_form=status_form,
        asks_exit=household.exit_on is None,
        recorded=_recorded(household),
        moves=moves,
        people=people,
        views=views,
        today=clock.today(),
        visible=household.is_visible_to_landlords(),
        text_hits=text_hits,
        text_segments=textcheck.segments(household.profile_text or "", text_hits),
        hit_reason=hit_reason,
        **sections,
    )


@bp.route("/<int:household_id>")
@staff_required(*READERS)
def detail(household_id: int):
    return _render_detail(_household(household_id))


# Create and edit --------------------------------------------------------------------------------


def _refuse_save(form: HouseholdForm, exc: ops.HouseholdError) -> None:
    db.session.rollback()
    # The form checks the exit first; these answer a change made meanwhile by someone else.
    exit_errors = {
        "exit needs date and destination": _(
            "Please enter both the day the household left and where it went, or neither."
        ),
        "exit before intake": _("The household cannot leave the programme before it was taken in."),
    }
    if exc.message in exit_errors:
        form.exit_on.errors = [*form.exit_on.errors, exit_errors[exc.message]]
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
    elif isinstance(exc, ops.ProfileTextHits):
        form.text_hits = exc.hits
        form.profile_text.errors = [
            *form.profile_text.errors,
            _(
                "Landlords read this text. The check found passages that may not belong in it "
                "(listed below): edit the text, or confirm each passage as checked."
            ),
        ]
        flash(_("The profile was not saved: please check the marked passages."), "error")
    elif exc.message == "override reason required":
        form.override_reason.errors = [
            *form.override_reason.errors,
            _(
                "A value differs from the proposal: please give the reason, or empty the field "
                "to use the proposal."
            ),
        ]
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
    else:
        flash(_("The profile could not be saved. Please try again."), "error")


def _form_page(form: HouseholdForm, household: Household | None, fallback_persons: int):
    persons = form.persons or fallback_persons
    form.show_proposal(persons, ops.propose(persons))
    return render_template(
        "backoffice/households/form.html",
        form=form,
        household=household,
        text_hits=getattr(form, "text_hits", []),
        confirmed_keys=request.form.getlist("confirm_hit") if request.method == "POST" else [],
        hit_reason=hit_reason,
    )


@bp.route("/new", methods=["GET", "POST"])
@staff_required(Role.SOCIAL_WORKER)
def create():
    form = HouseholdForm(districts=_districts(), is_new=True, with_case_notes=_sees_case_notes())
    if form.validate_on_submit():
        try:
            household = ops.create_household(current_user, form.payload(), _chosen_districts(form))
        except ops.HouseholdError as exc:
            _refuse_save(form, exc)
        else:
            db.session.commit()
            flash(_("The profile %(code)s is saved as a draft.", code=household.code), "success")
            return redirect(url_for(".detail", household_id=household.id))
    elif form.is_submitted():
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
    return _form_page(form, None, 1)


@bp.route("/<int:household_id>/edit", methods=["GET", "POST"])
@staff_required(Role.SOCIAL_WORKER)
def edit(household_id: int):
    household = _household(household_id)
    size = household.size
    initial = None if request.method == "POST" else initial_data(household, ops.propose(size))
    form = HouseholdForm(
        data=initial, districts=_districts(), is_new=False, with_case_notes=_sees_case_notes()
    )
    if form.validate_on_submit():
        try:
            changed = ops.update_household(
                household,
                current_user,
                form.payload(),
                _chosen_districts(form),
                confirmed=request.form.getlist("confirm_hit"),
            )
        except ops.HouseholdError as exc:
            _refuse_save(form, exc)
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for(".detail", household_id=household.id))
    elif form.is_submitted():
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
    return _form_page(form, household, size)


# Consents ---------------------------------------------------------------------------------------


@bp.route("/<int:household_id>/consents", methods=["POST"])
@staff_required(Role.SOCIAL_WORKER)
def record_consent(household_id: int):
    household = _household(household_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("The consent was not recorded. Please check the marked fields."), "error")
        return _render_detail(household, consent_form=form)
    consent = None
    try:
        consent = ops.record_consent(
            household,
            current_user,
            form.given_on.data,
            form.expires_on.data,
            form.scope.data,
            form.checked_document,
        )
        db.session.commit()
    except Exception:
        stored = consent.document_key if consent is not None else None
        db.session.rollback()
        ops.discard_document(stored)
        raise
    flash(_("The consent is recorded."), "success")
    return redirect(url_for(".detail", household_id=household.id, _anchor="consents"))


@bp.route("/<int:household_id>/consents/<int:consent_id>/withdraw", methods=["POST"])
@staff_required(Role.SOCIAL_WORKER)
def withdraw_consent(household_id: int, consent_id: int):
    household = _household(household_id)
    consent = _consent(household, consent_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if consent.withdrawn_on is not None:
        flash(_("This consent was withdrawn already."), "info")
        return redirect(url_for(".detail", household_id=household.id, _anchor="consents"))
    ops.withdraw_consent(consent, current_user)
    db.session.commit()
    if household.is_visible_to_landlords():
        flash(
            _(
                "The consent is withdrawn. Another consent is still valid, so landlords still "
                "see the profile."
            ),
            "warning",
        )
    else:
        flash(_("The consent is withdrawn. Landlords no longer see the profile."), "success")
    return redirect(url_for(".detail", household_id=household.id, _anchor="consents"))


@bp.route("/<int:household_id>/consents/<int:consent_id>/document")
@staff_required(Role.SOCIAL_WORKER)
def consent_document(household_id: int, consent_id: int):
    """The signed form, for social workers only; always a download, never shown inline."""
    household = _household(household_id)
    consent = _consent(household, consent_id)
    document = ops.open_consent_document(consent, current_user)
    if document is None:
        abort(404)
    db.session.commit()
    response = send_file(
        document.path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.download_name,
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# Status -----------------------------------------------------------------------------------------


def _refusal(exc: ops.HouseholdError, previous: str, to: HouseholdStatus) -> str:
    if exc.explained:  # the operation's own words
        return str(exc.message)
    if previous == HouseholdStatus.WITHDRAWN:
        return _("The profile was withdrawn; its status cannot change any more.")
    return _(
        "The status cannot change from “%(previous)s” to “%(to)s”.",
        previous=status_label(previous),
        to=status_label(to.value),
    )


DONE = {
    HouseholdStatus.VETTED: lambda: _("The profile is vetted. Landlords see it now."),
    HouseholdStatus.PAUSED: lambda: _("The profile is paused. Landlords no longer see it."),
    HouseholdStatus.HOUSED: lambda: _("The household is marked as housed."),
    HouseholdStatus.WITHDRAWN: lambda: _("The profile is withdrawn. Landlords no longer see it."),
}


@bp.route("/<int:household_id>/status", methods=["POST"])
@staff_required(Role.SOCIAL_WORKER)
def change_status(household_id: int):
    household = _household(household_id)
    form = StatusForm()
    form.validate_on_submit()
    # Only the exit fields are the user's to correct; anything else is a forged request.
    if not form.is_submitted() or set(form.errors) - {"exit_destination", "exit_on"}:
        abort(400)
    to = HouseholdStatus(form.to.data)
    previous = household.status
    asks_exit = (
        to == HouseholdStatus.WITHDRAWN
        and household.exit_on is None
        and household.can_move(to, SOCIAL_WORKER)
    )
    if asks_exit and not form.check_exit(household.intake_on):
        flash(
            _("The profile was not withdrawn. Please say where the household went."),
            "error",
        )
        return _render_detail(household, status_form=form)
    try:
        if to == HouseholdStatus.VETTED:
            ops.vet(household, current_user, request.form.getlist("confirm_hit"))
        elif asks_exit:
            ops.change_status(
                household, current_user, to, form.exit_destination.data, form.exit_on.data
            )
        else:
            ops.change_status(household, current_user, to)
    except ops.HouseholdError as exc:
        db.session.rollback()
        flash(_refusal(exc, previous, to), "error")
        if isinstance(exc, ops.ProfileTextHits):
            return redirect(url_for(".detail", household_id=household.id, _anchor="text-check"))
    else:
        db.session.commit()
        flash(DONE[to](), "success")
    return redirect(url_for(".detail", household_id=household.id))


# ESF participant data ---------------------------------------------------------------------------


def _participants_page(household: Household, form: ParticipantsForm):
    return render_template(
        "backoffice/households/participants.html",
        household=household,
        form=form,
        columns=PARTICIPANT_COLUMNS,
        recorded=_recorded(household),
    )


@bp.route("/<int:household_id>/participants", methods=["GET", "POST"])
@staff_required(Role.SOCIAL_WORKER)
def participants(household_id: int):
    """The ESF participant fields, one row per person (the same rights as the profile form)."""
    household = _household(household_id)
    size = {"adults": household.adults, "children": household.children}
    if request.method == "GET":
        form = ParticipantsForm(formdata=None, data=participant_data(household), **size)
        return _participants_page(household, form)
    form = ParticipantsForm(**size)
    if not form.validate_on_submit():
        flash(
            _("Please check the marked fields. Nothing was lost: your input is still here."),
            "error",
        )
        return _participants_page(household, form)
    try:
        changed = ops.save_participants(household, current_user, form.rows())
    except ops.HouseholdError:
        db.session.rollback()
        flash(_("The participant data could not be saved. Please try again."), "error")
        return redirect(url_for(".participants", household_id=household.id))
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for(".detail", household_id=household.id, _anchor="reporting"))
