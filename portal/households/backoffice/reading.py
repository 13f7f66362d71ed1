"""The list of households, the detail page and the page of all of a household's consents."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Role, User
from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.core.pagination import page_of
from portal.extensions import db
from portal.households.backoffice.common import READERS, _household, _render_detail, bp
from portal.households.labels import status_label
from portal.households.models import Household, incomplete_participants
from portal.households.queries import (
    EXPIRY_WARNING_DAYS,
    CaseloadFilter,
    CaseloadFilterForm,
    consents_of,
    expiring_count,
    valid_until,
)


@bp.route("/")
@staff_required(*READERS)
def index():
    today = clock.today()
    form = CaseloadFilterForm(formdata=request.args)
    form.set_choices(status_label)
    criteria = CaseloadFilter.from_form(form)
    page = page_of(criteria.query(today).options(selectinload(Household.participants)))
    rows = [(h, valid_until(h, today), incomplete_participants(h)) for h in page.items]
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


@bp.route("/<int:household_id>")
@staff_required(*READERS)
def detail(household_id: int):
    return _render_detail(_household(household_id))


@bp.get("/<int:household_id>/consents/all")
@staff_required(*READERS)
def consents(household_id: int):
    """All of the household's consents, a page at a time, newest first as the detail page
    shows them (which shows the newest ``HOME_ROWS``); with the same columns and, for social
    workers, the same download and withdrawal."""
    household = _household(household_id, whole=False)
    page = page_of(consents_of(household.id))
    recorders = {c.recorded_by_id for c in page.items} - {None}
    names = select(User.id, User.full_name).where(User.id.in_(recorders))
    people = dict(db.session.execute(names).all()) if recorders else {}
    return render_template(
        "backoffice/households/consents.html",
        household=household,
        page=page,
        consents=page.items,
        people=people,
        show_restricted=current_user.role == Role.SOCIAL_WORKER,
        today=clock.today(),
    )
