"""The state-level report in the back office (DESIGN.md §9): the figures of every site, summed
and then protected (``reports/state.py``), as a page, a CSV and a PDF. Adds its routes to the
reports blueprint (imported in create_app before the blueprint is registered).

Rights: the state-level reader only (``Role.STATE_READER``: this page and its files, nothing
else; the login brings them here). Staff get 403, admins too: whoever holds a site's own report
could subtract it from the state total and learn another site's withheld figure, so the state
report goes only to readers who see no site report. Landlords get 403; anonymous visitors go to
the login. Nothing here
changes data; downloads are audited.
"""

from __future__ import annotations

from flask import render_template, request, url_for

from portal.accounts.models import Role
from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.reports import exports, state
from portal.reports.backoffice import _download, bp, on_page
from portal.reports.forms import PeriodForm
from portal.reports.periods import Period, preset
from portal.reports.tables import display

READERS = (Role.STATE_READER,)


def _period() -> tuple[PeriodForm, Period]:
    form = PeriodForm(request.args)
    today = clock.today()
    valid = not request.args or form.validate()
    return form, form.period(today) if valid else preset("this_year", today)


def _args(period: Period) -> dict[str, str]:
    args = {"preset": period.preset or "custom"}
    if period.preset is None:
        args |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return args


@bp.route("/state")
@staff_required(*READERS)
def state_index():
    form, period = _period()
    today = clock.today()
    shown = state.build(period, today)
    args = _args(period)
    return render_template(
        "backoffice/reports/state.html",
        form=form,
        period=period,
        as_of=period.as_of(today),
        sites=shown.sites,
        tables=shown.tables,
        show=lambda cell: display(cell, on_page),
        legend=exports.LEGEND,
        csv_url=url_for(".state_csv", **args),
        pdf_url=url_for(".state_pdf", **args),
    )


@bp.route("/state/export.csv")
@staff_required(*READERS)
def state_csv():
    _form, period = _period()
    today = clock.today()
    return _download("csv", state.build(period, today).tables, period, today, None)


@bp.route("/state/summary.pdf")
@staff_required(*READERS)
def state_pdf():
    _form, period = _period()
    today = clock.today()
    return _download("pdf", state.build(period, today).tables, period, today, None)
