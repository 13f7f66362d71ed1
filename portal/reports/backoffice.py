"""Staff routes of the reports: the figures for a period as tables with their definitions, the
trend charts, the CSV and the PDF.

Rights (DESIGN.md §1): specialists, social workers and admins see the reports of their sites
(DESIGN.md §9: one site at a time, chosen by ``site`` when they work for several; another
site's slug answers 404); landlords and the state-level reader get 403 (landlords see their own
figures on their dashboard, the reader the state report, ``reports/state_views.py``); anonymous
visitors go to the login.
Nothing here changes data; downloads are audited. Every output takes its cells from one
protected report (``report.build``): small numbers are "< 3" and the cells that would give them
away "x" everywhere but on the page and charts of a staff member's own caseload (every table of
it scoped to that caseload). The list of overdue follow-ups (household codes, specialists) is
shown on the page only, never in a file.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, g, render_template, request, url_for
from flask_login import current_user

from portal.accounts.permissions import staff_required
from portal.core import clock
from portal.core.i18n import day, number
from portal.extensions import db
from portal.reports import annex, charts, exports, figures, report, submissions
from portal.reports.forms import PeriodForm, SubmitForm
from portal.reports.periods import Period, preset
from portal.reports.tables import display
from portal.sites.models import Site
from portal.sites.queries import site_named

bp = Blueprint("reports_backoffice", __name__, url_prefix="/backoffice/reports")
# A chart is an image of our own making: its styles are inline, and nothing in it may load or
# run.
CHART_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def staff_sites() -> list[Site]:
    """The sites of the staff member, by name: the choice of the reports page."""
    return sorted(current_user.sites, key=lambda site: site.name)


def chosen_site() -> Site:
    """The site whose report is shown: the ``site`` argument (a slug) among the staff
    member's sites, else their first site. A slug of another site answers 404, as every object
    of another site does; a staff member without a site gets 403."""
    if "report_site" not in g:
        sites = staff_sites()
        if not sites:
            abort(403)
        g.report_site = site_named(sites, request.args.get("site"))
    return g.report_site


def _choice() -> tuple[PeriodForm, Period, figures.Scope]:
    """The period, the scope and the site (``chosen_site``) of the request's arguments."""
    form = PeriodForm(request.args)
    sites = staff_sites()
    site = chosen_site()
    form.site.choices = [(s.slug, s.name) for s in sites]
    form.site.data = site.slug
    today = clock.today()
    valid = not request.args or form.validate()  # no arguments: the form's defaults
    period = form.period(today) if valid else preset("this_year", today)
    user_id = current_user.id if form.scope.data == "own" else None
    return form, period, figures.Scope(user_id, site_ids=(site.id,))


def _args(period: Period, scope: figures.Scope) -> dict[str, str]:
    args = {"preset": period.preset or "custom"}
    if period.preset is None:
        args |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if scope.is_own:
        args["scope"] = "own"
    if len(staff_sites()) > 1:  # one site: the addresses as before sites
        args["site"] = chosen_site().slug
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
    site = chosen_site()
    return render_template(
        "backoffice/reports/index.html",
        site=site,
        several_sites=len(staff_sites()) > 1,
        # Submitting (issue 17): the whole programme only, by specialists and admins.
        submit_form=None if scope.is_own else submit_form or SubmitForm(),
        may_submit=submissions.may_submit(current_user),
        may_export_annex=annex.may_export(current_user),
        submitted=submissions.submissions(period, site_ids=(site.id,)),
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


def _download(kind: str, tables, period: Period, today: date, site: Site | None) -> Response:
    """``site`` None: the state-level report over every site."""
    exports.record(kind, period, actor=current_user, sites=site.slug if site else "state")
    db.session.commit()
    where = site.slug if site is not None else "state"
    name = f"zuhause-figures-{where}-{period.start.isoformat()}-{period.end.isoformat()}.{kind}"
    return Response(
        exports.render(kind, tables, period, today, site=site),
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
    return _download("csv", tables, period, today, chosen_site())


@bp.route("/summary.pdf")
@staff_required()
def summary_pdf():
    _form, period, scope = _choice()
    today = clock.today()
    # For the ministry: always the whole programme of the site.
    whole = figures.Scope(site_ids=scope.site_ids)
    tables = report.build(period, whole, today).exported
    return _download("pdf", tables, period, today, chosen_site())
