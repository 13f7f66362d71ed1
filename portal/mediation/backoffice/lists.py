"""The list of mediation cases with its filters."""

from __future__ import annotations

from flask import render_template, request

from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.core.pagination import page_of
from portal.mediation.backoffice.common import CASEWORK, _labels, _staff, bp
from portal.mediation.queries import CaseFilter, age_in_working_days, is_overdue
from portal.mediation.staff_forms import CaseFilterForm


@bp.route("/")
@staff_required(*CASEWORK)
def index():
    today = clock.today()
    form = CaseFilterForm(formdata=request.args)
    form.set_choices(_staff(active_only=False))
    form.validate()
    criteria = CaseFilter.from_form(form, overdue=request.args.get("overdue") == "1")
    page = page_of(criteria.query(today))
    return render_template(
        "backoffice/mediation/list.html",
        page=page,
        form=form,
        criteria=criteria,
        today=today,
        age=age_in_working_days,
        is_overdue=is_overdue,
        **_labels(),
    )
