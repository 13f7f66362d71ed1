"""The list of households and the detail page."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.accounts.models import Role
from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.core.pagination import page_of
from portal.households.backoffice.common import READERS, _household, _render_detail, bp
from portal.households.labels import status_label
from portal.households.models import Household, incomplete_participants
from portal.households.queries import (
    EXPIRY_WARNING_DAYS,
    CaseloadFilter,
    CaseloadFilterForm,
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
