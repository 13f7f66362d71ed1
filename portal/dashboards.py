"""The dashboards: the staff home (``backoffice.home``) and the landlord's flat dashboard with
its own figures (``listings.dashboard``). They summarise every domain, so they stand above them
all (tests/test_architecture.py); the routes keep their blueprints and endpoint names."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_login import current_user
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import load_only, selectinload

from portal.accounts.backoffice import bp as backoffice
from portal.accounts.models import Organisation, Role, User
from portal.accounts.permissions import landlord_required, staff_required
from portal.accounts.staff_home import landlord_messages
from portal.core import clock
from portal.extensions import db
from portal.households.labels import status_label as household_status_label
from portal.households.models import Household, HouseholdStatus
from portal.listings.models import Flat, FlatStatus
from portal.listings.queries import changes_queue, review_queue, waiting_for_review
from portal.listings.views import bp as listings
from portal.mediation.labels import topic_label as mediation_topic_label
from portal.mediation.queries import CaseFilter
from portal.mediation.queries import home_counts as mediation_counts
from portal.placements.models import ENDED_OUTCOMES, FollowUp, Placement
from portal.placements.queries import dashboard as placements_dashboard
from portal.placements.queries import newest_open_interests
from portal.reports.figures import _leases, _move_ins

# The staff home --------------------------------------------------------------------------------
# Each role its own home: the specialist's flats to review, placement steps due, open interests
# and landlord messages; the social worker's own households, consents about to expire,
# follow-ups and mediation cases due. An admin (a technical role, DESIGN.md section 1) sees both
# as figures only: no household code, no address, no link into casework.

HOME_ROWS = 10
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
    changes = changes_queue()
    return {
        "flats_waiting": waiting_for_review(),
        "review_flats": [] if overview else review_queue(HOME_ROWS),
        "changes_flats": [] if overview else changes[:HOME_ROWS],
        "changes_waiting": len(changes),
        "interests": [] if overview else interests,
        "open_interests": open_interests,
        "messages": landlord_messages(current_user, HOME_ROWS),
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
    context.update(
        landlords=db.session.scalar(select(func.count(User.id)).where(User.role == Role.LANDLORD)),
        unverified=db.session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.LANDLORD, User.email_verified_at.is_(None)
            )
        ),
        organisations=db.session.scalar(select(func.count(Organisation.id))),
    )
    if role in (Role.SPECIALIST, Role.SOCIAL_WORKER, Role.ADMIN):
        context["placements"] = placements_dashboard()
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
    flats_ever: int  # ever published
    placements: int  # leases signed
    tenancies_running: int  # moved in, no end recorded


def own_figures(organisation_id: int) -> OwnFigures:
    """A landlord organisation's own figures for its dashboard (no small-number rule: they are
    its own flats)."""
    offered = Flat.status.in_([FlatStatus.PUBLISHED.value, FlatStatus.RESERVED.value])
    flats_row = db.session.execute(
        select(
            func.count(case((offered, Flat.id))),
            func.count(Flat.published_at),
        ).where(Flat.organisation_id == organisation_id)
    ).one()
    ended = exists().where(
        FollowUp.placement_id == Placement.id, FollowUp.outcome.in_(ENDED_OUTCOMES)
    )
    placement_row = db.session.execute(
        select(
            func.count(case((_leases(), Placement.id))),
            func.count(case((and_(_move_ins(), ~ended), Placement.id))),
        )
        .join(Flat, Flat.id == Placement.flat_id)
        .where(Flat.organisation_id == organisation_id)
    ).one()
    return OwnFigures(flats_row[0], flats_row[1], placement_row[0], placement_row[1])


@listings.route("/")
@landlord_required
def dashboard():
    flats = db.session.scalars(
        select(Flat)
        .where(Flat.organisation_id == current_user.organisation_id)
        .options(selectinload(Flat.photos))
        .order_by(Flat.status == FlatStatus.ARCHIVED.value, Flat.updated_at.desc(), Flat.id.desc())
    ).all()
    return render_template(
        "listings/dashboard.html",
        flats=flats,
        figures=own_figures(current_user.organisation_id) if flats else None,
    )
