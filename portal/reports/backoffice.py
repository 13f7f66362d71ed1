"""Staff routes of the reports: the figures for a period as tables with their definitions, the
trend charts, the CSV and the PDF.

Rights (DESIGN.md §1): specialists, social workers and admins see every report; landlords get
403 (they see their own figures on their dashboard); anonymous visitors go to the login.
Nothing here changes data; downloads are audited. Every output takes its cells from one
protected report (``report.build``): small numbers are "< 3" and the cells that would give them
away "x" everywhere but on the page and charts of a staff member's own caseload (every table of
it scoped to that caseload). The list of overdue follow-ups (household codes, specialists) is
shown on the page only, never in a file.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.core.i18n import day, number
from portal.extensions import db
from portal.reports import annex, charts, exports, figures, report, submissions
from portal.reports.forms import PeriodForm, SubmitForm
from portal.reports.periods import Period, preset
from portal.reports.tables import display

bp = Blueprint("reports_backoffice", __name__, url_prefix="/backoffice/reports")
# A chart is an image of our own making: its styles are inline, and nothing in it may load or
# run.
CHART_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def _choice() -> tuple[PeriodForm, Period, figures.Scope]:
    form = PeriodForm(request.args)
    today = clock.today()
    valid = not request.args or form.validate()  # no arguments: the form's defaults
    period = form.period(today) if valid else preset("this_year", today)
    scope = figures.Scope(current_user.id) if form.scope.data == "own" else figures.PROGRAMME
    return form, period, scope


def _args(period: Period, scope: figures.Scope) -> dict[str, str]:
    args = {"preset": period.preset or "custom"}
    if period.preset is None:
        args |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if scope.is_own:
        args["scope"] = "own"
    return args


def on_page(value, kind: str) -> str:
    if kind == "text":
        return str(value)
    if kind == "date":
        return day(value)
    if kind == "rate":
        return f"{number(value)}\u00a0%"
    return number(value)


@bp.route("/")
@staff_required()
def index():
    return render_index()


def render_index(submit_form: SubmitForm | None = None) -> str:
    """The report page; ``submit_form`` is the submitting form with what was typed, when it
    comes back with an error (reports/submission_views.py)."""
    form, period, scope = _choice()
    today = clock.today()
    shown = report.build(period, scope, today, exact=scope.is_own)
    args = _args(period, scope)
    return render_template(
        "backoffice/reports/index.html",
        # Submitting (issue 17): the whole programme only, by specialists and admins.
        submit_form=None if scope.is_own else submit_form or SubmitForm(),
        may_submit=submissions.may_submit(current_user),
        may_export_annex=annex.may_export(current_user),
        submitted=submissions.submissions(period),
        form=form,
        period=period,
        as_of=period.as_of(today),
        scope=scope,
        tables=shown.tables,
        charts=shown.charts,
        show=lambda cell: display(cell, on_page),
        legend=exports.LEGEND,
        args=args,
        csv_url=url_for(".export_csv", **args),
        pdf_url=url_for(".summary_pdf", **args),
    )


@bp.route("/charts/<any(placements, lease_time, retention):key>.svg")
@staff_required()
def chart(key: str):
    _form, period, scope = _choice()
    shown = report.build(period, scope, clock.today(), exact=scope.is_own)
    drawing = charts.svg(next(c for c in shown.charts if c.key == key))
    response = Response(drawing, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    return response


def _download(kind: str, tables, period: Period, today: date) -> Response:
    exports.record(kind, period, actor=current_user)
    db.session.commit()
    name = f"zuhause-figures-{period.start.isoformat()}-{period.end.isoformat()}.{kind}"
    return Response(
        exports.render(kind, tables, period, today),
        mimetype=exports.MIMETYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/export.csv")
@staff_required()
def export_csv():
    """All tables, or the one named by ``table``; always protected as the whole report is, so
    one table shows the same cells as all of them. Not the list of overdue follow-ups."""
    _form, period, scope = _choice()
    today = clock.today()
    tables = report.build(period, scope, today).exported
    name = request.args.get("table")
    if name:
        tables = [t for t in tables if t.key == name]
        if not tables:
            abort(404)
    return _download("csv", tables, period, today)


@bp.route("/summary.pdf")
@staff_required()
def summary_pdf():
    _form, period, _scope = _choice()
    today = clock.today()
    # For the ministry: always the whole programme.
    tables = report.build(period, figures.PROGRAMME, today).exported
    return _download("pdf", tables, period, today)
