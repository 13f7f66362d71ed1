"""Landlord routes: vetted, consented profiles (tier 1 only), and registering interest.

Templates here receive ``PublicProfile``, ``FlatFit`` and ``Pager`` objects and the landlord's
own flats' labels; never a ``Household``, its identity or its consents (households/public.py).
The blueprint keeps its name ``households`` (URLs and endpoints as before); it stands on the
matching floor because the pages show the fit of each own flat and register interest.
A profile landlords may not see answers 404, for every method, like an id that does not exist;
so does a profile of a site where the landlord's organisation has no published flat
(``households.queries.visible_to_organisation``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.permissions import landlord_required
from portal.core import clock
from portal.core.db import begin_writing
from portal.core.fields import page_arg
from portal.core.pagination import UncountedPage, uncounted_page
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.households.models import Household
from portal.households.operations import (
    has_published_flat,
    interest_blocked,
    published_flat_of,
    record_view,
)
from portal.households.public import PublicProfile, cards_of
from portal.households.queries import (
    HouseholdFilter,
    sites_with_published_flat,
    visible_household,
)
from portal.listings.models import District, Flat, FlatStatus
from portal.matching.landlords import landlord_households, own_flats_for
from portal.placements.forms import InterestForm
from portal.placements.models import Interest
from portal.placements.operations import register_interest
from portal.placements.refusals import NO_SUBMITTED_FLAT

bp = Blueprint("households", __name__, url_prefix="/households")

# Why a landlord cannot register interest yet (shown instead of the form, and flashed when a
# POST arrives anyway).
BLOCKED = {
    "unverified": _l(
        "Please confirm your e-mail address first: use the link we sent you. Then you can tell "
        "the Kümmerer team which of your flats could suit a household."
    ),
    "no_submitted_flat": NO_SUBMITTED_FLAT,
    "no_published_flat": _l(
        "As soon as the Kümmerer team has published one of your flats, you can tell them here "
        "that this household could live in it."
    ),
}


@dataclass(frozen=True)
class Pager:
    """What ``_pagination`` and the heading need, without the Household rows of the page. The
    list is not counted (``UncountedPage``): ``total`` is known on the last page only."""

    page: int
    pages: int | None
    total: int | None
    has_prev: bool
    has_next: bool
    prev_num: int | None
    next_num: int | None
    first: int
    last: int

    @classmethod
    def of(cls, page: UncountedPage) -> Pager:
        return cls(
            page=page.page,
            pages=page.pages,
            total=page.total,
            has_prev=page.has_prev,
            has_next=page.has_next,
            prev_num=page.prev_num,
            next_num=page.next_num,
            first=page.first,
            last=page.last,
        )


@dataclass(frozen=True)
class RegisteredInterest:
    flat_label: str
    registered_on: date


def _visible_or_404(household_id: int, today: date) -> Household:
    household = visible_household(household_id, current_user.organisation_id, today)
    if household is None:
        abort(404)
    return household


def _flat_label(flat: Flat) -> str:
    return flat.address_line or _("Flat without address")


def _registered(household: Household, user: User) -> list[tuple[Interest, Flat]]:
    """The interests the landlord's organisation registered for this household."""
    rows = db.session.execute(
        select(Interest, Flat)
        .join(Flat, Interest.flat_id == Flat.id)
        .where(
            Interest.household_id == household.id,
            Flat.organisation_id == user.organisation_id,
        )
        .order_by(Interest.created_at, Interest.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def _render_profile(
    household: Household, today: date, form: InterestForm | None = None, posted: Flat | None = None
):
    """``posted``: the own published flat a re-rendered form chose, kept among its choices."""
    registered = _registered(household, current_user)
    registered_keys = {flat.public_key for _interest, flat in registered}
    # Only the flats in the household's site are offered to it (matching within a site); a
    # large organisation's are found and ranked by the database, the best shown.
    own = own_flats_for(household, current_user.organisation_id, today, registered_keys)
    # The suggested flats that can still be chosen (published, of this site).
    suggested_here = [
        flat
        for _interest, flat in registered
        if flat.status == FlatStatus.PUBLISHED and flat.site_id == household.site_id
    ]
    blocked = interest_blocked(current_user, own.in_site > 0)
    if form is None:
        form = InterestForm(formdata=None)
        form.flat.data = own.suggestion.public_key if own.suggestion is not None else None
    # A small organisation chooses among all its flats here, as they are all shown; a large one
    # among those shown that fit, the suggestion and those already suggested, not a select of
    # hundreds (``interest`` accepts any of its published flats posted).
    choices = list(own.flats)
    kept = [posted] if posted is not None and posted.site_id == household.site_id else []
    choices += [flat for flat in suggested_here + kept if flat not in choices]
    form.set_flats(
        [
            (
                flat.public_key,
                _("%(flat)s (already suggested)", flat=_flat_label(flat))
                if flat.public_key in registered_keys
                else _flat_label(flat),
            )
            for flat in choices
        ]
    )
    return render_template(
        "households/profile.html",
        profile=PublicProfile.of(household, today),
        fits=own.fits,
        every_flat=own.every_flat,
        has_flats=own.in_site > 0,
        fitting_count=own.fitting,
        more_fitting=own.fitting - len(own.fits) if not own.every_flat else 0,
        not_fitting=own.in_site - own.fitting,
        registered=[
            RegisteredInterest(_flat_label(flat), to_user_timezone(interest.created_at).date())
            for interest, flat in registered
        ],
        all_registered=own.in_site > 0 and len(suggested_here) >= own.in_site,
        left_to_suggest=any(flat.public_key not in registered_keys for flat in choices),
        blocked=blocked,
        blocked_text=BLOCKED[blocked] if blocked else None,
        form=form,
    )


@bp.get("/")
@landlord_required
def index():
    today = clock.today()
    criteria, filter_form = HouseholdFilter.from_args(request.args)
    organisation_id = current_user.organisation_id
    # The districts of the sites whose households the landlord sees (districts belong to a site).
    districts = select(District).where(
        District.site_id.in_(sites_with_published_flat(organisation_id))
    )
    filter_form.set_choices(
        db.session.scalars(districts.order_by(District.site_id, District.position)).all()
    )
    # Not counted: a count would test the consent of every visible household on each request.
    pagination = uncounted_page(landlord_households(criteria, organisation_id, today), page_arg())
    return render_template(
        "households/list.html",
        cards=cards_of([PublicProfile.of(household, today) for household in pagination.items]),
        pager=Pager.of(pagination),
        criteria=criteria,
        filter_form=filter_form,
        has_published_flats=has_published_flat(current_user),
    )


@bp.get("/<int:household_id>")
@landlord_required
def show(household_id: int):
    today = clock.today()
    household = _visible_or_404(household_id, today)
    response = _render_profile(household, today)
    begin_writing(db.session)
    record_view(household, current_user)
    db.session.commit()
    return response


@bp.post("/<int:household_id>")
@landlord_required
def interest(household_id: int):
    """ "This household could live in my flat X"."""
    today = clock.today()
    household = _visible_or_404(household_id, today)
    # Any of the organisation's published flats is a choice of the form, so that one of another
    # site than the household's is refused by ``register_interest`` in words, not as an unknown
    # choice; it is looked up by the key posted, not offered among hundreds.
    blocked = interest_blocked(
        current_user, has_published_flat(current_user, site_id=household.site_id)
    )
    if blocked:
        flash(str(BLOCKED[blocked]), "error")
        return redirect(url_for("households.show", household_id=household.id))
    form = InterestForm()
    flat = published_flat_of(current_user, form.flat.data)
    form.set_flats([(flat.public_key, _flat_label(flat))] if flat is not None else [])
    if not form.validate_on_submit():
        return _render_profile(household, today, form, posted=flat)
    code, flat_label = household.code, _flat_label(flat)
    try:
        register_interest(current_user, household, flat, form.message.data)
        db.session.commit()
    except Refused as refusal:
        if refusal.code == "not_visible":  # as for any profile the landlord may not see
            db.session.rollback()
            abort(404)
        flash_refusal(refusal)
        return redirect(url_for("households.show", household_id=household_id))
    flash(
        _(
            "Thank you! The Kümmerer team now knows that household %(code)s could live in your "
            "flat %(flat)s. We have sent you a confirmation by e-mail.",
            code=code,
            flat=flat_label,
        ),
        "success",
    )
    return redirect(url_for("households.show", household_id=household_id))
