"""The dashboards: the staff home (``backoffice.home``) and the landlord's flat dashboard with
its own figures (``listings.dashboard``). They summarise every domain, so they stand above them
all (tests/test_architecture.py); the routes keep their blueprints and endpoint names."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_login import current_user
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import selectinload

from portal.accounts.backoffice import bp as backoffice
from portal.accounts.models import Organisation, Role, User
from portal.accounts.permissions import landlord_required, staff_required
from portal.extensions import db
from portal.listings.models import Flat, FlatStatus
from portal.listings.queries import waiting_for_review
from portal.listings.views import bp as listings
from portal.mediation.queries import home_counts as mediation_counts
from portal.placements.models import ENDED_OUTCOMES, FollowUp, Placement
from portal.placements.queries import dashboard as placements_dashboard
from portal.placements.queries import newest_open_interests
from portal.reports.figures import _leases, _move_ins

# The staff home --------------------------------------------------------------------------------


@backoffice.route("/")
@staff_required()
def home():
    landlords = db.session.scalar(select(func.count(User.id)).where(User.role == Role.LANDLORD))
    unverified = db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.LANDLORD, User.email_verified_at.is_(None)
        )
    )
    organisations = db.session.scalar(select(func.count(Organisation.id)))
    interests, open_interests, flats_waiting, placements = [], 0, 0, None
    mediation = None
    if current_user.role in (Role.SPECIALIST, Role.SOCIAL_WORKER):  # casework, not admins
        interests, open_interests = newest_open_interests()
        flats_waiting = waiting_for_review()
        placements = placements_dashboard()
        mediation = mediation_counts()
    return render_template(
        "backoffice/home.html",
        landlords=landlords,
        unverified=unverified,
        organisations=organisations,
        interests=interests,
        open_interests=open_interests,
        flats_waiting=flats_waiting,
        placements=placements,
        mediation=mediation,
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
