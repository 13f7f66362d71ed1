"""The dashboards: the staff home (``backoffice.home``) and the landlord's flat dashboard with
its own figures (``listings.dashboard``). They summarise every domain, so they stand above them
all (tests/test_architecture.py); the routes keep their blueprints and endpoint names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import and_, bindparam, case, exists, func, or_, select
from sqlalchemy.orm import load_only, selectinload

from portal.accounts.backoffice import bp as backoffice
from portal.accounts.models import Organisation, Role, User
from portal.accounts.permissions import landlord_required, staff_required
from portal.accounts.staff_home import landlord_messages
from portal.core import clock
from portal.core.pagination import HOME_ROWS, page_of
from portal.extensions import db
from portal.households.labels import status_label as household_status_label
from portal.households.models import Household, HouseholdStatus
from portal.listings.labels import status_label
from portal.listings.models import District, Flat, FlatStatus
from portal.listings.queries import (
    OwnFlatFilterForm,
    changes_queue,
    review_figures,
    review_queue,
)
from portal.listings.views import bp as listings
from portal.mediation.labels import topic_label as mediation_topic_label
from portal.mediation.queries import CaseFilter
from portal.mediation.queries import home_counts as mediation_counts
from portal.placements.models import CLOSED_STATES, ENDED_OUTCOMES, FollowUp, Placement
from portal.placements.paperwork import money
from portal.placements.queries import dashboard as placements_dashboard
from portal.placements.queries import newest_open_interests
from portal.reports.figures import _leases, _move_ins

# The staff home --------------------------------------------------------------------------------
# Each role its own home: the specialist's flats to review, placement steps due, open interests
# and landlord messages; the social worker's own households, consents about to expire,
# follow-ups and mediation cases due. An admin (a technical role, DESIGN.md section 1) sees both
# as figures only: no household code, no address, no link into casework.

CASELOAD_STATUSES = (
    HouseholdStatus.DRAFT.value,
    HouseholdStatus.VETTED.value,
    HouseholdStatus.PAUSED.value,
)


@dataclass(frozen=True)
class Caseload:
    """A social worker's own households (those she created) that are not housed or gone."""

    counts: dict[str, int]  # status to number
    drafts: list[Household]  # the oldest drafts, still to vet

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def caseload(user_id: int) -> Caseload:
    """In two queries, whatever the numbers."""
    own = (Household.created_by_id == user_id, Household.status.in_(CASELOAD_STATUSES))
    counts = dict(
        db.session.execute(
            select(Household.status, func.count(Household.id))
            .where(*own)
            .group_by(Household.status)
        ).all()
    )
    drafts = db.session.scalars(
        select(Household)
        .where(Household.created_by_id == user_id, Household.status == HouseholdStatus.DRAFT.value)
        .options(load_only(Household.code, Household.created_at))
        .order_by(Household.created_at, Household.id)
        .limit(HOME_ROWS)
    ).all()
    return Caseload({s: counts.get(s, 0) for s in CASELOAD_STATUSES}, list(drafts))


def _specialist_home(overview: bool) -> dict:
    interests, open_interests = newest_open_interests(HOME_ROWS)
    waiting, changes_waiting = review_figures()
    costs_due, costs_due_count = ([], 0) if overview else money.due_items(clock.today(), HOME_ROWS)
    return {
        "flats_waiting": waiting,
        "review_flats": [] if overview else review_queue(HOME_ROWS),
        "changes_flats": [] if overview else changes_queue(HOME_ROWS),
        "changes_waiting": changes_waiting,
        "interests": [] if overview else interests,
        "open_interests": open_interests,
        "messages": landlord_messages(current_user, HOME_ROWS),
        "cost_items_due": costs_due,
        "cost_items_due_count": costs_due_count,
    }


def _social_worker_home(overview: bool) -> dict:
    today = clock.today()
    return {
        "caseload": None if overview else caseload(current_user.id),
        "mediation": mediation_counts(today),
        "mediation_due": []
        if overview
        else list(db.session.scalars(CaseFilter(overdue=True).query(today).limit(HOME_ROWS)).all()),
    }


@backoffice.route("/")
@staff_required()
def home():
    role = current_user.role
    overview = role == Role.ADMIN  # figures only
    context: dict = {"overview": overview, "specialist_home": False, "social_worker_home": False}
    landlord = User.role == Role.LANDLORD
    figures = db.session.execute(  # the three in one statement
        select(
            select(func.count(User.id)).where(landlord).scalar_subquery().label("landlords"),
            select(func.count(User.id))
            .where(landlord, User.email_verified_at.is_(None))
            .scalar_subquery()
            .label("unverified"),
            select(func.count(Organisation.id)).scalar_subquery().label("organisations"),
        )
    ).one()
    context.update(figures._asdict())
    if role in (Role.SPECIALIST, Role.SOCIAL_WORKER, Role.ADMIN):
        # The admin's overview shows the numbers only: no rows are loaded for it. The
        # specialist's home shows the casework part, the social worker's the aftercare part.
        context["placements"] = placements_dashboard(
            rows=0 if overview else HOME_ROWS,
            casework=role != Role.SOCIAL_WORKER,
            aftercare=role != Role.SPECIALIST,
        )
    if role in (Role.SPECIALIST, Role.ADMIN):
        context.update(_specialist_home(overview), specialist_home=True)
    if role in (Role.SOCIAL_WORKER, Role.ADMIN):
        context.update(_social_worker_home(overview), social_worker_home=True)
    return render_template(
        "backoffice/home.html",
        mediation_topic_label=mediation_topic_label,
        household_status_label=household_status_label,
        **context,
    )


# The landlord's dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class OwnFigures:
    flats_listed: int  # published now (offered or reserved)
    flats_ever: int  # ever sent to the team (in review, offered, let or withdrawn since)
    flats_in_review: int  # waiting for the team's review now
    placements: int  # leases signed
    tenancies_running: int  # moved in, no end recorded


# A housing company with more flats than this sees them as a table with filters and sorting;
# a private landlord, or a company with a few flats, keeps the cards.
TABLE_FROM = 6


@cache
def _own_figures_statements():
    """The two statements of ``own_figures``, built once (building them costs more than running
    them); the organisation is a bound parameter."""
    organisation = bindparam("organisation_id")
    offered = Flat.status.in_([FlatStatus.PUBLISHED.value, FlatStatus.RESERVED.value])
    flats = select(
        func.count(case((offered, Flat.id))),
        func.count(
            case((or_(Flat.submitted_at.is_not(None), Flat.published_at.is_not(None)), Flat.id))
        ),
        func.count(case((Flat.status == FlatStatus.SUBMITTED.value, Flat.id))),
    ).where(Flat.organisation_id == organisation)
    ended = exists().where(
        FollowUp.placement_id == Placement.id, FollowUp.outcome.in_(ENDED_OUTCOMES)
    )
    placements = (
        select(
            func.count(case((_leases(), Placement.id))),
            func.count(case((and_(_move_ins(), ~ended), Placement.id))),
        )
        .join(Flat, Flat.id == Placement.flat_id)
        .where(Flat.organisation_id == organisation)
    )
    return flats, placements


def own_figures(organisation_id: int) -> OwnFigures:
    """A landlord organisation's own figures for its dashboard (no small-number rule: they are
    its own flats). "Listed so far" counts every flat ever submitted, so a flat in review is
    never missing from it (issue 15: the figures never contradict the page)."""
    flats, placements = _own_figures_statements()
    parameters = {"organisation_id": organisation_id}
    flats_row = db.session.execute(flats, parameters).one()
    placement_row = db.session.execute(placements, parameters).one()
    return OwnFigures(*flats_row, *placement_row)


def _open_placements(flat_ids: list[int]) -> dict[int, int]:
    """Open placements per flat (proposed up to moved in, not completed or cancelled)."""
    if not flat_ids:
        return {}
    rows = db.session.execute(
        select(Placement.flat_id, func.count(Placement.id))
        .where(
            Placement.flat_id.in_(flat_ids),
            Placement.state.not_in([s.value for s in CLOSED_STATES]),
        )
        .group_by(Placement.flat_id)
    )
    return {flat_id: count for flat_id, count in rows}


@cache
def _status_counts_statement():
    return (
        select(Flat.status, func.count(Flat.id))
        .where(Flat.organisation_id == bindparam("organisation_id"))
        .group_by(Flat.status)
    )


def _status_counts(organisation_id: int) -> dict[str, int]:
    rows = db.session.execute(_status_counts_statement(), {"organisation_id": organisation_id})
    return {status: count for status, count in rows}


@cache
def _cards_statement():
    """The flats of the cards: only the columns a card shows (of 43), with their photos;
    built once."""
    return (
        select(Flat)
        .where(Flat.organisation_id == bindparam("organisation_id"))
        .options(
            load_only(
                Flat.public_key,
                Flat.status,
                Flat.changes_submitted_at,
                Flat.street,
                Flat.house_number,
                Flat.postcode,
                Flat.site_id,  # the address line names the site
                Flat.rooms,
                Flat.living_area,
                Flat.cold_rent,
                Flat.service_charges,
                Flat.updated_at,
            ),
            selectinload(Flat.photos),
        )
        .order_by(Flat.status == FlatStatus.ARCHIVED.value, Flat.updated_at.desc(), Flat.id.desc())
    )


@listings.route("/")
@landlord_required
def dashboard():
    """The landlord's flats, a page at a time: cards for a private landlord or a few flats; for
    a housing company with many, summary cards and a table with filters and sorting (status,
    rent, district, open placements, last change). The figures count all the flats."""
    organisation_id = current_user.organisation_id
    counts = _status_counts(organisation_id)
    total = sum(counts.values())
    # The count first: a private landlord's page never loads the organisation.
    if total >= TABLE_FROM and current_user.organisation.is_company:
        form = OwnFlatFilterForm(formdata=request.args)
        form.set_choices(
            db.session.scalars(select(District).order_by(District.position)).all(), status_label
        )
        page = page_of(form.query(organisation_id))
        return render_template(
            "listings/dashboard_table.html",
            page=page,
            form=form,
            counts=counts,
            total=total,
            open_placements=_open_placements([f.id for f in page.items]),
            figures=own_figures(organisation_id),
        )
    # The cards are all the flats, so their number is the sum of the status counts.
    page = page_of(_cards_statement().params(organisation_id=organisation_id), total=total)
    return render_template(
        "listings/dashboard.html",
        page=page,
        figures=own_figures(organisation_id) if total else None,
    )
