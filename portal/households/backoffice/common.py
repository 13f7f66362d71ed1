"""What the households' staff routes share: the blueprint, loading a household and its consents,
and rendering the detail page (which the forms posted from it show again when refused)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Organisation, Role, User
from portal.core import clock
from portal.core.hooks import Hook
from portal.core.pagination import HOME_ROWS, first_and_total
from portal.core.security import allow_body
from portal.extensions import db
from portal.households import operations as ops
from portal.households import textcheck
from portal.households.forms import (
    MAX_DOCUMENT_BYTES,
    ConsentForm,
    HouseholdForm,
    PreventionLinkForm,
    PreventionOpenForm,
    PreventionOutcomeForm,
    StatusForm,
)
from portal.households.labels import (
    CONSENT_CATEGORIES,
    CONSENT_ESF_NOTE,
    consent_state_label,
    cost_bearer_label,
    exit_destination_label,
    hit_reason,
    prevention_outcome_label,
    status_label,
    target_group_label,
    threat_label,
    vetting_checklist_label,
)
from portal.households.limits import limit_of
from portal.households.models import (
    SOCIAL_WORKER,
    VETTING_CHECKLIST,
    Consent,
    Household,
    HouseholdStatus,
    ProfileView,
    incomplete_participants,
)
from portal.households.queries import consent_state, latest_consents
from portal.listings.models import District

bp = Blueprint("households_backoffice", __name__, url_prefix="/backoffice/households")

READERS = (Role.SPECIALIST, Role.SOCIAL_WORKER)
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
        consent_state_label=consent_state_label,
        target_group_label=target_group_label,
        exit_destination_label=exit_destination_label,
        threat_label=threat_label,
        prevention_outcome_label=prevention_outcome_label,
        consent_categories=CONSENT_CATEGORIES,
        consent_esf_note=CONSENT_ESF_NOTE,
    )


# Loading ----------------------------------------------------------------------------------------

# What ``Household.valid_consent`` reads of each consent: a household has about two a year.
CONSENT_DATES = (
    Consent.id,
    Consent.household_id,
    Consent.given_on,
    Consent.expires_on,
    Consent.withdrawn_on,
)


def _household(household_id: int, *, whole: bool = True) -> Household:
    """The household, or 404 (another site's household is not there: the site filter).
    ``whole``: with what its page and forms read: identity, districts, participants and the
    dates of every consent (whether one is valid decides visibility and vetting); else the
    household alone (the pages that list one of its lists, a page at a time). The page shows
    its newest consents in full (``latest_consents``)."""
    query = select(Household).where(Household.id == household_id)
    if whole:
        query = query.options(
            selectinload(Household.identity),
            selectinload(Household.consents).load_only(*CONSENT_DATES),
            selectinload(Household.preferred_districts),
            selectinload(Household.participants),
        )
    household = db.session.scalar(query)
    if household is None:
        abort(404)
    return household


def _consent(household: Household, consent_id: int) -> Consent:
    """One consent of the household, whole (its scan's key, its scope), or 404."""
    consent = db.session.scalar(
        select(Consent).where(Consent.id == consent_id, Consent.household_id == household.id)
    )
    if consent is None:
        abort(404)
    return consent


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
# (privacy.sections). Receivers are called with the household and ``social_worker``. The
# interests and exports are the newest ``HOME_ROWS`` with the number of all (``*_total``); the
# page links to the page of each that lists them all.
HOUSEHOLD_PAGE = Hook(
    "the staff page of a household",
    provides=frozenset(
        {
            "interests",
            "interests_total",
            "matches",
            "in_progress",
            "exports",
            "exports_total",
            "purpose_label",
        }
    ),
)


def _sees_case_notes() -> bool:
    """Case notes and consent documents (tier 3) are for social workers alone."""
    return current_user.role == Role.SOCIAL_WORKER


def _recorded(household: Household) -> int:
    """How many persons of the household have their ESF participant row."""
    return sum(1 for p in household.participants if p.position < household.size)


def _checklist_record(household: Household) -> dict | None:
    """The vetting checklist as ticked: its items, who ticked them and when (a datetime)."""
    record = household.vetting_checklist
    if not record:
        return None
    ticked_at = record.get("ticked_at")
    return {
        "items": record.get("items", []),
        "ticked_by_id": record.get("ticked_by_id"),
        "ticked_at": datetime.fromisoformat(ticked_at) if ticked_at else None,
    }


def _prevention(household: Household, posted: dict) -> dict:
    """The prevention section: the household's cases, the open one, the linked mediation
    cases' labels and the three forms (as posted, when one was refused)."""
    cases = ops.cases_of(household)
    current = next((c for c in cases if c.is_open), None)
    linked = {}
    choices: list[tuple[int, str]] = []
    for case in cases:
        if case.mediation_case_id is None:
            continue
        offered = ops.linkable(case)
        if case is current:
            choices = offered
        linked[case.id] = dict(offered).get(case.mediation_case_id, "–")
    if current is not None and not choices:
        choices = ops.linkable(current)
    link_form = posted.get("prevention_link_form") or PreventionLinkForm(
        formdata=None, data={"mediation_case_id": current.mediation_case_id if current else None}
    )
    link_form.set_choices(choices)
    return {
        "prevention_cases": cases,
        "prevention_current": current,
        "prevention_linked": linked,
        "prevention_open_form": posted.get("prevention_open_form")
        or PreventionOpenForm(formdata=None),
        "prevention_link_form": link_form,
        "prevention_outcome_form": posted.get("prevention_outcome_form")
        or PreventionOutcomeForm(formdata=None),
    }


def _render_detail(
    household: Household,
    consent_form: ConsentForm | None = None,
    status_form: StatusForm | None = None,
    checklist_ticked: tuple[str, ...] = (),
    confirmed_keys: tuple[str, ...] = (),
    **posted,
):
    is_social_worker = _sees_case_notes()
    if is_social_worker and consent_form is None:
        consent_form = ConsentForm(formdata=None)
    if is_social_worker and status_form is None:
        status_form = StatusForm(formdata=None)
    sections = HOUSEHOLD_PAGE.sections(household, social_worker=is_social_worker)
    # The newest consents in full, the number of all and a link to the page that lists them
    # all (reading.consents); whether one is valid is read from the dates ``_household`` loads.
    consents, consents_total = latest_consents(household.id, HOME_ROWS)
    people_ids = {household.vetted_by_id} | {c.recorded_by_id for c in consents}
    people_ids |= {e.actor_id for e in sections["exports"]}
    people_ids.add((household.vetting_checklist or {}).get("ticked_by_id"))
    prevention = _prevention(household, posted)
    people_ids |= {c.opened_by_id for c in prevention["prevention_cases"]}
    people_ids |= {c.closed_by_id for c in prevention["prevention_cases"]}
    people_ids.discard(None)
    people = (
        {u.id: u.full_name for u in db.session.scalars(select(User).where(User.id.in_(people_ids)))}
        if people_ids
        else {}
    )
    # The newest looks and the number of all (one a landlord's visit: it grows with them).
    views, views_total = first_and_total(
        select(ProfileView.viewed_at, Organisation.name)
        .join(Organisation, Organisation.id == ProfileView.organisation_id)
        .where(ProfileView.household_id == household.id)
        .order_by(ProfileView.viewed_at.desc(), ProfileView.id.desc()),
        HOME_ROWS,
    )
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
        incomplete=incomplete_participants(household),
        moves=moves,
        people=people,
        consents=consents,
        consents_total=consents_total,
        views=views,
        views_total=views_total,
        today=clock.today(),
        visible=household.is_visible_to_landlords(),
        rent_limit=limit_of(household),  # computed today: the table in force, or the override
        text_hits=text_hits,
        text_segments=textcheck.segments(household.profile_text or "", text_hits),
        hit_reason=hit_reason,
        checklist=[(item, vetting_checklist_label(item)) for item in VETTING_CHECKLIST],
        checklist_ticked=checklist_ticked,
        confirmed_keys=confirmed_keys,
        checklist_label=vetting_checklist_label,
        checklist_record=_checklist_record(household),
        **prevention,
        **sections,
    )
