"""Staff routes of the reports: the figures for a period as tables with their definitions, the
trend charts, the CSV and the one-page PDF.

Rights (DESIGN.md §1): specialists, social workers and admins see every report; landlords get
403 (they see their own figures on their dashboard); anonymous visitors go to the login.
Nothing here changes data; downloads are audited. Small numbers are "< 3" everywhere but on
the page and charts of a staff member's own caseload.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import current_user

from portal.accounts.permissions import staff_required
from portal.core import audit
from portal.core.i18n import day, number
from portal.extensions import db
from portal.reports import charts, exports, figures
from portal.reports.forms import PeriodForm
from portal.reports.periods import Period
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
    today = date.today()
    if request.args and not form.validate():
        period = PeriodForm(data={"preset": "this_year"}).period(today)
    else:
        if not request.args:
            form.preset.data = "this_year"
        period = form.period(today)
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
    form, period, scope = _choice()
    suppress = not scope.is_own
    today = date.today()
    tables = figures.all_tables(period, scope, today)
    drawn = [charts.build(key, period, scope, suppress) for key in charts.CHARTS]
    args = _args(period, scope)
    return render_template(
        "backoffice/reports/index.html",
        form=form,
        period=period,
        as_of=period.as_of(today),
        scope=scope,
        tables=tables,
        charts=drawn,
        show=lambda cell: display(cell, suppress, on_page),
        suppress=suppress,
        args=args,
        csv_url=url_for(".export_csv", **args),
        pdf_url=url_for(".summary_pdf", **args),
    )


@bp.route("/charts/<any(placements, lease_time, retention):key>.svg")
@staff_required()
def chart(key: str):
    _form, period, scope = _choice()
    suppress = not scope.is_own
    drawing = charts.svg(charts.build(key, period, scope, suppress), suppress)
    response = Response(drawing, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    return response


def _filename(period: Period, extension: str) -> str:
    return f"zuhause-figures-{period.start.isoformat()}-{period.end.isoformat()}.{extension}"


@bp.route("/export.csv")
@staff_required()
def export_csv():
    _form, period, scope = _choice()
    tables = figures.all_tables(period, scope)
    wanted = request.args.get("table")
    if wanted:
        tables = [t for t in tables if t.key == wanted] or tables
    audit.record(
        "report.exported",
        actor=current_user,
        format="csv",
        start=str(period.start),
        end=str(period.end),
    )
    db.session.commit()
    return Response(
        exports.csv_for(tables, period).encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_filename(period, "csv")}"'},
    )


@bp.route("/summary.pdf")
@staff_required()
def summary_pdf():
    _form, period, _scope = _choice()
    today = date.today()
    tables = figures.all_tables(period, figures.PROGRAMME, today)  # for the ministry: all
    audit.record(
        "report.exported",
        actor=current_user,
        format="pdf",
        start=str(period.start),
        end=str(period.end),
    )
    db.session.commit()
    return Response(
        exports.pdf_for(tables, period, today),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_filename(period, "pdf")}"'},
    )
