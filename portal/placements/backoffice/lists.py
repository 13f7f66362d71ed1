"""The filterable list of placements and its CSV export."""

from __future__ import annotations

from datetime import datetime

from flask import render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.core.pagination import page_of
from portal.core.spreadsheet import csv_response
from portal.extensions import db
from portal.listings.models import District
from portal.placements.backoffice.common import CASEWORK, _staff, _staff_choices, bp
from portal.placements.calendar import BERLIN
from portal.placements.forms import PlacementFilterForm
from portal.placements.labels import state_label
from portal.placements.queries import PlacementFilter, is_overdue

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
    page = page_of(criteria.query())
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
